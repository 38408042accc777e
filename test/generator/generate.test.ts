import { mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GeneratorErrors } from "../../generator/lib/diagnostics.ts";
import { generate } from "../../generator/package/generate.ts";
import { bucketOf } from "../../templates/runtime/buckets.ts";
import { runCli } from "../helpers/cli.ts";
import { codegenCli as cli, fileTree as tree, ROOT, tempProject, type TempProject } from "../helpers/project.ts";

const projects: TempProject[] = [];
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all([...projects.splice(0).map((project) => project.cleanup()), ...cleanups.splice(0).map((f) => f())]);
});

async function project(options?: Parameters<typeof tempProject>[0]): Promise<TempProject> {
  const created = await tempProject(options);
  projects.push(created);
  return created;
}

describe("generate", () => {
  it("rewrites nothing on a second run, with or without the cache", async () => {
    const scratch = await project();
    await generate({ root: scratch.root });
    const first = await tree(join(scratch.root, "generated"));
    await new Promise((done) => setTimeout(done, 20));
    for (const cache of [true, false]) {
      const report = await generate({ root: scratch.root, cache });
      expect(report.write!.written).toEqual([]);
      expect(report.write!.removed).toEqual([]);
      const second = await tree(join(scratch.root, "generated"));
      expect(second).toEqual(first);
    }
  });

  it("skips every emitter on a no-op run (build cache) but re-emits a file edited by hand", async () => {
    const scratch = await project();
    await generate({ root: scratch.root });
    const noop = await generate({ root: scratch.root });
    expect(noop.emittedUnits).toEqual([]);
    const target = join(scratch.root, "generated/models/community/wan-2-2/vace-fun.js");
    const original = await readFile(target, "utf8");
    await writeFile(target, `${original}// edited\n`);
    const repair = await generate({ root: scratch.root });
    expect(repair.emittedUnits).toEqual(["model:community/wan-2-2/vace-fun"]);
    expect(repair.write!.written).toEqual(["models/community/wan-2-2/vace-fun.js"]);
    expect(await readFile(target, "utf8")).toBe(original);
  });

  it("takes a fast path when nothing changed: no normalisation, warnings replayed; a stray file still gets removed", async () => {
    const scratch = await project();
    const first = await generate({ root: scratch.root });
    expect(first.warnings.length).toBeGreaterThan(0);
    const noop = await generate({ root: scratch.root });
    expect(noop.timings.map((timing) => timing.phase)).not.toContain("normalise");
    expect(noop.warnings).toEqual(first.warnings);
    expect(noop.modelCount).toBe(4);
    expect(noop.specs).toBeUndefined();
    expect((await noop.loadSpecs()).map((spec) => spec.id)).toEqual(first.specs!.map((spec) => spec.id));
    await writeFile(join(scratch.root, "generated/models/stray.js"), "export {};\n");
    const repair = await generate({ root: scratch.root });
    expect(repair.timings.map((timing) => timing.phase)).toContain("normalise");
    expect(repair.write!.removed).toEqual(["models/stray.js"]);
  });

  it("--check passes on a fresh tree and fails on an edited, a missing and an extra file", async () => {
    const scratch = await project({ withGenerated: true });
    const clean = await cli(scratch.root, "generate", "--check");
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toContain("generated/ is up to date");

    const generated = join(scratch.root, "generated");
    const edited = join(generated, "models/community/fantasy-portrait/image-to-video.d.ts");
    await writeFile(edited, (await readFile(edited, "utf8")).replace("build(input: Input)", "build(input: Infut)"));
    await rm(join(generated, "runtime/poll.js"));
    await writeFile(join(generated, "models/stray.js"), "export {};\n");
    const before = await tree(generated);

    const dirty = await cli(scratch.root, "generate", "--check");
    expect(dirty.code).toBe(1);
    expect(dirty.stderr).toContain("stale:   generated/models/community/fantasy-portrait/image-to-video.d.ts");
    expect(dirty.stderr).toContain("missing: generated/runtime/poll.js");
    expect(dirty.stderr).toContain("extra:   generated/models/stray.js");
    expect(dirty.stderr).toContain("-export declare function build(input: Infut): RawInput;");
    expect(dirty.stderr).toContain("+export declare function build(input: Input): RawInput;");
    // --check never writes.
    expect(await tree(generated)).toEqual(before);
  });

  it("--check trusts the committed manifest only as far as it proves: hash of every output, and its own bytes", async () => {
    const scratch = await project({ withGenerated: true });
    // A fresh clone: no build cache anywhere, only the committed manifest.
    const fast = await generate({ root: scratch.root, check: true });
    expect(fast.check).toEqual({ stale: [], missing: [], extra: [], diffs: new Map() });
    expect(fast.emittedUnits).toEqual([]);
    expect(fast.timings.map((timing) => timing.phase)).not.toContain("normalise");

    // An output edited by hand, the manifest untouched: reported, although every input is as recorded.
    const generated = join(scratch.root, "generated");
    const edited = join(generated, "models/community/wan-2-2/vace-fun.js");
    const original = await readFile(edited, "utf8");
    await writeFile(edited, original.replace("defineModel", "defineModel /* edited */"));
    const handEdited = await generate({ root: scratch.root, check: true });
    expect(handEdited.check!.stale).toEqual(["models/community/wan-2-2/vace-fun.js"]);
    expect(handEdited.emittedUnits).toEqual(["model:community/wan-2-2/vace-fun"]);
    await writeFile(edited, original);

    // The manifest itself edited (its meaning kept): it is a committed output too.
    const manifestPath = join(generated, ".codegen-manifest.json");
    const manifest = await readFile(manifestPath, "utf8");
    await writeFile(manifestPath, JSON.stringify(JSON.parse(manifest)));
    expect((await generate({ root: scratch.root, check: true })).check!.stale).toEqual([".codegen-manifest.json"]);
    await writeFile(manifestPath, manifest);

    // A schema changed without regenerating: only what it feeds is emitted again, and --check fails.
    const schema = join(scratch.root, "schemas/community/wan-2-2/vace-fun.json");
    await writeFile(schema, (await readFile(schema, "utf8")).replace('"maximum": 30', '"maximum": 31'));
    const drifted = await generate({ root: scratch.root, check: true });
    const bucket = String(bucketOf("community/wan-2-2/vace-fun")).padStart(2, "0");
    expect([...drifted.emittedUnits].sort()).toEqual(
      ["model:community/wan-2-2/vace-fun", "package", "release", `types:${bucket}`].sort(),
    );
    expect(drifted.check!.stale).toEqual(
      expect.arrayContaining([
        ".codegen-manifest.json",
        "models/community/wan-2-2/vace-fun.d.ts",
        `types/${bucket}.d.ts`,
      ]),
    );
  });

  it("leaves generated/ untouched when any schema is bad, and reports every bad file", async () => {
    const scratch = await project({ withGenerated: true });
    const generated = join(scratch.root, "generated");
    const before = await tree(generated);
    const good = join(scratch.root, "schemas/community/wan-2-2/vace-fun.json");
    await writeFile(good, (await readFile(good, "utf8")).replace('"type": "float"', '"type": "double"'));
    await writeFile(join(scratch.root, "schemas/community/broken.json"), '{ "modelId": "community/broken", ');
    await writeFile(
      join(scratch.root, "schemas/community/elsewhere.json"),
      JSON.stringify({ modelId: "community/other", sources: [], inputSchema: { type: "object", properties: {} } }),
    );

    let error: unknown;
    try {
      await generate({ root: scratch.root });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GeneratorErrors);
    const message = (error as Error).message;
    expect(message).toMatch(/schemas\/community\/broken\.json: invalid JSON at line 1, column \d+/);
    expect(message).toContain(
      'schemas/community/elsewhere.json: holds model "community/other", whose schema file must be schemas/community/other.json',
    );
    expect(message).toContain(
      'schemas/community/wan-2-2/vace-fun.json › inputSchema/properties/108_cfg/type: field "108_cfg": unknown type "double"',
    );
    expect(await tree(generated)).toEqual(before);

    const viaCli = await cli(scratch.root, "generate");
    expect(viaCli.code).toBe(1);
    expect(viaCli.stderr).toContain("3 problems");
    expect(await tree(generated)).toEqual(before);
  });

  it("adds a model's files and removes them again when its schema goes", async () => {
    const scratch = await project();
    await generate({ root: scratch.root });
    const schema = JSON.parse(await readFile(join(scratch.root, "schemas/community/wan-2-2/vace-fun.json"), "utf8"));
    schema.modelId = "kling/kling-video-o3/4K/image-to-video";
    // The path is the id, case kept.
    const path = join(scratch.root, "schemas/kling/kling-video-o3/4K/image-to-video.json");
    await (await import("node:fs/promises")).mkdir(join(path, ".."), { recursive: true });
    await writeFile(path, JSON.stringify(schema, null, 2));
    const added = await generate({ root: scratch.root });
    const modelFiles = added.write!.written.filter((file) => file.includes("kling"));
    expect(modelFiles.sort()).toEqual([
      "models/kling/kling-video-o3/4K/image-to-video.d.ts",
      "models/kling/kling-video-o3/4K/image-to-video.js",
      // Its page (the README lists it and links there).
      "models/kling/kling-video-o3/4K/image-to-video.md",
      // The copy of its schema file in the package's snapshot (generator/package/release.ts).
      "schemas/kling/kling-video-o3/4K/image-to-video.json",
    ]);
    // One registry module and one types module (the bucket of the new id) are printed again, not all 64, and the
    // package is what a run that reuses nothing writes.
    const bucket = String(bucketOf(schema.modelId)).padStart(2, "0");
    const registry = `registry:${bucket}`;
    expect([...added.emittedUnits].sort()).toEqual(
      ["model:kling/kling-video-o3/4K/image-to-video", "package", registry, "release", `types:${bucket}`].sort(),
    );
    expect(added.write!.written).toContain(`types/${bucket}.d.ts`);
    expect(added.write!.written).toContain(`registry/${registry.slice("registry:".length)}.js`);
    const rendered = await generate({ root: scratch.root, render: true });
    const onDisk = await tree(join(scratch.root, "generated"));
    for (const [file, text] of rendered.files!) expect(onDisk.get(file)?.text, file).toBe(text);
    // Its entry point, `runcomfy-models/<id>`, is the package's model pattern: resolved by Node to its module.
    const consumer = await mkdtemp(join(tmpdir(), "runcomfy-consumer-"));
    cleanups.push(() => rm(consumer, { recursive: true, force: true }));
    await mkdir(join(consumer, "node_modules"));
    await symlink(join(scratch.root, "generated"), join(consumer, "node_modules/runcomfy-models"), "dir");
    const resolve = (specifier: string) => createRequire(join(consumer, "index.js")).resolve(specifier);
    expect(await realpath(resolve("runcomfy-models/kling/kling-video-o3/4K/image-to-video"))).toBe(
      await realpath(join(scratch.root, "generated/models/kling/kling-video-o3/4K/image-to-video.js")),
    );
    await rm(path);
    const removed = await generate({ root: scratch.root });
    expect(removed.write!.removed.sort()).toEqual(modelFiles.sort());
    expect(removed.emittedUnits).toContain(registry);
    expect(removed.emittedUnits.filter((unit) => unit.startsWith("registry:"))).toHaveLength(1);
  });
});

describe("generate without schemas/", () => {
  /** Roots that hold no schemas/ folder: what each holds before the run, and what the error says of it. */
  const ROOTS: [string, (dir: string) => Promise<string>, string][] = [
    ["a root that does not exist", async (dir) => join(dir, "nonexistent"), "does not exist"],
    ["an empty folder", async (dir) => dir, "does not exist"],
    [
      "a root whose schemas is a file",
      async (dir) => {
        await writeFile(join(dir, "schemas"), "");
        return dir;
      },
      "is not a folder",
    ],
  ];
  it.each(
    ROOTS.flatMap(([what, make, why]) => [
      ["generate", what, make, why] as const,
      ["generate --check", what, make, why] as const,
    ]),
  )("`%s` on %s fails naming the folder, exits 1 and writes nothing", async (command, _what, make, why) => {
    const dir = await mkdtemp(join(tmpdir(), "runcomfy-no-schemas-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const root = await make(dir);
    const before = await tree(dir);
    const result = await runCli([...command.split(" "), "--root", root]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error no schemas/ folder to generate from: ${join(root, "schemas")} ${why}`);
    expect(await tree(dir)).toEqual(before);
  });
});

describe("generate on a larger catalog", () => {
  it("gives byte-identical output on one thread and on worker threads", async () => {
    const { writeSyntheticCatalog } = await import("../../bench/catalog.ts");
    const scratch = await project({ withSchemas: false });
    await writeSyntheticCatalog(ROOT, scratch.root, 9);
    const single = await generate({ root: scratch.root, render: true, threads: 1 });
    const parallel = await generate({ root: scratch.root, render: true, threads: 3 });
    expect(single.specs!).toHaveLength(9);
    expect([...parallel.files!.keys()].sort()).toEqual([...single.files!.keys()].sort());
    for (const [path, text] of single.files!) expect(parallel.files!.get(path), path).toBe(text);
  });
});
