/**
 * Fault soak: 1000 jobs against the emulator while it answers status, result
 * and cancel with 5xx, 429 + Retry-After, dropped connections (before and
 * after processing), slow answers and broken bodies (hung after the headers,
 * cut by a reset, trickled), says some finished results failed or are not
 * there yet (404 twice), refuses some submits with 503/429 and cuts the body
 * of some submit answers. Every job's result is retrieved, no submit is ever
 * sent twice, nothing is left unhandled, and the run ends by itself. Then an
 * abort storm: 600 queued run() calls aborted at once, in a child process.
 *
 * Submits go through a client with a long attempt timeout: on two shared
 * cores a timeout short enough to trip often would also trip on a healthy
 * submit, whose outcome is then unknown by design (so no hung body on
 * submit here; test/runtime/emulator-body-faults.test.ts has it). Status,
 * result and cancel go through a second client on the same emulator with a
 * short one, where timing out is harmless (retried), so hung bodies end soon.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FaultKind, FaultRule, Route } from "../../emulator/faults.ts";
import {
  RateLimitError,
  SubmitOutcomeUnknownError,
  type JobResult,
  type RequestHandle,
} from "../../generated/index.js";
import { runChildScript } from "../helpers/child.ts";
import { clientFor, emulator, SEED_INPUTS, VACE_INPUT } from "../helpers/emulator.ts";
import { SEED_IDS } from "../helpers/spec.ts";

const JOBS = 1000;
const CONCURRENCY = 100;
/** Every fourth job is cancelled right after it is queued (some still queued, some already running). */
const CANCEL_EVERY = 4;
/** Backoff stays at or below 5 ms and polls at or above 10 ms, so a 7 ms wait can only be a (capped) Retry-After. */
const RETRY = { maxRetries: 12, baseDelayMs: 2, maxDelayMs: 5, jitter: 0.25, maxRetryAfterMs: 7 };
const POLL = { minIntervalMs: 10, maxIntervalMs: 20, jitter: 0 };
const ATTEMPT_TIMEOUT_MS = 30_000;
/** Attempt timeout of the status/result/cancel client: a hung body costs this long, then is retried. */
const IDEMPOTENT_TIMEOUT_MS = 1_000;
const FAILED_CODE = 500100;

const rule = (route: Route, probability: number, fault: FaultKind): FaultRule => ({ route, probability, fault });
const IDEMPOTENT: readonly Route[] = ["status", "result", "cancel"];
/** One of each fault kind the assertions below count, served for sure (skip a few requests, then once), whatever the dice say. */
const CERTAIN: readonly FaultRule[] = [
  ...IDEMPOTENT.flatMap((route) =>
    (
      [
        { type: "respond", status: 503 },
        { type: "drop", phase: "after" },
        { type: "slow", delayMs: 40 },
        { type: "hang-body" },
        { type: "partial-body" },
        { type: "slow-body", durationMs: 40 },
      ] as const
    ).map((fault, index): FaultRule => ({ route, fault, skip: 3 + 2 * index, times: 1 })),
  ),
  { route: "status", fault: { type: "respond", status: 429, retryAfter: "1" }, skip: 20, times: 1 },
  { route: "result", fault: { type: "lagging", misses: 2 }, skip: 5, times: 1 },
  { route: "result", fault: { type: "failed", errorCode: FAILED_CODE }, skip: 9, times: 1 },
  { route: "submit", fault: { type: "partial-body" }, skip: 5, times: 1 },
  { route: "submit", fault: { type: "slow-body", durationMs: 40 }, skip: 9, times: 1 },
  { route: "submit", fault: { type: "respond", status: 503 }, skip: 13, times: 1 },
];
const FAULTS: readonly FaultRule[] = [
  ...CERTAIN,
  ...IDEMPOTENT.flatMap((route) => [
    rule(route, 0.06, { type: "respond", status: 503 }),
    rule(route, 0.04, { type: "respond", status: 500 }),
    rule(route, 0.05, { type: "respond", status: 429, retryAfter: "1" }),
    rule(route, 0.04, { type: "drop", phase: "before" }),
    rule(route, 0.04, { type: "drop", phase: "after" }),
    rule(route, 0.05, { type: "slow", delayMs: 40 }),
    rule(route, 0.02, { type: "slow", delayMs: 400 }),
    rule(route, 0.02, { type: "hang-body" }),
    rule(route, 0.03, { type: "partial-body" }),
    rule(route, 0.02, { type: "partial-body", bytes: 0 }),
    rule(route, 0.03, { type: "slow-body", durationMs: 40 }),
  ]),
  rule("result", 0.03, { type: "lagging", misses: 2 }),
  rule("result", 0.03, { type: "failed", errorCode: FAILED_CODE }),
  // Submit answers cut after the headers: the job is queued, the client cannot know it (SubmitOutcomeUnknownError).
  rule("submit", 0.02, { type: "partial-body" }),
  rule("submit", 0.03, { type: "slow-body", durationMs: 40 }),
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
    const submitter = clientFor(emu, { timeoutMs: ATTEMPT_TIMEOUT_MS, retry: RETRY, poll: POLL });
    const client = clientFor(emu, {
      logger,
      fetch: countingFetch,
      timeoutMs: IDEMPOTENT_TIMEOUT_MS,
      retry: RETRY,
      poll: POLL,
    });

    let submitCalls = 0;
    let refusedSubmits = 0;
    let unknownSubmits = 0;
    /**
     * Submits until queued. The client never repeats a submit: a 5xx is SubmitOutcomeUnknownError. This caller knows
     * the emulator's injected 5xx queue nothing, so it (not the client) submits again after one.
     */
    const submit = async (index: number): Promise<RequestHandle | undefined> => {
      for (;;) {
        submitCalls++;
        try {
          const id = SEED_IDS[index % SEED_IDS.length]!;
          return await submitter.submit(id, { ...SEED_INPUTS[id], seed: index } as never);
        } catch (error) {
          const refused =
            error instanceof RateLimitError ||
            (error instanceof SubmitOutcomeUnknownError && error.status !== undefined && error.status >= 500);
          // A body cut after a 200's headers: the job may be queued (it is, here); submitting again could pay twice.
          if (error instanceof SubmitOutcomeUnknownError && !refused) {
            unknownSubmits++;
            return undefined;
          }
          if (!refused) throw error;
          refusedSubmits++;
          await new Promise((done) => setTimeout(done, 2));
        }
      }
    };

    const all = await pool(JOBS, CONCURRENCY, async (index) => {
      const handle = await submit(index);
      if (handle === undefined) return undefined;
      const cancel = index % CANCEL_EVERY === 0 ? (await client.cancel(handle)).outcome : undefined;
      const result: JobResult<Record<string, unknown>> = await client.wait(handle, { timeoutMs: 60_000 });
      return { handle, cancel, result };
    });
    // Let any stray rejection surface before counting.
    await new Promise((done) => setTimeout(done, 50));

    expect(unhandled).toEqual([]);
    const jobs = all.filter((job) => job !== undefined);
    const stats = emu.stats();
    expect(stats).toMatchObject({ submits: JOBS, duplicateSubmits: 0, jobs: { queued: 0, running: 0, total: JOBS } });
    // Each submit call went out exactly once: the client repeated none, not even the refused ones.
    expect(stats.requests["submit"]).toBe(submitCalls);
    expect(refusedSubmits).toBeGreaterThan(0);
    // Exactly the submits whose answer was cut are of unknown outcome (each queued a job, none was sent again).
    expect(unknownSubmits).toBeGreaterThan(0);
    expect(unknownSubmits).toBe(stats.faults["submit:partial-body"]);
    expect(stats.faults["submit:slow-body"]).toBeGreaterThan(0);
    expect(jobs).toHaveLength(JOBS - unknownSubmits);

    for (const { handle, cancel, result } of jobs) {
      const job = emu.job(handle.requestId)!;
      expect(job.modelId).toBe(handle.modelId);
      expect(result.requestId).toBe(handle.requestId);
      if (result.status === "succeeded")
        expect(result.output).toEqual(job.outcome?.status === "succeeded" ? job.outcome.output : "no output");
      else if (result.status === "failed") expect([result.errorCode, job.state]).toEqual([FAILED_CODE, "completed"]);
      else expect([result.status, job.state]).toEqual(["cancelled", "cancelled"]);
      if (cancel === "cancelled") expect(result.status).toBe("cancelled");
      if (cancel === undefined) expect(result.status).not.toBe("cancelled");
    }
    // Each `failed` result is one the emulator said failed (read as a failed job, never an error retried).
    expect(jobs.filter((job) => job.result.status === "failed")).toHaveLength(stats.faults["result:failed"]!);
    expect(stats.faults["result:failed"]).toBeGreaterThan(0);
    expect(stats.faults["result:lagging"]).toBeGreaterThan(0);
    const cancelled = jobs.filter((job) => job.result.status === "cancelled").length;
    expect(cancelled).toBeGreaterThan(0);
    expect(cancelled).toBeLessThanOrEqual(JOBS / CANCEL_EVERY);

    // Every kind of fault was really served on every idempotent route.
    for (const route of IDEMPOTENT)
      for (const type of ["respond", "drop", "slow", "hang-body", "partial-body", "slow-body"])
        expect(stats.faults[`${route}:${type}`] ?? 0, `${route}:${type}`).toBeGreaterThan(0);
    // Every 429 on status/result/cancel was followed by a wait of its Retry-After (capped), never by plain backoff.
    expect(idempotent429s).toBeGreaterThan(0);
    const honoured = retryWaits.filter((wait) => wait.retryAfterMs !== undefined);
    expect(honoured).toHaveLength(idempotent429s);
    for (const wait of honoured) expect(wait.delayMs).toBe(RETRY.maxRetryAfterMs);
  }, 120_000);
});

describe("abort storm", () => {
  const ROOT = fileURLToPath(new URL("../..", import.meta.url));
  const RUNS = 600;
  const SUBMITTED_BEFORE_ABORT = 20;

  it(`${RUNS} queued run() calls aborted at once: no submit after the abort, every call an AbortError (or, if on the wire, SubmitOutcomeUnknownError), nothing unhandled, the process exits by itself`, async () => {
    // One worker and long jobs: the submitted ones stay queued or running (and are cancelled on abort).
    const emu = await emulator({ capacity: 1, durationMs: 60_000 });
    const script = `
      import { createClient, RunComfyError } from ${JSON.stringify(join(ROOT, "generated/index.js"))};
      const unhandled = [];
      process.on("unhandledRejection", (reason) => unhandled.push(String(reason)));
      const controller = new AbortController();
      let aborted = false;
      const posts = { submitsBefore: 0, submitsAfter: 0, cancels: 0, inFlightAtAbort: 0 };
      let inFlight = 0;
      const watched = async (input, init) => {
        const url = String(input);
        const submit = init?.method === "POST" && url.includes("/v1/models/");
        if (submit) {
          if (aborted) posts.submitsAfter++;
          else if (++posts.submitsBefore === ${SUBMITTED_BEFORE_ABORT})
            setTimeout(() => { aborted = true; posts.inFlightAtAbort = inFlight; controller.abort(); }, 0);
        } else if (init?.method === "POST") posts.cancels++;
        if (submit) inFlight++;
        try { return await fetch(input, init); } finally { if (submit) inFlight--; }
      };
      const client = createClient({ baseUrl: ${JSON.stringify(emu.url)}, token: ${JSON.stringify(emu.token)},
        fetch: watched, maxConcurrentRequests: 2, timeoutMs: 20000, poll: { minIntervalMs: 20, maxIntervalMs: 50 } });
      const input = ${JSON.stringify(VACE_INPUT)};
      const outcomes = await Promise.all(Array.from({ length: ${RUNS} }, (_, seed) =>
        client.run("community/wan-2-2/vace-fun", { ...input, seed }, { signal: controller.signal }).then(
          () => "resolved",
          (error) => (error instanceof RunComfyError ? error.name : "raw " + String(error?.name)),
        )));
      await new Promise((done) => setTimeout(done, 50));
      const names = {};
      for (const name of outcomes) names[name] = (names[name] ?? 0) + 1;
      process.stdout.write(JSON.stringify({ names, posts, unhandled, at: Date.now() }));
    `;
    const { stdout, stderr, exitedAt } = await runChildScript(script);
    const report = JSON.parse(stdout) as {
      names: Record<string, number>;
      posts: { submitsBefore: number; submitsAfter: number; cancels: number; inFlightAtAbort: number };
      unhandled: string[];
      at: number;
    };
    // A submit already on the wire when the signal fired may have queued its job: SubmitOutcomeUnknownError (at most
    // one per request slot); every other call is an AbortError, also those whose job was queued (then cancelled).
    const { AbortError: aborts = 0, SubmitOutcomeUnknownError: unknown = 0, ...others } = report.names;
    expect(others).toEqual({});
    expect(aborts + unknown).toBe(RUNS);
    expect(unknown).toBeLessThanOrEqual(2);
    expect(report.posts.submitsAfter).toBe(0);
    expect(report.posts.submitsBefore).toBeGreaterThanOrEqual(SUBMITTED_BEFORE_ABORT);
    // The server saw only submits started before the abort (one cut off on the wire may not have arrived).
    const seen = emu.stats().requests["submit"]!;
    expect(seen).toBeLessThanOrEqual(report.posts.submitsBefore);
    expect(seen).toBeGreaterThanOrEqual(report.posts.submitsBefore - unknown);
    expect(report.unhandled).toEqual([]);
    expect(stderr).not.toContain("MaxListenersExceededWarning");
    // Nothing of the client kept the child alive: no armed timer, no held socket (bound generous for busy machines).
    expect(exitedAt - report.at).toBeLessThan(5_000);
  }, 60_000);
});
