/**
 * The package's `exports` (`emitPackageJson`, `generator/emit/package.ts`): the models' entry points are one pattern,
 * `runcomfy-models/<module path>` → `models/<module path>.js` (types `.d.ts`), so package.json does not grow with the
 * catalog; a model whose path starts with `schemas/` has its own entry (the schema snapshots' pattern would take it
 * otherwise). Resolved here by Node itself, against a package laid out as generate lays it out.
 */
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { emitPackageJson } from "../../generator/emit/package.ts";
import type { ModelSpec } from "../../generator/model/types.ts";
import { seedFile, specOf } from "../helpers/spec.ts";

const vace = seedFile("community/wan-2-2/vace-fun");
const specWithId = (modelId: string): ModelSpec => specOf({ ...vace, modelId });
const IDS = [
  "community/wan-2-2/vace-fun",
  "kling/kling-video-o3/4K/image-to-video",
  // An owner named like the schema snapshots' folder, and like the runtime's and the download helpers' entries.
  "schemas/form-model",
  "runtime/model",
  "download/x",
  // Characters a module path escapes (`~XX`).
  "hostile/*/ globalThis",
  "constructor/!!",
];
const specs = IDS.map(specWithId);

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

describe("package.json exports", () => {
  it("has one pattern for the models and an own entry only for a model under schemas/", () => {
    const pkg = JSON.parse(emitPackageJson(specs, "1.0.0")) as { exports: Record<string, unknown> };
    expect(pkg.exports["./*"]).toEqual({ types: "./models/*.d.ts", default: "./models/*.js" });
    expect(pkg.exports["./schemas/*"]).toBe("./schemas/*");
    expect(
      Object.keys(pkg.exports)
        .filter((key) => !key.includes("*"))
        .sort(),
    ).toEqual([".", "./download", "./internal", "./package.json", "./runtime", "./schemas/form-model"].sort());
  });

  it("stays the same size at any catalog size (but for models under schemas/)", () => {
    const many = Array.from({ length: 300 }, (_, index) => specWithId(`owner-${index}/family-${index}/edit`));
    expect(emitPackageJson(many, "1.0.0")).toBe(emitPackageJson(many.slice(0, 3), "1.0.0"));
  });

  it("resolves, through Node, every model's entry point to its module, a schema snapshot to its file", async () => {
    const root = await mkdtemp(join(tmpdir(), "runcomfy-exports-"));
    dirs.push(root);
    const pkg = join(root, "package");
    const write = async (path: string, text: string) => {
      await mkdir(dirname(join(pkg, path)), { recursive: true });
      await writeFile(join(pkg, path), text);
    };
    await write("package.json", emitPackageJson(specs, "1.0.0"));
    for (const spec of specs) {
      await write(`models/${spec.names.modulePath}.js`, "export {};\n");
      await write(`models/${spec.names.modulePath}.d.ts`, "export {};\n");
      await write(`schemas/${spec.id}.json`, "{}\n");
    }
    await write("runtime/index.js", "export {};\n");
    await mkdir(join(root, "app/node_modules"), { recursive: true });
    await symlink(pkg, join(root, "app/node_modules/runcomfy-models"), "dir");
    const resolve = (specifier: string) => createRequire(join(root, "app/index.js")).resolve(specifier);
    for (const spec of specs)
      expect(await realpath(resolve(`runcomfy-models/${spec.names.modulePath}`)), spec.id).toBe(
        await realpath(join(pkg, "models", `${spec.names.modulePath}.js`)),
      );
    expect(await realpath(resolve("runcomfy-models/schemas/schemas/form-model.json"))).toBe(
      await realpath(join(pkg, "schemas/schemas/form-model.json")),
    );
    expect(await realpath(resolve("runcomfy-models/runtime"))).toBe(await realpath(join(pkg, "runtime/index.js")));
    // A model that is not in the package is not found (the pattern names a file that does not exist).
    expect(() => resolve("runcomfy-models/community/no-such-model")).toThrow(/Cannot find module/);
  });
});
