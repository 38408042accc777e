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
import { join } from "node:path";
import type { Warning } from "../lib/diagnostics.ts";
import { measure, measureAsync, takeTimings, type Timing } from "../lib/profile.ts";
import { sha256 } from "../lib/json.ts";
import { loadModels } from "../model/load.ts";
import type { ModelSpec } from "../model/types.ts";
import { readSchemaEntries } from "../schemas/entries.ts";
import {
  everythingCurrent,
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
import { checkOutput, writeOutput, type CheckResult, type WriteResult } from "./output.ts";
import { currentVersion, planRelease, type ReleasePlan } from "./release.ts";

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

/** Everything generate would write, computed once. */
export interface GenerationPlan {
  readonly outDir: string;
  /** Models; computed on first access when the manifest proved nothing changed. */
  readonly specs: readonly ModelSpec[];
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
}

/** Computes every file of generated/, or proves through the committed manifest that all of them are current. */
export async function planGeneration(options: GenerateOptions): Promise<GenerationPlan> {
  const root = options.root;
  const outDir = join(root, OUT);
  const schemasPrefix = `${SCHEMAS}/`;
  // A render run must hold every file in memory, so it reuses nothing.
  const reuse = (options.cache ?? true) && !options.render;
  const entries = await measureAsync("read schemas", () => readSchemaEntries(join(root, SCHEMAS), root));
  const fingerprint = await measureAsync("fingerprint", () => generatorFingerprint(root));
  const inputsKey = sha256([fingerprint, ...entries.map((entry) => `${entry.file}\u0000${entry.text}`)].join("\u0001"));
  const stored = reuse ? await readManifest(outDir) : undefined;
  const manifest = stored?.manifest;
  // When every unit will be emitted (no manifest, or another generator), worker threads start now: their
  // start-up overlaps reading, hashing and normalising on this thread.
  if (!manifest || manifest.units["runtime"]?.key !== fingerprint) {
    const { prestartWorkers, threadsFor } = await import("../emit/pool.ts");
    const threads = threadsFor(entries.length);
    if (threads > 1) prestartWorkers(threads);
  }
  const disk = manifest ? await measureAsync("hash outputs", () => hashOutputs(outDir)) : new Map<string, string>();

  // Fast path: same generator, same schema files, every output (and the manifest itself) as recorded.
  if (
    stored &&
    manifest &&
    manifest.inputs === inputsKey &&
    serializeManifest(manifest) === stored.text &&
    everythingCurrent(manifest, disk)
  ) {
    let loaded: readonly ModelSpec[] | undefined;
    const plan = {
      outDir,
      modelCount: manifest.models,
      warnings: manifest.warnings,
      release: unchangedRelease(await currentVersion(outDir)),
      files: new Map<string, string>(),
      keep: new Set([...disk.keys(), MANIFEST_FILE]),
      emitted: [],
      upToDate: true,
    };
    // Specs are only computed if someone asks (the CLI needs the count, which the manifest has).
    return Object.defineProperty(plan, "specs", {
      enumerable: true,
      get: () => (loaded ??= loadModels(entries, schemasPrefix).specs),
    }) as typeof plan & { readonly specs: readonly ModelSpec[] };
  }

  const { specs, warnings } = measure("normalise", () => loadModels(entries, schemasPrefix));
  const keep = new Set<string>();
  const units: Record<string, UnitRecord> = {};
  const emitted: string[] = [];
  /** True (and its files kept as they are) when the manifest proves a unit current. */
  const current = (name: string, key: string): boolean => {
    const record = manifest?.units[name];
    if (!reuse || !unitIsCurrent(record, key, disk)) return false;
    for (const path of Object.keys(record!.files)) keep.add(path);
    units[name] = record!;
    return true;
  };
  const files = new Map<string, string>();
  const collect = (name: string, key: string, output: ReadonlyMap<string, string>) => {
    for (const [path, text] of output) files.set(path, text);
    units[name] = recordUnit(key, output);
    emitted.push(name);
  };

  // Version, changelog and schema snapshot follow the drift since the last generate (package/release.ts).
  // When neither the schemas nor the generator changed since the last run, the plan is known: keep it.
  const releaseCurrent = current("release", inputsKey);
  const planned = releaseCurrent
    ? undefined
    : await measureAsync("drift", () => planRelease({ root, outDir, entries, schemasPrefix, specs }));
  const version = planned?.version ?? (await currentVersion(outDir));
  const release = planned ?? unchangedRelease(version);
  if (planned) collect("release", inputsKey, planned.files);

  const emitters = () => measureAsync("import emitters", () => import("../emit/all.ts"));

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

  // The runtime unit and every stale model unit, spread over worker threads (emit/pool.ts).
  const runtimeStale = !current("runtime", fingerprint);
  const stale = specs.filter((spec) => !current(`model:${spec.id}`, modelKey(spec)));
  const sections = new Map<string, string>();
  if (runtimeStale || stale.length > 0) {
    const { readRuntimeSources } = await import("../emit/runtime.ts");
    const { emitUnits } = await import("../emit/pool.ts");
    const { emitModelUnit, emitRuntimeUnit } = await emitters();
    const sources = runtimeStale ? await readRuntimeSources(join(root, "templates", "runtime")) : undefined;
    const results = await emitUnits(
      { models: stale, runtime: sources },
      { model: emitModelUnit, runtime: emitRuntimeUnit },
      options.threads,
    );
    if (results.runtime) collect("runtime", fingerprint, results.runtime);
    for (const spec of stale) {
      const output = results.models.get(spec.id)!;
      collect(`model:${spec.id}`, modelKey(spec), output.files);
      sections.set(spec.id, output.readme);
    }
  }

  if (!current("package", packageKey))
    collect("package", packageKey, await (await emitters()).emitPackageUnit(specs, version, sections));

  const record: Manifest = { version: 1, inputs: inputsKey, models: specs.length, warnings, units };
  files.set(MANIFEST_FILE, serializeManifest(record));
  return { outDir, specs, modelCount: specs.length, warnings, release, files, keep, emitted, upToDate: false };
}

/** Makes generated/ hold exactly the plan's files (writing only changed bytes), the manifest last. */
export async function writePlan(plan: GenerationPlan): Promise<WriteResult> {
  if (plan.upToDate) return { written: [], removed: [], unchanged: plan.keep.size };
  return measureAsync("write", () => writeOutput(plan.outDir, plan.files, plan.keep));
}

/** Compares generated/ with the plan: stale, missing and extra files. */
export function checkPlan(plan: GenerationPlan): Promise<CheckResult> {
  if (plan.upToDate) return Promise.resolve({ stale: [], missing: [], extra: [], diffs: new Map() });
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
  const result = { ...report, ...outcome, timings: takeTimings() };
  // `specs` stays lazy on the fast path (a getter on the plan).
  return Object.defineProperty(result, "specs", { enumerable: true, get: () => plan.specs }) as typeof result & {
    readonly specs: readonly ModelSpec[];
  };
}
