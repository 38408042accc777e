/**
 * Scale benchmark client, run in its own process: N jobs in flight at once
 * through the generated client against an emulator. Prints peak RSS and
 * event-loop delay of this process as JSON.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";

const [modulePath, baseUrl, token, countText, rateText] = process.argv.slice(2);
const count = Number(countText);
const { createClient } = await import(modulePath);
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

const results = await Promise.all(
  Array.from({ length: count }, async (_, seed) => {
    inFlight++;
    peakInFlight = Math.max(peakInFlight, inFlight);
    try {
      const input = { prompt: `job ${seed}`, image: "Runcomfy_Example_1290_1.png", seed };
      return (await client.run("community/wan-2-2/vace-fun", input)).status;
    } finally {
      inFlight--;
    }
  }),
);
clearInterval(sampler);
delay.disable();
peakRss = Math.max(peakRss, process.memoryUsage().rss);
process.stdout.write(
  JSON.stringify({
    jobs: count,
    succeeded: results.filter((status) => status === "succeeded").length,
    peakJobsInFlight: peakInFlight,
    peakRssMb: Math.round((peakRss / 1024 / 1024) * 10) / 10,
    lagP99Ms: Math.round((delay.percentile(99) / 1e6) * 10) / 10,
    lagMaxMs: Math.round((delay.max / 1e6) * 10) / 10,
    seconds: Math.round((performance.now() - started) / 100) / 10,
  }),
);
