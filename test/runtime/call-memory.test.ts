/**
 * What a call leaves in the old generation. Ten thousand waiting jobs make about a hundred status calls a second in
 * the scale benchmark, and whatever a call allocates straight in the old generation (or keeps past two scavenges) is
 * garbage that only a full collection frees: it, not the jobs, set the client's peak memory. Two causes are known and
 * avoided in `templates/runtime/`: an `AbortSignal` per call (Node allocates each with ~0.6 KB in the old generation;
 * a call stops through `CallStop` in `http.ts`) and an object spread followed by more keys (`{ ...init, signal }`,
 * which V8 gives a fresh shape there). Measured in a child process: every call's garbage is collected by scavenges
 * between the calls, so what the old generation gains is what a call leaves there.
 */
import { describe, expect, it } from "vitest";
import { runChildScript } from "../helpers/child.ts";
import { ROOT } from "../helpers/project.ts";
import { tinyMock } from "../helpers/tiny-mock.ts";

interface Report {
  readonly statusCalls: number;
  readonly signalsPerStatusCall: number;
  readonly oldBytesPerStatusCall: number;
  readonly runs: number;
  readonly succeeded: number;
  readonly oldBytesPerRun: number;
}

async function measure(url: string, token: string): Promise<Report> {
  const script = `
    import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";
    import { runInNewContext } from "node:vm";
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc");
    // Every AbortSignal made in this process, counted where AbortController makes it.
    const made = new WeakSet();
    let signals = 0;
    const getter = Object.getOwnPropertyDescriptor(AbortController.prototype, "signal").get;
    Object.defineProperty(AbortController.prototype, "signal", {
      get() {
        const signal = getter.call(this);
        if (!made.has(signal)) (made.add(signal), signals++);
        return signal;
      },
    });
    const oldSpace = () => getHeapSpaceStatistics().find((space) => space.space_name === "old_space").space_used_size;
    const settle = () => (gc({ type: "minor" }), gc({ type: "minor" }));
    const { createClient } = await import(${JSON.stringify(`${ROOT}/generated/index.js`)});
    const client = createClient({ baseUrl: ${JSON.stringify(url)}, token: ${JSON.stringify(token)} });
    const input = { prompt: "a cat", image: "Runcomfy_Example_1290_1.png" };
    const runBatch = (size) =>
      Promise.all(Array.from({ length: size }, () => client.run("community/wan-2-2/vace-fun", input)));

    // Warm up (compiled code, feedback, sockets), then one full collection.
    for (let i = 0; i < 300; i++) await client.status("job-1");
    await runBatch(50);
    gc();
    settle();

    const statusCalls = 2000;
    let before = oldSpace();
    const signalsBefore = signals;
    for (let i = 0; i < statusCalls; i++) {
      await client.status("job-1");
      if (i % 50 === 49) gc({ type: "minor" });
    }
    settle();
    const oldBytesPerStatusCall = (oldSpace() - before) / statusCalls;
    const signalsPerStatusCall = (signals - signalsBefore) / statusCalls;

    const batches = 8;
    const size = 50;
    let succeeded = 0;
    before = oldSpace();
    for (let b = 0; b < batches; b++) {
      for (const result of await runBatch(size)) if (result.status === "succeeded") succeeded++;
      gc({ type: "minor" });
    }
    settle();
    const oldBytesPerRun = (oldSpace() - before) / (batches * size);
    process.stdout.write(
      JSON.stringify({ statusCalls, signalsPerStatusCall, oldBytesPerStatusCall, runs: batches * size, succeeded, oldBytesPerRun }),
    );
    process.exit(0);
  `;
  const { stdout } = await runChildScript(script);
  return JSON.parse(stdout) as Report;
}

describe("what an API call leaves in the old generation (default transport on Node)", () => {
  it("makes no AbortSignal per status call, and leaves under 0.4 KB per status call and 2 KB per run()", async () => {
    const mock = await tinyMock();
    const report = await measure(mock.url, mock.token);
    // The calls really happened (the mock counts them): warm-up and measured ones.
    expect(mock.count("status")).toBeGreaterThanOrEqual(300 + report.statusCalls + report.runs);
    expect(report.succeeded).toBe(report.runs);
    expect(report.signalsPerStatusCall).toBe(0);
    // Measured 0.17-0.21 KB per status call and 1.4-1.5 KB per run(); with the spread init alone back, 0.56 KB and
    // 2.5 KB; with an AbortSignal per call too, 1.7 KB and 7 KB.
    expect(report.oldBytesPerStatusCall).toBeLessThan(400);
    expect(report.oldBytesPerRun).toBeLessThan(2000);
  });
});
