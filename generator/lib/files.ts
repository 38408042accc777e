/** File-system helpers shared by the stages: listing, atomic writes, optional reads. */
import { mkdir, readdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import * as fs from "node:fs";
import { threadId } from "node:worker_threads";

/**
 * A file in the generator's cache folder of the project at `root`
 * (`node_modules/.cache/runcomfy-codegen/`, beside the CLI's bundle that
 * `cli/bin.js` keeps there): never tracked, and losing it only costs time.
 */
export function cacheFile(root: string, name: string): string {
  return join(root, "node_modules", ".cache", "runcomfy-codegen", name);
}

/**
 * Lists every file below `dir` (relative to `dir`, `/`-separated, sorted),
 * skipping node_modules; folders are read concurrently (one folder per model
 * adds up). A missing `dir` lists nothing; `unreadable` may turn any other
 * folder error into the caller's own.
 */
export async function listFiles(
  dir: string,
  unreadable: (folder: string, error: NodeJS.ErrnoException) => Error = (_, error) => error,
): Promise<string[]> {
  const found: string[] = [];
  // `prefix` is `current` relative to `dir`, built as the walk descends (no `path.relative` per file).
  const walk = async (current: string, prefix: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw unreadable(current, error as NodeJS.ErrnoException);
    }
    const subfolders: Promise<void>[] = [];
    for (const entry of entries) {
      if (entry.name === "node_modules") continue;
      if (entry.isDirectory()) subfolders.push(walk(join(current, entry.name), `${prefix}${entry.name}/`));
      else found.push(`${prefix}${entry.name}`);
    }
    await Promise.all(subfolders);
  };
  await walk(dir, "");
  return found.sort();
}

/**
 * Every file below `dir` (relative to `dir`, `/`-separated, sorted), skipping node_modules, as `listFiles` lists
 * them, synchronously: thousands of directory reads (one folder per model) cost more as promises, and a generate has
 * nothing to do meanwhile. A missing `dir` lists nothing; `unreadable` may turn any other folder error into the
 * caller's own. (A generate lists schemas/ and generated/ through its hash cache, `FileHashes.list`, which reads only
 * the folders that changed.)
 */
export function listFilesSync(
  dir: string,
  unreadable: (folder: string, error: NodeJS.ErrnoException) => Error = (_, error) => error,
): string[] {
  const paths: string[] = [];
  const walk = (current: string, prefix: string): void => {
    let entries;
    try {
      entries = fs.readdirSync(current, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw unreadable(current, error as NodeJS.ErrnoException);
    }
    for (const entry of entries) {
      if (entry.name === "node_modules") continue;
      if (entry.isDirectory()) walk(`${current}/${entry.name}`, `${prefix}${entry.name}/`);
      else paths.push(`${prefix}${entry.name}`);
    }
  };
  walk(dir, "");
  return paths.sort();
}

/** A file's text, or undefined when it does not exist. */
export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * Writes through a temp file and a rename in the same directory, so a reader
 * never sees half a file. `makeFolder: false` when the caller created it.
 */
export async function writeFileAtomic(target: string, text: string | Uint8Array, makeFolder = true): Promise<void> {
  if (makeFolder) await mkdir(dirname(target), { recursive: true });
  // Unique per process, thread and call: worker threads share a pid, and runs may share a folder.
  const temp = `${target}.tmp-${process.pid}-${threadId}-${randomBytes(4).toString("hex")}`;
  await writeFile(temp, text);
  await rename(temp, target);
}

export async function fileStat(path: string): Promise<{ size: number; mtimeMs: number } | undefined> {
  try {
    const info = await stat(path);
    return { size: info.size, mtimeMs: info.mtimeMs };
  } catch {
    return undefined;
  }
}
