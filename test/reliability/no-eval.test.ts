/**
 * No eval: the committed package (index, every model module, every
 * validator, the runtime) runs under `node --disallow-code-generation-from-strings`,
 * where `eval` and `new Function` throw, as under a strict CSP or on edge
 * runtimes. A child process imports every file, builds and validates an
 * input for every model and runs the client flows against the emulator.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listFiles } from "../../generator/lib/files.ts";
import { emulator } from "../helpers/emulator.ts";
import { exercisePackage } from "../helpers/package.ts";
import { ROOT } from "../helpers/project.ts";
import { SEED_IDS } from "../helpers/spec.ts";

const GENERATED = join(ROOT, "generated");

describe("the generated package without code generation from strings", () => {
  it("imports every module, validates, and runs every model and client call against the emulator", async () => {
    const emu = await emulator({
      capacity: 4,
      durationMs: 20,
      // Retries and backoff run too (the first status call for sure, later ones by chance).
      faults: [
        { route: "status", fault: { type: "respond", status: 503 }, times: 1 },
        { route: "status", fault: { type: "respond", status: 503 }, probability: 0.3 },
      ],
    });
    const { report } = await exercisePackage(GENERATED, emu, ["--disallow-code-generation-from-strings"]);

    // The flag was in force: the child's own `new Function` threw an EvalError.
    expect(report.evalBlocked).toBe(true);
    expect(report.imported).toEqual((await listFiles(GENERATED)).filter((path) => path.endsWith(".js")));
    expect(report.imported).toEqual(
      expect.arrayContaining(["index.js", "runtime/download.js", ...SEED_IDS.map((id) => `models/${id}.js`)]),
    );
    expect(report.models.map((model) => model.id).sort()).toEqual([...SEED_IDS].sort());
    for (const model of report.models) {
      const job = emu.job(model.requestId);
      expect(model, model.id).toMatchObject({ issues: 0, roundTripEqual: true, status: "succeeded" });
      expect(JSON.stringify(job?.body), model.id).toBe(model.body);
      expect(model.output, model.id).toEqual(job?.outcome?.status === "succeeded" ? job.outcome.output : "no output");
    }
    expect(report.flows).toMatchObject({
      waited: expect.stringMatching(/^(succeeded|cancelled)$/),
      catalogGet: SEED_IDS.slice().sort()[0],
      catalogList: SEED_IDS.length,
      rejected: "ValidationError",
    });
    expect(emu.stats().faults["status:respond"]).toBeGreaterThan(0);
  });
});
