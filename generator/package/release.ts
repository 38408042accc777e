/**
 * Version, changelog and schema snapshot of the generated package.
 *
 * `generate` copies the schema files it builds from into `generated/schemas/`
 * (the package ships them, e.g. for UIs that render forms). That snapshot
 * records what the current package was built from: the next `generate`
 * compares it with `schemas/` through the drift report and, when something
 * changed for users, bumps `generated/package.json`'s version by the
 * suggested level and puts an entry on top of `generated/CHANGELOG.md`.
 * Once the snapshot matches `schemas/` again nothing changes, so a second
 * run writes nothing and `generate --check` computes exactly this plan too.
 *
 * The snapshot is read with the normalisation rules the package was built
 * with (`runcomfy-codegen.normalizationRules` in its package.json; a package
 * without that field was built with rules 1). So when the generator's rules
 * change what users see (rules 2: required stays required), regenerating an
 * unchanged schema set still reports it (`request-property-became-required`)
 * and bumps the version.
 * The very first run (no snapshot) keeps the current version and starts the
 * changelog with an entry listing the models.
 */
import { join, relative, sep } from "node:path";
import { GeneratorError, GeneratorErrors } from "../lib/diagnostics.ts";
import { readIfExists } from "../lib/files.ts";
import { loadModels } from "../model/load.ts";
import { sha256 } from "../lib/json.ts";
import { listJsonFiles, readSchemaEntries, type SchemaEntry } from "../schemas/entries.ts";
import { NORMALIZATION_RULES, type ModelSpec } from "../model/types.ts";
import { CHANGELOG_FILE, initialEntry, prependEntry, releaseEntry } from "./changelog.ts";
import { compareModels } from "../drift/report.ts";
import { bumpVersion } from "../drift/semver.ts";
import type { DriftReport } from "../drift/types.ts";

export const DEFAULT_VERSION = "0.1.0";
/** Folder of `generated/` holding the schema files the package was built from. */
export const SNAPSHOT_DIR = "schemas";

export interface ReleaseInput {
  /** Project root. */
  readonly root: string;
  /** Absolute path of `generated/`. */
  readonly outDir: string;
  /** The schema files being generated from, and the prefix of their paths (`schemas/`). */
  readonly entries: readonly SchemaEntry[];
  readonly schemasPrefix: string;
  readonly specs: readonly ModelSpec[];
  /**
   * SHA-256 of a file's text by its absolute path (`FileHashes.hash`, which knows unchanged files without reading
   * them): a snapshot file whose hash is its schema file's is not read back. Without it every snapshot file is read.
   */
  readonly hash?: (path: string) => string | undefined;
}

export interface ReleasePlan {
  readonly previousVersion: string;
  readonly version: string;
  /** The drift between the snapshot and the schemas; absent on the first run and when the snapshot is byte-identical. */
  readonly report?: DriftReport;
  /** `CHANGELOG.md` and `schemas/**`, relative to `generated/`. */
  readonly files: ReadonlyMap<string, string>;
  /** Paths of `files` whose bytes are already on disk (a write run can keep them without reading them again). */
  readonly unchanged: ReadonlySet<string>;
}

/** The version in `generated/package.json`; the default when there is none yet. */
export async function currentVersion(outDir: string): Promise<string> {
  try {
    const pkg = JSON.parse((await readIfExists(join(outDir, "package.json"))) ?? "{}") as { version?: unknown };
    return typeof pkg.version === "string" ? pkg.version : DEFAULT_VERSION;
  } catch {
    return DEFAULT_VERSION;
  }
}

/**
 * The normalisation rules `generated/` was built with: its package.json's
 * `runcomfy-codegen.normalizationRules`, 1 for a package from before that
 * field, and the current rules when there is no package yet.
 */
export async function builtWithRules(outDir: string): Promise<number> {
  let pkg: unknown;
  try {
    const text = await readIfExists(join(outDir, "package.json"));
    if (text === undefined) return NORMALIZATION_RULES;
    pkg = JSON.parse(text);
  } catch {
    return NORMALIZATION_RULES;
  }
  const rules = (pkg as { "runcomfy-codegen"?: { normalizationRules?: unknown } })["runcomfy-codegen"]
    ?.normalizationRules;
  return typeof rules === "number" && Number.isInteger(rules) && rules >= 1 ? rules : 1;
}

/** Where each schema file goes in the snapshot: `<schemas dir>/community/x.json` → `schemas/community/x.json` below `generated/`. */
function snapshotFiles(entries: readonly SchemaEntry[], schemasPrefix: string): Map<string, string> {
  return new Map(entries.map((entry) => [`${SNAPSHOT_DIR}/${entry.file.slice(schemasPrefix.length)}`, entry.text]));
}

function sameFiles(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  return a.size === b.size && [...a].every(([path, text]) => b.get(path) === text);
}

/** The snapshot's models; `subset` when only some of its files are read (their paths then depend on the others). */
function loadSnapshot(
  entries: readonly SchemaEntry[],
  folder: string,
  rules: number,
  subset: boolean,
): readonly ModelSpec[] {
  try {
    return loadModels(entries, `${folder}/`, { rules, ...(subset ? { checkPaths: false } : {}) }).specs;
  } catch (error) {
    if (!(error instanceof GeneratorError || error instanceof GeneratorErrors)) throw error;
    throw new GeneratorError(
      "snapshot-unreadable",
      `${error.message}\n${folder}/ records the schemas the current package was built from, and it no longer loads (did the generator get stricter?). ` +
        `Delete ${folder}/ to start a fresh snapshot: the version is then kept and no changelog entry is added.`,
    );
  }
}

export async function planRelease(input: ReleaseInput): Promise<ReleasePlan> {
  const previousVersion = await currentVersion(input.outDir);
  const existing = await readIfExists(join(input.outDir, CHANGELOG_FILE));
  const files = snapshotFiles(input.entries, input.schemasPrefix);

  const outPrefix = relative(input.root, input.outDir).split(sep).join("/");
  const rules = await builtWithRules(input.outDir);
  const listed = await listJsonFiles(join(input.outDir, SNAPSHOT_DIR), input.root);
  // A snapshot file known (through its hash) to hold its schema file's bytes is not read: under the same rules it
  // cannot have drifted, and its text is the schema file's.
  const sourceHashes = new Map(input.specs.map((spec) => [spec.schemaFile, spec.sourceHash]));
  const schemaHash = (path: string, text: string) =>
    sourceHashes.get(`${input.schemasPrefix}${path.slice(SNAPSHOT_DIR.length + 1)}`) ?? sha256(text);
  const known = new Map<string, string>();
  if (input.hash && rules === NORMALIZATION_RULES) {
    for (const file of listed) {
      const path = file.slice(outPrefix.length + 1);
      const text = files.get(path);
      if (text !== undefined && input.hash(join(input.root, file)) === schemaHash(path, text)) known.set(file, text);
    }
  }
  const read = await readSchemaEntries(
    join(input.outDir, SNAPSHOT_DIR),
    input.root,
    listed.filter((file) => !known.has(file)),
  );
  const readText = new Map(read.map((entry) => [entry.file, entry]));
  const snapshotEntries = listed.map((file) => readText.get(file) ?? { file, text: known.get(file)! });
  const snapshot = new Map(snapshotEntries.map((entry) => [entry.file.slice(outPrefix.length + 1), entry.text]));

  let report: DriftReport | undefined;
  // Byte-identical snapshot built under today's rules: nothing to compare (the common, no-op case stays cheap).
  if (snapshotEntries.length > 0 && (rules !== NORMALIZATION_RULES || !sameFiles(snapshot, files))) {
    // Under the same rules, a model whose file did not change cannot have drifted: only the files that differ
    // (changed, added, removed) are read back and compared, so one edited model among a thousand stays cheap.
    const sameRules = rules === NORMALIZATION_RULES;
    const changed = new Set(
      [...snapshot.keys(), ...files.keys()].filter((path) => snapshot.get(path) !== files.get(path)),
    );
    const snapshotPath = (file: string) => file.slice(outPrefix.length + 1);
    const entries = sameRules
      ? snapshotEntries.filter((entry) => changed.has(snapshotPath(entry.file)))
      : snapshotEntries;
    const schemaPath = (file: string) => `${SNAPSHOT_DIR}/${file.slice(input.schemasPrefix.length)}`;
    const after = sameRules ? input.specs.filter((spec) => changed.has(schemaPath(spec.schemaFile))) : input.specs;
    const before = loadSnapshot(entries, `${outPrefix}/${SNAPSHOT_DIR}`, rules, sameRules);
    report = compareModels(before, after, `${outPrefix}/${SNAPSHOT_DIR}`, input.schemasPrefix.replace(/\/$/, ""));
  }

  let version = previousVersion;
  let changelog = existing ?? prependEntry(undefined, initialEntry(previousVersion, input.specs));
  if (report && report.semver !== "none") {
    version = bumpVersion(previousVersion, report.semver, `${outPrefix}/package.json`);
    changelog = prependEntry(existing, releaseEntry(version, previousVersion, report));
  }
  files.set(CHANGELOG_FILE, changelog);
  const unchanged = new Set(
    [...files]
      .filter(([path, text]) => (path === CHANGELOG_FILE ? existing : snapshot.get(path)) === text)
      .map(([path]) => path),
  );
  return { previousVersion, version, ...(report ? { report } : {}), files, unchanged };
}
