/**
 * The normalised-model cache behind incremental generate (`generator/model/spec-cache.ts`): a run that takes specs
 * and README sections from it writes exactly the bytes a run that reuses nothing writes.
 */
import { readFileSync } from "node:fs";
import { cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";
import { afterEach, describe, expect, it } from "vitest";
import { listFilesSync } from "../../generator/lib/files.ts";
import { generate, specCachePath } from "../../generator/package/generate.ts";
import { readSchemaEntries } from "../../generator/schemas/entries.ts";
import { ROOT, tempProject, type TempProject } from "../helpers/project.ts";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function project(): Promise<TempProject> {
  const made = await tempProject({ withSchemas: false });
  cleanups.push(() => made.cleanup());
  return made;
}

/** Every file below `dir`, by relative path. */
function tree(dir: string): Map<string, Buffer> {
  return new Map(
    listFilesSync(dir)
      .sort()
      .map((path) => [path, readFileSync(join(dir, path))]),
  );
}

/** Generates `root` incrementally and a copy of it (same schemas, same generated/) reusing nothing; both trees. */
async function incrementalAndCold(
  root: string,
): Promise<{ incremental: Map<string, Buffer>; cold: Map<string, Buffer>; emitted: readonly string[] }> {
  const copy = await project();
  await rm(join(copy.root, "generated"), { recursive: true, force: true });
  await cp(join(root, "schemas"), join(copy.root, "schemas"), { recursive: true });
  await cp(join(root, "generated"), join(copy.root, "generated"), { recursive: true });
  const report = await generate({ root });
  await generate({ root: copy.root, cache: false });
  return {
    incremental: tree(join(root, "generated")),
    cold: tree(join(copy.root, "generated")),
    emitted: report.emittedUnits,
  };
}

/**
 * The cache with every model's stored spec bytes damaged (its heads, read at once, intact): a spec whose other
 * properties a run reads is normalised again.
 */
function damagedEntries(cache: Buffer): Buffer {
  const stored = deserialize(cache) as { entries: Map<string, { v8: Uint8Array }> };
  expect(stored.entries.size).toBeGreaterThan(0);
  for (const [id, entry] of stored.entries) stored.entries.set(id, { ...entry, v8: Uint8Array.from([0xff, 0x0f, 1]) });
  return serialize(stored);
}

describe("incremental generate with the spec cache", () => {
  it("writes after an edit and an added model exactly the bytes of a run that reuses nothing, and re-emits only those models", async () => {
    const { writeSyntheticCatalog } = await import("../../bench/catalog.ts");
    const { root } = await project();
    await writeSyntheticCatalog(ROOT, root, 24);
    await generate({ root });
    const files = (await readSchemaEntries(join(root, "schemas"), root)).map((entry) => entry.file);
    const edited = files.find((file) => /"maximum": \d+/.test(readFileSync(join(root, file), "utf8")))!;
    const text = await readFile(join(root, edited), "utf8");
    await writeFile(
      join(root, edited),
      text.replace(/"maximum": (\d+)/, (_, max: string) => `"maximum": ${Number(max) + 1}`),
    );
    const parsed = JSON.parse(text) as { modelId: string };
    await mkdir(join(root, "schemas/cache-test"), { recursive: true });
    await writeFile(
      join(root, "schemas/cache-test/added.json"),
      JSON.stringify({ ...parsed, modelId: "cache-test/added" }, null, 2),
    );

    const { incremental, cold, emitted } = await incrementalAndCold(root);
    expect([...incremental.keys()]).toEqual([...cold.keys()]);
    for (const [path, bytes] of cold) expect(incremental.get(path)?.equals(bytes), path).toBe(true);
    expect(emitted.filter((unit) => unit.startsWith("model:")).sort()).toEqual(
      ["model:cache-test/added", `model:${parsed.modelId}`].sort(),
    );
    expect((await readFile(specCachePath(root))).length).toBeGreaterThan(0);
    expect((await generate({ root, check: true })).check?.stale).toEqual([]);
  }, 180_000);

  it("is only an optimisation: a corrupt or truncated cache, or damaged entries, give the same bytes", async () => {
    const { root } = await project();
    await cp(join(ROOT, "schemas"), join(root, "schemas"), { recursive: true });
    await generate({ root });
    const target = join(root, "schemas/community/wan-2-2/vace-fun.json");
    const text = await readFile(target, "utf8");
    for (const damage of ["not a cache", "", "entries"]) {
      const cache = await readFile(specCachePath(root));
      await writeFile(
        specCachePath(root),
        damage === "entries" ? damagedEntries(cache) : damage === "" ? cache.subarray(0, cache.length >> 1) : damage,
      );
      await writeFile(target, text.replace(/"description": "/, `"description": "${damage || "half"} `));
      const { incremental, cold } = await incrementalAndCold(root);
      expect([...incremental.keys()]).toEqual([...cold.keys()]);
      for (const [path, bytes] of cold) expect(incremental.get(path)?.equals(bytes), path).toBe(true);
    }
  }, 180_000);

  it("never lets --check report clean when a committed snapshot file or the README was edited by hand", async () => {
    const { root } = await project();
    await cp(join(ROOT, "schemas"), join(root, "schemas"), { recursive: true });
    await generate({ root });
    await generate({ root });
    for (const path of ["schemas/community/wan-2-2/vace-fun.json", "README.md"]) {
      const target = join(root, "generated", path);
      const text = await readFile(target, "utf8");
      await writeFile(target, `${text}\n`);
      expect((await generate({ root, check: true })).check?.stale).toEqual([path]);
      await generate({ root });
      expect(await readFile(target, "utf8")).toBe(text);
    }
  }, 180_000);
});
