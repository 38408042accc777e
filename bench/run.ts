/**
 * `npm run bench`: generation speed, validator cold start and throughput,
 * bundle size, polling efficiency and client scale, each against a baseline
 * measured in the same run (ratios, medians of several runs). Prints a
 * Markdown table and writes it, with the raw numbers, to bench/results/.
 *
 *   npm run bench                      everything (about 5–8 minutes on 2 cores)
 *   npm run bench -- --only polling    one section: generation|validation|size|polling|scale
 *   npm run bench -- --sizes 10,100    smaller catalogs (quick look; the 1000 target needs 1000)
 */
import { execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile, cp } from "node:fs/promises";
import { availableParallelism, cpus, tmpdir, totalmem } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { build as esbuild } from "esbuild";
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { seededRandom } from "../emulator/faults.ts";
import { inputSchema } from "../generator/emit/json-schema.ts";
import { protoSafeSchema, VALIDATOR_END, VALIDATOR_OPTIONS, VALIDATOR_START } from "../generator/emit/validator.ts";
import { loadModels } from "../generator/model/load.ts";
import { dropProjectCaches } from "../generator/package/generate.ts";
import { readSchemaEntries } from "../generator/schemas/entries.ts";
import type { ModelSpec, ValueSpec } from "../generator/model/types.ts";
import { bucketOf } from "../templates/runtime/buckets.ts";
import { syntheticModelId, writeSyntheticCatalog } from "./catalog.ts";
import { readmeBenchBlock, withReadmeBenchBlock, type BenchRow } from "./readme.ts";
import { STRICT_CONSUMER_OPTIONS } from "../test/helpers/typecheck.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const run = promisify(execFile);

const args = await yargs(hideBin(process.argv))
  .option("only", { type: "string", choices: ["generation", "validation", "size", "polling", "scale"] })
  .option("sizes", { type: "string", default: "10,100,1000", describe: "Catalog sizes for the generation benchmark" })
  .option("runs", { type: "number", default: 3, describe: "Runs per measurement (median)" })
  .option("jobs", { type: "number", default: 10_000, describe: "Jobs in flight for the scale benchmark" })
  .option("scale-rate", {
    type: "number",
    describe: "Scale benchmark: the client's maxRequestsPerSecond (default: none)",
  })
  .option("scale-heap", { type: "number", describe: "Scale benchmark: run the client with --max-old-space-size=<MB>" })
  .strict()
  .help()
  .parseAsync();

type Row = BenchRow;
const rows: Row[] = [];
const raw: Record<string, unknown> = {};
const log = (line: string) => process.stderr.write(`${line}\n`);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const ms = (value: number) => (value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KB`;

/** Wall time of a command in a fresh process, in milliseconds. */
async function timed(command: string, argv: readonly string[], cwd = ROOT): Promise<number> {
  const started = performance.now();
  await run(command, [...argv], { cwd, maxBuffer: 64 * 1024 * 1024 });
  return performance.now() - started;
}

// A removed output tree is moved here and deleted after the run. Deleting ~8,000 files and folders leaves the file
// system work to do for seconds after \`rm\` returns (ext4 mounted with \`discard\` here: creating a generated/ right
// after removing the last one took 7.5 s instead of 0.8 s), which would be charged to whichever side is timed next,
// ours (4,000 files at 1,000 models) far more than the baseline (1,000): moved aside, neither side pays for it.
const TRASH = join(tmpdir(), `runcomfy-bench-trash-${process.pid}`);
let trashed = 0;

/** Takes `path` out of the way in a rename (if it exists), to be deleted when the benchmark ends. */
async function setAside(path: string): Promise<void> {
  await mkdir(TRASH, { recursive: true });
  await rename(path, join(TRASH, String(trashed++))).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
  });
}

async function scratchProject(count: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `runcomfy-bench-${count}-`));
  for (const link of ["node_modules", "generator", "templates"])
    await symlink(join(ROOT, link), join(dir, link), "dir");
  await cp(join(ROOT, "package.json"), join(dir, "package.json"));
  await cp(join(ROOT, "package-lock.json"), join(dir, "package-lock.json"));
  await mkdir(join(dir, "schemas"), { recursive: true });
  if (count > 0) await writeSyntheticCatalog(ROOT, dir, count);
  return dir;
}

// The command users run (`npm run generate`): the generator from its bundle (built before the clock starts, see generator/cli/bin.js).
const GENERATE = [join(ROOT, "generator/cli/bin.js"), "generate", "-q"];

async function generation(): Promise<Map<number, string>> {
  const sizes = args.sizes.split(",").map(Number);
  const projects = new Map<number, string>();
  const empty = await scratchProject(0);
  await timed(process.execPath, [join(ROOT, "generator/cli/bin.js"), "--help"]); // builds the CLI's bundle once
  const baseCold = median(
    await repeat(args.runs + 2, () => timed(process.execPath, [...GENERATE, "--root", empty, "--no-cache"])),
  );
  raw["generation.emptyColdMs"] = baseCold;
  const perModel = new Map<number, number>();
  for (const size of sizes) {
    const dir = await scratchProject(size);
    projects.set(size, dir);
    const runs = size >= 1000 ? args.runs : args.runs + 2;
    log(`generation: ${size} models (${runs} runs each)`);
    const cold = median(
      await repeat(runs, async () => {
        await setAside(join(dir, "generated"));
        return timed(process.execPath, [...GENERATE, "--root", dir, "--no-cache"]);
      }),
    );
    await timed(process.execPath, [...GENERATE, "--root", dir]);
    const noop = median(await repeat(runs, () => timed(process.execPath, [...GENERATE, "--root", dir])));
    const baseline = median(
      await repeat(runs, async () => {
        await setAside(join(dir, "baseline"));
        return timed(process.execPath, [
          "--import",
          "tsx",
          join(ROOT, "bench/baseline-jstt.ts"),
          join(dir, "schemas"),
          join(dir, "baseline"),
        ]);
      }),
    );
    const check = median(await repeat(runs, () => timed(process.execPath, [...GENERATE, "--root", dir, "--check"])));
    const incremental = size >= 1000 ? await incrementalRuns(dir, runs) : undefined;
    perModel.set(size, (cold - baseCold) / size);
    raw[`generation.${size}`] = { coldMs: cold, noopMs: noop, checkMs: check, baselineMs: baseline, ...incremental };
    rows.push({
      section: "Generation",
      metric: `cold generate, ${size} models ÷ json-schema-to-typescript + Prettier`,
      ours: ms(cold),
      baseline: ms(baseline),
      ratio: cold / baseline,
      target: size === Math.max(...sizes) && size >= 1000 ? "≤ 1.0" : "",
      ...(size === Math.max(...sizes) && size >= 1000 ? { met: cold / baseline <= 1 } : {}),
    });
    const large = size === Math.max(...sizes) && size >= 1000;
    rows.push({
      section: "Generation",
      metric: `no-op generate ÷ cold, ${size} models`,
      ours: ms(noop),
      baseline: ms(cold),
      ratio: noop / cold,
      target: large ? "≤ 0.05" : "",
      ...(large ? { met: noop / cold <= 0.05 } : {}),
    });
    rows.push({
      section: "Generation",
      metric: `generate --check, nothing changed ÷ cold, ${size} models`,
      ours: ms(check),
      baseline: ms(cold),
      ratio: check / cold,
      target: large ? "≤ 0.05" : "",
      ...(large ? { met: check / cold <= 0.05 } : {}),
    });
    if (incremental) {
      rows.push({
        section: "Generation",
        metric: `add one model to ${size} (a new schema file, then generate): wall; ÷ cold`,
        ours: ms(incremental.addMs),
        baseline: ms(cold),
        ratio: incremental.addMs / cold,
        target: "≤ 1.5 s and ≤ 0.05",
        met: incremental.addMs <= 1500 && incremental.addMs / cold <= 0.05,
      });
      rows.push({
        section: "Generation",
        metric: `edit one model's schema among ${size}, then generate: wall`,
        ours: ms(incremental.editMs),
        baseline: "",
        target: "≤ 1.5 s",
        met: incremental.editMs <= 1500,
      });
    }
  }
  const small = Math.min(...sizes);
  const large = Math.max(...sizes);
  if (large > small) {
    const ratio = perModel.get(large)! / perModel.get(small)!;
    rows.push({
      section: "Generation",
      metric: `time per model at ${large} ÷ at ${small} (fixed start-up cost of an empty run removed)`,
      ours: ms(perModel.get(large)!),
      baseline: ms(perModel.get(small)!),
      ratio,
      target: "≤ 1.2",
      met: ratio <= 1.2,
    });
  }
  return projects;
}

/**
 * Adding and editing one model in a generated project, as a user would: a new schema file (a synthetic model with a
 * fresh id), or one field's bound changed, then `generate`; each change undone (and regenerated) between runs.
 */
async function incrementalRuns(dir: string, runs: number): Promise<{ addMs: number; editMs: number }> {
  const { specs } = loadModels(await readSchemaEntries(join(dir, "schemas"), dir), "schemas/");
  const source = specs.find((spec) => spec.fields.some((field) => field.value.maximum !== undefined))!;
  const sourceFile = join(dir, source.schemaFile);
  const original = await readFile(sourceFile, "utf8");
  const parsed = JSON.parse(original) as { modelId: string };
  const added = join(dir, "schemas", "bench-added", `model-${process.pid}.json`);
  const addMs: number[] = [];
  const editMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    await mkdir(dirname(added), { recursive: true });
    await writeFile(added, JSON.stringify({ ...parsed, modelId: `bench-added/model-${process.pid}` }, null, 2));
    addMs.push(await timed(process.execPath, [...GENERATE, "--root", dir]));
    await rm(dirname(added), { recursive: true, force: true });
    await timed(process.execPath, [...GENERATE, "--root", dir]);
    await writeFile(
      sourceFile,
      original.replace(/"maximum": (\d+(?:\.\d+)?)/, (_, max: string) => `"maximum": ${Number(max) + 1}`),
    );
    editMs.push(await timed(process.execPath, [...GENERATE, "--root", dir]));
    await writeFile(sourceFile, original);
    await timed(process.execPath, [...GENERATE, "--root", dir]);
  }
  return { addMs: median(addMs), editMs: median(editMs) };
}

async function repeat(times: number, task: () => Promise<number>): Promise<number[]> {
  const results: number[] = [];
  for (let index = 0; index < times; index++) results.push(await task());
  return results;
}

/** The compiled validator inside a generated model module, written as a module of its own; returns its path. */
async function generatedValidator(modelModule: string): Promise<string> {
  const text = await readFile(modelModule, "utf8");
  const code = text.slice(text.indexOf(VALIDATOR_START) + VALIDATOR_START.length, text.indexOf(VALIDATOR_END));
  const name = /function (validate\d+)\(/.exec(code)![1]!;
  const helpers = /^import \{ defineModel(?:, )?([^}]*)\} from "([^"]+)";$/m.exec(text)!;
  const runtime = pathToFileURL(join(dirname(modelModule), helpers[2]!)).href;
  const imports = helpers[1]!.trim() ? `import { ${helpers[1]} } from ${JSON.stringify(runtime)};\n` : "";
  const file = join(await mkdtemp(join(tmpdir(), "runcomfy-bench-validator-")), "validator.mjs");
  await writeFile(file, `${imports}${code}\nexport default ${name};\n`);
  return file;
}

async function validation(): Promise<void> {
  const modelFile = join(ROOT, "generated/models/community/fantasy-portrait/image-to-video.js");
  const { specs } = loadModels(await readSchemaEntries(join(ROOT, "schemas"), ROOT), "schemas/");
  const spec = specs.find((candidate) => candidate.id === "community/fantasy-portrait/image-to-video")!;
  // The baseline compiles exactly what our validator was compiled from, with the same ajv options.
  const schemaFile = join(await mkdtemp(join(tmpdir(), "runcomfy-bench-schema-")), "schema.json");
  await writeFile(
    schemaFile,
    JSON.stringify({ schema: protoSafeSchema(inputSchema(spec.fields)), options: VALIDATOR_OPTIONS }),
  );
  const once = async (mode: "ours" | "ajv") =>
    Number(
      (
        await run(process.execPath, [
          join(ROOT, "bench/validate-cold.mjs"),
          mode,
          pathToFileURL(modelFile).href,
          schemaFile,
        ])
      ).stdout,
    );
  log("validation: cold start (fresh processes)");
  const ours: number[] = [];
  const ajv: number[] = [];
  for (let index = 0; index < 9; index++) {
    ours.push(await once("ours"));
    ajv.push(await once("ajv"));
  }
  raw["validation.coldMs"] = { ours, ajv };
  rows.push({
    section: "Validation",
    metric: "fresh process: import one model + validate once ÷ import ajv + compile + validate",
    ours: ms(median(ours)),
    baseline: ms(median(ajv)),
    ratio: median(ours) / median(ajv),
    target: "≤ 0.05",
    met: median(ours) / median(ajv) <= 0.05,
  });

  log("validation: throughput (fresh processes)");
  // The ajv code of the model module, on its own (the part between the module's markers), so the benchmark times
  // exactly the generated validator, not the model's name mapping and media checks around it. Both sides run in a
  // fresh process of their own (three of them, rounds pooled): in this process, whatever ran before (generation,
  // other imports of the runtime's helpers) shaped the JIT state of one side and not the other.
  const standalone = await generatedValidator(
    join(ROOT, "generated/models/community/fantasy-portrait/image-to-video.js"),
  );
  const oursRates: number[] = [];
  const ajvRates: number[] = [];
  for (let child = 0; child < 3; child++) {
    const { stdout } = await run(process.execPath, [
      join(ROOT, "bench/validate-throughput.mjs"),
      pathToFileURL(standalone).href,
      schemaFile,
      "7",
    ]);
    const rates = JSON.parse(stdout) as { ours: number[]; ajv: number[] };
    oursRates.push(...rates.ours);
    ajvRates.push(...rates.ajv);
  }
  raw["validation.opsPerSecond"] = { ours: oursRates, ajv: ajvRates };
  const ratio = median(oursRates) / median(ajvRates);
  rows.push({
    section: "Validation",
    metric: "validations per second: generated standalone ÷ runtime-compiled ajv",
    ours: `${(median(oursRates) / 1e6).toFixed(2)} M/s`,
    baseline: `${(median(ajvRates) / 1e6).toFixed(2)} M/s`,
    ratio,
    target: "≥ 1.0 (±3 % noise: ajv's code, less schemaPath, one statement per error)",
    met: ratio >= 0.97,
  });
}

async function bundle(entry: string, dir: string): Promise<number> {
  const file = join(dir, `entry-${Math.random().toString(36).slice(2)}.js`);
  await writeFile(file, entry);
  const result = await esbuild({
    entryPoints: [file],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    write: false,
    logLevel: "silent",
  });
  return gzipSync(result.outputFiles[0]!.contents, { level: 9 }).length;
}

/** A valid friendly value of a spec'd input (required members only, the fewest items allowed). */
function sampleValue(value: ValueSpec): unknown {
  if (value.enum) return value.enum[0];
  if (value.media)
    return `https://example.com/in.${value.media === "image" ? "png" : value.media === "video" ? "mp4" : "mp3"}`;
  if (value.types.includes("array"))
    return Array.from({ length: Math.max(1, value.minItems ?? 0) }, () =>
      sampleValue(value.items ?? { types: ["string"] }),
    );
  if (value.types.includes("object"))
    return Object.fromEntries(
      (value.properties ?? [])
        .filter((property) => property.required)
        .map((property) => [property.alias ?? property.key, sampleValue(property.value)]),
    );
  if (value.types.includes("integer") || value.types.includes("number"))
    return value.minimum ?? (value.exclusiveMinimum === undefined ? 1 : value.exclusiveMinimum + 1);
  if (value.types.includes("boolean")) return true;
  return "x".repeat(Math.max(1, value.minLength ?? 1));
}

/** The project's spec of `id` and a valid friendly input of it (every required field). */
async function modelUnderTest(
  project: string,
  id: string,
): Promise<{ spec: ModelSpec; input: Record<string, unknown> }> {
  const { specs } = loadModels(await readSchemaEntries(join(project, "schemas"), project), "schemas/");
  const spec = specs.find((candidate) => candidate.id === id)!;
  const input = Object.fromEntries(
    spec.fields.filter((field) => field.required).map((field) => [field.alias, sampleValue(field.value)]),
  );
  return { spec, input };
}

/** The consumer of the root entry: `createClient()` and one `client.run(id, input)`. */
function rootConsumer(specifier: string, id: string, input: Record<string, unknown>): string {
  return [
    `import { createClient } from ${JSON.stringify(specifier)};`,
    `const client = createClient({ token: "t", baseUrl: "http://127.0.0.1:1" });`,
    `const result = await client.run(${JSON.stringify(id)}, ${JSON.stringify(input)});`,
    `if (result.status === "succeeded") console.log(result.output);`,
    "",
  ].join("\n");
}

/**
 * What a browser loads to run one model through the root entry: esbuild with
 * code splitting (minified), then gzip of each chunk fetched: the entry chunk
 * and its static imports, the registry chunk of the id and the model's chunk
 * (each with its static imports).
 */
async function loadedSize(
  pkg: string,
  spec: ModelSpec,
  input: Record<string, unknown>,
  dir: string,
): Promise<{ bytes: number; chunks: number }> {
  const work = await mkdtemp(join(dir, "split-"));
  const file = join(work, "entry.js");
  await writeFile(file, rootConsumer(join(pkg, "index.js"), spec.id, input));
  const result = await esbuild({
    entryPoints: [file],
    absWorkingDir: work,
    bundle: true,
    splitting: true,
    minify: true,
    format: "esm",
    platform: "browser",
    outdir: join(work, "out"),
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const outputs = result.metafile.outputs;
  const bytesOf = new Map(
    result.outputFiles.map((output) => [
      relative(work, output.path).split(sep).join("/"),
      gzipSync(output.contents, { level: 9 }).length,
    ]),
  );
  const byEntry = (suffix: string) => Object.keys(outputs).find((path) => outputs[path]!.entryPoint?.endsWith(suffix))!;
  const bucket = String(bucketOf(spec.id)).padStart(2, "0");
  const roots = [
    byEntry("entry.js"),
    byEntry(`generated/registry/${bucket}.js`),
    byEntry(`generated/models/${spec.names.modulePath}.js`),
  ];
  const loaded = new Set<string>();
  const visit = (path: string): void => {
    if (loaded.has(path)) return;
    loaded.add(path);
    for (const imported of outputs[path]!.imports) if (imported.kind === "import-statement") visit(imported.path);
  };
  for (const root of roots) {
    if (root === undefined) throw new Error(`size: no chunk for one of ${spec.id}'s entry, registry or model`);
    visit(root);
  }
  return { bytes: [...loaded].reduce((sum, path) => sum + (bytesOf.get(path) ?? 0), 0), chunks: loaded.size };
}

/**
 * The type-check cost of the root consumer against each package: check time and memory as `tsc --extendedDiagnostics`
 * reports them ("Check time", "Memory used"), read from the same counters with millisecond resolution
 * (`bench/tsc-check.mjs`), medians of fresh processes. The packages are measured in turns (A B A B ...), so a change
 * in the machine's load during the measurement weighs on both sides alike: the check times are tens of milliseconds,
 * and on a shared machine two blocks measured one after the other can differ by more than the effect measured.
 */
async function checkCosts(
  packages: readonly string[],
  id: string,
  input: Record<string, unknown>,
  dir: string,
  skipLibCheck: boolean,
): Promise<{ checkSeconds: number; memoryMb: number }[]> {
  const projects: string[] = [];
  for (const pkg of packages) {
    const work = await mkdtemp(join(dir, "tsc-"));
    await mkdir(join(work, "node_modules"), { recursive: true });
    await symlink(pkg, join(work, "node_modules", "runcomfy-models"), "dir");
    await writeFile(join(work, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    await writeFile(join(work, "consumer.ts"), rootConsumer("runcomfy-models", id, input));
    await writeFile(
      join(work, "tsconfig.json"),
      JSON.stringify({
        // The strict consumer of the package's own type tests, with the skipLibCheck measured.
        compilerOptions: { ...STRICT_CONSUMER_OPTIONS, skipLibCheck },
        files: ["consumer.ts"],
      }),
    );
    projects.push(work);
  }
  const samples = projects.map((): { checkMs: number; memoryMb: number }[] => []);
  for (let round = 0; round < Math.max(9, args.runs + 2); round++)
    for (const [index, work] of projects.entries()) {
      const { stdout } = await run(process.execPath, [join(ROOT, "bench/tsc-check.mjs"), join(work, "tsconfig.json")], {
        maxBuffer: 16 * 1024 * 1024,
      });
      samples[index]!.push(JSON.parse(stdout) as { checkMs: number; memoryMb: number });
    }
  return samples.map((measured) => ({
    checkSeconds: median(measured.map((sample) => sample.checkMs)) / 1000,
    memoryMb: median(measured.map((sample) => sample.memoryMb)),
  }));
}

async function size(projects: Map<number, string>): Promise<void> {
  log("size: bundles");
  const dir = await mkdtemp(join(tmpdir(), "runcomfy-bench-bundle-"));
  const seed = join(ROOT, "generated");
  const fantasy = "community/fantasy-portrait/image-to-video";
  const fantasyInput = { image: "https://example.com/a.png", video: "https://example.com/a.mp4", prompt: "x" };
  const oneModel = (pkg: string, model: string) => `
    import { createClient } from ${JSON.stringify(join(pkg, "runtime/index.js"))};
    import model from ${JSON.stringify(join(pkg, "models", `${model}.js`))};
    const client = createClient({ models: [model] });
    client.run(model, ${JSON.stringify(fantasyInput)}).then((result) => console.log(result.status));`;
  const buildOnly = (pkg: string, model: string) => `
    import { build } from ${JSON.stringify(join(pkg, "models", `${model}.js`))};
    console.log(build({ prompt: "x" }));`;
  const all = (pkg: string) => `
    import { createClient } from ${JSON.stringify(join(pkg, "index.js"))};
    createClient().run("x/y", {}).then(console.log);`;
  const seedOne = await bundle(oneModel(seed, fantasy), dir);
  const seedBuild = await bundle(buildOnly(seed, fantasy), dir);
  const seedAll = await bundle(all(seed), dir);
  rows.push({
    section: "Size",
    metric: "consumer importing one model: its builder, validator and the runtime they use (esbuild, minified, gzip)",
    ours: kb(seedBuild),
    baseline: "",
    target: "≤ 5 KB",
    met: seedBuild <= 5 * 1024,
  });
  rows.push({
    section: "Size",
    metric: "the same plus the HTTP client (submit, wait, retries, errors)",
    ours: kb(seedOne),
    baseline: "",
    target: "",
  });
  rows.push({
    section: "Size",
    metric: "consumer of the root entry without code splitting (every model inlined), 4 seed models",
    ours: kb(seedAll),
    baseline: "",
    target: "",
  });
  raw["size.seed"] = { oneModel: seedOne, buildOnly: seedBuild, all: seedAll };

  const sizes = [...projects.keys()].sort((a, b) => a - b);
  const small = sizes[0]!;
  const large = sizes[sizes.length - 1]!;
  // The same model (synthetic model 1: a plain-key catalog model) in every catalog size.
  const id = await syntheticModelId(ROOT, 1);
  const perCatalog: Record<number, unknown> = {};
  const measured = new Map<number, { one: number; all: number; loaded: { bytes: number; chunks: number } }>();
  for (const count of sizes) {
    const project = projects.get(count)!;
    const pkg = join(project, "generated");
    const { spec, input } = await modelUnderTest(project, id);
    const result = {
      one: await bundle(buildOnly(pkg, spec.names.modulePath), dir),
      all: await bundle(all(pkg), dir),
      loaded: await loadedSize(pkg, spec, input, dir),
    };
    measured.set(count, result);
    perCatalog[count] = result;
  }
  raw["size.synthetic"] = perCatalog;
  const a = measured.get(small)!;
  const b = measured.get(large)!;
  rows.push({
    section: "Size",
    metric: `root createClient + one client.run(id), ${large} models ÷ ${small}: entry + chunks loaded for that model (esbuild splitting, minified, gzip)`,
    ours: `${kb(b.loaded.bytes)} (${b.loaded.chunks} chunks)`,
    baseline: `${kb(a.loaded.bytes)} (${a.loaded.chunks} chunks)`,
    ratio: b.loaded.bytes / a.loaded.bytes,
    target: "1.0 ± 5 %",
    met: Math.abs(b.loaded.bytes / a.loaded.bytes - 1) <= 0.05,
  });
  rows.push({
    section: "Size",
    metric: `one-model consumer (its builder), ${large}-model catalog ÷ ${small}-model catalog`,
    ours: kb(b.one),
    baseline: kb(a.one),
    ratio: b.one / a.one,
    target: "= 1.0 (does not grow)",
    met: b.one === a.one,
  });
  rows.push({
    section: "Size",
    metric: `root consumer without code splitting (every model inlined), ${large} models (baseline: ${small})`,
    ours: kb(b.all),
    baseline: kb(a.all),
    target: "",
  });

  log("size: type-check cost (tsc --extendedDiagnostics)");
  for (const skipLibCheck of [false, true]) {
    // The same model, so the same input, in both catalogs.
    const { input } = await modelUnderTest(projects.get(small)!, id);
    const [x, y] = (await checkCosts(
      [small, large].map((count) => join(projects.get(count)!, "generated")),
      id,
      input,
      dir,
      skipLibCheck,
    )) as [{ checkSeconds: number; memoryMb: number }, { checkSeconds: number; memoryMb: number }];
    const costs = new Map([
      [small, x],
      [large, y],
    ]);
    raw[`size.tsc.skipLibCheck-${skipLibCheck}`] = Object.fromEntries(costs);
    rows.push({
      section: "Size",
      metric: `tsc check time (--extendedDiagnostics "Check time") of that consumer (strict, skipLibCheck ${skipLibCheck}), ${large}-model package ÷ ${small}`,
      ours: `${(y.checkSeconds * 1000).toFixed(0)} ms`,
      baseline: `${(x.checkSeconds * 1000).toFixed(0)} ms`,
      ratio: y.checkSeconds / x.checkSeconds,
      target: "≤ 1.5",
      met: y.checkSeconds / x.checkSeconds <= 1.5,
    });
    rows.push({
      section: "Size",
      metric: `tsc memory ("Memory used") of that consumer (skipLibCheck ${skipLibCheck}), ${large}-model package ÷ ${small}`,
      ours: `${Math.round(y.memoryMb)} MB`,
      baseline: `${Math.round(x.memoryMb)} MB`,
      ratio: y.memoryMb / x.memoryMb,
      target: "",
    });
  }
  await rm(dir, { recursive: true, force: true });
}

/** Status calls and detection latency of a poll schedule for a job of `durationMs`. */
function simulate(
  durationMs: number,
  next: (elapsedMs: number) => number,
  firstAt: number | undefined,
): { calls: number; latencyMs: number } {
  let time = firstAt ?? next(0);
  let calls = 1;
  while (time < durationMs) {
    time += next(time);
    calls++;
  }
  return { calls, latencyMs: time - durationMs };
}

async function polling(): Promise<void> {
  log("polling: virtual clock");
  const { nextPollDelay, DEFAULT_POLL_POLICY } = (await import(
    pathToFileURL(join(ROOT, "generated/runtime/poll.js")).href
  )) as typeof import("../templates/runtime/poll.ts");
  const random = seededRandom(42);
  // 60 jobs, durations log-uniform from 2 s to 10 min.
  const durations = Array.from({ length: 60 }, (_, index) => 2000 * Math.pow(300, index / 59));
  const schedules = {
    ours: durations.map((duration) =>
      simulate(duration, (elapsed) => nextPollDelay(elapsed, DEFAULT_POLL_POLICY, random), undefined),
    ),
    "fixed 500 ms (fal, Replicate)": durations.map((duration) => simulate(duration, () => 500, 500)),
    "fixed 2 s (RunComfy CLI)": durations.map((duration) => simulate(duration, () => 2000, 0)),
    "fixed 5 s (RunComfy nodes)": durations.map((duration) => simulate(duration, () => 5000, 5000)),
  };
  const meanCalls = (list: readonly { calls: number }[]) =>
    list.reduce((sum, item) => sum + item.calls, 0) / list.length;
  const within = schedules.ours.every((result, index) => result.latencyMs <= Math.max(500, 0.1 * durations[index]!));
  const worst = Math.max(
    ...schedules.ours.map((result, index) => result.latencyMs / Math.max(500, 0.1 * durations[index]!)),
  );
  raw["polling"] = Object.fromEntries(
    Object.entries(schedules).map(([name, list]) => [
      name,
      { meanCalls: meanCalls(list), maxLatencyMs: Math.max(...list.map((item) => item.latencyMs)) },
    ]),
  );
  const ours = meanCalls(schedules.ours);
  const cli = meanCalls(schedules["fixed 2 s (RunComfy CLI)"]);
  rows.push({
    section: "Polling",
    metric: "status calls per job (2 s–10 min jobs) ÷ fixed 2 s",
    ours: ours.toFixed(1),
    baseline: cli.toFixed(1),
    ratio: ours / cli,
    target: "≤ 0.7",
    met: ours / cli <= 0.7,
  });
  rows.push({
    section: "Polling",
    metric: "worst detection latency ÷ max(0.5 s, 10 % of the job)",
    ours: worst.toFixed(2),
    baseline: "",
    target: "≤ 1.0",
    met: within,
  });
  for (const name of ["fixed 500 ms (fal, Replicate)", "fixed 5 s (RunComfy nodes)"] as const) {
    const list = schedules[name];
    rows.push({
      section: "Polling",
      metric: `for comparison: ${name}, calls per job / worst latency`,
      ours: "",
      baseline: `${meanCalls(list).toFixed(1)} / ${ms(Math.max(...list.map((item) => item.latencyMs)))}`,
      target: "",
    });
  }
}

async function scale(): Promise<void> {
  log(`scale: ${args.jobs} jobs in flight`);
  const emulator = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(ROOT, "emulator/cli.ts"),
      "--port",
      "0",
      "--capacity",
      String(args.jobs),
      "--duration",
      "20000",
    ],
    { cwd: ROOT },
  );
  try {
    const url = await new Promise<string>((resolveUrl, reject) => {
      let out = "";
      emulator.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const match = /on (http:\/\/[^\s]+) /.exec(out);
        if (match) resolveUrl(match[1]!);
      });
      emulator.once("exit", (code) => reject(new Error(`emulator exited with ${code}`)));
    });
    const heap = args["scale-heap"] === undefined ? [] : [`--max-old-space-size=${args["scale-heap"]}`];
    const rate = args["scale-rate"] === undefined ? [] : [String(args["scale-rate"])];
    const { stdout } = await run(
      process.execPath,
      [
        ...heap,
        join(ROOT, "bench/scale-client.mjs"),
        pathToFileURL(join(ROOT, "generated/index.js")).href,
        url,
        "emulator-token",
        String(args.jobs),
        ...rate,
      ],
      { maxBuffer: 1024 * 1024 },
    );
    const result = JSON.parse(stdout) as {
      succeeded: number;
      peakRssMb: number;
      lagP99Ms: number;
      lagMaxMs: number;
      seconds: number;
      peakJobsInFlight: number;
      submitSeconds: number;
      callsPerJob: number;
      statusCallsPerJob: number;
      meanWaitSeconds: number;
    };
    raw["scale"] = result;
    const tuning = [
      args["scale-rate"] === undefined ? "" : `maxRequestsPerSecond ${args["scale-rate"]}`,
      args["scale-heap"] === undefined ? "" : `--max-old-space-size=${args["scale-heap"]}`,
    ]
      .filter(Boolean)
      .join(", ");
    rows.push({
      section: "Scale",
      metric: `${args.jobs} jobs in flight${tuning ? ` (${tuning})` : " (default options)"}: peak RSS of the client process`,
      ours: `${result.peakRssMb} MB`,
      baseline: "",
      target: "≤ 150 MB",
      met: result.peakRssMb <= 150,
    });
    rows.push({
      section: "Scale",
      metric: "event-loop delay of the client process (p99 / max)",
      ours: `${result.lagP99Ms} / ${result.lagMaxMs} ms`,
      baseline: "",
      target: "≤ 50 ms",
      met: result.lagP99Ms <= 50,
    });
    rows.push({
      section: "Scale",
      metric: "jobs succeeded / wall time",
      ours: `${result.succeeded} / ${result.seconds} s`,
      baseline: "",
      target: `${args.jobs}`,
      met: result.succeeded === args.jobs,
    });
    // Beside the polling section's ratio: what the shared poll budget makes of a fixed 2 s poll's calls per job.
    const fixed2s = Math.max(1, result.meanWaitSeconds / 2);
    rows.push({
      section: "Scale",
      metric: `status calls per job with ${args.jobs} jobs waiting ÷ fixed 2 s over the same waits (mean ${result.meanWaitSeconds} s from submit to result; all requests per job: ${result.callsPerJob}, submits done after ${result.submitSeconds} s)`,
      ours: result.statusCallsPerJob.toFixed(2),
      baseline: fixed2s.toFixed(1),
      ratio: result.statusCallsPerJob / fixed2s,
      target: "≤ 0.7",
      met: result.statusCallsPerJob / fixed2s <= 0.7,
    });
  } finally {
    emulator.kill("SIGTERM");
  }
}

const started = Date.now();
let projects = new Map<number, string>();
if (!args.only || args.only === "generation") projects = await generation();
if (!args.only || args.only === "validation") await validation();
if (!args.only || args.only === "size") {
  // The size section compares a 4-model catalog (the seeds' count) with the largest one.
  const sized = new Map<number, string>();
  for (const count of [4, Math.max(1000, ...projects.keys())]) {
    let dir = projects.get(count);
    if (dir === undefined) {
      dir = await scratchProject(count);
      await timed(process.execPath, [...GENERATE, "--root", dir]);
      projects.set(count, dir);
    }
    sized.set(count, dir);
  }
  await size(sized);
}
if (!args.only || args.only === "polling") await polling();
if (!args.only || args.only === "scale") await scale();

const machine = `${cpus()[0]?.model.trim() ?? "unknown CPU"}, ${availableParallelism()} cores, ${Math.round(totalmem() / 1024 ** 3)} GiB, Node ${process.version}`;
const finished = new Date().toISOString();
const header = `Measured ${finished.slice(0, 10)} on ${machine}; ${Math.round((Date.now() - started) / 1000)} s in all.`;
const table = [
  "| Section | Metric | Ours | Baseline | Ratio | Target | Met? |",
  "| --- | --- | --- | --- | --- | --- | --- |",
  ...rows.map(
    (row) =>
      `| ${row.section} | ${row.metric} | ${row.ours} | ${row.baseline} | ${row.ratio === undefined ? "" : row.ratio.toFixed(3)} | ${row.target} | ${row.met === undefined ? "" : row.met ? "yes" : "**no**"} |`,
  ),
].join("\n");
const markdown = `${header}\n\n${table}\n`;
// A full run writes latest.*; a partial or tuned run writes latest-<section>[-tuned].* beside it.
const tuned = args["scale-rate"] !== undefined || args["scale-heap"] !== undefined;
const suffix = args.only ? `-${args.only}${tuned ? "-tuned" : ""}` : tuned ? "-tuned" : "";
await mkdir(join(ROOT, "bench/results"), { recursive: true });
await writeFile(join(ROOT, `bench/results/latest${suffix}.md`), markdown);
await writeFile(
  join(ROOT, `bench/results/latest${suffix}.json`),
  `${JSON.stringify({ date: finished, machine, argv: process.argv.slice(2), rows, raw }, null, 2)}\n`,
);
process.stdout.write(markdown);
// A full run also rewrites the README's summary (bench/readme.ts).
if (suffix === "") {
  const readmePath = join(ROOT, "README.md");
  const block = readmeBenchBlock({ date: finished, machine, rows });
  await writeFile(readmePath, withReadmeBenchBlock(await readFile(readmePath, "utf8"), block));
}
// Each scratch project's hash and spec caches live in the shared node_modules/.cache (~17 MB at 1,000 models).
for (const dir of projects.values()) {
  await dropProjectCaches(dir);
  await rm(dir, { recursive: true, force: true });
}
await rm(TRASH, { recursive: true, force: true });
