/** Full job lifecycle through the generated client against the emulator (real HTTP, no mocked fetch). */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { AbortError, loadModel, WaitTimeoutError, type StatusUpdate } from "../../generated/index.js";
import { clientFor, emulator, FANTASY_INPUT, VACE_INPUT } from "../helpers/emulator.ts";
import { ROOT } from "../helpers/project.ts";

const SEED_INPUTS = {
  "community/fantasy-portrait/image-to-video": FANTASY_INPUT,
  "community/wan-2-1/fusionx/image-to-video": {
    prompt: "a woman smiles",
    image: "RunComfy_examples_1235_1.png",
    resolution: "720x480",
  },
  "community/wan-2-2/vace-fun": { prompt: "a lone figure", image: "https://example.com/a.png", steps: 12 },
  "community/infinite-talk/image-to-video": {
    prompt: "talking",
    image: "Runcomfy_example_1278_1.png",
    audio: "Runcomfy_example_1278_1.mp3",
    frames: 250,
  },
} as const;

describe("job lifecycle", () => {
  it.each(Object.entries(SEED_INPUTS))("runs %s from queue to output", async (modelId, input) => {
    // The blocker occupies the only worker long enough that the job under test is surely queued when first polled;
    // the job itself runs 4x the longest poll interval (100 ms), so that a poll lands while it is in progress even
    // when timers fire late on a loaded machine (at 100 ms, a late poll sometimes saw only in_queue, then completed).
    const emu = await emulator({ capacity: 1, durationMs: (job) => (job.body["56_text"] === "blocker" ? 1500 : 400) });
    const client = clientFor(emu);
    await client.submit("community/wan-2-2/vace-fun", { ...VACE_INPUT, prompt: "blocker", seed: 1 });
    const updates: StatusUpdate[] = [];
    const handles: unknown[] = [];
    const result = await client.run(modelId as keyof typeof SEED_INPUTS, input as never, {
      onStatus: (update) => updates.push(update),
      onEnqueue: (handle) => handles.push(handle),
    });
    expect(result.status).toBe("succeeded");
    if (result.status !== "succeeded") return;
    expect(result.modelId).toBe(modelId);
    expect(result.output.video).toMatch(new RegExp(`^${emu.url}/files/${result.requestId}/`));
    expect(handles).toEqual([{ modelId, requestId: result.requestId, submittedAt: expect.any(String) }]);
    const statuses = updates.map((update) => update.status);
    expect(statuses[0]).toBe("in_queue");
    expect(updates[0]!.queuePosition).toBe(0);
    expect(statuses).toContain("in_progress");
    expect(statuses.at(-1)).toBe("completed");
    expect(statuses.indexOf("in_progress")).toBeGreaterThan(statuses.lastIndexOf("in_queue"));
    const model = (await loadModel(modelId))!;
    expect(emu.job(result.requestId)!.body).toEqual(model.build(input));
  });

  it("waits for many jobs through one scheduler that never exceeds the client's request slots", async () => {
    const emu = await emulator({ capacity: 8, durationMs: 120 });
    const client = clientFor(emu, { maxConcurrentRequests: 3 });
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, seed) => client.run("community/wan-2-2/vace-fun", { ...VACE_INPUT, seed })),
    );
    expect(results.every((result) => result.status === "succeeded")).toBe(true);
    expect(emu.stats().peakInFlight).toBeLessThanOrEqual(3);
    expect(emu.stats().submits).toBe(40);
  });

  it("reports real queue positions", async () => {
    const emu = await emulator({ capacity: 1, durationMs: 5000 });
    const client = clientFor(emu);
    const handles = [];
    for (let seed = 0; seed < 4; seed++)
      handles.push(await client.submit("community/wan-2-2/vace-fun", { ...VACE_INPUT, seed }));
    const positions = await Promise.all(handles.map(async (handle) => (await client.status(handle)).queuePosition));
    expect(positions).toEqual([undefined, 0, 1, 2]);
  });

  it("returns a failed job with the server's error", async () => {
    const emu = await emulator();
    const result = await clientFor(emu).run("community/wan-2-2/vace-fun", {
      ...VACE_INPUT,
      prompt: "boom [emulator:fail]",
    });
    expect(result.status).toBe("failed");
    if (result.status !== "failed") return;
    expect(result.error).toEqual({
      type: "ExecutionError",
      message: "the workflow failed (requested by [emulator:fail])",
    });
    expect(result.message).toContain("the workflow failed");
  });

  it("cancels a queued job; a running one is not cancellable", async () => {
    const emu = await emulator({ capacity: 1, durationMs: (job) => (job.body["98_seed"] === 1 ? 1500 : 100) });
    const client = clientFor(emu);
    const running = await client.submit("community/wan-2-2/vace-fun", { ...VACE_INPUT, seed: 1 });
    const queued = await client.submit("community/wan-2-2/vace-fun", { ...VACE_INPUT, seed: 2 });
    await expect.poll(async () => (await client.status(running)).status).toBe("in_progress");
    expect(await client.cancel(queued)).toMatchObject({ outcome: "cancelled", status: "cancelled" });
    expect(await client.cancel(running)).toMatchObject({ outcome: "not_cancellable", status: "in_progress" });
    const cancelled = await client.wait(queued);
    expect(cancelled.status).toBe("cancelled");
    expect((await client.wait(running)).status).toBe("succeeded");
    expect((await client.result(queued)).status).toBe("cancelled");
  });

  it("gives up at the deadline and cancels the job while it is still queued", async () => {
    const emu = await emulator({ capacity: 1, durationMs: 2000 });
    const client = clientFor(emu);
    await client.submit("community/wan-2-2/vace-fun", { ...VACE_INPUT, seed: 1 });
    const handle = await client.submit("community/wan-2-2/vace-fun", { ...VACE_INPUT, seed: 2 });
    const error = await client.wait(handle, { timeoutMs: 250 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(error).toMatchObject({
      requestId: handle.requestId,
      modelId: handle.modelId,
      handle,
      outcome: { job: "cancelled", lastStatus: "in_queue" },
    });
    expect((error as Error).message).toContain("cancelled while still queued");
    expect(emu.job(handle.requestId)!.state).toBe("cancelled");
  });

  it("on timeout can leave the job running, and says so", async () => {
    const emu = await emulator({ capacity: 1, durationMs: 1000 });
    const client = clientFor(emu);
    const handle = await client.submit("community/wan-2-2/vace-fun", { ...VACE_INPUT, seed: 1 });
    const error = await client.wait(handle, { timeoutMs: 200, onTimeout: "leave" }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: "WaitTimeoutError", outcome: { job: "left-running" } });
    expect(emu.job(handle.requestId)!.state).toBe("in_progress");
  });

  it("a running job that times out is reported as not cancellable (it will be charged)", async () => {
    const emu = await emulator({ capacity: 1, durationMs: 1500 });
    const client = clientFor(emu);
    const handle = await client.submit("community/wan-2-2/vace-fun", { ...VACE_INPUT, seed: 1 });
    await expect.poll(async () => (await client.status(handle)).status).toBe("in_progress");
    const error = await client.wait(handle, { timeoutMs: 150 }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      name: "WaitTimeoutError",
      outcome: { job: "not-cancellable", lastStatus: "in_progress" },
    });
    expect((error as Error).message).toContain("will finish (and be charged)");
  });

  it("stops on abort, cancelling the queued job, with the handle to resume", async () => {
    const emu = await emulator({ capacity: 1, durationMs: 2000 });
    const client = clientFor(emu);
    await client.submit("community/wan-2-2/vace-fun", { ...VACE_INPUT, seed: 1 });
    const controller = new AbortController();
    const updates: string[] = [];
    const pending = client.run(
      "community/wan-2-2/vace-fun",
      { ...VACE_INPUT, seed: 2 },
      { signal: controller.signal, onStatus: (update) => updates.push(update.status) },
    );
    await expect.poll(() => updates.length).toBeGreaterThan(0);
    controller.abort();
    const error = await pending.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).outcome).toEqual({ job: "cancelled", lastStatus: "in_queue" });
    const handle = (error as AbortError).handle as { requestId: string };
    expect(emu.job(handle.requestId)!.state).toBe("cancelled");
  });

  it("an abort before submit sends nothing", async () => {
    const emu = await emulator();
    const controller = new AbortController();
    controller.abort();
    await expect(
      clientFor(emu).run("community/wan-2-2/vace-fun", { ...VACE_INPUT, seed: 1 }, { signal: controller.signal }),
    ).rejects.toBeInstanceOf(AbortError);
    expect(emu.stats().submits).toBe(0);
  });

  it("resumes from a serialised handle in another process", async () => {
    const emu = await emulator({ durationMs: 600 });
    const handle = await clientFor(emu).submit("community/fantasy-portrait/image-to-video", FANTASY_INPUT);
    const script = `
      import { createClient } from ${JSON.stringify(join(ROOT, "generated/index.js"))};
      const client = createClient({ poll: { minIntervalMs: 20 } });
      const result = await client.wait(JSON.parse(process.env.HANDLE));
      process.stdout.write(JSON.stringify({ status: result.status, output: result.output, requestId: result.requestId }));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], {
      env: {
        ...process.env,
        HANDLE: JSON.stringify(handle),
        RUNCOMFY_MODEL_API_BASE: `${emu.url}/v1`,
        RUNCOMFY_API_TOKEN: emu.token,
      },
    });
    expect(JSON.parse(stdout)).toEqual({
      status: "succeeded",
      requestId: handle.requestId,
      output: { video: `${emu.url}/files/${handle.requestId}/output.mp4` },
    });
  });

  it("stops on a status it does not know instead of polling forever", async () => {
    const emu = await emulator({
      faults: [
        {
          route: "status",
          fault: { type: "respond", status: 200, body: { request_id: "x", status: "paused_by_operator" } },
        },
      ],
    });
    const client = clientFor(emu, { poll: { minIntervalMs: 5, maxIntervalMs: 5, maxUnknownStatuses: 3 } });
    const statuses: boolean[] = [];
    const handle = await client.submit("community/wan-2-2/vace-fun", { ...VACE_INPUT, seed: 3 });
    const error = await client
      .wait(handle, { onStatus: (update) => statuses.push(update.known) })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: "UnknownStatusError", status: "paused_by_operator" });
    expect(statuses).toEqual([false, false, false, false]);
  });
});
