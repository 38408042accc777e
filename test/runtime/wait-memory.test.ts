/**
 * What a waiting job holds between polls. Ten thousand jobs wait on one client in the scale benchmark, so a wait is
 * one record (`WaitingJob` in `templates/runtime/wait.ts`) and its scheduler entry, not a closure per step: measured
 * in a child process after full collections, it holds well under the ~1.6 KB the closure-per-wait design held.
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
});
