/**
 * When to ask for a job's status next: fast at first, then a fixed fraction
 * of the time already waited, so the delay between the job finishing and us
 * noticing stays under ~9 % of its run time (or half a second for short
 * jobs) while long jobs cost few calls. Jitter only ever shortens a delay.
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
  /** Fixed delay in milliseconds instead of the adaptive schedule (e.g. 2000 to mimic RunComfy's CLI). */
  readonly fixedIntervalMs?: number | undefined;
  /** How long `wait`/`run` wait before giving up, in milliseconds; `Infinity` waits forever. @default 1800000 (30 min) */
  readonly timeoutMs: number;
  /** Consecutive unknown statuses tolerated before `UnknownStatusError`. @default 10 */
  readonly maxUnknownStatuses: number;
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
};

/** Milliseconds to wait before the next status call, `elapsedMs` after submit. */
export function nextPollDelay(elapsedMs: number, policy: PollPolicy, random: () => number = Math.random): number {
  if (policy.fixedIntervalMs !== undefined) return policy.fixedIntervalMs;
  const base = Math.min(policy.maxIntervalMs, Math.max(policy.minIntervalMs, elapsedMs * policy.elapsedFraction));
  return Math.max(1, Math.round(base * (1 - policy.jitter * random())));
}
