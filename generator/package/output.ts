/**
 * Writing generated/ and checking it.
 *
 * `writeOutput` touches only files whose bytes change (a changed file through
 * a temp file and a rename in the same directory, a new one in place) and
 * removes files generate no longer produces.
 * `checkOutput` compares without writing and reports stale, missing and extra
 * files with a short diff.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, renameSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { rmdir, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { mapLimit } from "../lib/concurrency.ts";
import { GeneratorError } from "../lib/diagnostics.ts";
import {
  blockingEntries,
  folderError,
  foldersWhereFilesGo,
  listing,
  readIfExists,
  relativePath,
  writeFileAtomic,
  type Listing,
} from "../lib/files.ts";

/** A folder of `outDir` (generated/) that cannot be read, as the run's error, located relative to the project. */
export function outputsUnreadable(outDir: string): (folder: string, error: NodeJS.ErrnoException) => GeneratorError {
  return folderError("outputs-unreadable", dirname(outDir));
}

export interface WriteResult {
  readonly written: string[];
  readonly removed: string[];
  readonly unchanged: number;
}

/**
 * Makes `dir` hold exactly `files` plus `keep` (files known to be current,
 * e.g. from the build cache). Content equal to the disk is not rewritten.
 */
export async function writeOutput(
  dir: string,
  files: ReadonlyMap<string, string>,
  keep: ReadonlySet<string> = new Set(),
  /** `dir` as the caller listed it in this run (`listing`): not walked again. */
  listed?: Listing,
  /**
   * Whether a file on disk already holds `text`, when the caller knows it without reading the file (the SHA-256 of
   * both, the one on disk proven by its stat); undefined when it does not know: the file is then read and compared.
   */
  same?: (path: string, text: string) => boolean | undefined,
  /**
   * Told of each file the moment it is written (before the next write), so that its stat can be taken then: a stat
   * taken after the whole write could be another writer's, and vouch for our bytes (the hash cache records it).
   */
  onWritten?: (path: string) => void,
): Promise<WriteResult> {
  const { paths: onDisk, special } = listed ?? listing(dir, outputsUnreadable(dir));
  // A folder where a file goes is not removed (it may hold anything): the run stops before it writes.
  const folder = foldersWhereFilesGo(onDisk, files.keys())[0];
  if (folder !== undefined) throw folderWhereFileGoes(dir, folder);
  // An entry where a folder of the output must be (a link to a folder elsewhere, say) goes first: writing through it
  // would write outside `dir`.
  const blocking = blockingEntries(onDisk, files.keys());
  const removed: string[] = [];
  for (const path of [...blocking].sort()) if (await removeEntry(dir, path)) removed.push(path);
  const existing = new Set(onDisk.filter((path) => !blocking.has(path)));
  const entries = [...files];
  // Only files that exist and are not known are read and compared; a path the listing lacks is new (a cold run:
  // all of them). A link or another entry that is not a plain file is replaced, whatever it leads to.
  const known = entries.map(([path, text]) =>
    !existing.has(path) ? false : special.has(path) ? false : same?.(path, text),
  );
  const current = await mapLimit(entries, 32, ([path], index) =>
    known[index] === undefined ? readIfExists(join(dir, path)) : Promise.resolve(undefined),
  );
  const pending = entries.filter(([, text], index) => {
    if (known[index] !== undefined) return !known[index];
    const result = current[index]!;
    if (result.status === "rejected") throw result.reason;
    return result.value !== text;
  });
  const unchanged = entries.length - pending.length;
  // Folders first (each once), then the files; the manifest (last in `files`) is written last.
  const folders = [...new Set(pending.map(([path]) => dirname(join(dir, path))))];
  for (const folder of folders) mkdirSync(folder, { recursive: true });
  const last = pending.at(-1);
  const replaced = pending.slice(0, -1).filter(([path]) => existing.has(path));
  // A file that replaces one on disk goes through a temp file and a rename, so a reader never sees half of it; a new
  // file is written in place, synchronously (no temp file, no rename, no thread-pool hop: a cold run writes thousands).
  // Either way the manifest comes last, so a run cut short leaves a manifest that proves nothing current.
  for (const [path, text] of pending.slice(0, -1))
    if (!existing.has(path)) {
      await writeOver(dir, path, () => writeNew(join(dir, path), text));
      onWritten?.(path);
    }
  const settled = await mapLimit(replaced, 32, async ([path, text]) => {
    await writeOver(dir, path, () => writeFileAtomic(join(dir, path), text, false));
    onWritten?.(path);
  });
  for (const result of settled) if (result.status === "rejected") throw result.reason;
  if (last) {
    await writeOver(dir, last[0], () => writeFileAtomic(join(dir, last[0]), last[1], false));
    onWritten?.(last[0]);
  }
  const written = pending.map(([path]) => path);
  for (const path of existing) {
    if (files.has(path) || keep.has(path)) continue;
    if (await removeEntry(dir, path)) removed.push(path);
  }
  if (removed.length > 0) await removeEmptyFolders(dir, removed);
  return { written, removed, unchanged: unchanged + keep.size };
}

/**
 * Removes one listed entry of `dir` (a file, a link, a FIFO: listings hold no folders) with `unlink`, which never
 * follows a link: `fs.promises.rm` falls back to walking a link's target when unlinking it fails (EPERM), and empties
 * a folder outside `dir`. False when it is gone already (another run removed it).
 */
async function removeEntry(dir: string, path: string): Promise<boolean> {
  try {
    await unlink(join(dir, path));
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return false;
    throw new GeneratorError("output-unremovable", `cannot remove it: ${code ?? (error as Error).message}`, {
      file: outputFile(dir, join(dir, path)),
    });
  }
}

/** `file` (below `dir`, generated/) as the project-relative path errors name. */
function outputFile(dir: string, file: string): string {
  return relativePath(dirname(dir), file);
}

function folderWhereFileGoes(dir: string, path: string): GeneratorError {
  return new GeneratorError(
    "output-is-a-folder",
    "a folder that holds something stands where generate writes this file: remove the folder and run again",
    { file: outputFile(dir, join(dir, path)) },
  );
}

/** Creates `path` with `text`; if it appeared since the listing (another writer), replaces it atomically instead. */
function writeNew(path: string, text: string): void {
  try {
    writeFileSync(path, text, { flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
    writeFileSync(temp, text);
    try {
      renameSync(temp, path);
    } catch (renameError) {
      rmSync(temp, { force: true });
      throw renameError;
    }
  }
}

/**
 * Runs `write` of the file at `path` below `dir`; when a folder stands there (listings show no empty folder), an
 * empty one is removed and the write tried again, and one that holds something stops the run with an error naming it.
 */
async function writeOver(dir: string, path: string, write: () => unknown): Promise<void> {
  try {
    await write();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EISDIR") throw error;
    try {
      rmdirSync(join(dir, path));
    } catch {
      throw folderWhereFileGoes(dir, path);
    }
    await write();
  }
}

/**
 * Removes the folders of `removed` (paths relative to `root`) that are left empty, innermost first, up to but not
 * including `root`: only the folders a removal may have emptied are looked at (not every folder of generated/).
 */
async function removeEmptyFolders(root: string, removed: readonly string[]): Promise<void> {
  const folders = new Set<string>();
  for (const path of removed)
    for (let folder = dirname(path); folder !== "."; folder = dirname(folder)) folders.add(folder);
  // Deeper first, so a folder is tried after the folders inside it.
  const ordered = [...folders].sort((a, b) => b.split("/").length - a.split("/").length || (a < b ? -1 : 1));
  for (const folder of ordered) {
    try {
      await rmdir(join(root, folder));
    } catch {
      // Still holds something (ENOTEMPTY, EEXIST on some systems), gone already, or held open (EBUSY, EPERM on
      // Windows): the folder stays. An empty folder changes nothing (generated/ is listed by its files), and the
      // run's outputs are written by now, so no failure here fails the run.
    }
  }
}

export interface CheckResult {
  readonly stale: string[];
  readonly missing: string[];
  readonly extra: string[];
  /** Short unified diffs of stale files, by path. */
  readonly diffs: Map<string, string>;
}

/** Compares `dir` with `files`; paths in `keep` are known current and count as neither extra nor stale. */
export async function checkOutput(
  dir: string,
  files: ReadonlyMap<string, string>,
  keep: ReadonlySet<string> = new Set(),
): Promise<CheckResult> {
  const { paths: onDisk, special } = listing(dir, outputsUnreadable(dir));
  const blocking = blockingEntries(onDisk, files.keys());
  const folders = new Set(foldersWhereFilesGo(onDisk, files.keys()));
  const stale: string[] = [];
  const missing: string[] = [];
  const diffs = new Map<string, string>();
  const notAFile = (path: string, what: string) => {
    stale.push(path);
    diffs.set(path, `${what} where generate writes a file`);
  };
  const blockers = [...blocking];
  for (const [path, text] of files) {
    // Below an entry that stands where its folder must be: not there (read through a link, it would be elsewhere).
    // A link or a FIFO is never read (a FIFO's read would wait forever), nor is a folder.
    if (blockers.some((entry) => path.startsWith(`${entry}/`))) missing.push(path);
    else if (special.has(path)) notAFile(path, "a symbolic link (or another entry that is not a plain file)");
    else if (folders.has(path)) notAFile(path, "a folder");
    else {
      let current: string | undefined;
      try {
        current = await readIfExists(join(dir, path));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EISDIR") throw error;
        notAFile(path, "an empty folder");
        continue;
      }
      if (current === undefined) missing.push(path);
      else if (current !== text) {
        stale.push(path);
        diffs.set(path, shortDiff(current, text));
      }
    }
  }
  // A file kept as it is (known current) that is not a plain file is stale too.
  for (const path of keep)
    if (special.has(path)) notAFile(path, "a symbolic link (or another entry that is not a plain file)");
  const extra = onDisk.filter((path) => !files.has(path) && !keep.has(path));
  return { stale, missing, extra, diffs };
}

/**
 * A unified diff of the first hunks between `before` (on disk) and `after`
 * (what generate would write), at most `maxLines` lines.
 */
export function shortDiff(before: string, after: string, maxLines = 24, context = 2): string {
  const a = before.split("\n");
  const b = after.split("\n");
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const lines = [`@@ -${start + 1},${endA - start} +${start + 1},${endB - start} @@`];
  for (let i = Math.max(0, start - context); i < start; i++) lines.push(` ${a[i]}`);
  for (let i = start; i < endA; i++) lines.push(`-${a[i]}`);
  for (let i = start; i < endB; i++) lines.push(`+${b[i]}`);
  for (let i = endA; i < Math.min(a.length, endA + context); i++) lines.push(` ${a[i]}`);
  if (lines.length > maxLines)
    return [...lines.slice(0, maxLines), `… ${lines.length - maxLines} more diff lines`].join("\n");
  return lines.join("\n");
}
