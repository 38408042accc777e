/**
 * The `generate` job: schemas/ → generated/, or `--check` that generated/ is
 * exactly what generate would write.
 */
import { join } from "node:path";
import { generatorFingerprint, readManifest, recordUnit, unitIsCurrent, writeManifest, type UnitRecord } from "./cache.ts";
import type { Warning } from "./diagnostics.ts";
import { planRelease, type ReleasePlan } from "./drift/release.ts";
import { sha256 } from "./json.ts";
import { checkOutput, writeOutput, type CheckResult, type WriteResult } from "./output.ts";
import { loadModels, readSchemaEntries } from "./pipeline.ts";
import { measure, measureAsync, takeTimings } from "./profile.ts";
import type { ModelSpec } from "./spec/types.ts";

export interface GenerateOptions {
  /** Project root (holds schemas/, templates/, generated/). */
  readonly root: string;
  /** @default "schemas" */
  readonly schemasDir?: string;
  /** @default "generated" */
  readonly outDir?: string;
  /** Compare instead of writing. */
  readonly check?: boolean;
  /** Use the build cache. @default true */
  readonly cache?: boolean;
  /** Only compute every file in memory (no compare, no write). */
  readonly render?: boolean;
}

export interface GenerateReport {
  readonly specs: readonly ModelSpec[];
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
  readonly timings: readonly { readonly phase: string; readonly ms: number; readonly count: number }[];
}

interface Unit {
  readonly name: string;
  readonly key: string;
  readonly emit: () => Promise<Map<string, string>>;
}

export async function generate(options: GenerateOptions): Promise<GenerateReport> {
  const root = options.root;
  const schemasDir = join(root, options.schemasDir ?? "schemas");
  const outDir = join(root, options.outDir ?? "generated");
  const schemasPrefix = `${(options.schemasDir ?? "schemas").replace(/\\/g, "/").replace(/\/$/, "")}/`;

  takeTimings();
  const entries = await measureAsync("read schemas", () => readSchemaEntries(schemasDir, root));
  const { specs, warnings } = measure("normalise", () => loadModels(entries, schemasPrefix));
  // Version, changelog and schema snapshot follow the drift since the last generate (drift/release.ts).
  const release = await measureAsync("drift", () => planRelease({ root, outDir, entries, schemasPrefix, specs }));
  const version = release.version;
  const fingerprint = await generatorFingerprint(root);
  const { readRuntimeSources } = await import("./emit/runtime.ts");
  const runtimeSources = await readRuntimeSources(join(root, "templates", "runtime"));

  const emitters = () => measureAsync("import emitters", () => import("./emit/all.ts"));
  const packageKey = sha256([fingerprint, version, ...specs.map((spec) => `${spec.id}\u0000${spec.sourceHash}\u0000${spec.names.modulePath}\u0000${spec.names.typeName}`)].join("\u0001"));
  const units: Unit[] = [
    { name: "runtime", key: fingerprint, emit: async () => (await emitters()).emitRuntimeUnit(runtimeSources) },
    ...specs.map((spec) => ({
      name: `model:${spec.id}`,
      key: sha256(`${fingerprint}\u0000${spec.sourceHash}\u0000${JSON.stringify(spec.names)}`),
      emit: async () => (await emitters()).emitModelUnit(spec),
    })),
    { name: "package", key: packageKey, emit: async () => (await emitters()).emitPackageUnit(specs, version) },
  ];

  if (options.check || options.render) {
    const files = new Map(release.files);
    for (const unit of units) for (const [path, text] of await unit.emit()) files.set(path, text);
    if (options.render) return { specs, warnings, release, files, emittedUnits: units.map((unit) => unit.name), timings: takeTimings() };
    const check = await measureAsync("compare", () => checkOutput(outDir, files));
    return { specs, warnings, release, check, emittedUnits: units.map((unit) => unit.name), timings: takeTimings() };
  }

  const useCache = options.cache ?? true;
  const manifest = useCache ? await readManifest(root) : { version: 2 as const, units: {} };
  const files = new Map(release.files);
  const keep = new Set<string>();
  const emitted: { unit: Unit; paths: string[] }[] = [];
  const kept: [string, UnitRecord][] = [];
  for (const unit of units) {
    const record = manifest.units[unit.name];
    if (useCache && (await unitIsCurrent(record, unit.key, outDir))) {
      for (const path of Object.keys(record!.files)) keep.add(path);
      kept.push([unit.name, record!]);
      continue;
    }
    const output = await unit.emit();
    for (const [path, text] of output) files.set(path, text);
    emitted.push({ unit, paths: [...output.keys()] });
  }
  const write = await measureAsync("write", () => writeOutput(outDir, files, keep));

  if (useCache) {
    const next: Record<string, UnitRecord> = Object.fromEntries(kept);
    for (const { unit, paths } of emitted) next[unit.name] = await recordUnit(unit.key, paths, outDir);
    await writeManifest(root, { version: 2, units: next });
  }
  return { specs, warnings, release, write, emittedUnits: emitted.map(({ unit }) => unit.name), timings: takeTimings() };
}

