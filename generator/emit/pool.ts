/**
 * Model units on worker threads: each model is independent, so a large
 * catalog is split across the machine's cores (the main thread takes a share
 * too). Small catalogs stay on the main thread: starting a worker costs about
 * as much as emitting a dozen models.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { GeneratorError, type Location } from "../lib/diagnostics.ts";
import { mergeTimings, type Timing } from "../lib/profile.ts";
import type { ModelSpec } from "../model/types.ts";
import type { ModelUnitOutput } from "./all.ts";

/** Below this many models to emit, workers do not pay for themselves. */
export const PARALLEL_THRESHOLD = 24;

export interface WorkerRequest {
  readonly specs: readonly ModelSpec[];
  readonly formatCacheDir: string | undefined;
}

export type WorkerResponse =
  | {
      readonly ok: true;
      readonly results: readonly { readonly id: string; readonly files: [string, string][]; readonly readme: string }[];
      readonly timings: Timing[];
    }
  | {
      readonly ok: false;
      readonly error: { readonly code: string; readonly detail: string; readonly location: Location };
    };

/** How many threads (main included) to use for `count` models. */
export function threadsFor(count: number): number {
  if (count < PARALLEL_THRESHOLD) return 1;
  return Math.max(1, Math.min(availableParallelism(), Math.ceil(count / (PARALLEL_THRESHOLD / 2))));
}

function startWorker(): Worker {
  // Workers do not inherit tsx's loader: register it before importing the TypeScript worker module.
  const tsx = import.meta.resolve("tsx/esm/api");
  const entry = new URL("./worker.ts", import.meta.url).href;
  return new Worker(
    `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`,
    { eval: true },
  );
}

function runOnWorker(
  specs: readonly ModelSpec[],
  formatCacheDir: string | undefined,
): Promise<Map<string, ModelUnitOutput>> {
  return new Promise((resolve, reject) => {
    const worker = startWorker();
    worker.once("message", (response: WorkerResponse) => {
      void worker.terminate();
      if (!response.ok) {
        reject(new GeneratorError(response.error.code, response.error.detail, response.error.location));
        return;
      }
      mergeTimings(response.timings);
      resolve(
        new Map(response.results.map((result) => [result.id, { files: new Map(result.files), readme: result.readme }])),
      );
    });
    worker.once("error", (error) => reject(error));
    worker.postMessage({ specs, formatCacheDir } satisfies WorkerRequest);
  });
}

/** Emits every model unit, spreading them over threads; results keyed by model id. */
export async function emitModels(
  specs: readonly ModelSpec[],
  emitOne: (spec: ModelSpec) => Promise<ModelUnitOutput>,
  formatCacheDir: string | undefined,
  threads: number = threadsFor(specs.length),
): Promise<Map<string, ModelUnitOutput>> {
  const shares: ModelSpec[][] = Array.from({ length: threads }, () => []);
  specs.forEach((spec, index) => shares[index % threads]!.push(spec));
  const onWorkers = shares.slice(1).map((share) => runOnWorker(share, formatCacheDir));
  const local = new Map<string, ModelUnitOutput>();
  for (const spec of shares[0]!) local.set(spec.id, await emitOne(spec));
  const all = new Map(local);
  for (const result of await Promise.all(onWorkers)) for (const [id, output] of result) all.set(id, output);
  return all;
}
