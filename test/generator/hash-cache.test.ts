/** The content-hash cache behind generate's fast path (`generator/lib/hash-cache.ts`). */
import { mkdir, mkdtemp, readFile, rename, rm, stat, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { listFilesSync } from "../../generator/lib/files.ts";
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

/** A folder with nested files, a node_modules folder (skipped), an empty folder, a link to a file. */
async function tree(): Promise<string> {
  const dir = await scratch();
  await mkdir(join(dir, "tree/models/a/b"), { recursive: true });
  await mkdir(join(dir, "tree/node_modules/x"), { recursive: true });
  await mkdir(join(dir, "tree/empty"));
  await writeFile(join(dir, "tree/models/a/b/c.js"), "c");
  await writeFile(join(dir, "tree/models/a/b.d.ts"), "b");
  await writeFile(join(dir, "tree/README.md"), "readme");
  await writeFile(join(dir, "tree/node_modules/x/index.js"), "skipped");
  await writeFile(join(dir, "tree/Z.txt"), "upper case sorts first");
  await symlink(join(dir, "tree/README.md"), join(dir, "tree/link.md"));
  return dir;
}

/** The folder entries a saved cache recorded, by folder path. */
async function recordedFolders(cacheFile: string): Promise<Record<string, string[]>> {
  return (JSON.parse(await readFile(cacheFile, "utf8")) as { folders: Record<string, string[]> }).folders;
}

/** Plants a name in a recorded folder's entry (its stat kept): only a listing that trusts the entry lists it. */
async function plant(cacheFile: string, folder: string, name: string): Promise<void> {
  const stored = JSON.parse(await readFile(cacheFile, "utf8")) as { folders: Record<string, string[]> };
  stored.folders[folder]!.push(name);
  await writeFile(cacheFile, JSON.stringify(stored));
}

describe("folder listings in the hash cache", () => {
  it("lists what listFilesSync lists (sorted, node_modules skipped, a link as a file), read or recorded", async () => {
    const dir = await tree();
    const root = join(dir, "tree");
    const cacheFile = join(dir, "cache.json");
    const expected = ["README.md", "Z.txt", "link.md", "models/a/b.d.ts", "models/a/b/c.js"];
    expect(listFilesSync(root)).toEqual(expected);
    const first = await openHashCache(cacheFile, { settledMs: 0 });
    expect(first.list(root)).toEqual(expected);
    await first.save();
    expect(Object.keys(await recordedFolders(cacheFile)).sort()).toEqual(
      [root, `${root}/empty`, `${root}/models`, `${root}/models/a`, `${root}/models/a/b`].sort(),
    );
    expect((await openHashCache(cacheFile, { settledMs: 0 })).list(root)).toEqual(expected);
    // The recorded entry is what a folder with the recorded stat lists.
    await plant(cacheFile, `${root}/models/a`, "planted.js");
    expect((await openHashCache(cacheFile, { settledMs: 0 })).list(root)).toContain("models/a/planted.js");
  });

  const changes: [string, (root: string) => Promise<unknown>, (listed: string[]) => void][] = [
    [
      "a file added",
      (root) => writeFile(join(root, "models/a/new.js"), "n"),
      (listed) => expect(listed).toContain("models/a/new.js"),
    ],
    [
      "a file removed",
      (root) => rm(join(root, "models/a/b.d.ts")),
      (listed) => expect(listed).not.toContain("models/a/b.d.ts"),
    ],
    [
      "a file renamed",
      (root) => rename(join(root, "models/a/b.d.ts"), join(root, "models/a/renamed.d.ts")),
      (listed) => expect(listed).toEqual(expect.arrayContaining(["models/a/renamed.d.ts"])),
    ],
    [
      "a folder with a file added",
      async (root) => {
        await mkdir(join(root, "models/a/new"));
        await writeFile(join(root, "models/a/new/x.js"), "x");
      },
      (listed) => expect(listed).toContain("models/a/new/x.js"),
    ],
    [
      "a file replaced by a folder of the same name",
      async (root) => {
        await rm(join(root, "models/a/b.d.ts"));
        await mkdir(join(root, "models/a/b.d.ts"));
        await writeFile(join(root, "models/a/b.d.ts/inner.js"), "i");
      },
      (listed) => expect(listed).toEqual(expect.arrayContaining(["models/a/b.d.ts/inner.js"])),
    ],
    [
      "a folder removed",
      (root) => rm(join(root, "models/a/b"), { recursive: true }),
      (listed) => expect(listed).not.toContain("models/a/b/c.js"),
    ],
    [
      "a file added with the folder's times set back",
      async (root) => {
        const before = await stat(join(root, "models/a"));
        await writeFile(join(root, "models/a/hidden.js"), "h");
        await utimes(join(root, "models/a"), before.atime, before.mtime);
      },
      (listed) => expect(listed).toContain("models/a/hidden.js"),
    ],
  ];
  it.each(changes)("reads a recorded folder again after %s (its times move)", async (_, change, check) => {
    const dir = await tree();
    const root = join(dir, "tree");
    const cacheFile = join(dir, "cache.json");
    const first = await openHashCache(cacheFile, { settledMs: 0 });
    first.list(root);
    await first.save();
    // A planted name shows whether the changed folder was read again (the plant is gone) or trusted (it stays).
    await plant(cacheFile, `${root}/models/a`, "planted.js");
    // File times are coarse: the change lands in a later tick than the recorded stat.
    await new Promise((resolve) => setTimeout(resolve, 30));
    await change(root);
    const listed = (await openHashCache(cacheFile, { settledMs: 0 })).list(root);
    check(listed);
    expect(listed).not.toContain("models/a/planted.js");
    expect(listed).toEqual(listFilesSync(root));
  });

  it("records a folder only once it has not changed for a while (an entry added in the same tick could keep its stat)", async () => {
    const dir = await tree();
    const root = join(dir, "tree");
    const cacheFile = join(dir, "cache.json");
    const cache = await openHashCache(cacheFile);
    cache.list(root);
    cache.hash(join(root, "README.md")); // something to save
    await cache.save();
    // Every folder was made just now: none is recorded, so the next run reads them all.
    expect(await recordedFolders(cacheFile)).toEqual({});
    const settled = new Date(Date.now() - 60_000);
    await utimes(join(root, "models"), settled, settled);
    // Its times set back, it still changed just now (its change time cannot be set back): not recorded.
    const again = await openHashCache(cacheFile);
    again.list(root);
    again.hash(join(root, "Z.txt"));
    await again.save();
    expect(await recordedFolders(cacheFile)).toEqual({});
  });

  it("lists nothing for a missing folder, and turns any other folder error into the caller's own", async () => {
    const dir = await tree();
    const cache = await openHashCache(join(dir, "cache.json"), { settledMs: 0 });
    expect(cache.list(join(dir, "missing"))).toEqual([]);
    expect(() => cache.list(join(dir, "tree/README.md"))).toThrow(/ENOTDIR/);
    expect(() =>
      cache.list(join(dir, "tree/README.md"), (folder, error) => new Error(`cannot list ${folder}: ${error.code}`)),
    ).toThrow(`cannot list ${join(dir, "tree/README.md")}: ENOTDIR`);
  });

  it("ignores recorded entries it cannot use (a cache of another version, a malformed entry)", async () => {
    const dir = await tree();
    const root = join(dir, "tree");
    const cacheFile = join(dir, "cache.json");
    const first = await openHashCache(cacheFile, { settledMs: 0 });
    first.list(root);
    await first.save();
    const stored = JSON.parse(await readFile(cacheFile, "utf8")) as {
      version: number;
      folders: Record<string, unknown>;
    };
    stored.folders[`${root}/models/a`] = [...(stored.folders[`${root}/models/a`] as string[]), 7];
    stored.folders[`${root}/models`] = "not an entry";
    await writeFile(cacheFile, JSON.stringify(stored));
    expect((await openHashCache(cacheFile, { settledMs: 0 })).list(root)).toEqual(listFilesSync(root));
    await plant(cacheFile, root, "planted.js");
    const other = JSON.parse(await readFile(cacheFile, "utf8")) as { version: number };
    await writeFile(cacheFile, JSON.stringify({ ...other, version: 1 }));
    expect((await openHashCache(cacheFile, { settledMs: 0 })).list(root)).toEqual(listFilesSync(root));
  });
});

describe("facts kept beside a file's hash", () => {
  it("are recalled while the file hashes the same, across runs, and forgotten once it does not", async () => {
    const dir = await scratch();
    const file = join(dir, "manifest.json");
    const cacheFile = join(dir, "cache.json");
    await writeFile(file, "one");
    const first = await openHashCache(cacheFile);
    const sha = first.hash(file)!;
    expect(first.recall(file, sha)).toBeUndefined();
    first.remember(file, sha, { models: 3 });
    expect(first.recall(file, sha)).toEqual({ models: 3 });
    await first.save();
    const second = await openHashCache(cacheFile);
    expect(second.recall(file, second.hash(file)!)).toEqual({ models: 3 });
    expect(second.recall(file, sha256("two"))).toBeUndefined();
    await second.save();
    await writeFile(file, "two");
    const third = await openHashCache(cacheFile);
    expect(third.recall(file, third.hash(file)!)).toBeUndefined();
    // Not looked at in a run, not kept by its save.
    await third.save();
    const fourth = await openHashCache(cacheFile);
    expect(fourth.recall(file, sha)).toBeUndefined();
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

describe("a no-op generate with the manifest's facts in the hash cache", () => {
  it("does not parse a manifest it proved current before, replays its warnings, and still finds every hand edit", async () => {
    const project: TempProject = await tempProject();
    cleanups.push(() => project.cleanup());
    const generated = join(project.root, "generated");
    const phases = (report: { timings: readonly { phase: string }[] }) => report.timings.map((timing) => timing.phase);
    await generate({ root: project.root });
    const proving = await generate({ root: project.root });
    expect(phases(proving)).toContain("read manifest");
    const fast = await generate({ root: project.root });
    expect(phases(fast)).not.toContain("read manifest");
    expect(fast.emittedUnits).toEqual([]);
    expect(fast.write!.written).toEqual([]);
    expect(fast.warnings).toEqual(proving.warnings);
    expect(fast.warnings.length).toBeGreaterThan(0);
    expect(fast.modelCount).toBe(proving.modelCount);
    const clean = await generate({ root: project.root, check: true });
    expect(phases(clean)).not.toContain("read manifest");
    expect(clean.check).toEqual({ stale: [], missing: [], extra: [], diffs: new Map() });

    // The manifest edited with its meaning kept: its bytes hash differently, so it is parsed and found stale.
    const manifestPath = join(generated, ".codegen-manifest.json");
    const manifest = await readFile(manifestPath, "utf8");
    await writeFile(manifestPath, JSON.stringify(JSON.parse(manifest)));
    const reformatted = await generate({ root: project.root, check: true });
    expect(phases(reformatted)).toContain("read manifest");
    expect(reformatted.check!.stale).toEqual([".codegen-manifest.json"]);
    await writeFile(manifestPath, manifest);
    await generate({ root: project.root });
    expect(phases(await generate({ root: project.root, check: true }))).not.toContain("read manifest");

    // An output edited, removed, or a file added by hand: the outputs no longer match the facts.
    const edited = join(generated, "registry/00.js");
    const before = await readFile(edited, "utf8");
    await writeFile(edited, `${before}// edited\n`);
    await rm(join(generated, "runtime/poll.js"));
    await writeFile(join(generated, "models/stray.js"), "export {};\n");
    const dirty = await generate({ root: project.root, check: true });
    expect(dirty.check!.stale).toEqual(["registry/00.js"]);
    expect(dirty.check!.missing).toEqual(["runtime/poll.js"]);
    expect(dirty.check!.extra).toEqual(["models/stray.js"]);
  });
});
