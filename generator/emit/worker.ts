/** Worker thread: emits the model units it is given (see `pool.ts`). */
import { parentPort } from "node:worker_threads";
import { GeneratorError } from "../lib/diagnostics.ts";
import { takeTimings } from "../lib/profile.ts";
import { emitModelUnit } from "./all.ts";
import { useFormatCache } from "./format.ts";
import type { WorkerRequest, WorkerResponse } from "./pool.ts";

parentPort!.once("message", async (request: WorkerRequest) => {
  let response: WorkerResponse;
  try {
    useFormatCache(request.formatCacheDir);
    const results = [];
    for (const spec of request.specs) {
      const output = await emitModelUnit(spec);
      results.push({ id: spec.id, files: [...output.files], readme: output.readme });
    }
    response = { ok: true, results, timings: takeTimings() };
  } catch (error) {
    // Sent as its parts, so the main thread rebuilds the very same error (formatted once, location kept).
    response = {
      ok: false,
      error:
        error instanceof GeneratorError
          ? { code: error.code, detail: error.detail, location: error.location }
          : { code: "worker", detail: `worker failed: ${(error as Error)?.stack ?? String(error)}`, location: {} },
    };
  }
  parentPort!.postMessage(response);
});
