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
import { bumpVersion, worstSemver } from "../drift/semver.ts";
import type { DriftReport, Semver } from "../drift/types.ts";
import { GENERATOR_CHANGES, GENERATOR_REVISION, type GeneratorChange } from "../emit/generator-changes.ts";

export const DEFAULT_VERSION = "0.1.0";
/** A semantic version as npm takes it (semver.org's grammar): "", " 2.0.0 " or "02.0.0" would only fail at publish. */
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
/** Folder of `generated/` holding the schema files the package was built from. */
export const SNAPSHOT_DIR = "schemas";

/** Whether `path` (below generated/) is read as the last release: its `package.json`, changelog or a snapshot file. */
export function isReleaseInput(path: string): boolean {
  return path === "package.json" || path === CHANGELOG_FILE || path.startsWith(`${SNAPSHOT_DIR}/`);
}

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
  /** Every file below `outDir` (relative to it, sorted), when the caller listed it in this run; else it is listed here. */
  readonly listed?: readonly string[];
  /** `generated/package.json` as read by the caller (`readBuiltPackage`); else it is read here. */
  readonly built?: BuiltPackage;
}

export interface ReleasePlan {
  readonly previousVersion: string;
  readonly version: string;
  /** The bump: the worst of the drift and the generator's own changes (`none` when the version stays). */
  readonly level: Semver;
  /** The generator's own changes this release lists (`generator-changes.ts`), none when it lists none. */
  readonly generatorChanges: readonly GeneratorChange[];
  /** The drift between the snapshot and the schemas; absent on the first run and when the snapshot is byte-identical. */
  readonly report?: DriftReport;
  /** `CHANGELOG.md` and `schemas/**` whose bytes are not on disk yet, relative to `generated/`. */
  readonly files: ReadonlyMap<string, string>;
  /**
   * The other files of the release (`CHANGELOG.md`, `schemas/**`), whose bytes are already on disk, with the SHA-256
   * of those bytes: a write run keeps them without reading or writing them.
   */
  readonly unchanged: ReadonlyMap<string, string>;
}

/** What the next release is planned from: the package's version and what it was built with. */
export interface BuiltPackage {
  /** `version` of `generated/package.json`. */
  readonly version: string;
  /** The normalisation rules it was built with (1 for a package from before the field). */
  readonly rules: number;
  /** The generator revision it was built with (0 for a package from before the field: every entry is news to it). */
  readonly generatorRevision: number;
}

/**
 * `generated/package.json` as the release plan reads it. Without the file: the version of the changelog's newest
 * entry (a deleted package.json does not reset the version) or the default, and today's rules and revision. A file
 * that does not parse (a merge conflict), whose `version` is not a string, or that records rules or a revision above
 * this generator's (it was built by a newer one) is a `GeneratorError` that says what to do: planning from a guess
 * would reset the version or list changes twice.
 */
export async function readBuiltPackage(outDir: string): Promise<BuiltPackage> {
  const file = join(outDir, "package.json");
  const where = { file: "generated/package.json" };
  let text: string | undefined;
  try {
    text = await readIfExists(file);
  } catch (error) {
    throw new GeneratorError(
      "package-json",
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); it must be the package's package.json file`,
      where,
    );
  }
  const newest = newestReleased(await readIfExists(join(outDir, CHANGELOG_FILE)).catch(() => undefined));
  if (text === undefined)
    return { version: newest ?? DEFAULT_VERSION, rules: NORMALIZATION_RULES, generatorRevision: GENERATOR_REVISION };
  let pkg: unknown;
  try {
    // A byte-order mark (some editors write one) is not JSON, but it is no reason to stop.
    pkg = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw new GeneratorError(
      "package-json",
      `does not parse as JSON (${(error as Error).message}; a merge conflict?): its version and recorded generator are what the next version is planned from; fix it, or restore it (git checkout generated/package.json) and run generate again`,
      where,
    );
  }
  if (pkg === null || typeof pkg !== "object" || Array.isArray(pkg))
    throw new GeneratorError(
      "package-json",
      "is not a JSON object; restore it (git checkout generated/package.json)",
      where,
    );
  const { version, "runcomfy-codegen": recorded } = pkg as { version?: unknown; "runcomfy-codegen"?: unknown };
  if (version !== undefined && (typeof version !== "string" || !SEMVER.test(version)))
    throw new GeneratorError(
      "version-format",
      `"version" must be a semantic version such as "1.2.0", got ${JSON.stringify(version)}; set one by hand`,
      { ...where, path: "version" },
    );
  if (recorded !== undefined && (recorded === null || typeof recorded !== "object" || Array.isArray(recorded)))
    throw new GeneratorError(
      "package-json",
      `"runcomfy-codegen" must be an object (the rules and generator revision the package was built with), got ${JSON.stringify(recorded)}; restore it (git checkout generated/package.json)`,
      { ...where, path: "runcomfy-codegen" },
    );
  // A version behind the changelog's newest entry (a hand edit, a merge that took the other side) would release
  // a lower version on top of a higher one.
  if (typeof version === "string" && newest !== undefined && compareVersions(version, newest) < 0)
    throw new GeneratorError(
      "version-behind",
      `"version" ${JSON.stringify(version)} is behind the newest entry of generated/CHANGELOG.md (${newest}); set it to ${newest} (or restore it: git checkout generated/package.json)`,
      { ...where, path: "version" },
    );
  const block = (recorded ?? {}) as {
    normalizationRules?: unknown;
    generatorRevision?: unknown;
  };
  const count = (name: "normalizationRules" | "generatorRevision", least: number, current: number): number => {
    const value = block[name];
    if (value === undefined) return least;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < least)
      throw new GeneratorError(
        "package-json",
        `"runcomfy-codegen.${name}" must be an integer of at least ${least}, got ${JSON.stringify(value)}; restore it (git checkout generated/package.json)`,
        { ...where, path: `runcomfy-codegen/${name}` },
      );
    if (value > current)
      throw new GeneratorError(
        "package-json",
        `was built by a newer generator ("runcomfy-codegen.${name}" ${value}; this one is at ${current}): update runcomfy-codegen (git pull, npm install) before generating, or its next version would list changes twice`,
        { ...where, path: `runcomfy-codegen/${name}` },
      );
    return value;
  };
  return {
    version: version ?? newest ?? DEFAULT_VERSION,
    rules: count("normalizationRules", 1, NORMALIZATION_RULES),
    generatorRevision: count("generatorRevision", 0, GENERATOR_REVISION),
  };
}

/** The highest plain version a changelog has an entry for (`## 1.2.0`), whatever their order. */
function newestReleased(changelog: string | undefined): string | undefined {
  let newest: string | undefined;
  for (const [, version] of (changelog ?? "").matchAll(/^## (\d+\.\d+\.\d+)[ \t]*\r?$/gm))
    if (newest === undefined || compareVersions(version!, newest) > 0) newest = version;
  return newest;
}

/** Plain `MAJOR.MINOR.PATCH` versions compared by number; a version that is not plain compares equal (no order). */
function compareVersions(a: string, b: string): number {
  const parse = (version: string) => /^(\d+)\.(\d+)\.(\d+)$/.exec(version)?.slice(1).map(BigInt);
  const [x, y] = [parse(a), parse(b)];
  if (!x || !y) return 0;
  for (let index = 0; index < 3; index++) if (x[index] !== y[index]) return x[index]! < y[index]! ? -1 : 1;
  return 0;
}

/** The version in `generated/package.json` (see `readBuiltPackage`). */
export async function currentVersion(outDir: string): Promise<string> {
  return (await readBuiltPackage(outDir)).version;
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
  const built = input.built ?? (await readBuiltPackage(input.outDir));
  const previousVersion = built.version;
  const existing = await readIfExists(join(input.outDir, CHANGELOG_FILE)).catch((error: unknown) => {
    throw new GeneratorError(
      "changelog",
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); it must be the package's changelog file`,
      { file: "generated/CHANGELOG.md" },
    );
  });
  // Where each schema file goes in the snapshot: `<schemas dir>/community/x.json` → `schemas/community/x.json` below
  // `generated/`. Their texts are read only where this plan needs them.
  const schemas = new Map(
    input.entries.map((entry) => [`${SNAPSHOT_DIR}/${entry.file.slice(input.schemasPrefix.length)}`, entry]),
  );

  const outPrefix = relative(input.root, input.outDir).split(sep).join("/");
  const rules = built.rules;
  // The generator's own changes since the revision the package was built with (none for a new package).
  const fromGenerator = GENERATOR_CHANGES.filter((change) => change.revision > built.generatorRevision);
  const listed = input.listed
    ? input.listed
        .filter((path) => path.startsWith(`${SNAPSHOT_DIR}/`) && path.endsWith(".json"))
        .map((path) => `${outPrefix}/${path}`)
    : await listJsonFiles(join(input.outDir, SNAPSHOT_DIR), input.root);
  const snapshotPath = (file: string) => file.slice(outPrefix.length + 1);
  const sourceHashes = new Map(input.specs.map((spec) => [spec.schemaFile, spec.sourceHash]));
  const schemaHash = (entry: SchemaEntry) => entry.sourceHash ?? sourceHashes.get(entry.file) ?? sha256(entry.text);
  // A snapshot file known (through its hash) to hold its schema file's bytes is read neither here nor by the write:
  // under the same rules it cannot have drifted, and it is already what the plan would write.
  const known = new Map<string, string>();
  if (input.hash && rules === NORMALIZATION_RULES) {
    for (const file of listed) {
      const entry = schemas.get(snapshotPath(file));
      if (entry === undefined) continue;
      const hash = schemaHash(entry);
      if (input.hash(join(input.root, file)) === hash) known.set(snapshotPath(file), hash);
    }
  }
  const read = await readSchemaEntries(
    join(input.outDir, SNAPSHOT_DIR),
    input.root,
    listed.filter((file) => !known.has(snapshotPath(file))),
  );
  const snapshotText = new Map(read.map((entry) => [snapshotPath(entry.file), entry.text]));
  /** True when the snapshot's bytes at `path` (a file of either side) are not the schema file's. */
  const differs = (path: string) => !known.has(path) && snapshotText.get(path) !== schemas.get(path)?.text;

  let report: DriftReport | undefined;
  // Byte-identical snapshot built under today's rules: nothing to compare (the common, no-op case stays cheap).
  if (
    listed.length > 0 &&
    (rules !== NORMALIZATION_RULES || listed.length !== schemas.size || [...schemas.keys()].some(differs))
  ) {
    // Under the same rules, a model whose file did not change cannot have drifted: only the files that differ
    // (changed, added, removed) are read back and compared, so one edited model among a thousand stays cheap.
    const sameRules = rules === NORMALIZATION_RULES;
    const changed = new Set([...snapshotText.keys(), ...schemas.keys()].filter(differs));
    const entries = sameRules ? read.filter((entry) => changed.has(snapshotPath(entry.file))) : read;
    const schemaPath = (file: string) => `${SNAPSHOT_DIR}/${file.slice(input.schemasPrefix.length)}`;
    const after = sameRules ? input.specs.filter((spec) => changed.has(schemaPath(spec.schemaFile))) : input.specs;
    const before = loadSnapshot(entries, `${outPrefix}/${SNAPSHOT_DIR}`, rules, sameRules);
    report = compareModels(before, after, `${outPrefix}/${SNAPSHOT_DIR}`, input.schemasPrefix.replace(/\/$/, ""));
  }

  let version = previousVersion;
  let changelog = existing ?? prependEntry(undefined, initialEntry(previousVersion, input.specs));
  const level = worstSemver([report?.semver ?? "none", ...fromGenerator.map((change) => change.level)]);
  if (level !== "none") {
    version = bumpVersion(previousVersion, level, `${outPrefix}/package.json`);
    changelog = prependEntry(existing, releaseEntry(version, previousVersion, report, fromGenerator));
  }
  const files = new Map<string, string>();
  const unchanged = new Map<string, string>();
  for (const [path, entry] of schemas) {
    if (differs(path)) files.set(path, entry.text);
    else unchanged.set(path, known.get(path) ?? schemaHash(entry));
  }
  if (changelog === existing) unchanged.set(CHANGELOG_FILE, sha256(existing));
  else files.set(CHANGELOG_FILE, changelog);
  return {
    previousVersion,
    version,
    level: version === previousVersion ? "none" : level,
    generatorChanges: version === previousVersion ? [] : fromGenerator,
    ...(report ? { report } : {}),
    files,
    unchanged,
  };
}
