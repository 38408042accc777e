/**
 * `npm run demo`: starts the emulator and runs every seed model through the
 * generated client, with live progress, then prints each output. No token and
 * no network: everything runs on loopback.
 */
import { createClient, ValidationError, type StatusUpdate } from "../generated/index.js";
import { startEmulator } from "./index.ts";

const color = Boolean(process.stdout.isTTY) && !process.env["NO_COLOR"];
const paint = (code: number, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);

// Two jobs run at a time, so the other two wait in the queue and report positions.
const emulator = await startEmulator({ capacity: 2, durationMs: (job) => 1200 + (job.sequence % 2) * 800 });
process.stdout.write(`${paint(1, "RunComfy Model API emulator")} on ${emulator.url}\n\n`);
const client = createClient({ baseUrl: emulator.url, token: emulator.token, poll: { minIntervalMs: 250 } });

const progress = (label: string) => {
  let last = "";
  return (update: StatusUpdate) => {
    const line =
      update.queuePosition === undefined ? update.status : `${update.status} (${update.queuePosition} ahead)`;
    if (line === last) return;
    last = line;
    process.stdout.write(
      `  ${paint(36, label.padEnd(16))} ${line.padEnd(22)} ${paint(2, `${(update.elapsedMs / 1000).toFixed(1)}s`)}\n`,
    );
  };
};

try {
  // Validation happens before anything is sent (and paid for).
  try {
    await client.run("community/fantasy-portrait/image-to-video", {
      image: "/home/me/portrait.png",
      video: "https://example.com/driving.mp4",
      prompt: "woman acting",
      steps: 40,
    });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    process.stdout.write(`${paint(33, "Rejected locally, nothing sent:")}\n${error.message.replace(/^/gm, "  ")}\n\n`);
  }

  process.stdout.write(`${paint(1, "Running the four seed models")}\n`);
  const runs = [
    {
      label: "fantasy-portrait",
      run: client.run(
        "community/fantasy-portrait/image-to-video",
        {
          image: "Runcomfy_example_1268_1.png",
          video: "Runcomfy_example_1268_1.mp4",
          prompt: "woman acting",
          resolution: { width: 720, height: 720 },
        },
        { onStatus: progress("fantasy-portrait") },
      ),
    },
    {
      label: "fusionx",
      run: client.run(
        "community/wan-2-1/fusionx/image-to-video",
        {
          prompt: "A close-up shot of a young woman smiling in a graffiti corridor",
          image: "RunComfy_examples_1235_1.png",
          resolution: "720x480",
          steps: 10,
        },
        { onStatus: progress("fusionx") },
      ),
    },
    {
      label: "vace-fun",
      run: client.run(
        "community/wan-2-2/vace-fun",
        { prompt: "A lone figure in tactical gear at golden hour", image: "Runcomfy_Example_1290_1.png", frames: 81 },
        { onStatus: progress("vace-fun") },
      ),
    },
    {
      label: "infinite-talk",
      run: client.run(
        "community/infinite-talk/image-to-video",
        {
          prompt: "a woman is talking and waving hands",
          image: "Runcomfy_example_1278_1.png",
          audio: "Runcomfy_example_1278_1.mp3",
        },
        { onStatus: progress("infinite-talk") },
      ),
    },
  ];
  const results = await Promise.all(runs.map(async ({ label, run }) => ({ label, result: await run })));

  process.stdout.write(`\n${paint(1, "Outputs")}\n`);
  for (const { label, result } of results) {
    if (result.status === "succeeded")
      process.stdout.write(`  ${paint(32, "✓")} ${label.padEnd(16)} ${JSON.stringify(result.output)}\n`);
    else if (result.status === "failed")
      process.stdout.write(`  ${paint(31, "✗")} ${label.padEnd(16)} failed: ${result.message}\n`);
    else process.stdout.write(`  ${paint(33, "–")} ${label.padEnd(16)} cancelled\n`);
  }
  const stats = emulator.stats();
  process.stdout.write(
    `\n${stats.submits} submits, ${stats.duplicateSubmits} duplicates, ${stats.requests["status"] ?? 0} status calls.\n`,
  );
  if (results.some(({ result }) => result.status !== "succeeded")) process.exitCode = 1;
} finally {
  await emulator.close();
}
