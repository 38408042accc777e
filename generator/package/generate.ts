/**
 * The `generate` job: schemas/ → generated/, or `--check` that generated/ is
 * exactly what generate would write.
 *
 * One plan, two ways to finish it: `planGeneration` computes every file of
 * generated/ in memory (taking what the build cache proves current as it is
 * on disk); `writePlan` makes generated/ match it, `checkPlan` compares.
 * Nothing is written before the whole plan exists, so one bad schema among
 * hundreds leaves generated/ untouched.
 */
import { statSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { GeneratorError, type Warning } from "../lib/diagnostics.ts";
import { measure, measureAsync, takeTimings, type Timing } from "../lib/profile.ts";
import { sha256 } from "../lib/json.ts";
import { loadModels } from "../model/load.ts";
import { NORMALIZATION_RULES, type ModelSpec } from "../model/types.ts";
import { lazySchemaEntry, listJsonFiles, readSchemaEntries, type SchemaEntry } from "../schemas/entries.ts";
import { cacheFile, listing, type Listing } from "../lib/files.ts";
import { openHashCache, type FileHashes } from "../lib/hash-cache.ts";
import { openSpecCache, specCacheFiles, type SpecCache } from "../model/spec-cache.ts";
import {
  everythingCurrent,
  factsOf,
  filesDigest,
  manifestFacts,
  pathsRecordedTwice,
  generatorFingerprint,
  hashOutputs,
  MANIFEST_FILE,
  readManifest,
  recordUnit,
  serializeManifest,
  unitIsCurrent,
  type Manifest,
  type UnitRecord,
} from "./manifest.ts";
import { checkOutput, outputsUnreadable, writeOutput, type CheckResult, type WriteResult } from "./output.ts";
import { currentVersion, isReleaseInput, planRelease, readBuiltPackage, type ReleasePlan } from "./release.ts";
import { GENERATOR_REVISION } from "../emit/generator-changes.ts";

export interface GenerateOptions {
  /** Project root (holds schemas/, templates/, generated/). */
  readonly root: string;
  /** Compare instead of writing. */
  readonly check?: boolean;
  /** Reuse what the committed manifest proves current (`generated/.codegen-manifest.json`). @default true */
  readonly cache?: boolean;
  /** Only compute every file in memory (no compare, no write). */
  readonly render?: boolean;
  /** Threads for model units (main included). @default 1 below 24 models, else up to the number of cores */
  readonly threads?: number;
}

export interface GenerateReport {
  /** The models; absent when the manifest proved nothing changed (nothing was normalised): use `loadSpecs`. */
  readonly specs?: readonly ModelSpec[];
  /** The models, read and normalised now if the run did not need them. */
  readonly loadSpecs: () => Promise<readonly ModelSpec[]>;
  readonly modelCount: number;
  readonly warnings: readonly Warning[];
  /** Version, changelog and schema snapshot (see `package/release.ts`). */
  readonly release: ReleasePlan;
  /** Set after a write run. */
  readonly write?: WriteResult;
  /** Set after a `--check` run. */
  readonly check?: CheckResult;
  /** Set after a render run: every file generate would write, by path below generated/. */
  readonly files?: ReadonlyMap<string, string>;
  /** Units emitted (not taken from the cache). */
  readonly emittedUnits: readonly string[];
  /** Milliseconds per phase, slowest first. */
  readonly timings: readonly Timing[];
}

const SCHEMAS = "schemas";

/** One hash cache per project root (node_modules may be shared through a link). */
function hashCachePath(root: string): string {
  return cacheFile(root, `hashes-${sha256(root).slice(0, 16)}.json`);
}
const OUT = "generated";

/**
 * Normalised models and type declarations of earlier runs (`model/spec-cache.ts`), next to the hash cache: the base
 * name of its two files (`specCacheFiles`).
 */
export function specCachePath(root: string): string {
  return cacheFile(root, `specs-${sha256(root).slice(0, 16)}`);
}

/**
 * Removes the caches the runs of `root` keep under `node_modules/.cache/runcomfy-codegen/` (its hash cache and spec
 * cache; the CLI bundle and the compiled runtime are shared by every root and pruned by `cli/bin.js`). For scratch
 * projects that share a `node_modules` through a link (tests, benchmarks): each would otherwise leave its caches
 * behind, up to ~17 MB for a 1,000-model project. Removing them only costs the next run of that root the time.
 */
export async function dropProjectCaches(root: string): Promise<void> {
  const spec = specCacheFiles(specCachePath(root));
  await Promise.all([hashCachePath(root), spec.index, spec.data, spec.legacy].map((path) => rm(path, { force: true })));
}

/** A cache that knows nothing and keeps nothing (render runs). */
const NO_SPEC_CACHE: SpecCache = {
  modelId: () => undefined,
  spec: () => undefined,
  set: () => {},
  types: () => undefined,
  setTypes: () => {},
  naming: () => undefined,
  setNaming: () => {},
  save: () => Promise.resolve(),
};

/**
 * The size of a committed manifest from which a run scans generated/ on a worker thread and emits a few stale models
 * on it (~1 KB per model: some 200 models). Below it, starting the worker costs more than it saves.
 */
export const LARGE_MANIFEST_BYTES = 256 * 1024;

function isLarge(outDir: string): boolean {
  try {
    return statSync(join(outDir, MANIFEST_FILE)).size >= LARGE_MANIFEST_BYTES;
  } catch {
    return false;
  }
}

/** Version, changelog and schema snapshot as they are: nothing to release. */
function unchangedRelease(version: string): ReleasePlan {
  return {
    previousVersion: version,
    version,
    level: "none",
    generatorChanges: [],
    files: new Map(),
    unchanged: new Map(),
  };
}

/** Everything generate would write, computed once. */
export interface GenerationPlan {
  readonly outDir: string;
  /** Content hashes of the project's files, kept between runs (`lib/hash-cache.ts`). */
  readonly hashes: FileHashes;
  /** Models, when the plan computed them (not on the fast path). */
  readonly specs?: readonly ModelSpec[];
  /** Models: those of the plan, or read and normalised on demand when the manifest proved nothing changed. */
  readonly loadSpecs: () => Promise<readonly ModelSpec[]>;
  readonly modelCount: number;
  readonly warnings: readonly Warning[];
  readonly release: ReleasePlan;
  /** Files to write (or compare), by path below generated/, the manifest included. */
  readonly files: ReadonlyMap<string, string>;
  /** Files the manifest proved current: kept on disk as they are. */
  readonly keep: ReadonlySet<string>;
  /** Units emitted in this run (not taken as they are). */
  readonly emitted: readonly string[];
  /** True when the manifest proved every output current: nothing to emit or write. */
  readonly upToDate: boolean;
  /** generated/ when the plan listed it (a committed manifest was there). */
  readonly listed?: Listing;
  /** The SHA-256 of a file of `files`, when the plan knows it (every file but the manifest). */
  readonly hashOf?: (path: string) => string | undefined;
  /** Whether generated/ holds a file of `files` already, when the plan knows it without reading (see `writeOutput`). */
  readonly same?: (path: string, text: string) => boolean | undefined;
}

/**
 * Throws unless `root` holds a `schemas/` folder, before anything is read or written: a mistyped `--root` must not
 * grow a `generated/` (and a cache under `node_modules/`) of no models, nor pass `--check`.
 */
function checkSchemasFolder(root: string): void {
  const dir = join(root, SCHEMAS);
  let kind: string;
  try {
    kind = statSync(dir).isDirectory() ? "folder" : "file";
  } catch (error) {
    kind = (error as NodeJS.ErrnoException).code ?? "unreadable";
  }
  if (kind === "folder") return;
  const what = kind === "ENOENT" ? "does not exist" : kind === "file" ? "is not a folder" : `cannot be read (${kind})`;
  throw new GeneratorError(
    "schemas-missing",
    `no ${SCHEMAS}/ folder to generate from: ${dir} ${what} (is ${root} the project root? --root names it); nothing was written`,
  );
}

/** Computes every file of generated/, or proves through the committed manifest that all of them are current. */
export async function planGeneration(options: GenerateOptions): Promise<GenerationPlan> {
  const root = options.root;
  checkSchemasFolder(root);
  const outDir = join(root, OUT);
  const schemasPrefix = `${SCHEMAS}/`;
  // A render run must hold every file in memory, so it reuses nothing.
  const reuse = (options.cache ?? true) && !options.render;
  const hashes = await measureAsync("open hash cache", () => openHashCache(reuse ? hashCachePath(root) : undefined));
  const schemaFiles = await measureAsync("list schemas", () => listJsonFiles(join(root, SCHEMAS), root));
  const schemaHashes = measure("hash schemas", () => schemaFiles.map((file) => hashes.hash(join(root, file))));
  const fingerprint = await measureAsync("fingerprint", () => generatorFingerprint(root, hashes));
  const inputsKey = sha256(
    [fingerprint, ...schemaFiles.map((file, index) => `${file}\u0000${schemaHashes[index] ?? "unreadable"}`)].join(
      "\u0001",
    ),
  );
  let listed: Listing | undefined;
  let disk: Map<string, string> | undefined;
  /**
   * generated/ as it is (`listed`), and the hash of each of its files but the manifest (`disk`): listed and hashed
   * once, when first needed (what the write removes: no other writer runs in between). Only a run that may reuse the
   * committed manifest looks at generated/ before writing it.
   */
  const hashDisk = (): Map<string, string> => {
    if (disk) return disk;
    const found = measure("list outputs", () => listing(outDir, outputsUnreadable(outDir)));
    listed = found;
    return (disk = measure("hash outputs", () => hashOutputs(outDir, hashes, found)));
  };
  const readEntries = () =>
    measureAsync("read schemas", () => readSchemaEntries(join(root, SCHEMAS), root, schemaFiles));
  /** The plan of a run with nothing to do: every output (`current`) kept as it is. */
  const upToDate = async (
    models: number,
    warnings: readonly Warning[],
    current: Map<string, string>,
  ): Promise<GenerationPlan> => {
    let loaded: Promise<readonly ModelSpec[]> | undefined;
    return {
      outDir,
      hashes,
      modelCount: models,
      warnings,
      release: unchangedRelease(await currentVersion(outDir)),
      files: new Map<string, string>(),
      keep: new Set([...current.keys(), MANIFEST_FILE]),
      emitted: [],
      upToDate: true,
      loadSpecs: () => (loaded ??= readEntries().then((entries) => loadModels(entries, schemasPrefix).specs)),
    };
  };

  // Fast path: same generator, same schema files, every output (and the manifest itself) as recorded; nothing is
  // read but what changed since the files were last hashed. A manifest this cache saw proven canonical and current
  // (by its hash) is not even parsed: what a no-op needs of it was kept (`ManifestFacts`).
  const manifestFile = join(outDir, MANIFEST_FILE);
  const manifestSha = reuse ? hashes.hash(manifestFile) : undefined;
  const facts = manifestSha === undefined ? undefined : manifestFacts(hashes.recall(manifestFile, manifestSha));
  if (facts?.inputs === inputsKey) {
    const current = hashDisk();
    if (filesDigest(current) === facts.files) return upToDate(facts.models, facts.warnings, current);
  }
  const stored =
    reuse && manifestSha !== undefined ? await measureAsync("read manifest", () => readManifest(outDir)) : undefined;
  const manifest = stored?.manifest;
  if (stored && manifest && manifest.inputs === inputsKey) {
    // The manifest is checked for hand edits: its bytes are the ones it would be printed as.
    const canonical = measure("check manifest", () => serializeManifest(manifest) === stored.text);
    const current = hashDisk();
    if (canonical && everythingCurrent(manifest, current)) {
      hashes.remember(manifestFile, sha256(stored.text), factsOf(manifest));
      return upToDate(manifest.models, manifest.warnings, current);
    }
  }
  // Something is to be emitted. When every unit will be (no manifest, or another generator), worker threads start
  // now: their start-up overlaps reading, hashing and normalising on this thread. In a large project with a few
  // schema files added, edited or removed, one worker loads ajv and the emitters now, and the stale models are
  // emitted on it (`emitFilesAside`) while this thread prints the package's units.
  {
    const { prestartWorkers, threadsFor } = await import("../emit/pool.ts");
    if (!manifest || manifest.units["runtime"]?.key !== fingerprint) {
      const threads = threadsFor(schemaFiles.length);
      if (threads > 1) prestartWorkers(threads);
    } else if (reuse && (options.threads ?? 2) > 1 && isLarge(outDir)) prestartWorkers(1);
  }

  // Every run that normalises records what it normalised (a `--no-cache` run too, so that the next edit is cheap);
  // only a run that may reuse reads the cache. A render run neither reads nor writes it.
  const specCache = options.render
    ? NO_SPEC_CACHE
    : await measureAsync("open spec cache", () => openSpecCache(specCachePath(root), fingerprint, reuse));
  // A schema file whose hash (known from its stat) the spec cache knows is not read: its spec, model id and hash
  // come from the cache, and its text only if something asks for it (a snapshot file to write).
  const entries = await measureAsync("read schemas", async () => {
    const lazy = new Map<number, SchemaEntry>();
    schemaFiles.forEach((file, index) => {
      const hash = schemaHashes[index];
      if (hash !== undefined && specCache.modelId(file, hash, NORMALIZATION_RULES) !== undefined)
        lazy.set(index, lazySchemaEntry(join(root, file), file, hash));
    });
    const read = await readSchemaEntries(
      join(root, SCHEMAS),
      root,
      schemaFiles.filter((_, index) => !lazy.has(index)),
    );
    let next = 0;
    return schemaFiles.map((_, index) => lazy.get(index) ?? read[next++]!);
  });
  const { specs, warnings } = measure("normalise", () => loadModels(entries, schemasPrefix, { cache: specCache }));
  const onDisk = manifest ? hashDisk() : new Map<string, string>();
  // The last release (version, changelog, schema snapshot) is read from generated/. An entry there that is not a plain
  // file cannot be read as the release it stands for: a FIFO would block the read, a link to the schema file itself
  // would hide every change from the drift. Such a tree stops the run before anything is read or written.
  listed ??= listing(outDir, outputsUnreadable(outDir));
  const fake = [...listed.special].sort().find(isReleaseInput);
  if (fake !== undefined)
    throw new GeneratorError(
      "release-input-not-a-file",
      "is a symbolic link or another entry that is not a plain file: generate reads it as the last release and cannot tell what that held; restore the committed file (git checkout) or delete it, and run again",
      { file: `${OUT}/${fake}` },
    );
  const keep = new Set<string>();
  const units: Record<string, UnitRecord> = {};
  const emitted: string[] = [];
  // A path two units of the manifest record (a hand edit) proves neither: both are emitted again.
  const claimedTwice = manifest ? pathsRecordedTwice(manifest) : new Set<string>();
  /** True (and its files kept as they are) when the manifest proves a unit current. */
  const current = (name: string, key: string): boolean => {
    const record = manifest?.units[name];
    if (!reuse || !unitIsCurrent(record, key, onDisk)) return false;
    if (claimedTwice.size > 0 && Object.keys(record!.files).some((path) => claimedTwice.has(path))) return false;
    for (const path of Object.keys(record!.files)) keep.add(path);
    units[name] = record!;
    return true;
  };
  const files = new Map<string, string>();
  /** The SHA-256 of each file emitted in this run. */
  const emittedHashes = new Map<string, string>();
  const collect = (name: string, key: string, output: ReadonlyMap<string, string>) => {
    for (const [path, text] of output) files.set(path, text);
    units[name] = measure("hash emitted files", () => recordUnit(key, output));
    for (const [path, sha] of Object.entries(units[name].files)) emittedHashes.set(path, sha);
    emitted.push(name);
  };

  // Version, changelog and schema snapshot follow the drift since the last generate (package/release.ts).
  // When neither the schemas nor the generator changed since the last run, the plan is known: keep it.
  // The plan also reads generated/package.json (version, recorded rules and revision): its key covers them, so a
  // hand edit or a merge there is planned anew, whatever the manifest says. It is recorded with the values this run
  // writes, so the next run finds it current.
  const built = await readBuiltPackage(outDir);
  const releaseKey = (version: string, rules: number, revision: number) =>
    sha256(`${inputsKey}\u0000${version}\u0000${rules}\u0000${revision}`);
  const releaseCurrent = current("release", releaseKey(built.version, built.rules, built.generatorRevision));
  const planned = releaseCurrent
    ? undefined
    : await measureAsync("drift", () =>
        planRelease({
          root,
          outDir,
          entries,
          schemasPrefix,
          specs,
          built,
          hash: (path) => hashes.hash(path),
          ...(listed ? { listed: listed.paths } : {}),
        }),
      );
  const version = planned?.version ?? built.version;
  const release = planned ?? unchangedRelease(version);
  if (planned) {
    const key = releaseKey(planned.version, NORMALIZATION_RULES, GENERATOR_REVISION);
    collect("release", key, planned.files);
    // Files whose bytes are known to be on disk already (snapshot files equal to their schema file, the changelog)
    // are kept as they are: neither written nor read again by the write or the compare; their hashes are recorded.
    units["release"] = {
      key,
      files: { ...units["release"]!.files, ...Object.fromEntries(planned.unchanged) },
    };
    for (const path of planned.unchanged.keys()) keep.add(path);
  }

  /** The package's units (`emit/units.ts`: no ajv). */
  const emitters = () => measureAsync("import emitters", () => import("../emit/units.ts"));

  const packageKey = sha256(
    [
      fingerprint,
      version,
      ...specs.map(
        (spec) => `${spec.id}\u0000${spec.sourceHash}\u0000${spec.names.modulePath}\u0000${spec.names.typeName}`,
      ),
    ].join("\u0001"),
  );
  const modelKeys = new Map<ModelSpec, string>();
  const modelKey = (spec: ModelSpec) => {
    let key = modelKeys.get(spec);
    if (key === undefined)
      modelKeys.set(spec, (key = sha256(`${fingerprint}\u0000${spec.sourceHash}\u0000${JSON.stringify(spec.names)}`)));
    return key;
  };

  // The runtime unit and every stale model unit, spread over worker threads (emit/pool.ts); a few stale models alone
  // (an add, an edit) are emitted on the worker started for them while this thread prints the package's units.
  const runtimeStale = !current("runtime", fingerprint);
  const stale = specs.filter((spec) => !current(`model:${spec.id}`, modelKey(spec)));
  const typeTexts = new Map<string, string>();
  const { emitFilesAside, PARALLEL_THRESHOLD } = await import("../emit/pool.ts");
  const aside =
    !runtimeStale && stale.length > 0 && stale.length < PARALLEL_THRESHOLD ? emitFilesAside(stale) : undefined;
  // Awaited below, after the package's units; should one of those throw first, the worker's outcome is not wanted.
  aside?.catch(() => {});
  /** Where the model units go in `emitted` (the order they are listed in, whichever thread emitted them). */
  const modelsAt = emitted.length;
  if (!aside && (runtimeStale || stale.length > 0)) {
    const { readRuntimeSources, runtimeCachePath } = await import("../emit/runtime.ts");
    const { emitUnits } = await import("../emit/pool.ts");
    const { emitModelUnit, emitRuntimeUnit } = await measureAsync("import emitters", () => import("../emit/all.ts"));
    const sources = runtimeStale ? await readRuntimeSources(join(root, "templates", "runtime")) : undefined;
    const results = await emitUnits(
      // The compiled runtime depends on the generator's version only: stored once per fingerprint (emit/runtime.ts).
      { models: stale, runtime: sources, runtimeCache: runtimeCachePath(root, fingerprint) },
      { model: emitModelUnit, runtime: emitRuntimeUnit },
      options.threads,
    );
    if (results.runtime) collect("runtime", fingerprint, results.runtime);
    for (const spec of stale) {
      const output = results.models.get(spec.id)!;
      collect(`model:${spec.id}`, modelKey(spec), output.files);
      typeTexts.set(spec.id, output.types);
      specCache.setTypes(spec, output.types);
    }
  }

  // index.js and LICENSE depend on the generator only; each registry module on the ids and paths of its bucket.
  if (!current("entry", fingerprint)) {
    const { emitEntryUnit } = await emitters();
    collect("entry", fingerprint, emitEntryUnit());
  }
  const { bucketName, registryBuckets } = await import("../emit/registry.ts");
  const buckets = registryBuckets(specs);
  for (const [bucket, members] of buckets.entries()) {
    const name = `registry:${bucketName(bucket)}`;
    const key = sha256(
      [fingerprint, name, ...members.map((spec) => `${spec.id}\u0000${spec.names.modulePath}`)].join("\u0001"),
    );
    if (current(name, key)) continue;
    const { emitRegistryUnit } = await emitters();
    collect(name, key, await measureAsync("registry modules", () => emitRegistryUnit(members, bucket)));
  }
  // Each bucket's types (types/NN.d.ts) on the schema bytes and names of its models.
  for (const [bucket, members] of buckets.entries()) {
    const name = `types:${bucketName(bucket)}`;
    const key = sha256([fingerprint, name, ...members.map(modelKey)].join("\u0001"));
    if (current(name, key)) continue;
    const { emitTypesUnit } = await emitters();
    for (const spec of members) {
      const text = typeTexts.has(spec.id) ? undefined : specCache.types(spec);
      if (text !== undefined) typeTexts.set(spec.id, text);
    }
    collect(
      name,
      key,
      await measureAsync("types modules", () =>
        emitTypesUnit(members, bucket, typeTexts, (spec, text) => specCache.setTypes(spec, text)),
      ),
    );
  }

  if (!current("package", packageKey)) {
    const { emitPackageUnit } = await emitters();
    collect(
      "package",
      packageKey,
      measure("package files", () => emitPackageUnit(specs, version)),
    );
  }
  if (aside) {
    const files = await measureAsync("wait for models", () => aside);
    const before = emitted.length;
    for (const spec of stale) collect(`model:${spec.id}`, modelKey(spec), files.get(spec.id)!);
    emitted.splice(modelsAt, 0, ...emitted.splice(before));
  }
  await measureAsync("save spec cache", () => specCache.save());

  const record: Manifest = { version: 1, inputs: inputsKey, models: specs.length, warnings, units };
  files.set(
    MANIFEST_FILE,
    measure("manifest", () => serializeManifest(record)),
  );
  return {
    outDir,
    hashes,
    specs,
    loadSpecs: () => Promise.resolve(specs),
    modelCount: specs.length,
    warnings,
    release,
    files,
    keep,
    emitted,
    upToDate: false,
    hashOf: (path) => emittedHashes.get(path),
    // A file whose hash on disk (proven by its stat) is the emitted text's is current; another hash is a change.
    // The manifest is compared with the bytes read at the start of the run.
    same: (path, text) => {
      if (path === MANIFEST_FILE) return stored === undefined ? undefined : stored.text === text;
      const before = onDisk.get(path);
      const after = emittedHashes.get(path);
      return before === undefined || after === undefined ? undefined : before === after;
    },
    ...(listed ? { listed } : {}),
  };
}

/** Makes generated/ hold exactly the plan's files (writing only changed bytes), the manifest last. */
export async function writePlan(plan: GenerationPlan): Promise<WriteResult> {
  if (plan.upToDate) {
    await plan.hashes.save();
    return { written: [], removed: [], unchanged: plan.keep.size };
  }
  // Each file's stat is taken as soon as it is written (`FileHashes.wrote` stats before it awaits anything).
  const stats: Promise<void>[] = [];
  const result = await measureAsync("write", () =>
    writeOutput(plan.outDir, plan.files, plan.keep, plan.listed, plan.same, (path) => {
      stats.push(plan.hashes.wrote(join(plan.outDir, path), plan.files.get(path)!, plan.hashOf?.(path)));
    }),
  );
  await Promise.all(stats);
  await plan.hashes.save();
  return result;
}

/** Compares generated/ with the plan: stale, missing and extra files. */
export async function checkPlan(plan: GenerationPlan): Promise<CheckResult> {
  await plan.hashes.save();
  if (plan.upToDate) return { stale: [], missing: [], extra: [], diffs: new Map() };
  return measureAsync("compare", () => checkOutput(plan.outDir, plan.files, plan.keep));
}

export async function generate(options: GenerateOptions): Promise<GenerateReport> {
  takeTimings();
  let plan: GenerationPlan;
  try {
    plan = await planGeneration(options);
  } finally {
    const { closeIdleWorkers } = await import("../emit/pool.ts");
    await closeIdleWorkers();
  }
  const report = {
    modelCount: plan.modelCount,
    warnings: plan.warnings,
    release: plan.release,
    emittedUnits: plan.emitted,
  };
  const outcome = options.render
    ? { files: plan.files }
    : options.check
      ? { check: await checkPlan(plan) }
      : { write: await writePlan(plan) };
  return {
    ...report,
    ...outcome,
    ...(plan.specs ? { specs: plan.specs } : {}),
    loadSpecs: plan.loadSpecs,
    timings: takeTimings(),
  };
}
