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
import { dirname, join } from "node:path";
import {
  cachePath,
  emptyManifest,
  everythingCurrent,
  generatorFingerprint,
  readManifest,
  recordUnit,
  unitIsCurrent,
  writeManifest,
  type UnitRecord,
} from "./cache.ts";
import type { Warning } from "../lib/diagnostics.ts";
import { currentVersion, planRelease, type ReleasePlan } from "./release.ts";
import { sha256 } from "../lib/json.ts";
import { checkOutput, writeOutput, type CheckResult, type WriteResult } from "./output.ts";
import { loadModels } from "../model/load.ts";
import { readSchemaEntries } from "../schemas/entries.ts";
import { measure, measureAsync, takeTimings, type Timing } from "../lib/profile.ts";
import type { ModelSpec } from "../model/types.ts";

export interface GenerateOptions {
  /** Project root (holds schemas/, templates/, generated/). */
  readonly root: string;
  /** Compare instead of writing. */
  readonly check?: boolean;
  /** Use the build cache. @default true */
  readonly cache?: boolean;
  /** Only compute every file in memory (no compare, no write). */
  readonly render?: boolean;
  /** Threads for model units (main included). @default 1 below 24 models, else up to the number of cores */
  readonly threads?: number;
}

export interface GenerateReport {
  /** The models (normalised on first access when the build cache proved nothing changed). */
  readonly specs: readonly ModelSpec[];
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
const OUT = "generated";

/** Version, changelog and schema snapshot as they are: nothing to release. */
function unchangedRelease(version: string): ReleasePlan {
  return { previousVersion: version, version, files: new Map(), unchanged: new Set() };
}

interface EmittedUnit {
  readonly name: string;
  readonly key: string;
  readonly paths: readonly string[];
}

/** Everything generate would write, computed once. */
export interface GenerationPlan {
  readonly root: string;
  readonly outDir: string;
  /** Whether the build cache took part (never for `--check`). */
  readonly useCache: boolean;
  /** Models; computed on first access when the fast path proved nothing changed. */
  readonly specs: readonly ModelSpec[];
  readonly modelCount: number;
  readonly warnings: readonly Warning[];
  readonly release: ReleasePlan;
  /** Files to write, by path below generated/. */
  readonly files: ReadonlyMap<string, string>;
  /** Files the cache proved current: kept on disk as they are. */
  readonly keep: ReadonlySet<string>;
  /** Units emitted in this run, and units taken from the cache, for the next manifest. */
  readonly emitted: readonly EmittedUnit[];
  readonly kept: readonly (readonly [string, UnitRecord])[];
  /** Hash of the generator and every schema file (the fast path's key). */
  readonly inputsKey: string;
  /** True when the fast path proved every output current: nothing to emit, write or record. */
  readonly upToDate: boolean;
}

/** Computes every file of generated/ (or proves, through the cache, that all of them are current). */
export async function planGeneration(options: GenerateOptions): Promise<GenerationPlan> {
  const root = options.root;
  const outDir = join(root, OUT);
  const schemasPrefix = `${SCHEMAS}/`;
  const useCache = (options.cache ?? true) && !options.check && !options.render;
  const entries = await measureAsync("read schemas", () => readSchemaEntries(join(root, SCHEMAS), root));
  const fingerprint = await generatorFingerprint(root);
  const manifest = useCache ? await readManifest(root) : emptyManifest();
  const inputsKey = sha256([fingerprint, ...entries.map((entry) => `${entry.file}\u0000${entry.text}`)].join("\u0001"));

  // Fast path: same generator, same schema files, every output untouched since the last complete run.
  if (
    useCache &&
    manifest.inputs?.key === inputsKey &&
    (await measureAsync("check cache", () => everythingCurrent(manifest, outDir)))
  ) {
    const inputs = manifest.inputs;
    let loaded: readonly ModelSpec[] | undefined;
    const keep = new Set(Object.values(manifest.units).flatMap((record) => Object.keys(record.files)));
    const plan = {
      root,
      outDir,
      useCache,
      modelCount: inputs.models,
      warnings: inputs.warnings,
      release: unchangedRelease(await currentVersion(outDir)),
      files: new Map<string, string>(),
      keep,
      emitted: [],
      kept: Object.entries(manifest.units),
      inputsKey,
      upToDate: true,
    };
    // Specs are only computed if someone asks (the CLI needs the count, which the cache has).
    return Object.defineProperty(plan, "specs", {
      enumerable: true,
      get: () => (loaded ??= loadModels(entries, schemasPrefix).specs),
    }) as typeof plan & { readonly specs: readonly ModelSpec[] };
  }

  const { specs, warnings } = measure("normalise", () => loadModels(entries, schemasPrefix));
  const keep = new Set<string>();
  const kept: [string, UnitRecord][] = [];
  /** True (and its files kept as they are) when the cache proves a unit current. */
  const current = async (name: string, key: string): Promise<boolean> => {
    const record = manifest.units[name];
    if (!useCache || !(await unitIsCurrent(record, key, outDir))) return false;
    for (const path of Object.keys(record!.files)) keep.add(path);
    kept.push([name, record!]);
    return true;
  };

  // Version, changelog and schema snapshot follow the drift since the last generate (package/release.ts).
  // When neither the schemas nor their snapshot changed since the last run, the plan is known: keep it.
  const releaseCurrent = await current("release", inputsKey);
  const planned = releaseCurrent
    ? undefined
    : await measureAsync("drift", () => planRelease({ root, outDir, entries, schemasPrefix, specs }));
  const version = planned?.version ?? (await currentVersion(outDir));
  const release = planned ?? unchangedRelease(version);

  const emitters = () => measureAsync("import emitters", () => import("../emit/all.ts"));
  const { useFormatCache } = await import("../emit/format.ts");
  const formatCacheDir = useCache ? join(dirname(cachePath(root)), "format") : undefined;
  useFormatCache(formatCacheDir);

  const packageKey = sha256(
    [
      fingerprint,
      version,
      ...specs.map(
        (spec) => `${spec.id}\u0000${spec.sourceHash}\u0000${spec.names.modulePath}\u0000${spec.names.typeName}`,
      ),
    ].join("\u0001"),
  );
  const modelKey = (spec: ModelSpec) =>
    sha256(`${fingerprint}\u0000${spec.sourceHash}\u0000${JSON.stringify(spec.names)}`);

  // Release files: a write run keeps those already on disk rather than reading them again.
  const files = new Map<string, string>();
  for (const [path, text] of release.files) {
    if (useCache && release.unchanged.has(path)) keep.add(path);
    else files.set(path, text);
  }
  const emitted: EmittedUnit[] = [];
  const collect = (name: string, key: string, output: ReadonlyMap<string, string>) => {
    for (const [path, text] of output) files.set(path, text);
    emitted.push({ name, key, paths: [...output.keys()] });
  };
  if (planned) emitted.push({ name: "release", key: inputsKey, paths: [...planned.files.keys()] });

  if (!(await current("runtime", fingerprint))) {
    const { readRuntimeSources } = await import("../emit/runtime.ts");
    const sources = await readRuntimeSources(join(root, "templates", "runtime"));
    collect("runtime", fingerprint, await (await emitters()).emitRuntimeUnit(sources));
  }

  const fresh = await Promise.all(specs.map((spec) => current(`model:${spec.id}`, modelKey(spec))));
  const stale = specs.filter((_, index) => !fresh[index]);
  const sections = new Map<string, string>();
  if (stale.length > 0) {
    const { emitModels } = await import("../emit/pool.ts");
    const { emitModelUnit } = await emitters();
    const outputs = await emitModels(stale, emitModelUnit, formatCacheDir, options.threads);
    for (const spec of stale) {
      const output = outputs.get(spec.id)!;
      collect(`model:${spec.id}`, modelKey(spec), output.files);
      sections.set(spec.id, output.readme);
    }
  }

  if (!(await current("package", packageKey)))
    collect("package", packageKey, await (await emitters()).emitPackageUnit(specs, version, sections));

  return {
    root,
    outDir,
    useCache,
    specs,
    modelCount: specs.length,
    warnings,
    release,
    files,
    keep,
    emitted,
    kept,
    inputsKey,
    upToDate: false,
  };
}

/** Makes generated/ hold exactly the plan's files (writing only changed bytes) and records the build cache. */
export async function writePlan(plan: GenerationPlan): Promise<WriteResult> {
  if (plan.upToDate) return { written: [], removed: [], unchanged: plan.keep.size };
  const write = await measureAsync("write", () => writeOutput(plan.outDir, plan.files, plan.keep));
  if (plan.useCache) {
    const next: Record<string, UnitRecord> = Object.fromEntries(plan.kept);
    for (const unit of plan.emitted) next[unit.name] = await recordUnit(unit.key, unit.paths, plan.outDir);
    const inputs = { key: plan.inputsKey, warnings: plan.warnings, models: plan.modelCount };
    await writeManifest(plan.root, { version: 3, units: next, inputs });
  }
  return write;
}

/** Compares generated/ with the plan: stale, missing and extra files. */
export function checkPlan(plan: GenerationPlan): Promise<CheckResult> {
  return measureAsync("compare", () => checkOutput(plan.outDir, plan.files));
}

export async function generate(options: GenerateOptions): Promise<GenerateReport> {
  takeTimings();
  const plan = await planGeneration(options);
  const report = {
    modelCount: plan.modelCount,
    warnings: plan.warnings,
    release: plan.release,
    emittedUnits: plan.emitted.map((unit) => unit.name),
  };
  const outcome = options.render
    ? { files: plan.files }
    : options.check
      ? { check: await checkPlan(plan) }
      : { write: await writePlan(plan) };
  const result = { ...report, ...outcome, timings: takeTimings() };
  // `specs` stays lazy on the fast path (a getter on the plan).
  return Object.defineProperty(result, "specs", { enumerable: true, get: () => plan.specs }) as typeof result & {
    readonly specs: readonly ModelSpec[];
  };
}
