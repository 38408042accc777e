/**
 * SHA-256 of files, without reading a file whose stat (size, modification
 * and change times to the nanosecond, inode) is the one it had when it was
 * last hashed, the way git's index avoids rehashing its working tree. Any
 * write to a file changes its change time, which no tool can set back, so a
 * file edited since cannot pass for unchanged. Kept outside the repository
 * (`node_modules/.cache/`); a missing or unreadable cache only costs reads.
 *
 * File times are coarse (a kernel tick, up to 10 ms), so a file rewritten in
 * the tick it was hashed in could keep its stat. As git does for its index,
 * an entry whose file changed no earlier than the cache was written is
 * "racy" and is hashed again: an edit made after a run shares a tick with
 * that run's last writes only if they were no earlier than the cache itself.
 */
import { readFileSync, statSync } from "node:fs";
import { writeFileAtomic, type StatKey } from "./files.ts";
import { sha256 } from "./json.ts";

type Entry = readonly [size: string, mtimeNs: string, ctimeNs: string, ino: string, sha: string];

export interface FileHashes {
  /**
   * The SHA-256 of the file's UTF-8 text, or undefined when it does not exist (or is not a plain file). Synchronous:
   * thousands of `stat` calls are faster without a promise each, and almost all of them find the file unchanged.
   * A file is looked at once per cache (one run): asked again, it answers what it found then, or what `wrote` told it.
   */
  hash(path: string): string | undefined;
  /**
   * `hash`, with the file's stat taken already (`lib/scan.ts` stats generated/ on a worker thread); undefined: the
   * path is not a plain file.
   */
  hashStat(path: string, key: StatKey | undefined): string | undefined;
  /** Records the hash of `text` (`sha`, when the caller has it), just written to `path`. */
  wrote(path: string, text: string, sha?: string): Promise<void>;
  /** Stores what was learnt (best effort). */
  save(): Promise<void>;
}

/** The same four strings as `walkTree`'s (`lib/files.ts`), which the worker's scan computes on its own. */
function statKey(path: string): StatKey | undefined {
  try {
    const info = statSync(path, { bigint: true });
    if (!info.isFile()) return undefined;
    return [String(info.size), String(info.mtimeNs), String(info.ctimeNs), String(info.ino)];
  } catch {
    return undefined;
  }
}

/**
 * True when `a` is a smaller whole number than `b`, both written in decimal without leading zeros (as `String` of a
 * bigint writes them): the shorter is the smaller, and equal lengths compare as text. No bigint per entry.
 */
function lessThan(a: string, b: string): boolean {
  return a.length < b.length || (a.length === b.length && a < b);
}

/** A hash cache stored in `file`; `undefined` keeps nothing (every file is read). */
export async function openHashCache(file: string | undefined): Promise<FileHashes> {
  let known: Record<string, Entry> = {};
  /** When the cache file was written (nanoseconds, decimal): an entry of a file changed no earlier is racy. */
  let written = "0";
  if (file) {
    try {
      // Read in one call: a promise read of ~1 MB decodes it chunk by chunk, several times slower.
      const info = statSync(file, { bigint: true });
      const text = readFileSync(file, "utf8");
      const parsed = JSON.parse(text) as { version?: number; files?: Record<string, Entry> };
      if (parsed.version === 1 && parsed.files && typeof parsed.files === "object") {
        known = parsed.files;
        written = String(info.mtimeNs);
      }
    } catch {
      // No cache yet.
    }
  }
  const next: Record<string, Entry> = {};
  let changed = false;
  /**
   * True when the stored entry is the file's stat, and older than the cache file (not racy). The racy check runs here,
   * on the entries a run looks up, rather than over the whole cache when it is read: once the entry's times equal the
   * stat's, they are decimals as `String` of a bigint writes them, which `lessThan` compares.
   */
  const same = (entry: Entry | undefined, key: StatKey): entry is Entry =>
    Array.isArray(entry) &&
    entry.length === 5 &&
    typeof entry[4] === "string" &&
    entry[0] === key[0] &&
    entry[1] === key[1] &&
    entry[2] === key[2] &&
    entry[3] === key[3] &&
    lessThan(key[1], written) &&
    lessThan(key[2], written);
  const hashStat = (path: string, key: StatKey | undefined): string | undefined => {
    // Looked at once per run: the drift pass asks again for snapshot files the outputs' hashing saw.
    const seen = next[path];
    if (seen !== undefined) return seen[4];
    if (!key) return undefined;
    const entry = Object.hasOwn(known, path) ? known[path] : undefined;
    if (same(entry, key)) {
      next[path] = entry;
      return entry[4];
    }
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      return undefined;
    }
    // Read after the stat: if the file changed in between, the next run sees another stat and hashes again.
    const sha = sha256(text);
    next[path] = [...key, sha];
    changed = true;
    return sha;
  };
  return {
    hash: (path) => hashStat(path, next[path] === undefined ? statKey(path) : undefined),
    hashStat,
    async wrote(path, text, sha) {
      const key = statKey(path);
      if (!key) return;
      next[path] = [...key, sha ?? sha256(text)];
      changed = true;
    },
    async save() {
      if (!file || (!changed && Object.keys(next).length === Object.keys(known).length)) return;
      try {
        await writeFileAtomic(file, JSON.stringify({ version: 1, files: next }));
      } catch {
        // An optimisation only.
      }
    },
  };
}
