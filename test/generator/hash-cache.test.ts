/** The content-hash cache behind generate's fast path (`generator/lib/hash-cache.ts`). */
import { mkdir, mkdtemp, readFile, rm, stat, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { listFilesSync, listing, NAME_NOT_UTF8 } from "../../generator/lib/files.ts";
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

describe("listing a folder", () => {
  it("lists every file below it, sorted, node_modules skipped, and tells which entries are not plain files", async () => {
    const dir = await tree();
    const root = join(dir, "tree");
    await symlink(join(dir, "tree/models"), join(dir, "tree/models-link"));
    expect(listFilesSync(root)).toEqual([
      "README.md",
      "Z.txt",
      "link.md",
      "models-link",
      "models/a/b.d.ts",
      "models/a/b/c.js",
    ]);
    const found = listing(root);
    expect(found.paths).toEqual(listFilesSync(root));
    // Links are listed, never followed (a link to a folder is not walked into).
    expect([...found.special].sort()).toEqual(["link.md", "models-link"]);
  });

  it("lists nothing for a missing folder, and turns any other folder error into the caller's own", async () => {
    const dir = await tree();
    expect(listFilesSync(join(dir, "missing"))).toEqual([]);
    expect(() => listFilesSync(join(dir, "tree/README.md"))).toThrow(/ENOTDIR/);
    expect(() =>
      listFilesSync(join(dir, "tree/README.md"), (folder, error) => new Error(`cannot list ${folder}: ${error.code}`)),
    ).toThrow(`cannot list ${join(dir, "tree/README.md")}: ENOTDIR`);
  });

  it("refuses a name that is not UTF-8 (it names no file once decoded), and takes a real U+FFFD as it is", async () => {
    const dir = await tree();
    const root = join(dir, "tree");
    await writeFile(join(root, "models/replacement-\uFFFD.js"), "a real U+FFFD");
    expect(listFilesSync(root)).toContain("models/replacement-\uFFFD.js");
    await writeFile(Buffer.concat([Buffer.from(`${root}/models/bad`), Buffer.from([0xff, 0xfe])]), "x");
    let code: string | undefined;
    expect(() =>
      listFilesSync(root, (_, error) => {
        code = error.code;
        return error;
      }),
    ).toThrow(/not valid UTF-8/);
    expect(code).toBe(NAME_NOT_UTF8);
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
