/** The content-hash cache behind generate's fast path (`generator/lib/hash-cache.ts`). */
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openHashCache } from "../../generator/lib/hash-cache.ts";
import { sha256 } from "../../generator/lib/json.ts";
import { generate } from "../../generator/package/generate.ts";
import { tempProject, type TempProject } from "../helpers/project.ts";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "runcomfy-hashes-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe("the hash cache", () => {
  it("hashes a file's text, remembers it across runs, and hashes again after any write (even with its times set back)", async () => {
    const dir = await scratch();
    const file = join(dir, "a.txt");
    const cacheFile = join(dir, "cache.json");
    await writeFile(file, "one");
    const first = await openHashCache(cacheFile);
    expect(first.hash(file)).toBe(sha256("one"));
    expect(first.hash(join(dir, "missing.txt"))).toBeUndefined();
    await first.save();
    expect(JSON.parse(await readFile(cacheFile, "utf8")).files[file][4]).toBe(sha256("one"));

    // Same size, times set back: the change time still moves, so the new content is hashed.
    const before = await stat(file);
    await writeFile(file, "two");
    await utimes(file, before.atime, before.mtime);
    const second = await openHashCache(cacheFile);
    expect(second.hash(file)).toBe(sha256("two"));
  });

  it("hashes again a file that changed no earlier than the cache was written (a same-tick edit could keep its stat)", async () => {
    const dir = await scratch();
    const file = join(dir, "a.txt");
    const cacheFile = join(dir, "cache.json");
    await writeFile(file, "one");
    const first = await openHashCache(cacheFile);
    first.hash(file);
    await first.save();
    // Plant a wrong hash under the file's true stat: only a cache that trusts the entry returns it.
    const stored = JSON.parse(await readFile(cacheFile, "utf8"));
    stored.files[file][4] = "planted";
    await writeFile(cacheFile, JSON.stringify(stored));
    const { ctime } = await stat(file);

    const written = (at: Date) => utimes(cacheFile, at, at);
    await written(new Date(ctime.getTime() + 60_000));
    expect((await openHashCache(cacheFile)).hash(file)).toBe("planted");
    await written(new Date(ctime.getTime() - 1));
    expect((await openHashCache(cacheFile)).hash(file)).toBe(sha256("one"));
  });

  it("looks at a file once per run: asked again, it answers what it found then, or what wrote told it", async () => {
    const dir = await scratch();
    const file = join(dir, "a.txt");
    await writeFile(file, "one");
    const cache = await openHashCache(undefined);
    expect(cache.hash(file)).toBe(sha256("one"));
    await writeFile(file, "two");
    expect(cache.hash(file)).toBe(sha256("one"));
    await cache.wrote(file, "two");
    expect(cache.hash(file)).toBe(sha256("two"));
    expect((await openHashCache(undefined)).hash(file)).toBe(sha256("two"));
  });

  it("without a cache file, reads every time and stores nothing", async () => {
    const dir = await scratch();
    const file = join(dir, "a.txt");
    await writeFile(file, "x");
    const cache = await openHashCache(undefined);
    expect(cache.hash(file)).toBe(sha256("x"));
    await cache.save();
  });
});

describe("generate --check with the hash cache", () => {
  it("reports an output edited by hand although its size and modification time are the recorded ones", async () => {
    const project: TempProject = await tempProject();
    cleanups.push(() => project.cleanup());
    await generate({ root: project.root });
    expect((await generate({ root: project.root, check: true })).check?.stale).toEqual([]);
    const target = join(project.root, "generated/models/community/wan-2-2/vace-fun.d.ts");
    const text = await readFile(target, "utf8");
    const before = await stat(target);
    await writeFile(target, text.replace("build(input: Input)", "build(input: Infut)"));
    await utimes(target, before.atime, before.mtime);
    expect((await stat(target)).size).toBe(before.size);
    const check = await generate({ root: project.root, check: true });
    expect(check.check?.stale).toEqual(["models/community/wan-2-2/vace-fun.d.ts"]);
  });
});
