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
 *
 * It also keeps, beside a file's hash, what a caller derived from that
 * content (`remember`, `recall`): the facts of the 1 MB manifest a no-op run
 * needs, so it does not parse the manifest while its bytes are the same.
 */
import { readFileSync, statSync } from "node:fs";
import { writeFileAtomic } from "./files.ts";
import { sha256 } from "./json.ts";

/** A file's stat as the cache compares it: size, modification and change times in nanoseconds, inode. */
type StatKey = readonly [size: string, mtimeNs: string, ctimeNs: string, ino: string];

type Entry = readonly [size: string, mtimeNs: string, ctimeNs: string, ino: string, sha: string];
/** A value a caller derived from a file's content, with the hash of that content. */
type Derived = readonly [sha: string, value: unknown];

/** The cache file's format; a file of another version is ignored (and replaced on save). */
const CACHE_VERSION = 3;

export interface FileHashes {
  /**
   * The SHA-256 of the file's UTF-8 text, or undefined when it does not exist (or is not a plain file). Synchronous:
   * thousands of `stat` calls are faster without a promise each, and almost all of them find the file unchanged.
   * A file is looked at once per cache (one run): asked again, it answers what it found then, or what `wrote` told it.
   */
  hash(path: string): string | undefined;
  /**
   * What the caller derived from `path`'s content when it hashed to `sha` (`remember`), or undefined: a summary of a
   * large file that a run needs instead of the file (the manifest's facts, `package/manifest.ts`).
   */
  recall(path: string, sha: string): unknown;
  /** Keeps `value`, derived from `path` while it hashes to `sha`, for `recall` (this run and the next ones). */
  remember(path: string, sha: string, value: unknown): void;
  /**
   * Records the hash of `text` (`sha`, when the caller has it), just written to `path`, with the file's stat taken now
   * (synchronously, at the call): call it as soon as the write is done, before anyone else may have written the file.
   */
  wrote(path: string, text: string, sha?: string): Promise<void>;
  /** Stores what was learnt (best effort). */
  save(): Promise<void>;
}

/** The stat key of a plain file; undefined for anything else (missing, a folder, a FIFO). */
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
  let knownDerived: Record<string, Derived> = {};
  /** When the cache file was written (nanoseconds, decimal): an entry of a file changed no earlier is racy. */
  let written = "0";
  if (file) {
    try {
      // Read in one call: a promise read of ~1 MB decodes it chunk by chunk, several times slower.
      const info = statSync(file, { bigint: true });
      const text = readFileSync(file, "utf8");
      const parsed = JSON.parse(text) as {
        version?: number;
        files?: Record<string, Entry>;
        derived?: Record<string, Derived>;
      };
      if (parsed.version === CACHE_VERSION && parsed.files && typeof parsed.files === "object") {
        known = parsed.files;
        if (parsed.derived && typeof parsed.derived === "object") knownDerived = parsed.derived;
        written = String(info.mtimeNs);
      }
    } catch {
      // No cache yet.
    }
  }
  const next: Record<string, Entry> = {};
  const nextDerived: Record<string, Derived> = {};
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
    recall(path, sha) {
      const entry = Object.hasOwn(nextDerived, path)
        ? nextDerived[path]
        : Object.hasOwn(knownDerived, path)
          ? knownDerived[path]
          : undefined;
      if (!Array.isArray(entry) || entry.length !== 2 || entry[0] !== sha) return undefined;
      nextDerived[path] = entry;
      return entry[1];
    },
    remember(path, sha, value) {
      nextDerived[path] = [sha, value];
      changed = true;
    },
    async wrote(path, text, sha) {
      const key = statKey(path);
      if (!key) return;
      next[path] = [...key, sha ?? sha256(text)];
      changed = true;
    },
    async save() {
      if (
        !file ||
        (!changed &&
          Object.keys(next).length === Object.keys(known).length &&
          Object.keys(nextDerived).length === Object.keys(knownDerived).length)
      )
        return;
      try {
        await writeFileAtomic(file, JSON.stringify({ version: CACHE_VERSION, files: next, derived: nextDerived }));
      } catch {
        // An optimisation only.
      }
    },
  };
}
