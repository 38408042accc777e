/**
 * The build manifest, committed with the package as
 * `generated/.codegen-manifest.json`: what every output of the last
 * `generate` was computed from, and the SHA-256 of each file it wrote.
 *
 * It lets a run skip work it can prove is done, on any machine (CI included):
 * - the whole run, when the inputs key (generator sources, lockfile, tool
 *   versions and every schema file's bytes) is the recorded one and every
 *   file of generated/ hashes to its recorded value, with no file missing or
 *   extra: `generate` writes nothing and `--check` reports clean without
 *   emitting anything;
 * - one unit (the runtime, a model, the package files, the release files),
 *   when its key is the recorded one and each of its files still hashes to
 *   its recorded value.
 * Because the outputs on disk are hashed, a file edited by hand never passes
 * for current: its unit is emitted again, and `--check` reports it.
 */
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Warning } from "../lib/diagnostics.ts";
import { listFilesSync, listing, type Listing } from "../lib/files.ts";
import type { FileHashes } from "../lib/hash-cache.ts";
import { sha256, stringifyPretty } from "../lib/json.ts";

/** The manifest's path below generated/ (not part of the npm package: `files` in package.json leaves it out). */
export const MANIFEST_FILE = ".codegen-manifest.json";

const NOTICE = "Written by `npm run generate`: what each file of generated/ was built from. Do not edit.";

export interface UnitRecord {
  /** Hash of everything the unit's files are computed from. */
  readonly key: string;
  /** SHA-256 of each file the unit wrote, by path below generated/. */
  readonly files: Readonly<Record<string, string>>;
}

export interface Manifest {
  readonly version: 1;
  /** Hash of the generator, its tools and every schema file. */
  readonly inputs: string;
  readonly models: number;
  /** Warnings of that run, replayed when the whole run is skipped. */
  readonly warnings: readonly Warning[];
  readonly units: Readonly<Record<string, UnitRecord>>;
}

/** Tools whose versions shape the output. */
const TOOLS = ["ajv", "prettier", "ts-morph", "typescript"];

/**
 * Hash of the generator's own code, the runtime templates, the lockfile and the installed tool versions. With
 * `hashes`, each file counts by its content hash (read only when it changed since it was last hashed).
 */
export async function generatorFingerprint(root: string, hashes?: FileHashes): Promise<string> {
  const parts: string[] = [];
  const content = async (path: string): Promise<string> => hashes?.hash(path) ?? (await readFile(path, "utf8"));
  for (const dir of ["generator", "templates"]) {
    const files = listFilesSync(join(root, dir)).filter((file) => file.endsWith(".ts") || file.endsWith(".js"));
    for (const file of files) parts.push(`${dir}/${file}`, await content(join(root, dir, file)));
  }
  try {
    parts.push("package-lock.json", await content(join(root, "package-lock.json")));
  } catch {
    parts.push("package-lock.json", "absent");
  }
  for (const tool of TOOLS) {
    try {
      const pkg = JSON.parse(readFileSync(installedPackageJson(root, tool), "utf8")) as { version: string };
      parts.push(tool, pkg.version);
    } catch {
      parts.push(tool, "unresolved");
    }
  }
  return sha256(parts.join("\u0000"));
}

/**
 * The `package.json` of package `name` as Node resolves it from `root`: in the nearest `node_modules` folder up from
 * `root` that holds the package. Looked up directly: the first `require.resolve` of a run starts Node's CommonJS
 * loader, ~20 ms of a ~150 ms no-op generate. Other layouts (Yarn Plug'n'Play) go through `require.resolve`.
 */
function installedPackageJson(root: string, name: string): string {
  for (let dir = root; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name, "package.json");
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) break;
  }
  return createRequire(join(root, "package.json")).resolve(`${name}/package.json`);
}

/** The committed manifest of `outDir` and its bytes, or undefined when there is none (or it does not parse). */
export async function readManifest(
  outDir: string,
): Promise<{ readonly manifest: Manifest; readonly text: string } | undefined> {
  try {
    // Read in one call (about 1 MB at 1,000 models): a promise read decodes it chunk by chunk.
    const text = readFileSync(join(outDir, MANIFEST_FILE), "utf8");
    const parsed = JSON.parse(text) as Partial<Manifest>;
    if (parsed.version === 1 && typeof parsed.inputs === "string" && parsed.units && typeof parsed.units === "object") {
      const manifest: Manifest = {
        version: 1,
        inputs: parsed.inputs,
        models: parsed.models ?? 0,
        warnings: parsed.warnings ?? [],
        units: parsed.units,
      };
      return { manifest, text };
    }
  } catch {
    // Missing or unreadable: nothing can be skipped.
  }
  return undefined;
}

/** An array index as a property key: objects list such keys first, in numeric order, whatever their insertion order. */
const INDEX_KEY = /^(?:0|[1-9][0-9]{0,9})$/;

/**
 * The manifest's bytes: units and files in sorted order, one file per line, so its diff stays reviewable.
 *
 * The units are printed one by one, as `JSON.stringify(…, null, 2)` prints them in place (sorting a thousand units'
 * records into new objects cost more than printing them); a manifest of any other shape goes through
 * `serializeManifestObjects`, the same bytes by definition.
 */
export function serializeManifest(manifest: Manifest): string {
  return withChecksum(printManifest(manifest));
}

/**
 * The manifest's text with a `"checksum"` line after `"version"`: the SHA-256 of the text without it. A run that
 * trusts the manifest (nothing to emit) compares its bytes with these: a hand edit of what no output can prove (the
 * model count, the warnings a no-op replays, a unit's key) that does not also recompute the checksum is found.
 */
function withChecksum(text: string): string {
  const version = '\n  "version": 1,\n';
  const at = text.indexOf(version);
  if (at === -1) throw new Error("manifest: no version line");
  const end = at + version.length;
  return `${text.slice(0, end)}  "checksum": ${JSON.stringify(sha256(text))},\n${text.slice(end)}`;
}

function printManifest(manifest: Manifest): string {
  const names = Object.keys(manifest.units).sort();
  const units: string[] = [];
  for (const name of names) {
    const unit = manifest.units[name] as Partial<UnitRecord> | undefined;
    const files = unit?.files as Readonly<Record<string, unknown>> | undefined;
    if (
      INDEX_KEY.test(name) ||
      unit === null ||
      typeof unit !== "object" ||
      typeof unit.key !== "string" ||
      files === null ||
      typeof files !== "object" ||
      Array.isArray(files)
    )
      return printManifestObjects(manifest);
    const paths = Object.keys(files).sort();
    const lines: string[] = [];
    for (const path of paths) {
      const hash = files[path];
      if (INDEX_KEY.test(path) || typeof hash !== "string") return printManifestObjects(manifest);
      lines.push(`        ${JSON.stringify(path)}: ${JSON.stringify(hash)}`);
    }
    const body = lines.length === 0 ? "{}" : `{\n${lines.join(",\n")}\n      }`;
    units.push(
      `    ${JSON.stringify(name)}: {\n      "key": ${JSON.stringify(unit.key)},\n      "files": ${body}\n    }`,
    );
  }
  const text = stringifyPretty({ "//": NOTICE, ...manifest, units: {} });
  const end = '"units": {}\n}\n';
  if (units.length === 0 || !text.endsWith(end)) return printManifestObjects(manifest);
  return `${text.slice(0, -end.length)}"units": {\n${units.join(",\n")}\n  }\n}\n`;
}

/** `serializeManifest` through sorted copies of every record and one `JSON.stringify`. */
export function serializeManifestObjects(manifest: Manifest): string {
  return withChecksum(printManifestObjects(manifest));
}

function printManifestObjects(manifest: Manifest): string {
  const sorted = <T>(record: Readonly<Record<string, T>>): Record<string, T> =>
    Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((key) => [key, record[key]!]),
    );
  const units = Object.fromEntries(
    Object.keys(manifest.units)
      .sort()
      .map((name) => [name, { key: manifest.units[name]!.key, files: sorted(manifest.units[name]!.files) }]),
  );
  return stringifyPretty({ "//": NOTICE, ...manifest, units });
}

/** What `hashOutputs` records for an entry that is not a plain file (a link, a FIFO, one gone since the listing). */
export const NOT_A_FILE = "not a plain file";

/**
 * SHA-256 of every file below `outDir` (the manifest itself excluded), by path; `hashes` skips unchanged files. Every
 * listed entry is there: one that is not a plain file as `NOT_A_FILE`, which no recorded hash equals, so a link or a
 * FIFO in generated/ keeps a run off the fast path (where `checkOutput` and `writeOutput` see it).
 */
export function hashOutputs(
  outDir: string,
  hashes: FileHashes,
  listed: Listing = listing(outDir),
): Map<string, string> {
  const result = new Map<string, string>();
  for (const path of listed.paths) {
    // The manifest is not a unit's file; only a manifest that is not a plain file is there (as `NOT_A_FILE`).
    if (path === MANIFEST_FILE && !listed.special.has(path)) continue;
    const hash = listed.special.has(path) ? undefined : hashes.hash(join(outDir, path));
    result.set(path, hash ?? NOT_A_FILE);
  }
  return result;
}

/**
 * What a no-op run needs of a manifest it has proven canonical and current, kept beside the manifest's hash in the
 * hash cache (`FileHashes.remember`): the next run with the same manifest bytes does not parse its ~1 KB per model.
 */
export interface ManifestFacts {
  readonly inputs: string;
  readonly models: number;
  readonly warnings: readonly Warning[];
  /** `filesDigest` of the files its units record. */
  readonly files: string;
}

/** One hash of a set of files and their hashes (paths sorted): equal exactly when the sets are. */
export function filesDigest(files: Iterable<readonly [path: string, sha: string]>): string {
  const sorted = [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return sha256(sorted.map(([path, sha]) => `${path}\u0000${sha}`).join("\u0001"));
}

export function factsOf(manifest: Manifest): ManifestFacts {
  return {
    inputs: manifest.inputs,
    models: manifest.models,
    warnings: manifest.warnings,
    files: filesDigest(Object.values(manifest.units).flatMap((record) => Object.entries(record.files))),
  };
}

/** `value` as `ManifestFacts` (a cache entry of `factsOf`), or undefined when it is not one. */
export function manifestFacts(value: unknown): ManifestFacts | undefined {
  const facts = value as Partial<ManifestFacts> | null | undefined;
  return typeof facts === "object" &&
    facts !== null &&
    typeof facts.inputs === "string" &&
    typeof facts.models === "number" &&
    Array.isArray(facts.warnings) &&
    typeof facts.files === "string"
    ? (facts as ManifestFacts)
    : undefined;
}

/** True when every file of `record` is on disk with its recorded hash. */
export function unitIsCurrent(record: UnitRecord | undefined, key: string, disk: ReadonlyMap<string, string>): boolean {
  return (
    record !== undefined &&
    record.key === key &&
    Object.entries(record.files).every(([path, hash]) => disk.get(path) === hash)
  );
}

/** True when the manifest records exactly the files on disk, each with its hash, and each in one unit only. */
export function everythingCurrent(manifest: Manifest, disk: ReadonlyMap<string, string>): boolean {
  const recorded = Object.values(manifest.units).flatMap((record) => Object.entries(record.files));
  // A path recorded twice would stand in for a file on disk that no unit records.
  return (
    recorded.length === disk.size &&
    pathsRecordedTwice(manifest).size === 0 &&
    recorded.every(([path, hash]) => disk.get(path) === hash)
  );
}

/** The paths more than one unit of `manifest` records (none, unless it was edited by hand). */
export function pathsRecordedTwice(manifest: Manifest): Set<string> {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const record of Object.values(manifest.units))
    for (const path of Object.keys(record.files)) (seen.has(path) ? twice : seen).add(path);
  return twice;
}

/** A unit's record from the texts just emitted. */
export function recordUnit(key: string, files: Iterable<readonly [string, string]>): UnitRecord {
  return { key, files: Object.fromEntries([...files].map(([path, text]) => [path, sha256(text)])) };
}
