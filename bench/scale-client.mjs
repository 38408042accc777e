/**
 * Scale benchmark client, run in its own process: N jobs in flight at once
 * through the generated client against an emulator. Prints peak RSS,
 * event-loop delay and the requests sent (per job, by kind) of this process
 * as JSON. With SCALE_TIMELINE=<file> it also writes `process.memoryUsage()`
 * samples (every 250 ms) with the jobs submitted and the requests sent so far,
 * to see which phase (submitting or waiting) holds the memory.
 */
import { subscribe } from "node:diagnostics_channel";
import { writeFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";

const [modulePath, baseUrl, token, countText, rateText] = process.argv.slice(2);
const jobs = Number(countText);
const { createClient } = await import(modulePath);

// Count the requests the client sends: on Node its default transport is node:http (seen through the
// `http.client.request.start` diagnostics channel); a client on `fetch` binds globalThis.fetch at createClient.
const calls = { submit: 0, status: 0, result: 0, other: 0 };
const countCall = (method, path) => {
  if (method === "POST" && !path.endsWith("/cancel")) calls.submit++;
  else if (path.endsWith("/status")) calls.status++;
  else if (path.endsWith("/result")) calls.result++;
  else calls.other++;
};
subscribe("http.client.request.start", ({ request }) => countCall(request.method, request.path));
const realFetch = globalThis.fetch;
globalThis.fetch = (url, init) => {
  countCall(init?.method ?? "GET", String(url));
  return realFetch(url, init);
};

const client = createClient({
  baseUrl,
  token,
  ...(rateText === undefined ? {} : { maxRequestsPerSecond: Number(rateText) }),
});

const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const started = performance.now();
let inFlight = 0;
let peakInFlight = 0;
let submitted = 0;
let submitPhaseSeconds;
let waitedMs = 0;
const timelineFile = process.env["SCALE_TIMELINE"];
const timeline = [];
const timelineSampler =
  timelineFile === undefined
    ? undefined
    : setInterval(() => {
        const memory = process.memoryUsage();
        const mb = (bytes) => Math.round((bytes / 1024 / 1024) * 10) / 10;
        timeline.push({
          s: Math.round(performance.now() - started) / 1000,
          rss: mb(memory.rss),
          heapUsed: mb(memory.heapUsed),
          heapTotal: mb(memory.heapTotal),
          external: mb(memory.external),
          submitted,
          ...calls,
        });
      }, 250);

const results = await Promise.all(
  Array.from({ length: jobs }, async (_, seed) => {
    inFlight++;
    peakInFlight = Math.max(peakInFlight, inFlight);
    try {
      const input = { prompt: `job ${seed}`, image: "Runcomfy_Example_1290_1.png", seed };
      let enqueuedAt = performance.now();
      const onEnqueue = () => {
        enqueuedAt = performance.now();
        if (++submitted === jobs) submitPhaseSeconds = (performance.now() - started) / 1000;
      };
      const result = await client.run("community/wan-2-2/vace-fun", input, { onEnqueue });
      waitedMs += performance.now() - enqueuedAt;
      return result.status;
    } finally {
      inFlight--;
    }
  }),
);
clearInterval(sampler);
if (timelineSampler !== undefined) clearInterval(timelineSampler);
delay.disable();
peakRss = Math.max(peakRss, process.memoryUsage().rss);
if (timelineFile !== undefined) writeFileSync(timelineFile, `${JSON.stringify(timeline, null, 1)}\n`);
const total = calls.submit + calls.status + calls.result + calls.other;
process.stdout.write(
  JSON.stringify({
    jobs: jobs,
    succeeded: results.filter((status) => status === "succeeded").length,
    peakJobsInFlight: peakInFlight,
    peakRssMb: Math.round((peakRss / 1024 / 1024) * 10) / 10,
    lagP99Ms: Math.round((delay.percentile(99) / 1e6) * 10) / 10,
    lagMaxMs: Math.round((delay.max / 1e6) * 10) / 10,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    submitSeconds: Math.round((submitPhaseSeconds ?? 0) * 10) / 10,
    calls,
    callsPerJob: Math.round((total / jobs) * 100) / 100,
    statusCallsPerJob: Math.round((calls.status / jobs) * 100) / 100,
    meanWaitSeconds: Math.round(waitedMs / jobs / 100) / 10,
  }),
);
