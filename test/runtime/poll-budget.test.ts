/**
 * The per-client poll budget (issue 10, scale with default options): the pure
 * delay function, the scheduler spreading the polls of many waiting jobs
 * while one job keeps its schedule, the option's checks, and the slot queue
 * that submits wait in. Virtual time only: no timed assertion.
 */
import { describe, expect, it } from "vitest";
import { ConfigurationError, createClient, type Clock, type RequestHandle } from "../../generated/index.js";
import { DEFAULT_POLL_POLICY, nextPollDelay } from "../../generated/runtime/internal.js";
import { budgetedPollDelay } from "../../generated/runtime/poll.js";
import { SlotQueue } from "../../generated/runtime/scheduler.js";
import { resolveWaitOptions } from "../../generated/runtime/wait.js";

const MAX_TIMER = 2_147_483_647;

describe("budgetedPollDelay", () => {
  it.each([
    // [base delay, waiting jobs, budget per second, expected]
    [500, 1, 100, 500],
    [500, 2, 100, 500],
    [500, 50, 100, 500],
    [500, 51, 100, 510],
    [500, 200, 100, 2000],
    [500, 10_000, 100, 100_000],
    [2000, 10_000, 1000, 10_000],
    [30_000, 10_000, 100, 100_000],
    [120_000, 10_000, 100, 120_000],
    [500, 3, 7, 500],
    [500, 3, 5, 600],
    [500, 0, 100, 500],
    [500, -5, 100, 500],
    [500, Number.NaN, 100, 500],
    [500, undefined, 100, 500],
    [500, Number.POSITIVE_INFINITY, 100, MAX_TIMER],
    [500, 10_000, Number.POSITIVE_INFINITY, 500],
    [500, 10_000, 0, 500],
    [500, 10_000, -1, 500],
    [500, 10_000, Number.NaN, 500],
    [500, 10_000, undefined, 500],
    [500, 10_000, 1e-9, MAX_TIMER],
  ])("base %j ms, %j waiting, budget %j/s → %j ms", (base, waiting, budget, expected) => {
    expect(budgetedPollDelay(base, waiting as number, budget as number)).toBe(expected);
  });

  it("keeps n jobs polling at the spread delay within the budget", () => {
    for (const [jobs, budget] of [
      [10, 100],
      [1000, 100],
      [10_000, 100],
      [10_000, 250],
      [777, 33],
    ] as const) {
      const delay = budgetedPollDelay(DEFAULT_POLL_POLICY.minIntervalMs, jobs, budget);
      expect((jobs * 1000) / delay).toBeLessThanOrEqual(budget);
    }
  });

  it("defaults to 100 status calls per second per client", () => {
    expect(DEFAULT_POLL_POLICY.budgetPerSecond).toBe(100);
  });
});

describe("poll.budgetPerSecond option", () => {
  it.each([Number.NaN, 0, -1, Number.NEGATIVE_INFINITY, "100", null, true, {}])("refuses %j", (value) => {
    expect(() => createClient({ token: "t", poll: { budgetPerSecond: value as number } })).toThrow(ConfigurationError);
    expect(() => createClient({ token: "t", poll: { budgetPerSecond: value as number } })).toThrow(
      /poll\.budgetPerSecond must be a number above 0, or Infinity, got /,
    );
    expect(() => resolveWaitOptions({ poll: { budgetPerSecond: value } }, DEFAULT_POLL_POLICY)).toThrow(
      /poll\.budgetPerSecond must be a number above 0, or Infinity/,
    );
  });

  it.each([0.5, 1, 100, 5000, Number.POSITIVE_INFINITY])("accepts %j", (value) => {
    expect(resolveWaitOptions({ poll: { budgetPerSecond: value } }, DEFAULT_POLL_POLICY).policy.budgetPerSecond).toBe(
      value,
    );
    expect(() => createClient({ token: "t", poll: { budgetPerSecond: value } })).not.toThrow();
  });

  it("explicit undefined is the default", () => {
    expect(
      resolveWaitOptions({ poll: { budgetPerSecond: undefined } }, DEFAULT_POLL_POLICY).policy.budgetPerSecond,
    ).toBe(100);
    expect(() => createClient({ token: "t", poll: { budgetPerSecond: undefined } })).not.toThrow();
  });
});

/** A clock whose time moves only when `runUntil` fires the next timer; random() is 0 (no jitter). */
function virtualClock(start: number): { clock: Clock; runUntil: (end: number) => Promise<void> } {
  let now = start;
  interface Timer {
    readonly at: number;
    readonly resolve: () => void;
    done: boolean;
  }
  let timers: Timer[] = [];
  const clock: Clock = {
    now: () => now,
    random: () => 0,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason as Error);
        const timer: Timer = { at: now + ms, resolve, done: false };
        timers.push(timer);
        signal?.addEventListener(
          "abort",
          () => {
            if (timer.done) return;
            timer.done = true;
            reject(signal.reason as Error);
          },
          { once: true },
        );
      }),
  };
  const flush = async (): Promise<void> => {
    for (let round = 0; round < 4; round++) await new Promise((resolve) => setImmediate(resolve));
  };
  const runUntil = async (end: number): Promise<void> => {
    for (;;) {
      await flush();
      timers = timers.filter((timer) => !timer.done);
      if (timers.length === 0) return;
      const next = timers.reduce((a, b) => (b.at < a.at ? b : a));
      if (next.at > end) {
        now = end;
        return;
      }
      now = Math.max(now, next.at);
      next.done = true;
      next.resolve();
    }
  };
  return { clock, runUntil };
}

/** Waits `jobs` never-ending jobs on one client for `seconds` of virtual time; returns each job's status-call times. */
async function pollTimes(
  jobs: number,
  seconds: number,
  budgetPerSecond?: number,
): Promise<{ times: number[][]; start: number }> {
  const start = Date.parse("2026-01-01T00:00:00Z");
  const { clock, runUntil } = virtualClock(start);
  const times: number[][] = Array.from({ length: jobs }, () => []);
  const fetch = async (url: string | URL | Request): Promise<Response> => {
    const match = /\/requests\/job-(\d+)\/status$/.exec(String(url));
    if (match) times[Number(match[1])]!.push(clock.now() - start);
    return new Response(JSON.stringify({ status: "in_progress" }), {
      status: 200,
      headers: { "content-type": "application/json" },
    });
  };
  const client = createClient({
    baseUrl: "http://127.0.0.1:9",
    token: "t",
    fetch: fetch as typeof globalThis.fetch,
    clock,
    ...(budgetPerSecond === undefined ? {} : { poll: { budgetPerSecond } }),
  });
  const controller = new AbortController();
  const waits = times.map((_, index) => {
    const handle: RequestHandle = {
      modelId: "acme/model",
      requestId: `job-${index}`,
      submittedAt: new Date(start).toISOString(),
    };
    return client
      .wait(handle, { signal: controller.signal, onAbort: "leave", timeoutMs: Infinity })
      .catch(() => "stopped");
  });
  await runUntil(start + seconds * 1000);
  controller.abort();
  expect(await Promise.all(waits)).toEqual(times.map(() => "stopped"));
  return { times, start };
}

const gaps = (list: readonly number[]): number[] => list.slice(1).map((time, index) => time - list[index]!);

describe("the shared poll budget on the scheduler", () => {
  it("leaves a single job's schedule as it is (the budget never stretches one job)", async () => {
    const budgeted = await pollTimes(1, 120);
    const unlimited = await pollTimes(1, 120, Number.POSITIVE_INFINITY);
    expect(budgeted.times[0]).toEqual(unlimited.times[0]);
    // And that schedule is the plain adaptive one: 500 ms at first, then 9 % of the time waited.
    let elapsed = 0;
    const expected: number[] = [];
    for (;;) {
      elapsed += nextPollDelay(elapsed, DEFAULT_POLL_POLICY, () => 0);
      if (elapsed > 120_000) break;
      expected.push(elapsed);
    }
    expect(budgeted.times[0]).toEqual(expected);
  });

  it("spreads the polls of many waiting jobs: each job's gap grows with their number, the client's rate stays in budget", async () => {
    const jobs = 400;
    const { times } = await pollTimes(jobs, 60);
    // After the first round, no job polls more often than every jobs / budget seconds (400 / 100 = 4 s).
    for (const list of times) {
      expect(list.length).toBeGreaterThan(1);
      for (const gap of gaps(list.filter((time) => time >= 4000))) expect(gap).toBeGreaterThanOrEqual(4000);
    }
    // The client's status calls per 10 s window stay within the budget (100/s), give or take one round.
    const all = times.flat();
    for (let window = 0; window < 60; window += 10) {
      const inWindow = all.filter((time) => time >= window * 1000 && time < (window + 10) * 1000).length;
      expect(inWindow).toBeLessThanOrEqual(100 * 10 + jobs * 0.1);
    }
  });

  it("without the budget (Infinity) the same jobs poll at their own pace: far more calls", async () => {
    const jobs = 400;
    const budgeted = (await pollTimes(jobs, 30)).times.flat().length;
    const unlimited = (await pollTimes(jobs, 30, Number.POSITIVE_INFINITY)).times.flat().length;
    expect(unlimited).toBeGreaterThan(budgeted * 3);
  });

  it("a few jobs (fewer than budget × minIntervalMs) keep their own schedule", async () => {
    const few = await pollTimes(20, 60);
    const alone = await pollTimes(1, 60);
    for (const list of few.times) expect(list).toEqual(alone.times[0]);
  });
});

describe("SlotQueue (submits wait here before their body is built)", () => {
  it("holds at most `limit`, hands a freed slot to the first in line, and an abort takes a waiter out at once", async () => {
    const queue = new SlotQueue(2);
    const order: string[] = [];
    const first = await queue.enter();
    const second = await queue.enter();
    const controller = new AbortController();
    const third = Promise.resolve(queue.enter(controller.signal)).then((release) => {
      order.push("third");
      return release;
    });
    const fourth = Promise.resolve(queue.enter()).then((release) => {
      order.push("fourth");
      return release;
    });
    expect(queue.size).toEqual({ active: 2, waiting: 2 });
    controller.abort();
    const thirdRelease = await third;
    expect(controller.signal.aborted).toBe(true);
    expect(queue.size).toEqual({ active: 2, waiting: 1 });
    thirdRelease(); // a no-op: it never held a slot
    expect(queue.size).toEqual({ active: 2, waiting: 1 });
    first();
    first(); // releasing twice frees one slot only
    const fourthRelease = await fourth;
    expect(order).toEqual(["third", "fourth"]);
    expect(queue.size).toEqual({ active: 2, waiting: 0 });
    second();
    fourthRelease();
    expect(queue.size).toEqual({ active: 0, waiting: 0 });
    expect(Promise.resolve(queue.enter(AbortSignal.abort()))).toBeInstanceOf(Promise);
    expect(queue.size).toEqual({ active: 0, waiting: 0 });
  });
});
