/** Worker thread: emits the model units it is given (see `pool.ts`). */
import { parentPort } from "node:worker_threads";
import { GeneratorError } from "../diagnostics.ts";
import { takeTimings } from "../profile.ts";
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
    const generatorError = error instanceof GeneratorError ? error : undefined;
    response = {
      ok: false,
      error: {
        code: generatorError?.code ?? "worker",
        message: generatorError ? generatorError.message : `worker failed: ${(error as Error)?.stack ?? String(error)}`,
        ...(generatorError?.location.model === undefined ? {} : { model: generatorError.location.model }),
      },
    };
  }
  parentPort!.postMessage(response);
});
