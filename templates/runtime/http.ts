/**
 * The HTTP engine: the only code that talks to the Model API (output
 * downloads, which never carry the token, are `download.ts`).
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
  ConnectionError,
  RequestTimeoutError,
  RunComfyError,
  SubmitOutcomeUnknownError,
} from "./errors.js";
import { ERROR_CODES, headers as HEADERS } from "./protocol.js";
import {
  isRetryableNetworkError,
  isRetryableStatus,
  parseRetryAfter,
  provablyNotSent,
  retryDelay,
  type RetryPolicy,
} from "./retry.js";

/** Time source; injectable so tests can observe or skip waits. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random(): number;
}

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

export type LogLevel = "off" | "error" | "warn" | "info" | "debug";

/** Where log lines go; each method receives a message and a small, secret-free object. */
export interface Logger {
  error(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  debug(message: string, data?: Record<string, unknown>): void;
}

const LEVELS: Readonly<Record<LogLevel, number>> = { off: 0, error: 1, warn: 2, info: 3, debug: 4 };

export type Log = (level: Exclude<LogLevel, "off">, message: string, data?: Record<string, unknown>) => void;

export function createLog(logger: Logger | undefined, level: LogLevel): Log {
  const threshold = LEVELS[level];
  return (messageLevel, message, data) => {
    if (!logger || LEVELS[messageLevel] > threshold) return;
    logger[messageLevel](message, data);
  };
}

/**
 * Caps what one client sends: at most `limit` requests in flight, and at most
 * `perSecond` request starts per second (a token bucket holding one second of
 * burst). Thousands of waiting jobs thus share a bounded number of sockets
 * and a polite request rate, and the client's memory and event loop stay calm.
 */
export class RequestLimiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly limit: number,
    private readonly perSecond: number,
    private readonly clock: Clock,
  ) {
    this.tokens = perSecond;
    this.refilledAt = clock.now();
  }

  async acquire(): Promise<() => void> {
    if (this.active >= this.limit || this.waiting.length > 0)
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    if (Number.isFinite(this.perSecond)) {
      for (;;) {
        const now = this.clock.now();
        this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.refilledAt) * this.perSecond) / 1000);
        this.refilledAt = now;
        if (this.tokens >= 1) break;
        await this.clock.sleep(Math.ceil(((1 - this.tokens) * 1000) / this.perSecond));
      }
      this.tokens -= 1;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.waiting.shift()?.();
    };
  }
}

export interface HttpConfig {
  /** Origin (and optional path prefix) of the API, without `/v1` and without a trailing slash. */
  readonly baseUrl: string;
  readonly token: string | undefined;
  readonly fetch: typeof fetch;
  /** Per-attempt timeout in milliseconds. */
  readonly timeoutMs: number;
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
  /** Absolute time (clock ms) after which no retry is started. */
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
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^\d+$/.test(value)) return Number(value);
  return undefined;
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

type Attempt =
  | { readonly response: HttpResponse }
  | { readonly failure: RunComfyError; readonly retryable: boolean; readonly retryAfterMs?: number | undefined };

function aborted(call: HttpRequest, cause: unknown): AbortError {
  return new AbortError(`${call.method} ${call.path} aborted`, {
    modelId: call.modelId,
    requestId: call.requestId,
    cause,
  });
}

/** One HTTP exchange: a response, or a failure and whether it may be retried. Throws only for aborts and unknown submit outcomes. */
async function attemptOnce(config: HttpConfig, call: HttpRequest, init: RequestInit): Promise<Attempt> {
  const idempotent = call.operation !== "submit";
  const where = describeCall(call);
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(call.signal?.reason);
  call.signal?.addEventListener("abort", onAbort, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, config.timeoutMs);
  const started = config.clock.now();
  try {
    let response: Response;
    try {
      response = await config.fetch(`${config.baseUrl}${call.path}`, {
        ...init,
        signal: controller.signal,
        redirect: "manual",
      });
    } catch (error) {
      if (call.signal?.aborted && idempotent) throw aborted(call, call.signal.reason);
      if (call.signal?.aborted) {
        throw new AbortError(
          `aborted while submitting${where ? ` (${where})` : ""}: the job may or may not have been queued; check your RunComfy generations before submitting again`,
          { modelId: call.modelId, cause: call.signal.reason },
        );
      }
      if (!idempotent && !provablyNotSent(error)) {
        throw new SubmitOutcomeUnknownError(
          `the connection failed while submitting${where ? ` (${where})` : ""}: the job may or may not have been queued, and a submit is never repeated automatically; check your RunComfy generations before submitting again`,
          { modelId: call.modelId, cause: error },
        );
      }
      const reason = timedOut
        ? `no answer within ${config.timeoutMs} ms`
        : ((error as Error)?.message ?? String(error));
      const options = { modelId: call.modelId, requestId: call.requestId, cause: error };
      const message = `${call.method} ${call.path}: ${reason}${where ? ` (${where})` : ""}`;
      return {
        failure: timedOut ? new RequestTimeoutError(message, options) : new ConnectionError(message, options),
        retryable: !idempotent || timedOut || isRetryableNetworkError(error),
      };
    }
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
    if (response.ok && errorCode === undefined) return { response: { status: response.status, body } };
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
    if (call.signal?.aborted && !(error instanceof RunComfyError)) throw aborted(call, call.signal.reason);
    throw error;
  } finally {
    clearTimeout(timer);
    call.signal?.removeEventListener("abort", onAbort);
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
 * retry on 429, 5xx and network errors; a submit only when it provably never
 * left this machine.
 */
export async function request(config: HttpConfig, call: HttpRequest): Promise<HttpResponse> {
  let headers = headersByConfig.get(config);
  if (!headers) {
    headers = requestHeaders(config);
    headersByConfig.set(config, headers);
  }
  const init: RequestInit =
    call.body === undefined
      ? { method: call.method, headers: headers.read }
      : { method: call.method, headers: headers.write, body: JSON.stringify(call.body) };

  for (let retry = 0; ; retry++) {
    if (call.signal?.aborted) throw aborted(call, call.signal.reason);
    const release = await config.limiter.acquire();
    let result: Attempt;
    try {
      result = await attemptOnce(config, call, init);
    } finally {
      release();
    }
    if ("response" in result) return result.response;
    if (!result.retryable || retry >= config.retry.maxRetries) throw result.failure;
    const delay = retryDelay(retry + 1, config.retry, result.retryAfterMs, config.clock.random);
    if (call.deadline !== undefined && config.clock.now() + delay > call.deadline) throw result.failure;
    config.log(
      "warn",
      `retrying ${call.method} ${call.path} in ${delay} ms (retry ${retry + 1} of ${config.retry.maxRetries}): ${result.failure.message}`,
      {
        delayMs: delay,
        ...(result.retryAfterMs === undefined ? {} : { retryAfterMs: result.retryAfterMs }),
      },
    );
    try {
      await config.clock.sleep(delay, call.signal);
    } catch (reason) {
      throw aborted(call, reason);
    }
  }
}
