/**
 * Worker thread: emits the model units (or only their files) and the runtime unit it is asked for, one request at a
 * time (see `pool.ts`).
 */
import { parentPort } from "node:worker_threads";
import { GeneratorError } from "../lib/diagnostics.ts";
import { takeTimings } from "../lib/profile.ts";
import { emitModelFiles, emitModelUnit, emitRuntimeUnit } from "./all.ts";
import type { WorkerRequest, WorkerResponse } from "./pool.ts";

async function answer(request: WorkerRequest): Promise<WorkerResponse> {
  try {
    if (request.kind === "prepare") return { id: request.id, ok: true, timings: takeTimings() };
    if (request.kind === "runtime") {
      const files = [...(await emitRuntimeUnit(request.sources))];
      return { id: request.id, ok: true, files, timings: takeTimings() };
    }
    if (request.kind === "files") {
      const modelFiles: [string, [string, string][]][] = [];
      for (const spec of request.specs) modelFiles.push([spec.id, [...(await emitModelFiles(spec))]]);
      return { id: request.id, ok: true, modelFiles, timings: takeTimings() };
    }
    const models = [];
    for (const spec of request.specs) {
      const output = await emitModelUnit(spec);
      models.push({ id: spec.id, files: [...output.files], types: output.types });
    }
    return { id: request.id, ok: true, models, timings: takeTimings() };
  } catch (error) {
    // Sent as its parts, so the main thread rebuilds the very same error (formatted once, location kept).
    const serialized =
      error instanceof GeneratorError
        ? { code: error.code, detail: error.detail, location: error.location }
        : { code: "worker", detail: `worker failed: ${(error as Error)?.stack ?? String(error)}`, location: {} };
    return { id: request.id, ok: false, error: serialized, timings: takeTimings() };
  }
}

let queue = Promise.resolve();
/**
 * Answers `request` after those handed over before it. Called by the worker's bootstrap (`startWorker` in `pool.ts`),
 * which loads this module on the thread's first request.
 */
export function handle(request: WorkerRequest): void {
  queue = queue.then(async () => parentPort!.postMessage(await answer(request)));
}
