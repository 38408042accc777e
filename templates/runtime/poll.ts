/**
 * When to ask for a job's status next: fast at first, then a fixed fraction
 * of the time already waited, so the delay between the job finishing and us
 * noticing stays under ~9 % of its run time (or half a second for short
 * jobs) while long jobs cost few calls. Jitter only ever shortens a delay.
 *
 * All waits of one client share a budget of status calls per second: with
 * many jobs waiting, each one's delay is at least `waiting / budget`
 * seconds, so the client's poll rate stays near the budget however many jobs
 * wait, while one job (or a few) polls on its own schedule.
 */

export interface PollPolicy {
  /** Shortest delay between status calls, and the first one after submit, in milliseconds. @default 500 */
  readonly minIntervalMs: number;
  /** Delay as a fraction of the time waited so far. @default 0.09 */
  readonly elapsedFraction: number;
  /** Longest delay between status calls, in milliseconds. @default 30000 */
  readonly maxIntervalMs: number;
  /** Fraction of each delay randomly taken off, so many clients do not poll in step. @default 0.1 */
  readonly jitter: number;
  /** Fixed delay in milliseconds instead of the adaptive schedule (e.g. 2000 to mimic RunComfy's CLI). @default none (the adaptive schedule) */
  readonly fixedIntervalMs?: number | undefined;
  /** How long `wait`/`run` wait before giving up, in milliseconds; `Infinity` waits forever. @default 1800000 (30 min) */
  readonly timeoutMs: number;
  /** Consecutive unknown statuses tolerated before `UnknownStatusError`. @default 10 */
  readonly maxUnknownStatuses: number;
  /**
   * Status calls per second that all waits of one client share (a number above 0, or `Infinity` for no budget):
   * with `n` jobs waiting, a job's next poll is at least `n / budgetPerSecond` seconds away (possibly beyond
   * `maxIntervalMs`), so ten thousand waiting jobs cost about this many calls a second, not thousands; a job
   * waiting alone keeps its schedule. @default 100
   */
  readonly budgetPerSecond: number;
}

/** `poll` as an option: any subset of the policy; a key given as `undefined` keeps its default. */
export type PollOptions = { readonly [K in keyof PollPolicy]?: PollPolicy[K] | undefined };

export const DEFAULT_POLL_POLICY: PollPolicy = {
  minIntervalMs: 500,
  elapsedFraction: 0.09,
  maxIntervalMs: 30_000,
  jitter: 0.1,
  timeoutMs: 30 * 60_000,
  maxUnknownStatuses: 10,
  budgetPerSecond: 100,
};

/** Milliseconds to wait before the next status call, `elapsedMs` after submit. */
export function nextPollDelay(elapsedMs: number, policy: PollPolicy, random: () => number = Math.random): number {
  if (policy.fixedIntervalMs !== undefined) return policy.fixedIntervalMs;
  const base = Math.min(policy.maxIntervalMs, Math.max(policy.minIntervalMs, elapsedMs * policy.elapsedFraction));
  return Math.max(1, Math.round(base * (1 - policy.jitter * random())));
}

// Imported here, not above the module's comment: a value-only import is dropped from the declarations with the
// comments before it.
import { MAX_TIMER_MS } from "./http.js";

/**
 * The delay `baseDelay` (from `nextPollDelay`), stretched so that `waitingJobs`
 * jobs polling at it stay within `budgetPerSecond` status calls per second:
 * at least `waitingJobs / budgetPerSecond` seconds. One job, an unlimited
 * (`Infinity`) budget, or a count or budget that is not a positive number
 * leave `baseDelay` as it is; the result never exceeds the longest timer.
 */
export function budgetedPollDelay(baseDelay: number, waitingJobs: number, budgetPerSecond: number): number {
  if (!(waitingJobs > 1) || !(budgetPerSecond > 0) || budgetPerSecond === Number.POSITIVE_INFINITY) return baseDelay;
  const spread = Math.ceil((Math.min(waitingJobs, Number.MAX_SAFE_INTEGER) * 1000) / budgetPerSecond);
  return Math.min(MAX_TIMER_MS, Math.max(baseDelay, spread));
}
