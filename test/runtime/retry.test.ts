/**
 * Retries against the emulator's fault injection: delays asserted (backoff,
 * cap, jitter, Retry-After in its three forms), and a paid submit that is
 * never sent twice.
 */
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { SubmitOutcomeUnknownError, type Clock } from "../../generated/index.js";
import { clientFor, emulator, recordingClock, VACE_INPUT } from "../helpers/emulator.ts";

describe("retry delays of status/result/cancel", () => {
  it("backs off exponentially from 500 ms", async () => {
    const emu = await emulator({ faults: [{ route: "status", fault: { type: "respond", status: 503 }, times: 3 }] });
    const { clock, sleeps } = recordingClock();
    const handle = await clientFor(emu).submit("community/wan-2-2/vace-fun", VACE_INPUT);
    expect((await clientFor(emu, { clock }).status(handle)).status).toMatch(/in_queue|in_progress|completed/);
    expect(sleeps).toEqual([500, 1000, 2000]);
    expect(emu.stats().requests["status"]).toBe(4);
  });

  it("caps a single delay at maxDelayMs and gives up after maxRetries", async () => {
    const emu = await emulator({ faults: [{ route: "result", fault: { type: "respond", status: 500 } }] });
    const { clock, sleeps } = recordingClock();
    const error = await clientFor(emu, { clock, retry: { maxRetries: 6 } })
      .result("r1")
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: "InternalServerError", status: 500 });
    expect(sleeps).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
    expect(emu.stats().requests["result"]).toBe(7);
  });

  it("applies jitter by shortening delays (at most 25 %)", async () => {
    const emu = await emulator({ faults: [{ route: "status", fault: { type: "respond", status: 502 }, times: 2 }] });
    const { clock, sleeps } = recordingClock();
    const maxJitter: Clock = { ...clock, random: () => 1 };
    await clientFor(emu, { clock: maxJitter })
      .status("r1")
      .catch(() => undefined);
    expect(sleeps).toEqual([375, 750]);
  });

  it.each([
    ["Retry-After in seconds", { retryAfter: "2" }, 2000],
    ["Retry-After above the cap", { retryAfter: "120" }, 60_000],
    ["Retry-After-Ms", { headers: { "retry-after-ms": "1500" } }, 1500],
  ])("honours %s", async (_, extra, expected) => {
    const emu = await emulator({
      faults: [{ route: "status", fault: { type: "respond", status: 429, ...extra }, times: 1 }],
    });
    const { clock, sleeps } = recordingClock();
    await clientFor(emu, { clock })
      .status("r1")
      .catch(() => undefined);
    expect(sleeps[0]).toBe(expected);
  });

  it("honours Retry-After as an HTTP date", async () => {
    const date = new Date(Date.now() + 5000).toUTCString();
    const emu = await emulator({
      faults: [{ route: "cancel", fault: { type: "respond", status: 503, retryAfter: date }, times: 1 }],
    });
    const { clock, sleeps } = recordingClock();
    await clientFor(emu, { clock })
      .cancel("r1")
      .catch(() => undefined);
    expect(sleeps[0]).toBeGreaterThan(3000);
    expect(sleeps[0]).toBeLessThanOrEqual(5000);
  });

  it("retries dropped connections and slow answers (per-attempt timeout) on idempotent calls", async () => {
    const emu = await emulator({
      faults: [
        { route: "status", fault: { type: "drop" }, times: 1 },
        { route: "status", fault: { type: "slow", delayMs: 400 }, times: 1 },
      ],
    });
    const { clock, sleeps } = recordingClock();
    const handle = await clientFor(emu).submit("community/wan-2-2/vace-fun", VACE_INPUT);
    const info = await clientFor(emu, { clock, timeoutMs: 150 }).status(handle);
    expect(info.requestId).toBe(handle.requestId);
    expect(sleeps).toEqual([500, 1000]);
  });
});

describe("a paid submit is never sent twice", () => {
  it.each([
    ["HTTP 500", { type: "respond", status: 500 } as const, 0],
    ["HTTP 429", { type: "respond", status: 429, retryAfter: "1" } as const, 0],
    ["a connection dropped before processing", { type: "drop", phase: "before" } as const, 0],
    ["a connection dropped after the job was created", { type: "drop", phase: "after" } as const, 1],
  ])("on %s: one request, no retry", async (_, fault, jobs) => {
    const emu = await emulator({ faults: [{ route: "submit", fault, times: 1 }] });
    const error = await clientFor(emu)
      .submit("community/wan-2-2/vace-fun", { ...VACE_INPUT, seed: 1 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    if (fault.type === "drop") {
      expect(error).toBeInstanceOf(SubmitOutcomeUnknownError);
      expect((error as Error).message).toContain("may or may not have been queued");
    }
    expect(emu.stats().requests["submit"]).toBe(1);
    expect(emu.stats().submits).toBe(jobs);
  });

  it("on a timeout after sending: one request, outcome unknown", async () => {
    const emu = await emulator({ faults: [{ route: "submit", fault: { type: "slow", delayMs: 500 }, times: 1 }] });
    const error = await clientFor(emu, { timeoutMs: 100 })
      .submit("community/wan-2-2/vace-fun", { ...VACE_INPUT, seed: 1 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SubmitOutcomeUnknownError);
    await new Promise((done) => setTimeout(done, 600));
    expect(emu.stats().requests["submit"]).toBe(1);
  });

  it("is retried when the connection was provably refused, and then sent exactly once", async () => {
    const emu = await emulator();
    // A port nobody listens on: the first attempt gets a real ECONNREFUSED.
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    let attempts = 0;
    const refusingOnce: typeof fetch = (input, init) => {
      attempts++;
      const url = attempts === 1 ? String(input).replace(emu.url, `http://127.0.0.1:${closedPort}`) : input;
      return fetch(url, init);
    };
    const { clock, sleeps } = recordingClock();
    const handle = await clientFor(emu, { fetch: refusingOnce, clock }).submit("community/wan-2-2/vace-fun", {
      ...VACE_INPUT,
      seed: 1,
    });
    expect(handle.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(attempts).toBe(2);
    expect(sleeps).toEqual([500]);
    expect(emu.stats()).toMatchObject({ submits: 1, duplicateSubmits: 0 });
  });

  it("many jobs under faults on status/result/cancel: all finish, zero duplicate submits", async () => {
    const emu = await emulator({
      capacity: 4,
      durationMs: 60,
      faults: [
        { route: "status", fault: { type: "respond", status: 503 }, probability: 0.2 },
        { route: "status", fault: { type: "respond", status: 429, retryAfter: "0" }, probability: 0.1 },
        { route: "result", fault: { type: "drop" }, probability: 0.2 },
        { route: "status", fault: { type: "slow", delayMs: 30 }, probability: 0.1 },
      ],
    });
    const client = clientFor(emu, { retry: { baseDelayMs: 5, maxDelayMs: 40, maxRetries: 8 } });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, seed) => client.run("community/wan-2-2/vace-fun", { ...VACE_INPUT, seed })),
    );
    expect(results.map((result) => result.status)).toEqual(Array(30).fill("succeeded"));
    expect(emu.stats()).toMatchObject({ submits: 30, duplicateSubmits: 0 });
    expect(emu.stats().requests["submit"]).toBe(30);
    expect(Object.values(emu.stats().faults).reduce((sum, count) => sum + count, 0)).toBeGreaterThan(10);
  });
});

describe("many calls at once", () => {
  it("keep at most maxConcurrentRequests in flight per client", async () => {
    const emu = await emulator({ faults: [{ route: "status", fault: { type: "slow", delayMs: 80 } }] });
    const client = clientFor(emu, { maxConcurrentRequests: 2 });
    const handles = await Promise.all(
      Array.from({ length: 3 }, (_, seed) => client.submit("community/wan-2-2/vace-fun", { ...VACE_INPUT, seed })),
    );
    const before = emu.stats().peakInFlight;
    const infos = await Promise.all([...handles, ...handles].map((handle) => client.status(handle)));
    expect(infos).toHaveLength(6);
    expect(before).toBeLessThanOrEqual(2);
    expect(emu.stats().peakInFlight).toBe(2);
  });
});

describe("request rate cap", () => {
  it("spaces request starts to maxRequestsPerSecond once the one-second burst is spent", async () => {
    const emu = await emulator();
    const { clock, sleeps } = recordingClock(50);
    const client = clientFor(emu, { clock, maxRequestsPerSecond: 4 });
    const infos = await Promise.all(
      Array.from({ length: 6 }, () => client.status("missing").catch((error: Error) => error.name)),
    );
    expect(infos).toEqual(Array(6).fill("NotFoundError"));
    // Four pass at once (the burst); the fifth and sixth each wait about a quarter of a second for a token.
    expect(sleeps.length).toBeGreaterThanOrEqual(2);
    for (const ms of sleeps) expect(ms).toBeGreaterThan(0);
    expect(sleeps.every((ms) => ms <= 250)).toBe(true);
  });
});
