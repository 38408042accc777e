/**
 * Fault soak: 1000 jobs through one client against the emulator while it
 * answers status, result and cancel with 5xx, 429 + Retry-After, dropped
 * connections (before and after processing) and slow answers, and refuses
 * some submits with 503/429. Every job's result is retrieved, no submit is
 * ever sent twice, nothing is left unhandled, and the run ends by itself.
 *
 * Slow answers stay under the per-attempt timeout: on two shared cores a
 * timeout short enough to trip often would also trip on a healthy submit,
 * whose outcome is then unknown by design. Timeouts are tested on their own
 * in test/runtime/retry.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FaultKind, FaultRule, Route } from "../../emulator/faults.ts";
import {
  RateLimitError,
  SubmitOutcomeUnknownError,
  type JobResult,
  type RequestHandle,
} from "../../generated/index.js";
import { clientFor, emulator, SEED_INPUTS } from "../helpers/emulator.ts";
import { SEED_IDS } from "../helpers/spec.ts";

const JOBS = 1000;
const CONCURRENCY = 100;
/** Every fourth job is cancelled right after it is queued (some still queued, some already running). */
const CANCEL_EVERY = 4;
/** Backoff stays at or below 5 ms and polls at or above 10 ms, so a 7 ms wait can only be a (capped) Retry-After. */
const RETRY = { maxRetries: 12, baseDelayMs: 2, maxDelayMs: 5, jitter: 0.25, maxRetryAfterMs: 7 };
const POLL = { minIntervalMs: 10, maxIntervalMs: 20, jitter: 0 };
const ATTEMPT_TIMEOUT_MS = 30_000;

const rule = (route: Route, probability: number, fault: FaultKind): FaultRule => ({ route, probability, fault });
const IDEMPOTENT: readonly Route[] = ["status", "result", "cancel"];
const FAULTS: readonly FaultRule[] = [
  ...IDEMPOTENT.flatMap((route) => [
    rule(route, 0.06, { type: "respond", status: 503 }),
    rule(route, 0.04, { type: "respond", status: 500 }),
    rule(route, 0.05, { type: "respond", status: 429, retryAfter: "1" }),
    rule(route, 0.04, { type: "drop", phase: "before" }),
    rule(route, 0.04, { type: "drop", phase: "after" }),
    rule(route, 0.05, { type: "slow", delayMs: 40 }),
    rule(route, 0.02, { type: "slow", delayMs: 400 }),
  ]),
  // Refused submits: the server answered, nothing was queued, and the client must not repeat them itself.
  rule("submit", 0.03, { type: "respond", status: 503 }),
  rule("submit", 0.03, { type: "respond", status: 429, retryAfter: "1" }),
];

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};
beforeEach(() => {
  process.on("unhandledRejection", onUnhandled);
  process.on("uncaughtException", onUnhandled);
});
afterEach(() => {
  process.off("unhandledRejection", onUnhandled);
  process.off("uncaughtException", onUnhandled);
});

/** Runs `task(0 … count-1)` with at most `limit` in flight. */
async function pool<T>(count: number, limit: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

describe("fault soak", () => {
  it(`runs ${JOBS} jobs under faults: every result retrieved, zero duplicate submits, zero unhandled rejections`, async () => {
    // One worker: whenever a job runs, the next ones queue, so some cancels find their job still queued.
    const emu = await emulator({ capacity: 1, durationMs: 10, faults: FAULTS, seed: 7 });
    // Retries are logged with the delay they wait and the Retry-After they honour (the poll scheduler sleeps too, so sleeps alone cannot tell).
    const retryWaits: { delayMs: number; retryAfterMs?: number }[] = [];
    const logger = {
      error: () => undefined,
      info: () => undefined,
      debug: () => undefined,
      warn: (_message: string, data?: Record<string, unknown>) => {
        if (data && typeof data["delayMs"] === "number")
          retryWaits.push(data as { delayMs: number; retryAfterMs?: number });
      },
    };
    let idempotent429s = 0;
    const countingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (response.status === 429 && !String(input).includes("/v1/models/")) idempotent429s++;
      return response;
    };
    const client = clientFor(emu, {
      logger,
      fetch: countingFetch,
      timeoutMs: ATTEMPT_TIMEOUT_MS,
      retry: RETRY,
      poll: POLL,
    });

    let submitCalls = 0;
    let refusedSubmits = 0;
    /**
     * Submits until queued. The client never repeats a submit: a 5xx is SubmitOutcomeUnknownError. This caller knows
     * the emulator's injected 5xx queue nothing, so it (not the client) submits again after one.
     */
    const submit = async (index: number): Promise<RequestHandle> => {
      for (;;) {
        submitCalls++;
        try {
          const id = SEED_IDS[index % SEED_IDS.length]!;
          return await client.submit(id, { ...SEED_INPUTS[id], seed: index } as never);
        } catch (error) {
          const refused =
            error instanceof RateLimitError ||
            (error instanceof SubmitOutcomeUnknownError && error.status !== undefined && error.status >= 500);
          if (!refused) throw error;
          refusedSubmits++;
          await new Promise((done) => setTimeout(done, 2));
        }
      }
    };

    const jobs = await pool(JOBS, CONCURRENCY, async (index) => {
      const handle = await submit(index);
      const cancel = index % CANCEL_EVERY === 0 ? (await client.cancel(handle)).outcome : undefined;
      const result: JobResult<Record<string, unknown>> = await client.wait(handle, { timeoutMs: 60_000 });
      return { handle, cancel, result };
    });
    // Let any stray rejection surface before counting.
    await new Promise((done) => setTimeout(done, 50));

    expect(unhandled).toEqual([]);
    const stats = emu.stats();
    expect(stats).toMatchObject({ submits: JOBS, duplicateSubmits: 0, jobs: { queued: 0, running: 0, total: JOBS } });
    // Each submit call went out exactly once: the client repeated none, not even the refused ones.
    expect(stats.requests["submit"]).toBe(submitCalls);
    expect(refusedSubmits).toBeGreaterThan(0);

    for (const { handle, cancel, result } of jobs) {
      const job = emu.job(handle.requestId)!;
      expect(job.modelId).toBe(handle.modelId);
      expect(result.requestId).toBe(handle.requestId);
      if (result.status === "succeeded")
        expect(result.output).toEqual(job.outcome?.status === "succeeded" ? job.outcome.output : "no output");
      else expect([result.status, job.state]).toEqual(["cancelled", "cancelled"]);
      if (cancel === "cancelled") expect(result.status).toBe("cancelled");
      if (cancel === undefined) expect(result.status).toBe("succeeded");
    }
    const cancelled = jobs.filter((job) => job.result.status === "cancelled").length;
    expect(cancelled).toBeGreaterThan(0);
    expect(cancelled).toBeLessThanOrEqual(JOBS / CANCEL_EVERY);

    // Every kind of fault was really served on every idempotent route.
    for (const route of IDEMPOTENT)
      for (const type of ["respond", "drop", "slow"])
        expect(stats.faults[`${route}:${type}`] ?? 0, `${route}:${type}`).toBeGreaterThan(0);
    // Every 429 on status/result/cancel was followed by a wait of its Retry-After (capped), never by plain backoff.
    expect(idempotent429s).toBeGreaterThan(0);
    const honoured = retryWaits.filter((wait) => wait.retryAfterMs !== undefined);
    expect(honoured).toHaveLength(idempotent429s);
    for (const wait of honoured) expect(wait.delayMs).toBe(RETRY.maxRetryAfterMs);
  }, 120_000);
});
