/**
 * The compiled runtime is stored once per version of the generator (`emit/runtime.ts`): a run with the same
 * templates reads it instead of transpiling and formatting, and any change of the templates, or a damaged store,
 * compiles again.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { emitModelUnit, emitRuntimeUnit, type FileMap } from "../../generator/emit/all.ts";
import { emitUnits } from "../../generator/emit/pool.ts";
import { readRuntimeSources, type RuntimeSource } from "../../generator/emit/runtime.ts";
import { generate } from "../../generator/package/generate.ts";
import { ROOT, tempProject, type TempProject } from "../helpers/project.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function storeDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "runcomfy-runtime-store-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Emits the runtime unit through the store at `cache`; `compiled` counts the runs that compiled it. */
async function runtimeThrough(
  cache: string,
  sources: readonly RuntimeSource[],
  compiled: { count: number },
): Promise<FileMap> {
  const runtime = (given: readonly RuntimeSource[]) => {
    compiled.count++;
    return emitRuntimeUnit(given);
  };
  const results = await emitUnits(
    { models: [], runtime: sources, runtimeCache: cache },
    { model: emitModelUnit, runtime },
    1,
  );
  return results.runtime!;
}

describe("stored runtime", () => {
  it("is compiled once, read back byte for byte, and compiled again when a template changes or the store is damaged", async () => {
    const cache = join(await storeDir(), "runtime-test.json");
    const sources = await readRuntimeSources(join(ROOT, "templates", "runtime"));
    const compiled = { count: 0 };
    const fresh = await runtimeThrough(cache, sources, compiled);
    expect(compiled.count).toBe(1);
    const stored = await runtimeThrough(cache, sources, compiled);
    expect(compiled.count).toBe(1);
    expect([...stored]).toEqual([...fresh]);

    const edited = sources.map((source) =>
      source.path === "protocol.ts" ? { ...source, text: `${source.text}\nexport const STORE_PROBE = 1;\n` } : source,
    );
    const recompiled = await runtimeThrough(cache, edited, compiled);
    expect(compiled.count).toBe(2);
    expect(recompiled.get("runtime/protocol.js")).toContain("STORE_PROBE");
    expect(fresh.get("runtime/protocol.js")).not.toContain("STORE_PROBE");

    // A store whose files were edited (or cut short) is not used.
    const text = await readFile(cache, "utf8");
    await writeFile(cache, text.replace("STORE_PROBE", "STORE_PROBX"));
    const repaired = await runtimeThrough(cache, edited, compiled);
    expect(compiled.count).toBe(3);
    expect(repaired.get("runtime/protocol.js")).toContain("STORE_PROBE");
    await writeFile(cache, text.slice(0, 100));
    await runtimeThrough(cache, edited, compiled);
    expect(compiled.count).toBe(4);
  });

  it("follows an edited template in a --no-cache generate of a project (its own copy of templates/)", async () => {
    const scratch: TempProject = await tempProject();
    cleanups.push(() => scratch.cleanup());
    const templates = join(scratch.root, "templates");
    await rm(templates);
    await cp(join(ROOT, "templates"), templates, { recursive: true });
    const target = join(scratch.root, "generated", "runtime", "protocol.js");
    await generate({ root: scratch.root, cache: false });
    const before = await readFile(target, "utf8");
    expect(before).not.toContain("STORE_PROBE");
    const protocol = join(templates, "runtime", "protocol.ts");
    await writeFile(protocol, `${await readFile(protocol, "utf8")}\nexport const STORE_PROBE = 1;\n`);
    await generate({ root: scratch.root, cache: false });
    expect(await readFile(target, "utf8")).toContain("export const STORE_PROBE = 1;");
    // And back: the first version's store still answers, with the first bytes.
    await cp(join(ROOT, "templates", "runtime", "protocol.ts"), protocol);
    await generate({ root: scratch.root, cache: false });
    expect(await readFile(target, "utf8")).toBe(before);
  });
});
