/**
 * What a waiting job holds between polls. Ten thousand jobs wait on one client in the scale benchmark, so a wait is
 * one record (`WaitingJob` in `templates/runtime/wait.ts`) and its scheduler entry, not a closure per step: measured
 * in a child process after full collections, it holds well under the ~1.6 KB the closure-per-wait design held. Before
 * that, the same ten thousand run() calls wait for a submit slot, measured the same way.
 */
import { describe, expect, it } from "vitest";
import { runChildScript } from "../helpers/child.ts";
import { ROOT } from "../helpers/project.ts";

describe("a waiting job's memory", () => {
  it("is under 1.2 KB per wait between polls (5,000 waits on one client)", async () => {
    const script = `
      import { setFlagsFromString } from "node:v8";
      import { runInNewContext } from "node:vm";
      setFlagsFromString("--expose-gc");
      const gc = runInNewContext("gc");
      const { createClient } = await import(${JSON.stringify(`${ROOT}/generated/index.js`)});
      // No poll comes due during the measurement, so nothing is sent (the fetch never answers anyway).
      const client = createClient({ baseUrl: "http://127.0.0.1:9", token: "t", fetch: () => new Promise(() => {}) });
      const n = 5000;
      const handles = Array.from({ length: n }, (_, i) => ({
        modelId: "acme/model",
        requestId: "job-" + i,
        submittedAt: new Date().toISOString(),
      }));
      const options = { timeoutMs: 86400000, poll: { minIntervalMs: 3600000, maxIntervalMs: 3600000 } };
      const waits = [];
      gc(); gc();
      const before = process.memoryUsage().heapUsed;
      for (const handle of handles) waits.push(client.wait(handle, options));
      gc(); gc();
      const after = process.memoryUsage().heapUsed;
      process.stdout.write(JSON.stringify({ bytesPerWait: (after - before) / n, waits: waits.length }));
      process.exit(0);
    `;
    const { stdout } = await runChildScript(script);
    const { bytesPerWait, waits } = JSON.parse(stdout) as { bytesPerWait: number; waits: number };
    expect(waits).toBe(5000);
    expect(bytesPerWait).toBeGreaterThan(0);
    expect(bytesPerWait).toBeLessThan(1200);
  });

  it("is under 1.1 KB per run() waiting for a submit slot (10,000 run() calls started together)", async () => {
    // run() and submit() are not async functions: a call waiting for its turn to submit holds a callback and its
    // slot's record, not two suspended frames (which held ~1.4 KB per call).
    const script = `
      import { setFlagsFromString } from "node:v8";
      import { runInNewContext } from "node:vm";
      setFlagsFromString("--expose-gc");
      const gc = runInNewContext("gc");
      const { createClient } = await import(${JSON.stringify(`${ROOT}/generated/index.js`)});
      // The fetch never answers: the first 32 submits hold the slots, the other calls wait in line.
      const client = createClient({ baseUrl: "http://127.0.0.1:9", token: "t", fetch: () => new Promise(() => {}) });
      const input = { prompt: "a cat", image: "Runcomfy_Example_1290_1.png" };
      // Loads the model (an aborted run sends nothing).
      await client.run("community/wan-2-2/vace-fun", input, { signal: AbortSignal.abort() }).catch(() => undefined);
      const n = 10000;
      const runs = [];
      gc(); gc();
      const before = process.memoryUsage().heapUsed;
      for (let i = 0; i < n; i++) runs.push(client.run("community/wan-2-2/vace-fun", input));
      await new Promise((resolve) => setTimeout(resolve, 50));
      gc(); gc();
      const after = process.memoryUsage().heapUsed;
      process.stdout.write(JSON.stringify({ bytesPerRun: (after - before) / n, runs: runs.length }));
      process.exit(0);
    `;
    const { stdout } = await runChildScript(script);
    const { bytesPerRun, runs } = JSON.parse(stdout) as { bytesPerRun: number; runs: number };
    expect(runs).toBe(10000);
    // Measured 0.84 KB per call.
    expect(bytesPerRun).toBeGreaterThan(0);
    expect(bytesPerRun).toBeLessThan(1100);
  });
});
