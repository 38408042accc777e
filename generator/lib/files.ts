/** File-system helpers shared by the stages: listing, atomic writes, optional reads. */
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { dirname, join, relative, sep } from "node:path";
import { GeneratorError } from "./diagnostics.ts";
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
 * caller's own (a name that is not valid UTF-8 is one: `NAME_NOT_UTF8`). `special` hears of each listed entry that is
 * not a plain file (a symbolic link, a FIFO, a socket): listed like a file, never followed. (Keeping folder listings
 * by folder stat, as the hash cache keeps file hashes, was tried twice: at ~6,000 folders a `stat` each cost as much
 * as reading them.)
 */
export function listFilesSync(
  dir: string,
  unreadable: (folder: string, error: NodeJS.ErrnoException) => Error = (_, error) => error,
  special?: (path: string) => void,
): string[] {
  const paths: string[] = [];
  const walk = (current: string, prefix: string): void => {
    let names;
    try {
      names = folderEntries(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw unreadable(current, error as NodeJS.ErrnoException);
    }
    for (const name of names) {
      if (name.endsWith("/")) walk(`${current}/${name.slice(0, -1)}`, `${prefix}${name}`);
      else if (name.endsWith(SPECIAL_MARK)) {
        const path = `${prefix}${name.slice(0, -1)}`;
        paths.push(path);
        special?.(path);
      } else paths.push(`${prefix}${name}`);
    }
  };
  walk(dir, "");
  return paths.sort();
}

/** A folder's files as `listFilesSync` lists them, and which of them are not plain files (see `special`). */
export interface Listing {
  readonly paths: readonly string[];
  readonly special: ReadonlySet<string>;
}

/** `dir` listed (`listFilesSync`) with its special entries. */
export function listing(dir: string, unreadable?: (folder: string, error: NodeJS.ErrnoException) => Error): Listing {
  const special = new Set<string>();
  return { paths: listFilesSync(dir, unreadable, (path) => special.add(path)), special };
}

/** Every folder the `/`-separated `paths` lie in (`a/b/c.js` → `a`, `a/b`). */
function foldersOf(paths: Iterable<string>): Set<string> {
  const folders = new Set<string>();
  for (const path of paths)
    for (let at = path.indexOf("/"); at !== -1; at = path.indexOf("/", at + 1)) folders.add(path.slice(0, at));
  return folders;
}

/**
 * The entries of `listed` that stand where a folder of one of `paths` must be (a file, a link, a FIFO named like a
 * folder a planned file goes in): a write would fail on them, or follow a link out of the folder.
 */
export function blockingEntries(listed: readonly string[], paths: Iterable<string>): Set<string> {
  const folders = foldersOf(paths);
  return new Set(listed.filter((path) => folders.has(path)));
}

/** The paths of `paths` that are folders of `listed` (a listed file lies below them), sorted: the reverse case. */
export function foldersWhereFilesGo(listed: readonly string[], paths: Iterable<string>): string[] {
  const folders = foldersOf(listed);
  return [...paths].filter((path) => folders.has(path)).sort();
}

/** The error code of a folder holding a name that is not valid UTF-8 (it cannot be named, so not listed). */
export const NAME_NOT_UTF8 = "ENAME_NOT_UTF8";

/**
 * The `unreadable` of a listing, as a `GeneratorError` of `code` located at the folder relative to `base` (the
 * project): "cannot read directory" with the system's code, or what a name that is not UTF-8 is.
 */
export function folderError(
  code: string,
  base: string,
): (folder: string, error: NodeJS.ErrnoException) => GeneratorError {
  return (folder, error) =>
    new GeneratorError(
      code,
      error.code === NAME_NOT_UTF8 ? error.message : `cannot read directory: ${error.code ?? error.message}`,
      { file: relativePath(base, folder) },
    );
}

/** `path` relative to `base`, `/`-separated (`.` for `base` itself): how errors name a file of the project. */
export function relativePath(base: string, path: string): string {
  return relative(base, path).split(sep).join("/") || ".";
}

/**
 * Marks an entry that is neither a folder nor a plain file in `folderEntries` (`\0` ends no file name). Folders end in
 * `/`, which ends no file name either.
 */
export const SPECIAL_MARK = "\u0000";

/**
 * The entries of one folder, `node_modules` left out: folders as `name/`, plain files as `name`, anything else (a
 * symbolic link, a FIFO, a socket, a device) as `name` and `SPECIAL_MARK`. Throws the directory read's error, or one
 * of code `NAME_NOT_UTF8` naming the entry when a name does not survive decoding (an invalid byte read as U+FFFD
 * names no file on disk: listing it would fail later, far from the cause).
 */
export function folderEntries(folder: string): string[] {
  const entries = fs.readdirSync(folder, { withFileTypes: true });
  if (entries.some((entry) => entry.name.includes("\uFFFD"))) {
    for (const raw of fs.readdirSync(folder, { encoding: "buffer" }))
      if (!Buffer.from(raw.toString("utf8"), "utf8").equals(raw))
        throw Object.assign(
          new Error(
            `a name in this folder is not valid UTF-8 (${JSON.stringify(raw.toString("latin1"))}, read as ${JSON.stringify(raw.toString("utf8"))}): rename or remove it`,
          ),
          { code: NAME_NOT_UTF8 },
        );
  }
  const names: string[] = [];
  for (const entry of entries) {
    if (entry.name === "node_modules") continue;
    names.push(entry.isDirectory() ? `${entry.name}/` : entry.isFile() ? entry.name : `${entry.name}${SPECIAL_MARK}`);
  }
  return names;
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
  try {
    await rename(temp, target);
  } catch (error) {
    // A folder in the way, a target folder gone: no temp file is left behind.
    await rm(temp, { force: true });
    throw error;
  }
}

export async function fileStat(path: string): Promise<{ size: number; mtimeMs: number } | undefined> {
  try {
    const info = await stat(path);
    return { size: info.size, mtimeMs: info.mtimeMs };
  } catch {
    return undefined;
  }
}
