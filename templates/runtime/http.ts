/**
 * The HTTP engine: the only code that calls the Model API, through its
 * transport (`transport.ts` on Node, `fetch` elsewhere or when given); output
 * downloads, which never carry the token, are `download.ts`.
 *
 * One `request()` handles auth, per-attempt timeouts, error mapping (also for
 * HTTP 200 bodies carrying an `error_code`), retries with backoff and
 * `Retry-After`, and logging. The token lives in a closure: it is sent to the
 * configured base URL only, never logged, never put in an error, and
 * redirects are not followed (a redirect could carry it elsewhere).
 */
import {
  AbortError,
  apiErrorClass,
  APIError,
  ConfigurationError,
  ConnectionError,
  redact,
  redactDeep,
  redactError,
  RequestTimeoutError,
  RunComfyError,
  SubmitOutcomeUnknownError,
} from "./errors.js";
import { ERROR_CODES, headers as HEADERS } from "./protocol.js";
import { BODY_TOO_LARGE } from "./transport.js";
import {
  isRetryableStatus,
  parseRetryAfter,
  provablyNotSent,
  retryDelay,
  sleepWithin,
  type RetryPolicy,
} from "./retry.js";

/** Time source; injectable so tests can observe or skip waits. */
export interface Clock {
  /** Milliseconds since the epoch (`Date.now()`). */
  now(): number;
  /**
   * Resolves after `ms`; rejects with the signal's reason when it aborts. Must remove any listener it adds to
   * `signal` once it settles: the client passes one signal to many sleeps of a wait.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** A number in [0, 1) (`Math.random()`), for jitter. */
  random(): number;
}

/** Longest delay a timer can wait (`setTimeout` caps at 2^31 − 1 ms and fires at once beyond it). */
export const MAX_TIMER_MS = 2_147_483_647;

export const systemClock: Clock = {
  now: () => Date.now(),
  random: () => Math.random(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};

/** How much the client logs: `"off"`, or the lowest level passed to the `Logger` (`"debug"` logs every call). */
export type LogLevel = "off" | "error" | "warn" | "info" | "debug";

/** Where log lines go; each method receives a message and a small, secret-free object. */
export interface Logger {
  /** Lines at the `"error"` level (failures are reported by rejecting, so this level is quiet). */
  error(message: string, data?: Record<string, unknown>): void;
  /** A retry (with its delay), a cancel that failed after a wait stopped, a result not found yet. */
  warn(message: string, data?: Record<string, unknown>): void;
  /** A job submitted (model id and request id). */
  info(message: string, data?: Record<string, unknown>): void;
  /** Every HTTP attempt: method, path, status and time taken. */
  debug(message: string, data?: Record<string, unknown>): void;
}

const LEVELS: Readonly<Record<LogLevel, number>> = { off: 0, error: 1, warn: 2, info: 3, debug: 4 };

export type Log = (level: Exclude<LogLevel, "off">, message: string, data?: Record<string, unknown>) => void;

/**
 * The client's log: lines below `level` are dropped; message and data pass the redaction of `secrets`. A logger that
 * throws is ignored: a log line never changes what a call does (after a paid submit, a throwing `info` rejected the
 * call with a raw TypeError and no handle).
 */
export function createLog(logger: Logger | undefined, level: LogLevel, secrets: readonly string[] = []): Log {
  const threshold = LEVELS[level];
  return (messageLevel, message, data) => {
    if (!logger || LEVELS[messageLevel] > threshold) return;
    try {
      if (secrets.length === 0) logger[messageLevel](message, data);
      else logger[messageLevel](redact(message, secrets), redactDeep(data, secrets));
    } catch {
      // The caller's logger failed: its line is lost, the call goes on.
    }
  };
}

const noop = (): void => undefined;

interface AbortFanOut {
  readonly callbacks: Set<() => void>;
  readonly dispatch: () => void;
}
const fanOuts = new WeakMap<AbortSignal, AbortFanOut>();

/**
 * Calls `callback` once when `signal` aborts; returns the unsubscribe
 * function. However many calls share a signal (500 queued `run()`s with one
 * controller), the signal carries one listener of this package: calls
 * subscribe to a shared fan-out, which detaches itself when the last one
 * leaves. The caller checks `signal.aborted` first.
 */
export function onAbort(signal: AbortSignal | undefined, callback: () => void): () => void {
  if (!signal || signal.aborted) return noop;
  let fanOut = fanOuts.get(signal);
  if (!fanOut) {
    const callbacks = new Set<() => void>();
    const dispatch = (): void => {
      fanOuts.delete(signal);
      for (const each of [...callbacks]) {
        try {
          each();
        } catch {
          // A subscriber's failure must not keep the others from hearing the abort.
        }
      }
      callbacks.clear();
    };
    fanOut = { callbacks, dispatch };
    fanOuts.set(signal, fanOut);
    signal.addEventListener("abort", dispatch, { once: true });
  }
  const { callbacks, dispatch } = fanOut;
  callbacks.add(callback);
  return () => {
    if (!callbacks.delete(callback) || callbacks.size > 0) return;
    signal.removeEventListener("abort", dispatch);
    if (fanOuts.get(signal)?.dispatch === dispatch) fanOuts.delete(signal);
  };
}

/**
 * What stops one call (the caller's signal, its deadline, an attempt's
 * timeout): an `AbortController` without the `AbortSignal`, which is made only
 * when something outside the runtime needs one (a `fetch` option, a clock's
 * `sleep`). Node allocates each `AbortSignal` with about 0.6 KB straight in
 * the old generation (garbage only a full collection frees), and at the
 * status-call rate of ten thousand waiting jobs those signals, not the jobs,
 * grew the heap. The node:http transport (`transport.ts`) and the limiter read
 * this object itself: it has the part of `AbortSignal` they use (`aborted`,
 * `reason`, `addEventListener`/`removeEventListener` of `"abort"`, each
 * listener called once).
 */
export class CallStop {
  aborted = false;
  reason: unknown = undefined;
  private listeners: (() => void)[] | undefined = undefined;
  private controller: AbortController | undefined = undefined;

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners === undefined) return;
    for (const listener of listeners) {
      try {
        listener();
      } catch {
        // A listener's failure must not keep the others from hearing the abort.
      }
    }
  }

  /** A real `AbortSignal` that follows this stop (made on first use). */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  addEventListener(_type: "abort", listener: () => void, _options?: { readonly once?: boolean }): void {
    if (!this.aborted) (this.listeners ??= []).push(listener);
  }

  removeEventListener(_type: "abort", listener: () => void): void {
    const index = this.listeners?.indexOf(listener) ?? -1;
    if (index >= 0) this.listeners!.splice(index, 1);
  }
}

/**
 * Caps what one client sends: at most `limit` requests in flight, and at most
 * `perSecond` request starts per second (a token bucket holding one second of
 * burst, at least one request). Thousands of waiting jobs thus share a
 * bounded number of sockets and a polite request rate, and the client's
 * memory and event loop stay calm. Waiting for a slot or a token ends at once
 * when the call's signal aborts (the waiter leaves the queue).
 */
export class RequestLimiter {
  private active = 0;
  private readonly waiting = new Set<() => void>();
  private tokens: number;
  private readonly burst: number;
  private refilledAt: number;

  constructor(
    private readonly limit: number,
    private readonly perSecond: number,
    private readonly clock: Clock,
  ) {
    this.burst = Math.max(1, perSecond);
    this.tokens = this.burst;
    this.refilledAt = clock.now();
  }

  /** Resolves with a release function once a slot and a token are this call's; rejects with the stop's reason on abort. */
  async acquire(signal: CallStop): Promise<() => void> {
    if (signal.aborted) throw signal.reason;
    if (this.active >= this.limit || this.waiting.size > 0) {
      // A release hands its slot straight to the first waiter, so `active` counts it throughout.
      await new Promise<void>((resolve, reject) => {
        const granted = (): void => {
          signal.removeEventListener("abort", abort);
          resolve();
        };
        const abort = (): void => {
          this.waiting.delete(granted);
          reject(signal.reason);
        };
        this.waiting.add(granted);
        signal.addEventListener("abort", abort, { once: true });
      });
    } else {
      this.active++;
    }
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      const next = this.waiting.values().next();
      if (next.done) this.active--;
      else {
        this.waiting.delete(next.value);
        next.value();
      }
    };
    try {
      if (Number.isFinite(this.perSecond)) {
        for (;;) {
          if (signal.aborted) throw signal.reason;
          const now = this.clock.now();
          this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) * this.perSecond) / 1000);
          this.refilledAt = now;
          if (this.tokens >= 1) break;
          // At most setTimeout's longest delay (a very low rate would overflow it into 1 ms): the loop sleeps again.
          const wait = Math.ceil(((1 - this.tokens) * 1000) / this.perSecond);
          await this.clock.sleep(Math.min(MAX_TIMER_MS, Math.max(1, wait)), signal.signal);
        }
        this.tokens -= 1;
      }
      if (signal.aborted) throw signal.reason;
    } catch (reason) {
      release();
      throw reason;
    }
    return release;
  }
}

export interface HttpConfig {
  /** Origin (and optional path prefix) of the API, without `/v1` and without a trailing slash. */
  readonly baseUrl: string;
  readonly token: string | undefined;
  readonly fetch: typeof fetch;
  /** `fetch` is the node:http transport (`transport.ts`), which takes a call's `CallStop` as its signal. */
  readonly stopAsSignal?: boolean | undefined;
  /** Per-attempt timeout in milliseconds (`Infinity`: none). */
  readonly timeoutMs: number;
  /** Texts redacted from everything that leaves the client (the token). */
  readonly secrets: readonly string[];
  readonly retry: RetryPolicy;
  readonly clock: Clock;
  readonly log: Log;
  /** Whether debug lines are wanted (so hot paths build them only then). */
  readonly debug: boolean;
  readonly headers: Readonly<Record<string, string>>;
  /** Shared by every call of one client. */
  readonly limiter: RequestLimiter;
}

export interface HttpRequest {
  readonly method: "GET" | "POST";
  /** Path starting with `/v1/`. */
  readonly path: string;
  readonly body?: unknown;
  readonly signal?: AbortSignal | undefined;
  /** `"submit"` is paid and never repeated unless provably not sent. */
  readonly operation: "submit" | "status" | "result" | "cancel" | "catalog";
  readonly modelId?: string | undefined;
  readonly requestId?: string | undefined;
  /** Absolute time (clock ms) that ends the call: every attempt, slot wait and backoff sleep is cut there. */
  readonly deadline?: number | undefined;
}

export interface HttpResponse {
  readonly status: number;
  readonly body: unknown;
}

interface ErrorBody {
  readonly error_code?: unknown;
  readonly code?: unknown;
  readonly error_message?: unknown;
  readonly message?: unknown;
  readonly error?: unknown;
  readonly detail?: unknown;
}

function errorCodeOf(body: unknown): number | undefined {
  if (!body || typeof body !== "object" || Array.isArray(body)) return undefined;
  const value =
    (body as ErrorBody).error_code ??
    (typeof (body as ErrorBody).code === "number" ? (body as ErrorBody).code : undefined);
  const code =
    typeof value === "number" ? value : typeof value === "string" && /^\d+$/.test(value) ? Number(value) : NaN;
  // 0 and 200 are how many APIs say "success" in the body; RunComfy's error codes are six digits.
  return Number.isNaN(code) || code === 0 || code === 200 ? undefined : code;
}

function serverMessageOf(body: unknown): string | undefined {
  if (typeof body === "string") return body.trim().slice(0, 300) || undefined;
  if (!body || typeof body !== "object") return undefined;
  const candidate = body as ErrorBody;
  for (const value of [candidate.error_message, candidate.message, candidate.error, candidate.detail]) {
    if (typeof value === "string" && value.trim()) return value.trim().slice(0, 300);
  }
  return undefined;
}

function detailSummary(detail: unknown): string {
  if (!Array.isArray(detail) || detail.length === 0) return "";
  const items = detail.slice(0, 5).map((item) => {
    if (item && typeof item === "object") {
      const loc = (item as { loc?: unknown }).loc;
      const msg = (item as { msg?: unknown; message?: unknown }).msg ?? (item as { message?: unknown }).message;
      const where = Array.isArray(loc)
        ? loc.filter((part) => part !== "body").join(".")
        : typeof loc === "string"
          ? loc
          : "";
      return `${where ? `${where}: ` : ""}${typeof msg === "string" ? msg : JSON.stringify(item)}`;
    }
    return String(item);
  });
  return `: ${items.join("; ")}${detail.length > 5 ? `; …${detail.length - 5} more` : ""}`;
}

function describeCall(request: HttpRequest): string {
  return [request.modelId ? `model ${request.modelId}` : "", request.requestId ? `request ${request.requestId}` : ""]
    .filter(Boolean)
    .join(", ");
}

/** Builds the API error for a response; the single call site of `apiErrorClass`. */
export function errorFromResponse(
  status: number,
  body: unknown,
  request: HttpRequest,
  retryAfterMs: number | undefined,
): APIError {
  const errorCode = errorCodeOf(body);
  const serverMessage = serverMessageOf(body);
  const detail = body && typeof body === "object" ? (body as ErrorBody).detail : undefined;
  const ErrorClass = apiErrorClass(status, errorCode, request.operation === "submit" ? "submit" : "other");
  const facts = [`HTTP ${status}`, errorCode === undefined ? "" : `error_code ${errorCode}`, describeCall(request)]
    .filter(Boolean)
    .join(", ");
  const message = `${serverMessage ?? `${request.method} ${request.path} failed`}${detailSummary(detail)} (${facts})`;
  return new ErrorClass(message, {
    status,
    errorCode,
    serverMessage,
    detail,
    retryAfterMs,
    modelId: request.modelId,
    requestId: request.requestId,
  });
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * A 2xx body a read cannot use: text that is not JSON (an HTML page from a proxy, JSON cut short), or nothing where
 * the API always answers with an object (status, result, catalog; a cancel may answer with an empty body).
 */
function notJson(body: unknown, call: HttpRequest): boolean {
  return typeof body === "string" || (body === undefined && call.operation !== "cancel");
}

/** The start of a text for a message, on one line. */
function preview(text: string): string {
  const line = text.trim().replace(/\s+/g, " ");
  return JSON.stringify(line.length > 80 ? `${line.slice(0, 77)}...` : line);
}

/** The `request_id` string of a body, when it has one. */
function requestIdIn(body: unknown): string | undefined {
  if (!body || typeof body !== "object" || Array.isArray(body)) return undefined;
  const id = (body as { request_id?: unknown }).request_id;
  return typeof id === "string" && id !== "" ? id : undefined;
}

/** A result body that reports a failed job: a `JobResult`, even when it carries an `error_code`. */
function isFailedResult(body: unknown): boolean {
  if (!body || typeof body !== "object" || Array.isArray(body)) return false;
  const status = (body as { status?: unknown }).status;
  return typeof status === "string" && status.trim().toLowerCase() === "failed";
}

/** What every attempt of a call sends (the signal is each attempt's own). */
interface CallInit {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

type Attempt =
  | { readonly response: HttpResponse }
  | { readonly failure: RunComfyError; readonly retryable: boolean; readonly retryAfterMs?: number | undefined };

/** Why a call's own controller aborted: the caller's signal, the deadline it was given, or the attempt's timeout. */
const DEADLINE = Symbol("deadline");
const ATTEMPT_TIMEOUT = Symbol("attempt timeout");

/** Errors thrown because the call's deadline (a wait's `timeoutMs`) came: the wait turns them into its timeout. */
const pastDeadline = new WeakSet<object>();

/** Marks `error` as ending a call because its deadline came (`isPastDeadline`). */
export function markPastDeadline<E extends object>(error: E): E {
  pastDeadline.add(error);
  return error;
}

/** True when `error` ended a call because the deadline it was given came (not because the server failed). */
export function isPastDeadline(error: unknown): boolean {
  return typeof error === "object" && error !== null && pastDeadline.has(error);
}

function aborted(call: HttpRequest, cause: unknown): AbortError {
  const nothingSent = call.operation === "submit" ? " before it was sent (nothing was sent)" : "";
  return new AbortError(`${call.method} ${call.path} aborted${nothingSent}`, {
    modelId: call.modelId,
    requestId: call.requestId,
    cause,
  });
}

function deadlineReached(call: HttpRequest, last: RunComfyError | undefined): RequestTimeoutError {
  const where = describeCall(call);
  const error = new RequestTimeoutError(
    `${call.method} ${call.path}: the deadline came before ${call.operation === "submit" ? "it was sent (nothing was sent)" : "an answer"}${last ? ` (last failure: ${last.message})` : ""}${where ? ` (${where})` : ""}`,
    { modelId: call.modelId, requestId: call.requestId, cause: last },
  );
  pastDeadline.add(error);
  return error;
}

function reasonText(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const detail =
      cause instanceof Error && cause.message && cause.message !== error.message ? `: ${cause.message}` : "";
    return `${error.message || error.name}${detail}`;
  }
  return String(error);
}

/** The submit may have reached the server: never repeated, always this class, with what the server said. */
function outcomeUnknown(
  call: HttpRequest,
  what: string,
  facts: { cause?: unknown; status?: number | undefined; body?: unknown } = {},
): SubmitOutcomeUnknownError {
  const where = describeCall(call);
  const serverMessage = facts.body === undefined ? undefined : serverMessageOf(facts.body);
  const status =
    facts.status === undefined ? "" : ` (HTTP ${facts.status}${serverMessage ? `: ${serverMessage}` : ""})`;
  return new SubmitOutcomeUnknownError(
    `${what} while submitting${where ? ` ${where}` : ""}${status}: the job may or may not have been queued, and a submit is never repeated automatically; check your RunComfy generations before submitting again`,
    {
      modelId: call.modelId,
      cause: facts.cause,
      status: facts.status,
      errorCode: facts.body === undefined ? undefined : errorCodeOf(facts.body),
      serverMessage,
      detail: facts.body && typeof facts.body === "object" ? (facts.body as ErrorBody).detail : undefined,
    },
  );
}

/**
 * One HTTP exchange: a response, or a failure and whether it may be retried.
 * Throws for aborts, the deadline and unknown submit outcomes. Every failure
 * of the exchange, before the headers or while reading the body, is mapped
 * here: nothing raw gets out.
 */
async function attemptOnce(config: HttpConfig, call: HttpRequest, init: CallInit, stop: CallStop): Promise<Attempt> {
  const idempotent = call.operation !== "submit";
  const where = describeCall(call);
  // The call's stop is this attempt's too (one per attempt): the timeout aborts it with ATTEMPT_TIMEOUT, and the
  // call then takes a fresh one for its next attempt.
  let timedOut = false;
  const timer = Number.isFinite(config.timeoutMs)
    ? setTimeout(() => {
        timedOut = true;
        stop.abort(ATTEMPT_TIMEOUT);
      }, config.timeoutMs)
    : undefined;
  const started = config.clock.now();
  let status: number | undefined;
  try {
    const signal = config.stopAsSignal ? (stop as unknown as AbortSignal) : stop.signal;
    // Spelled out, not `{ ...init, signal }`: V8 gives an object spread followed by more keys a fresh shape in the
    // old generation (~0.25 KB of garbage per request that no scavenge frees).
    const response = await config.fetch(
      `${config.baseUrl}${call.path}`,
      init.body === undefined
        ? { method: init.method, headers: init.headers, signal, redirect: "manual" }
        : { method: init.method, headers: init.headers, body: init.body, signal, redirect: "manual" },
    );
    status = response.status;
    const body = await readBody(response);
    if (config.debug)
      config.log("debug", `${call.method} ${call.path} → ${response.status}`, { ms: config.clock.now() - started });
    if (response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400)) {
      const failure = new APIError(
        `${call.method} ${call.path} answered with a redirect (HTTP ${response.status}); redirects are not followed so the token is never sent elsewhere`,
        { status: response.status, modelId: call.modelId, requestId: call.requestId },
      );
      return { failure, retryable: false };
    }
    const errorCode = errorCodeOf(body);
    if (idempotent && response.ok && notJson(body, call)) {
      const options = { modelId: call.modelId, requestId: call.requestId };
      const what = body === undefined ? "an empty body" : `a body that is not JSON (${preview(body as string)})`;
      const message = `${call.method} ${call.path} answered HTTP ${response.status} with ${what}${where ? ` (${where})` : ""}`;
      return { failure: new ConnectionError(message, options), retryable: true };
    }
    if (response.ok && errorCode === undefined) return { response: { status: response.status, body } };
    if (call.operation === "result" && response.status < 500 && isFailedResult(body))
      return { response: { status: response.status, body } };
    if (!idempotent && (response.status >= 500 || errorCode === ERROR_CODES.internal))
      throw outcomeUnknown(call, "the server failed", { status: response.status, body });
    // A 2xx submit answer with a request_id and an error code: the job may be queued under that id.
    const queuedAs = !idempotent && response.ok ? requestIdIn(body) : undefined;
    if (queuedAs !== undefined)
      throw outcomeUnknown(call, `the answer carried request_id ${JSON.stringify(queuedAs)} and an error`, {
        status: response.status,
        body,
      });
    const retryAfterMs = parseRetryAfter(response.headers, config.clock.now());
    return {
      failure: errorFromResponse(response.status, body, call, retryAfterMs),
      retryable:
        idempotent &&
        (isRetryableStatus(response.status) ||
          errorCode === ERROR_CODES.rateLimited ||
          errorCode === ERROR_CODES.internal),
      retryAfterMs,
    };
  } catch (error) {
    if (error instanceof RunComfyError) throw error;
    // Our own abort reasons (the deadline, the attempt timeout) are symbols: the message says what happened, they are
    // no cause a caller could read.
    const cause = typeof error === "symbol" ? undefined : error;
    const byCaller = call.signal?.aborted === true;
    const byDeadline = !byCaller && stop.aborted && stop.reason === DEADLINE;
    const phase = status === undefined ? "" : ` after the headers (HTTP ${status})`;
    const tooLarge = (error as { code?: unknown } | null)?.code === BODY_TOO_LARGE;
    if (!idempotent) {
      // From here on the request may have left this machine.
      if (byCaller) throw outcomeUnknown(call, `aborted${phase}`, { cause: call.signal?.reason, status });
      if (byDeadline && !provablyNotSent(error))
        throw outcomeUnknown(call, `the deadline (timeoutMs) came${phase || " before an answer"}`, {
          cause,
          status,
        });
      if (status === undefined && !timedOut && provablyNotSent(error)) {
        const failure = new ConnectionError(`${call.method} ${call.path}: ${reasonText(error)} (nothing was sent)`, {
          modelId: call.modelId,
          cause,
        });
        return { failure, retryable: true };
      }
      const what = timedOut
        ? `no answer within ${config.timeoutMs} ms${phase}`
        : tooLarge
          ? `the answer's body was too large${phase}`
          : `the connection failed${phase}`;
      throw outcomeUnknown(call, what, { cause, status });
    }
    if (byCaller) throw aborted(call, call.signal?.reason);
    if (byDeadline) throw deadlineReached(call, undefined);
    const reason = timedOut ? `no answer within ${config.timeoutMs} ms${phase}` : `${reasonText(error)}${phase}`;
    const options = { modelId: call.modelId, requestId: call.requestId, cause };
    const message = `${call.method} ${call.path}: ${reason}${where ? ` (${where})` : ""}`;
    // A body that broke or hung is a connection error like any other: retried (one too large would be again: not).
    return {
      failure: timedOut ? new RequestTimeoutError(message, options) : new ConnectionError(message, options),
      retryable: !tooLarge,
    };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** The headers of every call (built once per client; the token stays inside). */
export function requestHeaders(config: Pick<HttpConfig, "headers" | "token">): {
  readonly read: Readonly<Record<string, string>>;
  readonly write: Readonly<Record<string, string>>;
} {
  const read: Record<string, string> = { ...config.headers, [HEADERS.accept]: "application/json" };
  if (config.token !== undefined) read[HEADERS.authorization] = `Bearer ${config.token}`;
  return { read, write: { ...read, [HEADERS.contentType]: "application/json" } };
}

const headersByConfig = new WeakMap<HttpConfig, ReturnType<typeof requestHeaders>>();

/**
 * Sends one API call and resolves with its parsed JSON body. Idempotent calls
 * retry on 429, 5xx and connection errors (bodies that break or hang
 * included); a submit only when it provably never left this machine.
 *
 * The caller's signal is heard through one subscription per call (`onAbort`):
 * it ends the wait for a request slot, a rate token, a backoff sleep or the
 * exchange itself, and is checked again right before the request starts, so
 * an aborted submit that never started sends nothing. A `deadline` caps every
 * wait of the call the same way, and ends it with an error `isPastDeadline`
 * recognises. Every error that leaves is a `RunComfyError` with the token
 * redacted.
 */
export async function request(config: HttpConfig, call: HttpRequest): Promise<HttpResponse> {
  try {
    return await requestOnce(config, call);
  } catch (error) {
    const mapped =
      error instanceof RunComfyError
        ? error
        : call.operation === "submit"
          ? outcomeUnknown(call, "an unexpected failure", { cause: error })
          : new ConnectionError(`${call.method} ${call.path}: ${reasonText(error)}`, {
              modelId: call.modelId,
              requestId: call.requestId,
              cause: error,
            });
    throw redactError(mapped, config.secrets);
  }
}

async function requestOnce(config: HttpConfig, call: HttpRequest): Promise<HttpResponse> {
  let headers = headersByConfig.get(config);
  if (!headers) {
    headers = requestHeaders(config);
    headersByConfig.set(config, headers);
  }
  let body: string | undefined;
  if (call.body !== undefined) {
    try {
      body = JSON.stringify(call.body);
    } catch (error) {
      throw new ConfigurationError(
        `the body of ${call.method} ${call.path} is not JSON-serialisable (${reasonText(error)}); nothing was sent`,
        { modelId: call.modelId, cause: error },
      );
    }
  }
  const init: CallInit =
    body === undefined
      ? { method: call.method, headers: headers.read }
      : { method: call.method, headers: headers.write, body };

  if (call.signal?.aborted) throw aborted(call, call.signal.reason);
  const { clock } = config;
  const deadline = call.deadline;
  if (deadline !== undefined && clock.now() >= deadline) throw deadlineReached(call, undefined);
  // The call's own stop: aborted by the caller's signal (one subscription), by the deadline, or by an attempt's
  // timeout (then replaced by a fresh one for the next attempt, which the subscription and timer reach).
  let stop = new CallStop();
  const unsubscribe = onAbort(call.signal, () => stop.abort(call.signal?.reason));
  const deadlineTimer =
    deadline !== undefined && Number.isFinite(deadline)
      ? setTimeout(() => stop.abort(DEADLINE), Math.min(MAX_TIMER_MS, Math.max(0, deadline - clock.now())))
      : undefined;
  const stopped = (last: RunComfyError | undefined): RunComfyError =>
    call.signal?.aborted ? aborted(call, call.signal.reason) : deadlineReached(call, last);
  let last: RunComfyError | undefined;
  try {
    for (let retry = 0; ; retry++) {
      let release: () => void;
      try {
        release = await config.limiter.acquire(stop);
      } catch {
        throw stopped(last);
      }
      let result: Attempt;
      try {
        // Checked again after the last await: an aborted submit is never started.
        if (stop.aborted) throw stopped(last);
        result = await attemptOnce(config, call, init, stop);
      } finally {
        release();
      }
      if (stop.aborted && stop.reason === ATTEMPT_TIMEOUT) {
        // A fresh stop for the next attempt, told of an abort or a deadline that came while the old one was spent.
        stop = new CallStop();
        if (call.signal?.aborted) stop.abort(call.signal.reason);
        else if (deadline !== undefined && clock.now() >= deadline) stop.abort(DEADLINE);
      }
      if ("response" in result) return result.response;
      last = result.failure;
      if (!result.retryable || retry >= config.retry.maxRetries) throw result.failure;
      const delay = retryDelay(retry + 1, config.retry, result.retryAfterMs, clock.random);
      const sleep = sleepWithin(delay, deadline, clock.now());
      if (sleep === undefined) throw deadlineReached(call, last);
      config.log(
        "warn",
        `retrying ${call.method} ${call.path} in ${sleep} ms (retry ${retry + 1} of ${config.retry.maxRetries}): ${result.failure.message}`,
        {
          delayMs: sleep,
          ...(result.retryAfterMs === undefined ? {} : { retryAfterMs: result.retryAfterMs }),
        },
      );
      try {
        await clock.sleep(sleep, stop.signal);
      } catch {
        throw stopped(last);
      }
      if (stop.aborted) throw stopped(last);
    }
  } finally {
    if (deadlineTimer !== undefined) clearTimeout(deadlineTimer);
    unsubscribe();
  }
}
