/**
 * The `generate` job: schemas/ → generated/, or `--check` that generated/ is
 * exactly what generate would write.
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
  /** Version, changelog and schema snapshot (see `drift/release.ts`). */
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

export async function generate(options: GenerateOptions): Promise<GenerateReport> {
  const root = options.root;
  const schemasDir = join(root, SCHEMAS);
  const outDir = join(root, OUT);
  const schemasPrefix = `${SCHEMAS}/`;

  takeTimings();
  const useCache = (options.cache ?? true) && !options.check && !options.render;
  const entries = await measureAsync("read schemas", () => readSchemaEntries(schemasDir, root));
  const fingerprint = await generatorFingerprint(root);
  const manifest = useCache ? await readManifest(root) : emptyManifest();
  const inputsKey = sha256([fingerprint, ...entries.map((entry) => `${entry.file}\u0000${entry.text}`)].join("\u0001"));

  // Fast path: same generator, same schema files, every output untouched since the last complete run.
  if (
    useCache &&
    manifest.inputs?.key === inputsKey &&
    (await measureAsync("check cache", () => everythingCurrent(manifest, outDir)))
  ) {
    const version = await currentVersion(outDir);
    const recorded = Object.values(manifest.units).reduce(
      (count, record) => count + Object.keys(record.files).length,
      0,
    );
    let loaded: readonly ModelSpec[] | undefined;
    const report = {
      modelCount: manifest.inputs.models,
      warnings: manifest.inputs.warnings,
      release: unchangedRelease(version),
      write: { written: [], removed: [], unchanged: recorded },
      emittedUnits: [],
      timings: takeTimings(),
    };
    // Specs are only computed if someone asks (the CLI needs the count, which the cache has).
    return Object.defineProperty(report, "specs", {
      enumerable: true,
      get: () => (loaded ??= loadModels(entries, schemasPrefix).specs),
    }) as typeof report & {
      readonly specs: readonly ModelSpec[];
    };
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

  // Version, changelog and schema snapshot follow the drift since the last generate (drift/release.ts).
  // When neither the schemas nor their snapshot changed since the last run, the plan is known: keep it.
  const releaseKey = inputsKey;
  const releaseCurrent = await current("release", releaseKey);
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
  const emitted: { name: string; key: string; paths: string[] }[] = [];
  const collect = (name: string, key: string, output: ReadonlyMap<string, string>) => {
    for (const [path, text] of output) files.set(path, text);
    emitted.push({ name, key, paths: [...output.keys()] });
  };

  if (!(await current("runtime", fingerprint))) {
    const { readRuntimeSources } = await import("../emit/runtime.ts");
    collect(
      "runtime",
      fingerprint,
      await (await emitters()).emitRuntimeUnit(await readRuntimeSources(join(root, "templates", "runtime"))),
    );
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

  if (options.check || options.render) {
    if (options.render)
      return {
        specs,
        modelCount: specs.length,
        warnings,
        release,
        files,
        emittedUnits: emitted.map((unit) => unit.name),
        timings: takeTimings(),
      };
    const check = await measureAsync("compare", () => checkOutput(outDir, files));
    return {
      specs,
      modelCount: specs.length,
      warnings,
      release,
      check,
      emittedUnits: emitted.map((unit) => unit.name),
      timings: takeTimings(),
    };
  }
  const write = await measureAsync("write", () => writeOutput(outDir, files, keep));
  if (useCache) {
    const next: Record<string, UnitRecord> = Object.fromEntries(kept);
    if (planned) emitted.push({ name: "release", key: releaseKey, paths: [...planned.files.keys()] });
    for (const unit of emitted) next[unit.name] = await recordUnit(unit.key, unit.paths, outDir);
    await writeManifest(root, { version: 3, units: next, inputs: { key: inputsKey, warnings, models: specs.length } });
  }
  return {
    specs,
    modelCount: specs.length,
    warnings,
    release,
    write,
    emittedUnits: emitted.map((unit) => unit.name),
    timings: takeTimings(),
  };
}
