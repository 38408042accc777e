/**
 * A run on a project large enough for its worker thread (`LARGE_MANIFEST_BYTES`): an added or edited model is emitted
 * on a worker started with the run while the main thread prints the package's units. The outcome is the one of a run
 * on one thread, byte for byte; a hand-edited, missing or extra output is still found.
 */
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeSyntheticCatalog } from "../../bench/catalog.ts";
import { listFiles } from "../../generator/lib/files.ts";
import { MANIFEST_FILE } from "../../generator/package/manifest.ts";
import { generate, LARGE_MANIFEST_BYTES } from "../../generator/package/generate.ts";
import { ROOT, tempProject, type TempProject } from "../helpers/project.ts";

let scratch: TempProject;
beforeAll(async () => {
  scratch = await tempProject({ withSchemas: false });
  await writeSyntheticCatalog(ROOT, scratch.root, 240);
  await generate({ root: scratch.root });
}, 120_000);
afterAll(() => scratch.cleanup());

/**
 * generated/ is exactly what a run on one thread that reuses nothing (no manifest, no cache, no worker) computes for
 * the same schemas: its `--check` finds no stale, missing or extra file.
 */
async function expectSameAsOneThread(): Promise<void> {
  const single = await generate({ root: scratch.root, check: true, cache: false, threads: 1 });
  expect(single.timings.map((timing) => timing.phase)).not.toContain("wait for models");
  expect(single.check).toEqual({ stale: [], missing: [], extra: [], diffs: new Map() });
}

describe("a large project", () => {
  it("is large enough for the worker thread", async () => {
    expect((await stat(join(scratch.root, "generated", MANIFEST_FILE))).size).toBeGreaterThanOrEqual(
      LARGE_MANIFEST_BYTES,
    );
  });

  it("adds, edits and removes a model through the worker thread, with the output of a run on one thread", async () => {
    const [first] = (await listFiles(join(scratch.root, "schemas"))).filter((path) => path.endsWith(".json"));
    const original = JSON.parse(await readFile(join(scratch.root, "schemas", first!), "utf8")) as { modelId: string };
    const added = join(scratch.root, "schemas", "test-added", "model.json");
    await mkdir(join(scratch.root, "schemas", "test-added"), { recursive: true });
    await writeFile(added, JSON.stringify({ ...original, modelId: "test-added/model" }, null, 2));

    const add = await generate({ root: scratch.root });
    const phases = add.timings.map((timing) => timing.phase);
    expect(phases).toContain("wait for models");
    expect(add.emittedUnits.filter((unit) => unit.startsWith("model:"))).toEqual(["model:test-added/model"]);
    // Model units first, as a run on one thread lists them.
    expect(add.emittedUnits[add.emittedUnits.indexOf("model:test-added/model") - 1] ?? "").not.toMatch(
      /^(registry|types|package):/,
    );
    expect(add.write!.written).toContain("models/test-added/model.js");
    // The types bucket of the added model is printed while the worker emits it: its mates' cached declarations are
    // used as they are (their stored specs are not read); the README reads the first model's (its example).
    expect(add.timings.find((timing) => timing.phase === "read cached specs")?.count ?? 0).toBeLessThanOrEqual(1);
    await expectSameAsOneThread();

    const text = await readFile(added, "utf8");
    await writeFile(added, text.replace(/"modelId"/, '"description": "edited",\n  "modelId"'));
    const edit = await generate({ root: scratch.root });
    expect(edit.timings.map((timing) => timing.phase)).toContain("wait for models");
    await expectSameAsOneThread();

    await rm(join(scratch.root, "schemas", "test-added"), { recursive: true });
    const removal = await generate({ root: scratch.root });
    expect(removal.write!.removed).toContain("models/test-added/model.js");
    // The folders the removal emptied are gone too.
    for (const folder of ["models/test-added", "schemas/test-added"])
      await expect(stat(join(scratch.root, "generated", folder))).rejects.toMatchObject({ code: "ENOENT" });
    await expectSameAsOneThread();
  }, 120_000);

  it("--check finds a hand-edited, a missing and an extra output, also once a no-op kept the manifest's facts", async () => {
    const generated = join(scratch.root, "generated");
    await generate({ root: scratch.root });
    const clean = await generate({ root: scratch.root, check: true });
    expect(clean.check).toEqual({ stale: [], missing: [], extra: [], diffs: new Map() });
    expect(clean.timings.map((timing) => timing.phase)).toContain("list outputs");
    expect(clean.timings.map((timing) => timing.phase)).not.toContain("read manifest");

    const edited = join(generated, "registry", "00.js");
    const before = await readFile(edited, "utf8");
    await writeFile(edited, `${before}// edited\n`);
    await rm(join(generated, "runtime", "poll.js"));
    await writeFile(join(generated, "models", "stray.js"), "export {};\n");
    await mkdir(join(generated, "types", "stray"));
    await writeFile(join(generated, "types", "stray", "deep.d.ts"), "export {};\n");
    const dirty = await generate({ root: scratch.root, check: true });
    expect(dirty.check!.stale).toEqual(["registry/00.js"]);
    expect(dirty.check!.missing).toEqual(["runtime/poll.js"]);
    expect(dirty.check!.extra).toEqual(["models/stray.js", "types/stray/deep.d.ts"]);

    const repair = await generate({ root: scratch.root });
    expect(repair.write!.removed).toEqual(["models/stray.js", "types/stray/deep.d.ts"]);
    expect(repair.write!.written.sort()).toEqual(["registry/00.js", "runtime/poll.js"]);
    await expectSameAsOneThread();
  }, 120_000);
});
