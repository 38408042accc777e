/**
 * Emitting on worker threads: model units are independent, so a large
 * catalog is spread over the machine's cores in small chunks handed to
 * whichever thread is free (the main thread takes chunks too), and the
 * runtime unit, a fixed cost whatever the catalog size, runs on a worker
 * alongside them. Small catalogs stay on the main thread: starting a worker
 * costs about as much as emitting a dozen models.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { GeneratorError, type Location } from "../lib/diagnostics.ts";
import { measureAsync, mergeTimings, type Timing } from "../lib/profile.ts";
import type { ModelSpec } from "../model/types.ts";
import type { FileMap, ModelUnitOutput } from "./units.ts";
import { readStoredRuntime, storeRuntime, type RuntimeSource } from "./runtime.ts";

/** Below this many models to emit, workers do not pay for themselves. */
export const PARALLEL_THRESHOLD = 24;

type Job =
  | { readonly kind: "prepare" }
  | { readonly kind: "models"; readonly specs: readonly ModelSpec[] }
  | { readonly kind: "files"; readonly specs: readonly ModelSpec[] }
  | { readonly kind: "runtime"; readonly sources: readonly RuntimeSource[] };

export type WorkerRequest = Job & { readonly id: number };

type SerializedError = { readonly code: string; readonly detail: string; readonly location: Location };

export type WorkerResponse = { readonly id: number; readonly timings: Timing[] } & (
  | {
      readonly ok: true;
      readonly models?: readonly SerializedModel[];
      readonly files?: [string, string][];
      readonly modelFiles?: readonly (readonly [id: string, files: [string, string][]])[];
    }
  | { readonly ok: false; readonly error: SerializedError }
);

interface SerializedModel {
  readonly id: string;
  readonly files: [string, string][];
  readonly types: string;
}

/** How many threads (main included) to use for `count` models. */
export function threadsFor(count: number): number {
  if (count < PARALLEL_THRESHOLD) return 1;
  return Math.max(1, Math.min(availableParallelism(), Math.ceil(count / (PARALLEL_THRESHOLD / 2))));
}

/**
 * A worker whose bootstrap (plain JavaScript, no module of the generator) loads the emitting module (`worker.ts`) on
 * its first request and hands every request to it.
 */
function startWorker(): Worker {
  // Run from the CLI's bundle (`cli/bin.js`), the worker module is a sibling entry of it. Run from the sources,
  // workers do not inherit tsx's loader: it is registered before the worker module is imported.
  const load = import.meta.url.endsWith(".ts")
    ? `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((api) => { api.register(); return import(${JSON.stringify(new URL("./worker.ts", import.meta.url).href)}); })`
    : `import(${JSON.stringify(new URL("./worker.js", import.meta.url).href)})`;
  const source = `const { parentPort } = require("node:worker_threads");
let module;
parentPort.on("message", (request) => {
  module ??= ${load};
  module.then((loaded) => loaded.handle(request));
});`;
  return new Worker(source, { eval: true });
}

/** A worker's error event (thrown outside any request) as the run's error: what happened, without a stack. */
export function workerFailure(error: unknown): GeneratorError {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "ERR_WORKER_OUT_OF_MEMORY")
    return new GeneratorError(
      "worker",
      "a worker thread ran out of memory; give Node more (NODE_OPTIONS=--max-old-space-size=<MiB>) and run again",
    );
  const message = error instanceof Error ? error.message : String(error);
  return new GeneratorError("worker", `a worker thread failed: ${message}`);
}

/** A worker that stopped while requests were pending (their answers will not come). */
export function workerExit(code: number): GeneratorError {
  return new GeneratorError("worker", `a worker thread stopped (exit code ${code}) before it answered`);
}

/** The very error a worker threw: formatted once, location kept. */
function rebuilt(error: SerializedError): GeneratorError {
  return new GeneratorError(error.code, error.detail, error.location);
}

/** Workers started ahead of need (`prestartWorkers`), taken first by the next `emitUnits`. */
const started: Thread[] = [];

/**
 * Starts `count` workers now, so that their start-up (a new isolate, the
 * TypeScript loader, the emitters) overlaps the main thread's reading and
 * normalising; the next `emitUnits` takes all of them (one more than it
 * asks for when the runtime came from its store: it emits models instead).
 */
export function prestartWorkers(count: number): void {
  while (started.length < count) {
    const thread = new Thread();
    started.push(thread);
    thread.send({ kind: "prepare" }).catch(() => {});
  }
}

/** `count` workers at least, and every worker started ahead of need (already paid for: it takes model chunks too). */
function takeWorkers(count: number): Thread[] {
  const taken = started.splice(0);
  while (taken.length < count) taken.push(new Thread());
  return taken;
}

/**
 * The files of a few models (`emitModelFiles`), emitted on a worker started ahead of need while the caller goes on
 * with the package's units; undefined when no worker was started (the caller emits them itself). For an added or
 * edited model among many: the worker loaded ajv and the emitters while this thread read and normalised the
 * catalog, and emits the model while this thread prints the registry, the types (which print the model's declarations
 * themselves) and the package files. Keyed by model id, in the order of `specs`.
 */
export function emitFilesAside(specs: readonly ModelSpec[]): Promise<Map<string, FileMap>> | undefined {
  const thread = started.shift();
  if (!thread) return undefined;
  return thread
    .send({ kind: "files", specs })
    .then((response) => {
      const byId = new Map((response.ok && response.modelFiles) || []);
      return new Map(
        specs.map((spec) => {
          const files = byId.get(spec.id);
          if (!files) throw new GeneratorError("worker", `worker returned no files for model ${spec.id}`, {});
          return [spec.id, new Map(files)];
        }),
      );
    })
    .finally(() => thread.close());
}

/** Closes workers started ahead of need that no `emitUnits` took (nothing to emit after all). */
export async function closeIdleWorkers(): Promise<void> {
  await Promise.all(started.splice(0).map((thread) => thread.close()));
}

/** One worker thread that answers requests one at a time (exported for tests). */
export class Thread {
  private readonly worker: Worker;
  private readonly pending = new Map<
    number,
    { resolve: (response: WorkerResponse) => void; reject: (error: unknown) => void }
  >();
  private next = 0;

  /** `start` makes the thread's worker (tests hand in one that fails); by default the generator's (`startWorker`). */
  constructor(start: () => Worker = startWorker) {
    this.worker = start();
    this.worker.on("message", (response: WorkerResponse) => {
      const waiter = this.pending.get(response.id);
      this.pending.delete(response.id);
      mergeTimings(response.timings);
      waiter?.resolve(response);
    });
    // A worker that throws outside a request (out of memory, a bundle that does not load) or stops without a word
    // (`process.exit`, terminated) fails the requests it still holds, so no caller waits for an answer that cannot come.
    const fail = (error: GeneratorError) => {
      this.failure ??= error;
      for (const waiter of this.pending.values()) waiter.reject(this.failure);
      this.pending.clear();
    };
    this.worker.on("error", (error) => fail(workerFailure(error)));
    this.worker.on("exit", (code) => fail(workerExit(code)));
  }

  /** Set once the worker failed or stopped: later requests fail at once. */
  private failure: GeneratorError | undefined;

  async send(request: Job): Promise<WorkerResponse> {
    if (this.failure) throw this.failure;
    const id = this.next++;
    const answer = new Promise<WorkerResponse>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.worker.postMessage({ ...request, id } satisfies WorkerRequest);
    const response = await answer;
    if (!response.ok) throw rebuilt(response.error);
    return response;
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}

export interface EmitJobs {
  readonly models: readonly ModelSpec[];
  /** The runtime templates, when the runtime unit is to be emitted too. */
  readonly runtime?: readonly RuntimeSource[] | undefined;
  /**
   * Where the runtime compiled by this version of the generator is stored (`runtimeCachePath`): read instead of
   * compiling when it holds these sources, written after compiling otherwise.
   */
  readonly runtimeCache?: string | undefined;
}

export interface Emitters {
  readonly model: (spec: ModelSpec) => Promise<ModelUnitOutput>;
  readonly runtime: (sources: readonly RuntimeSource[]) => Promise<FileMap>;
}

export interface EmitResults {
  readonly models: Map<string, ModelUnitOutput>;
  readonly runtime?: FileMap;
}

/** Lets the event loop run (worker messages included) before the promise resolves. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Emits every model unit (and the runtime unit, if asked), spread over `threads` threads; models keyed by id. */
export async function emitUnits(
  jobs: EmitJobs,
  emitters: Emitters,
  threads: number = threadsFor(jobs.models.length),
): Promise<EmitResults> {
  const cache = jobs.runtimeCache;
  const stored =
    jobs.runtime && cache
      ? await measureAsync("runtime (stored)", () => readStoredRuntime(cache, jobs.runtime!))
      : undefined;
  const results = await emitFresh(
    { models: jobs.models, runtime: stored ? undefined : jobs.runtime },
    emitters,
    threads,
  );
  if (stored) return { ...results, runtime: stored };
  if (jobs.runtime && cache && results.runtime) await storeRuntime(cache, jobs.runtime, results.runtime);
  return results;
}

async function emitFresh(jobs: EmitJobs, emitters: Emitters, threads: number): Promise<EmitResults> {
  const models = new Map<string, ModelUnitOutput>();
  if (threads <= 1) {
    const runtime = jobs.runtime ? await emitters.runtime(jobs.runtime) : undefined;
    for (const spec of jobs.models) models.set(spec.id, await emitters.model(spec));
    return { models, ...(runtime ? { runtime } : {}) };
  }

  // Small chunks keep the threads busy to the end; the runtime, when asked, takes a worker of its own.
  const size = Math.min(16, Math.max(4, Math.ceil(jobs.models.length / (threads * 8))));
  const chunks: ModelSpec[][] = [];
  for (let start = 0; start < jobs.models.length; start += size) chunks.push(jobs.models.slice(start, start + size));
  const workers = takeWorkers(threads - 1 + (jobs.runtime ? 1 : 0));
  const take = (): ModelSpec[] | undefined => chunks.shift();
  try {
    const runtime = jobs.runtime
      ? workers[0]!
          .send({ kind: "runtime", sources: jobs.runtime })
          .then((response) => new Map(response.ok ? response.files : []))
      : undefined;
    const onWorker = async (thread: Thread): Promise<void> => {
      for (let chunk = take(); chunk; chunk = take()) {
        const response = await thread.send({ kind: "models", specs: chunk });
        for (const model of (response.ok && response.models) || []) {
          models.set(model.id, { files: new Map(model.files), types: model.types });
        }
      }
    };
    const onMain = async (): Promise<void> => {
      for (let chunk = take(); chunk; chunk = take()) {
        for (const spec of chunk) {
          models.set(spec.id, await emitters.model(spec));
          // Emitting is synchronous work, and awaiting it only runs microtasks: without a turn of the event loop the
          // workers' answers wait here, and with them their next chunks, until this thread has emitted them all.
          await yieldToEventLoop();
        }
      }
    };
    const [runtimeFiles] = await Promise.all([runtime, onMain(), ...workers.map(onWorker)]);
    // Output order follows the specs, whichever thread emitted them.
    const ordered = new Map(jobs.models.map((spec) => [spec.id, models.get(spec.id)!]));
    return { models: ordered, ...(runtimeFiles ? { runtime: runtimeFiles } : {}) };
  } finally {
    await Promise.all(workers.map((thread) => thread.close()));
  }
}
