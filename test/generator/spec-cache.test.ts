/**
 * The normalised-model cache behind incremental generate (`generator/model/spec-cache.ts`): a run that takes specs
 * and type declarations from it writes exactly the bytes a run that reuses nothing writes.
 */
import { existsSync, readFileSync } from "node:fs";
import { cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { listFilesSync } from "../../generator/lib/files.ts";
import { sha256 } from "../../generator/lib/json.ts";
import { specCacheFiles } from "../../generator/model/spec-cache.ts";
import { generate, specCachePath } from "../../generator/package/generate.ts";
import { readSchemaEntries } from "../../generator/schemas/entries.ts";
import { ROOT, runProcess, tempProject, type TempProject } from "../helpers/project.ts";

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
async function incrementalAndCold(root: string): Promise<{
  incremental: Map<string, Buffer>;
  cold: Map<string, Buffer>;
  emitted: readonly string[];
  printed: (phase: string) => number;
}> {
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
    printed: (phase) => report.timings.find((timing) => timing.phase === phase)?.count ?? 0,
  };
}

type Damage = (files: { readonly index: string; readonly data: string }) => Promise<void>;

/** The index's parts: its first line's fields, the names line, and each record's key and JSON. */
async function readIndex(index: string): Promise<{ head: string[]; naming: string; records: [string, string][] }> {
  const text = await readFile(index, "utf8");
  const [first, naming, ...lines] = text.split("\n");
  const records = lines.map((line): [string, string] => [
    line.slice(0, line.indexOf("\t")),
    line.slice(line.indexOf("\t") + 1),
  ]);
  expect(records.length).toBeGreaterThan(1);
  return { head: first!.split("\t"), naming: naming!, records };
}

/** Writes the index back with its SHA-256 recomputed: it passes every check the cache makes of its own bytes. */
async function writeIndex(index: string, parts: Awaited<ReturnType<typeof readIndex>>): Promise<void> {
  const body = [parts.naming, ...parts.records.map(([key, json]) => `${key}\t${json}`)].join("\n");
  const [magic, fingerprint] = parts.head;
  await writeFile(index, `${magic}\t${fingerprint}\t${sha256(body)}\n${body}`);
}

/** Rewrites the index with `change` applied to its records. */
async function editIndex(index: string, change: (records: Record<string, unknown>[]) => void): Promise<void> {
  const parts = await readIndex(index);
  const records = parts.records.map(([, json]) => JSON.parse(json) as Record<string, unknown>);
  change(records);
  await writeIndex(index, {
    ...parts,
    records: parts.records.map(([key], n) => [key, JSON.stringify(records[n])]),
  });
}

/** Ways the two files of the cache get damaged; each must cost only the work the cache would have saved. */
const DAMAGES: Readonly<Record<string, Damage>> = {
  "index not a cache": ({ index }) => writeFile(index, "not a cache"),
  "index truncated": async ({ index }) => writeFile(index, (await readFile(index)).subarray(0, 100)),
  "index records not records": async ({ index }) => {
    const parts = await readIndex(index);
    await writeIndex(index, {
      ...parts,
      records: parts.records.map(([key], n) => [key, n % 2 ? "{]" : '{"head":{}}']),
    });
  },
  "records flipped": async ({ index }) => {
    // A byte of each record changed, the index's hash left as it was.
    const [first, ...lines] = (await readFile(index, "utf8")).split("\n");
    const flip = (line: string, at = line.length >> 1) =>
      `${line.slice(0, at)}${String.fromCharCode(line.charCodeAt(at) ^ 0x01)}${line.slice(at + 1)}`;
    await writeFile(index, [first, ...lines.map((line, n) => (n === 0 ? line : flip(line)))].join("\n"));
  },
  "names memo damaged": async ({ index }) => {
    const parts = await readIndex(index);
    expect(parts.naming.length).toBeGreaterThan(0);
    await writeIndex(index, { ...parts, naming: `${parts.naming.slice(0, 8)}${" ".repeat(parts.naming.length - 8)}` });
  },
  "data missing": ({ data }) => rm(data),
  "data truncated": async ({ data }) => {
    const bytes = await readFile(data);
    await writeFile(data, bytes.subarray(0, bytes.length >> 1));
  },
  "data overwritten": async ({ data }) => {
    const bytes = await readFile(data);
    bytes.fill(0x41, bytes.length >> 2, (bytes.length >> 2) * 3);
    await writeFile(data, bytes);
  },
  // Well-formed records whose spec and printed declarations point at another model's (intact) bytes.
  "records swapped": ({ index }) =>
    editIndex(index, (records) => {
      const [a, b] = [records[0]!, records[1]!];
      [a["spec"], b["spec"]] = [b["spec"], a["spec"]];
      [a["printed"], b["printed"]] = [b["printed"], a["printed"]];
    }),
};

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
    expect((await readFile(specCacheFiles(specCachePath(root)).data)).length).toBeGreaterThan(0);
    expect((await generate({ root, check: true })).check?.stale).toEqual([]);
  }, 180_000);

  it.each(Object.keys(DAMAGES))(
    "is only an optimisation: %s gives the bytes of a run that reuses nothing",
    async (damage) => {
      const { root } = await project();
      await cp(join(ROOT, "schemas"), join(root, "schemas"), { recursive: true });
      await generate({ root });
      const target = join(root, "schemas/community/wan-2-2/vace-fun.json");
      const text = await readFile(target, "utf8");
      await DAMAGES[damage]!(specCacheFiles(specCachePath(root)));
      // One model edited (the others taken from the damaged cache), and the declarations of its bucket read.
      await writeFile(target, text.replace(/"description": "/, `"description": "${damage} `));
      const { incremental, cold } = await incrementalAndCold(root);
      expect([...incremental.keys()]).toEqual([...cold.keys()]);
      for (const [path, bytes] of cold) expect(incremental.get(path)?.equals(bytes), path).toBe(true);
      // The damage is repaired: the next run takes every model from the cache again.
      await writeFile(target, text);
      await generate({ root });
      const again = await generate({ root, render: false, cache: true, check: true });
      expect(again.check?.stale).toEqual([]);
    },
    180_000,
  );

  it("takes the type declarations of a changed model's bucket-mates from the cache, not from their specs", async () => {
    const { bucketOf } = await import("../../templates/runtime/buckets.ts");
    const { root } = await project();
    await cp(join(ROOT, "schemas"), join(root, "schemas"), { recursive: true });
    const base = JSON.parse(await readFile(join(root, "schemas/community/wan-2-2/vace-fun.json"), "utf8")) as {
      modelId: string;
    };
    // Three models in one registry bucket (so in one types/NN.d.ts).
    const bucket = bucketOf("cache-test/m0");
    const ids = Array.from({ length: 400 }, (_, n) => `cache-test/m${n}`).filter((id) => bucketOf(id) === bucket);
    expect(ids.length).toBeGreaterThanOrEqual(3);
    for (const id of ids.slice(0, 3)) {
      await mkdir(join(root, "schemas", dirname(id)), { recursive: true });
      await writeFile(join(root, "schemas", `${id}.json`), JSON.stringify({ ...base, modelId: id }, null, 2));
    }
    await generate({ root });
    const edited = join(root, "schemas", `${ids[0]}.json`);
    await writeFile(edited, (await readFile(edited, "utf8")).replace(/"description": "/, `"description": "edited `));
    const { incremental, cold, emitted, printed } = await incrementalAndCold(root);
    expect([...incremental.keys()]).toEqual([...cold.keys()]);
    for (const [path, bytes] of cold) expect(incremental.get(path)?.equals(bytes), path).toBe(true);
    expect(emitted).toContain(`types:${String(bucket).padStart(2, "0")}`);
    // Printed now: the edited model's declaration file and its types, nothing of the two others.
    expect(printed("declarations")).toBe(2);
  }, 180_000);

  it("reads no stored spec of the models an add leaves alone (but the README example's), and writes a cold run's bytes", async () => {
    const { writeSyntheticCatalog } = await import("../../bench/catalog.ts");
    const { root } = await project();
    // Node-ID and plain-key models, with and without a display name (an optional field of the index's heads).
    await writeSyntheticCatalog(ROOT, root, 24);
    await generate({ root });
    const entries = await readSchemaEntries(join(root, "schemas"), root);
    const named = entries.map((entry) => JSON.parse(entry.text) as { modelId: string; displayName?: string });
    expect(named.some((file) => file.displayName !== undefined)).toBe(true);
    expect(named.some((file) => file.displayName === undefined)).toBe(true);
    // The added model shares its registry bucket (its types/NN.d.ts) with a model already there.
    const { bucketOf } = await import("../../templates/runtime/buckets.ts");
    const mate = bucketOf(named[1]!.modelId);
    const added = Array.from({ length: 1000 }, (_, n) => `cache-test/added-${n}`).find((id) => bucketOf(id) === mate)!;
    await mkdir(join(root, "schemas/cache-test"), { recursive: true });
    await writeFile(join(root, "schemas", `${added}.json`), JSON.stringify({ ...named[0], modelId: added }, null, 2));
    const report = await generate({ root });
    expect(report.emittedUnits).toContain(`model:${added}`);
    expect(report.emittedUnits).toContain(`types:${String(mate).padStart(2, "0")}`);
    // The package's units (README list, index.d.ts, the added model's types bucket) read only the index's heads.
    expect(report.timings.find((timing) => timing.phase === "read cached specs")?.count ?? 0).toBeLessThanOrEqual(1);
    const { incremental, cold } = await incrementalAndCold(root);
    expect([...incremental.keys()]).toEqual([...cold.keys()]);
    for (const [path, bytes] of cold) expect(incremental.get(path)?.equals(bytes), path).toBe(true);
  }, 180_000);

  it("appends what an add stores, and writes the data file anew once more than half of it is dead", async () => {
    const { writeSyntheticCatalog } = await import("../../bench/catalog.ts");
    const { root } = await project();
    await writeSyntheticCatalog(ROOT, root, 12);
    const files = specCacheFiles(specCachePath(root));
    // The one-file cache of earlier versions is removed by the first save.
    await mkdir(dirname(files.legacy), { recursive: true });
    await writeFile(files.legacy, "an old cache");
    await generate({ root });
    expect(existsSync(files.legacy)).toBe(false);
    const before = await readFile(files.data);
    const entries = await readSchemaEntries(join(root, "schemas"), root);
    const source = JSON.parse(entries[0]!.text) as { modelId: string };
    await mkdir(join(root, "schemas/cache-test"), { recursive: true });
    await writeFile(
      join(root, "schemas/cache-test/added.json"),
      JSON.stringify({ ...source, modelId: "cache-test/added" }, null, 2),
    );
    await generate({ root });
    const after = await readFile(files.data);
    // Appended: the bytes already there are untouched, and the new model's spec and declarations follow them.
    expect(after.length).toBeGreaterThan(before.length);
    expect(after.subarray(0, before.length).equals(before)).toBe(true);
    // Most models removed: their entries are dead, and the data file shrinks to the live ones.
    for (const entry of entries.slice(2)) await rm(join(root, entry.file));
    await generate({ root });
    const compacted = await readFile(files.data);
    expect(compacted.length).toBeLessThan(after.length / 2);
    const { incremental, cold } = await incrementalAndCold(root);
    for (const [path, bytes] of cold) expect(incremental.get(path)?.equals(bytes), path).toBe(true);
  }, 180_000);

  it("stays only an optimisation when two runs store at once (their appends interleave; the last index wins)", async () => {
    const { writeSyntheticCatalog } = await import("../../bench/catalog.ts");
    const { root } = await project();
    await writeSyntheticCatalog(ROOT, root, 8);
    await generate({ root });
    const entries = await readSchemaEntries(join(root, "schemas"), root);
    const source = JSON.parse(entries[0]!.text) as { modelId: string };
    await mkdir(join(root, "schemas/cache-test"), { recursive: true });
    await writeFile(
      join(root, "schemas/cache-test/added.json"),
      JSON.stringify({ ...source, modelId: "cache-test/added" }, null, 2),
    );
    // Two processes on one cache: each appends what it normalised and writes its index (--check writes nothing
    // else: both report the added model's files as missing).
    const bin = join(ROOT, "generator/cli/bin.js");
    const runs = await Promise.all(
      [0, 1].map(() => runProcess(process.execPath, [bin, "generate", "--check", "-q", "--root", root], { cwd: root })),
    );
    for (const run of runs) expect(run.code, run.stderr).toBe(1);
    const { incremental, cold } = await incrementalAndCold(root);
    expect([...incremental.keys()]).toEqual([...cold.keys()]);
    for (const [path, bytes] of cold) expect(incremental.get(path)?.equals(bytes), path).toBe(true);
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
