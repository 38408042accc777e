/**
 * A folder's files and their stats, as the hash cache compares them. At
 * 1,000 models generated/ is ~4,000 folders and ~3,000 files: listing and
 * stating them is ~0.1 s of system calls that a generate used to wait for on
 * its main thread before it could tell whether anything changed. A large
 * project's run has a worker thread do it (`startScanningWorker` in
 * `emit/pool.ts`) while the main thread lists and hashes the schemas, reads
 * the manifest and normalises; what the main thread then does with it
 * (`FileHashes.hashStat`) is a lookup per file, and a read only for a file
 * whose stat changed.
 */
import * as fs from "node:fs";
import { walkTree, type StatKey, type Tree } from "./files.ts";

export type { StatKey } from "./files.ts";

/** Every file below a folder (as `listFilesSync` lists them), each with its stat key (undefined: not a plain file). */
export interface ScannedTree {
  readonly paths: readonly string[];
  readonly stats: ReadonlyMap<string, StatKey | undefined>;
}

/** A `walkTree` result (made here or on a worker thread) with its stats by path. */
export function scannedTree(tree: Tree): ScannedTree {
  const stats = new Map<string, StatKey | undefined>();
  tree.paths.forEach((path, index) => {
    const at = index * 4;
    const size = tree.stats[at]!;
    stats.set(path, size === "" ? undefined : [size, tree.stats[at + 1]!, tree.stats[at + 2]!, tree.stats[at + 3]!]);
  });
  return { paths: tree.paths, stats };
}

/** `dir` scanned on the calling thread. */
export function scanTree(dir: string): ScannedTree {
  return scannedTree(walkTree(dir, fs, true));
}
