/**
 * The scan of generated/ (`lib/files.ts` walkTree, `lib/scan.ts`, and the scanning worker of `emit/pool.ts`): the
 * same paths as `listFilesSync`, the same stat keys as the hash cache compares, on a worker thread as on this one.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as fs from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { closeIdleWorkers, startScanningWorker } from "../../generator/emit/pool.ts";
import { listFilesSync, walkTree } from "../../generator/lib/files.ts";
import { openHashCache } from "../../generator/lib/hash-cache.ts";
import { sha256 } from "../../generator/lib/json.ts";
import { scannedTree, scanTree } from "../../generator/lib/scan.ts";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await closeIdleWorkers();
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

/** A folder with nested files, a node_modules folder (skipped), a link to a folder and a link to a file. */
async function sample(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "runcomfy-scan-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, "models/a/b"), { recursive: true });
  await mkdir(join(dir, "node_modules/x"), { recursive: true });
  await mkdir(join(dir, "empty"));
  await writeFile(join(dir, "models/a/b/c.js"), "c");
  await writeFile(join(dir, "models/a/b.d.ts"), "b");
  await writeFile(join(dir, "README.md"), "readme");
  await writeFile(join(dir, "node_modules/x/index.js"), "skipped");
  await writeFile(join(dir, "Z.txt"), "upper case sorts first");
  await symlink(join(dir, "README.md"), join(dir, "link.md"));
  return dir;
}

describe("scanning a folder", () => {
  it("lists what listFilesSync lists, sorted, and stats each file as the hash cache does", async () => {
    const dir = await sample();
    const tree = walkTree(dir, fs, true);
    expect(tree.paths).toEqual(listFilesSync(dir));
    expect(tree.paths).toEqual(["README.md", "Z.txt", "link.md", "models/a/b.d.ts", "models/a/b/c.js"]);
    expect(tree.stats).toHaveLength(tree.paths.length * 4);
    const scanned = scannedTree(tree);
    const info = fs.statSync(join(dir, "models/a/b/c.js"), { bigint: true });
    expect(scanned.stats.get("models/a/b/c.js")).toEqual([
      String(info.size),
      String(info.mtimeNs),
      String(info.ctimeNs),
      String(info.ino),
    ]);
    // A stat key taken by the scan gives the hash cache's answer, without its own stat.
    const hashes = await openHashCache(undefined);
    expect(hashes.hashStat(join(dir, "models/a/b/c.js"), scanned.stats.get("models/a/b/c.js"))).toBe(sha256("c"));
    expect(hashes.hashStat(join(dir, "missing"), undefined)).toBeUndefined();
    // Without `stat`, paths only.
    expect(walkTree(dir, fs, false).stats).toEqual([]);
  });

  it("gives the same answer on a worker thread (the walk runs there as its source text) as on this thread", async () => {
    const dir = await sample();
    const onWorker = await startScanningWorker(dir);
    expect(onWorker).toBeDefined();
    expect(onWorker).toEqual(walkTree(dir, fs, true));
    expect(scannedTree(onWorker!)).toEqual(scanTree(dir));
  });

  it("lists nothing for a missing folder, and leaves any other folder error to the caller's own scan", async () => {
    const dir = await sample();
    expect(walkTree(join(dir, "missing"), fs, true)).toEqual({ paths: [], stats: [] });
    expect(await startScanningWorker(join(dir, "missing"))).toEqual({ paths: [], stats: [] });
    // A file where a folder is expected: readdir fails with ENOTDIR, which the worker does not report as a scan.
    expect(() => walkTree(join(dir, "README.md"), fs, true)).toThrow(/ENOTDIR/);
    expect(await startScanningWorker(join(dir, "README.md"))).toBeUndefined();
  });
});
