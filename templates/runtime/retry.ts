/**
 * Retry decisions as pure functions (easy to test, no I/O, no clock).
 *
 * Status, result and cancel are safe to repeat and retry on 429, 5xx and
 * connection errors. A paid submit has no idempotency key: it is retried only
 * when the request provably never reached the server (the connection was
 * refused or the host did not resolve), never on a response and never on a
 * connection that broke mid-request.
 */

export interface RetryPolicy {
  /** Retries after the first attempt. @default 4 */
  readonly maxRetries: number;
  /** First backoff delay in milliseconds. @default 500 */
  readonly baseDelayMs: number;
  /** Upper bound of a computed backoff delay, in milliseconds. @default 8000 */
  readonly maxDelayMs: number;
  /** Fraction of each delay that is randomised away (0 = none, 0.25 = up to 25 % shorter). @default 0.25 */
  readonly jitter: number;
  /** Longest `Retry-After` honoured, in milliseconds; longer requests are capped to this. @default 60000 */
  readonly maxRetryAfterMs: number;
}

/** `retry` as an option: any subset of the policy; a key given as `undefined` keeps its default. */
export type RetryOptions = { readonly [K in keyof RetryPolicy]?: RetryPolicy[K] | undefined };

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 4,
  baseDelayMs: 500,
  maxDelayMs: 8000,
  jitter: 0.25,
  maxRetryAfterMs: 60_000,
};

/** HTTP statuses worth retrying for idempotent calls. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Exponential backoff for retry number `retry` (1 = first retry):
 * `baseDelayMs × 2^(retry-1)`, capped at `maxDelayMs`, minus up to `jitter` of it.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const raw = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(raw * (1 - policy.jitter * random()));
}

const DELAY_NUMBER = /^\s*\d+(\.\d+)?\s*$/;
/** An HTTP date (IMF-fixdate, RFC 850 or asctime): starts with a day name. */
const HTTP_DATE = /^\s*(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s+\S/i;

/**
 * Milliseconds the server asked to wait, from `Retry-After-Ms` (milliseconds)
 * or `Retry-After` (seconds or an HTTP date); undefined when absent or not
 * one of those forms (a negative number, `soon`, or a bare `-5`, which
 * `Date.parse` would read as the year 2001, are ignored).
 */
export function parseRetryAfter(headers: { get(name: string): string | null }, now: number): number | undefined {
  const ms = headers.get("retry-after-ms");
  if (ms !== null && DELAY_NUMBER.test(ms)) return Math.round(Number(ms));
  const value = headers.get("retry-after");
  if (value === null) return undefined;
  if (DELAY_NUMBER.test(value)) return Math.round(Number(value) * 1000);
  if (!HTTP_DATE.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The sleep before a retry, cut to the time left before `deadline`
 * (undefined: no deadline); undefined when the deadline has come, so the
 * call ends there instead of retrying.
 */
export function sleepWithin(delayMs: number, deadline: number | undefined, now: number): number | undefined {
  if (deadline === undefined) return delayMs;
  return now >= deadline ? undefined : Math.min(delayMs, deadline - now);
}

/** The delay before the next retry: the server's request (capped) when given, else backoff. */
export function retryDelay(
  retry: number,
  policy: RetryPolicy,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  return backoffDelay(retry, policy, random);
}

/** Error codes (Node/undici) in an error or its `cause` chain. */
export function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") codes.push(code);
    const errors = (current as { errors?: unknown }).errors;
    if (Array.isArray(errors)) for (const inner of errors) codes.push(...errorCodes(inner));
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

/** Codes that prove no byte of the request reached a server process. */
const NEVER_SENT = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_NONAME",
  "UND_ERR_CONNECT_TIMEOUT",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "EADDRNOTAVAIL",
  "EMFILE",
  "ENFILE",
]);

/** True when the request provably never reached the server (safe to resend even a paid submit). */
export function provablyNotSent(error: unknown): boolean {
  const codes = errorCodes(error);
  return (
    codes.length > 0 &&
    codes.some((code) => NEVER_SENT.has(code)) &&
    !codes.some((code) => code === "ECONNRESET" || code === "UND_ERR_SOCKET")
  );
}

/** True for network failures worth retrying on an idempotent call (never for aborts). */
export function isRetryableNetworkError(error: unknown): boolean {
  if (error && typeof error === "object" && (error as { name?: unknown }).name === "AbortError") return false;
  return error instanceof TypeError || errorCodes(error).length > 0;
}
