/**
 * Every error this package throws is a `RunComfyError`.
 *
 * Local validation errors (`ValidationError`) are thrown before anything is
 * sent. API error classes are chosen from RunComfy's `error_code` and the HTTP
 * status in one place, `apiErrorClass` below (called only by
 * `errorFromResponse` in `http.ts`).
 */

import type { RequestHandle, RequestStatus } from "./calls.js";
import { RunComfyError, type RunComfyErrorOptions } from "./model.js";
import { ERROR_CODES } from "./protocol.js";

export {
  ConfigurationError,
  RunComfyError,
  ValidationError,
  type RunComfyErrorOptions,
  type ValidationIssue,
} from "./model.js";

/** What an `APIError` (and each of its subclasses) is built from. */
export interface APIErrorOptions extends RunComfyErrorOptions {
  /** HTTP status (200 when RunComfy signalled the error in a 200 body). */
  readonly status: number;
  /** RunComfy's numeric `error_code`, when the body carried one. */
  readonly errorCode?: number | undefined;
  /** The server's own message (`error_message`, `message` or `error`). */
  readonly serverMessage?: string | undefined;
  /** The server's `detail` (a list of field problems for validation errors). */
  readonly detail?: unknown;
  /** Delay the server asked for (429/503 `Retry-After`), in milliseconds. */
  readonly retryAfterMs?: number | undefined;
}

/** The API answered with an error. Subclasses are chosen by `apiErrorClass`. */
export class APIError extends RunComfyError {
  override name = "APIError";
  /** HTTP status (200 when RunComfy signalled the error in a 200 body). */
  readonly status: number;
  /** RunComfy's numeric `error_code` (`400001`, …), when the body carried one. */
  readonly errorCode: number | undefined;
  /** The server's own message (`error_message`, `message` or `error`), when it sent one. */
  readonly serverMessage: string | undefined;
  /** The server's `detail` as sent (a list of field problems for a 422). */
  readonly detail: unknown;
  /** Delay the server asked for (429/503 `Retry-After` or `Retry-After-Ms`), in milliseconds, when it asked. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: APIErrorOptions) {
    super(message, options);
    this.status = options.status;
    this.errorCode = options.errorCode;
    this.serverMessage = options.serverMessage;
    this.detail = options.detail;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** 400 / 400001: bad request, e.g. an invalid model id. */
export class BadRequestError extends APIError {
  override name = "BadRequestError";
}
/** 400001, or 404 on submit: the model id does not exist. */
export class InvalidModelError extends BadRequestError {
  override name = "InvalidModelError";
}
/** 400002 or HTTP 402: the account has no balance left. */
export class InsufficientBalanceError extends APIError {
  override name = "InsufficientBalanceError";
}
/** 401, 400004 or 401001: missing, invalid, expired or revoked token. */
export class AuthenticationError extends APIError {
  override name = "AuthenticationError";
}
/** 403, 403001 or 403003: the resource exists but is not yours. */
export class PermissionDeniedError extends APIError {
  override name = "PermissionDeniedError";
}
/** 404 or 404001: unknown, deleted or expired request id. */
export class NotFoundError extends APIError {
  override name = "NotFoundError";
}
/** 422 or 422001: the server rejected the body; see `detail`. */
export class UnprocessableEntityError extends APIError {
  override name = "UnprocessableEntityError";
}
/** 429: rate limited; `retryAfterMs` says how long the server asked to wait. */
export class RateLimitError extends APIError {
  override name = "RateLimitError";
}
/** 5xx or 500001. */
export class InternalServerError extends APIError {
  override name = "InternalServerError";
}

type APIErrorClass = new (message: string, options: APIErrorOptions) => APIError;

/** Error classes by RunComfy `error_code` (checked first: a code is more precise than an HTTP status). */
const BY_ERROR_CODE: ReadonlyMap<number, APIErrorClass> = new Map<number, APIErrorClass>([
  [ERROR_CODES.invalidResource, InvalidModelError],
  [ERROR_CODES.insufficientBalance, InsufficientBalanceError],
  [ERROR_CODES.userAccount, AuthenticationError],
  [ERROR_CODES.unauthorized, AuthenticationError],
  [ERROR_CODES.permissionDenied, PermissionDeniedError],
  [ERROR_CODES.forbidden, PermissionDeniedError],
  [ERROR_CODES.notFound, NotFoundError],
  [ERROR_CODES.validation, UnprocessableEntityError],
  [ERROR_CODES.rateLimited, RateLimitError],
  [ERROR_CODES.internal, InternalServerError],
]);

/** Error classes by HTTP status, when the body carries no known `error_code`. */
const BY_STATUS: ReadonlyMap<number, APIErrorClass> = new Map<number, APIErrorClass>([
  [401, AuthenticationError],
  [402, InsufficientBalanceError],
  [403, PermissionDeniedError],
  [404, NotFoundError],
  [422, UnprocessableEntityError],
  [429, RateLimitError],
]);

/** The single place where an error class is chosen from RunComfy's `error_code` and the HTTP status. */
export function apiErrorClass(
  status: number,
  errorCode: number | undefined,
  operation: "submit" | "other",
): APIErrorClass {
  // On submit the only resource is the model: "not found" means the model id is unknown.
  if (operation === "submit" && (status === 404 || errorCode === ERROR_CODES.notFound)) return InvalidModelError;
  const byCode = errorCode === undefined ? undefined : BY_ERROR_CODE.get(errorCode);
  if (byCode) return byCode;
  const byStatus = BY_STATUS.get(status);
  if (byStatus) return byStatus;
  if (status >= 500) return InternalServerError;
  if (status >= 400) return BadRequestError;
  return APIError;
}

/** The network failed; `cause` holds the underlying error. */
export class ConnectionError extends RunComfyError {
  override name = "ConnectionError";
}

/** One HTTP attempt took longer than `timeoutMs`. */
export class RequestTimeoutError extends ConnectionError {
  override name = "RequestTimeoutError";
}

/** What a `SubmitOutcomeUnknownError` is built from. */
export interface SubmitOutcomeUnknownErrorOptions extends RunComfyErrorOptions {
  /** HTTP status, when the server answered (a 5xx, or the headers of a body that then broke). */
  readonly status?: number | undefined;
  /** RunComfy's `error_code`, when the body carried one. */
  readonly errorCode?: number | undefined;
  /** The server's own message, when it sent one. */
  readonly serverMessage?: string | undefined;
  /** The server's `detail`, when it sent one. */
  readonly detail?: unknown;
}

/**
 * A submit may have reached the server and its answer was lost or was a
 * server error (the connection broke, the body hung or was cut, the call was
 * aborted mid-flight, HTTP 5xx): the job may or may not have been queued (and
 * charged). It is never retried automatically, and it is on purpose neither a
 * `ConnectionError` nor an `APIError` (it extends `RunComfyError` directly), so
 * a generic retry wrapper that resends on network or server errors does not
 * pay twice; check your RunComfy generations before submitting again. `status`,
 * `serverMessage`, `errorCode` and `detail` carry what the server said, if
 * anything.
 */
export class SubmitOutcomeUnknownError extends RunComfyError {
  override name = "SubmitOutcomeUnknownError";
  /** HTTP status, when the server answered (a 5xx, or the headers of a body that then broke). */
  readonly status: number | undefined;
  /** RunComfy's `error_code`, when the body carried one. */
  readonly errorCode: number | undefined;
  /** The server's own message, when it sent one. */
  readonly serverMessage: string | undefined;
  /** The server's `detail` as sent, when it sent one. */
  readonly detail: unknown;
  constructor(message: string, options: SubmitOutcomeUnknownErrorOptions = {}) {
    super(message, options);
    this.status = options.status;
    this.errorCode = options.errorCode;
    this.serverMessage = options.serverMessage;
    this.detail = options.detail;
  }
}

/** What happened to the job when waiting stopped early. */
export interface StopOutcome {
  /** `"left-running"`, `"cancelled"`, `"not-cancellable"` (already running: it will finish and be charged) or `"cancel-failed"`. */
  readonly job: "left-running" | "cancelled" | "not-cancellable" | "cancel-failed";
  /** Last status seen before stopping. */
  readonly lastStatus?: RequestStatus | undefined;
}

/** What `WaitTimeoutError` and `AbortError` are built from. */
export interface WaitErrorOptions<Id extends string = string> extends RunComfyErrorOptions {
  /** What happened to the job when waiting stopped. */
  readonly outcome: StopOutcome;
  /** Serializable handle to resume waiting with `client.wait(handle)`. */
  readonly handle: RequestHandle<Id>;
}

/**
 * The wait deadline (`timeoutMs`) passed before the job finished. `handle` resumes it: `client.wait(error.handle)`
 * (narrow a caught error's handle to its model with `isRequestHandle(error.handle, modelId)` for typed output).
 */
export class WaitTimeoutError<Id extends string = string> extends RunComfyError {
  override name = "WaitTimeoutError";
  /** What happened to the job: cancelled while queued, or left running (see `onTimeout`). */
  readonly outcome: StopOutcome;
  /** The job's handle, to resume with `client.wait(handle)`. */
  readonly handle: RequestHandle<Id>;
  constructor(message: string, options: WaitErrorOptions<Id>) {
    super(message, options);
    this.outcome = options.outcome;
    this.handle = options.handle;
  }
}

/** The caller's `AbortSignal` fired. Before the submit was sent there is no job (`handle` and `outcome` are undefined). */
export class AbortError<Id extends string = string> extends RunComfyError {
  override name = "AbortError";
  /** What happened to the job (see `onAbort`), when one was submitted. */
  readonly outcome: StopOutcome | undefined;
  /** The job's handle, to resume with `client.wait(handle)`, when one was submitted. */
  readonly handle: RequestHandle<Id> | undefined;
  constructor(message: string, options: Partial<WaitErrorOptions<Id>> = {}) {
    super(message, options);
    this.outcome = options.outcome;
    this.handle = options.handle;
  }
}

/**
 * `run()` submitted the job (it is queued: it may run and be charged), then waiting for it failed: status or result
 * calls kept failing after their retries (`cause` is that `ConnectionError`, `InternalServerError`,
 * `RateLimitError`, …), or the server kept sending a status this client does not know. On purpose not one of those
 * classes: a retry wrapper that resends `run()` on them would pay again. `handle` resumes the wait:
 * `client.wait(error.handle)` (waiting is free, and safe to retry).
 */
export class WaitFailedError<Id extends string = string> extends RunComfyError {
  override name = "WaitFailedError";
  /** The job's handle, to resume with `client.wait(handle)`. */
  readonly handle: RequestHandle<Id>;
  constructor(message: string, options: RunComfyErrorOptions & { readonly handle: RequestHandle<Id> }) {
    super(message, options);
    this.handle = options.handle;
  }
}

/**
 * The status endpoint said the job finished, but the result endpoint kept
 * answering 404 (after a few retries with backoff). The job did finish and
 * may have been charged: `handle` resumes with `client.wait(handle)` or
 * `client.result(handle)` later.
 */
export class ResultNotFoundError<Id extends string = string> extends NotFoundError {
  override name = "ResultNotFoundError";
  /** The job's handle, to fetch the result later. */
  readonly handle: RequestHandle<Id>;
  constructor(message: string, options: APIErrorOptions & { readonly handle: RequestHandle<Id> }) {
    super(message, options);
    this.handle = options.handle;
  }
}

/** The server kept reporting a status this client does not know. */
export class UnknownStatusError extends RunComfyError {
  override name = "UnknownStatusError";
  /** The last status word the server sent (`serverStatus`), which this client does not know. */
  readonly status: string;
  constructor(message: string, status: string, options: RunComfyErrorOptions = {}) {
    super(message, options);
    this.status = status;
  }
}

const REDACTED = "[redacted]";

/**
 * The one redaction function: replaces every occurrence of a secret (the API
 * token) in a text. Everything the client lets out (error messages, stacks,
 * server messages and details, causes, log lines) passes through it, by way
 * of `redactError` and the client's log.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret !== "" && out.includes(secret)) out = redactOne(out, secret);
  return out;
}

/**
 * Below this length a secret also occurs inside ordinary words (a test token `x` in `fusionx`): it is redacted only
 * where it stands alone (no letter or digit right before or after it), so messages stay readable.
 */
const SHORT_SECRET = 8;

function isWordChar(char: string | undefined): boolean {
  return char !== undefined && /[A-Za-z0-9]/.test(char);
}

function redactOne(text: string, secret: string): string {
  if (secret.length >= SHORT_SECRET) return text.split(secret).join(REDACTED);
  let out = "";
  let from = 0;
  let at = text.indexOf(secret);
  while (at !== -1) {
    if (isWordChar(text[at - 1]) || isWordChar(text[at + secret.length])) {
      at = text.indexOf(secret, at + 1);
      continue;
    }
    out += text.slice(from, at) + REDACTED;
    from = at + secret.length;
    at = text.indexOf(secret, from);
  }
  return out + text.slice(from);
}

/** `redact` over every string in a JSON-like value (a copy; errors inside are redacted in place). */
export function redactDeep<T>(value: T, secrets: readonly string[]): T {
  return secrets.length === 0 ? value : (redactValue(value, secrets, 0) as T);
}

function redactValue(value: unknown, secrets: readonly string[], depth: number): unknown {
  if (typeof value === "string") return redact(value, secrets);
  if (depth > 8 || value === null || typeof value !== "object") return value;
  if (value instanceof Error) return redactError(value, secrets, depth + 1);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, secrets, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = redactValue(item, secrets, depth + 1);
  return copy;
}

/**
 * Redacts secrets from an error before it leaves the client: message, stack,
 * every own field (deeply), and the `cause` chain. A foreign cause (a fetch or
 * socket error, which may quote a header) is replaced by a redacted copy that
 * keeps its name, message, `code` and its own cause.
 */
export function redactError<E>(error: E, secrets: readonly string[], depth = 0): E {
  if (secrets.length === 0 || !(error instanceof Error) || depth > 8) return error;
  const code = (error as { code?: unknown }).code;
  const target: Error =
    error instanceof RunComfyError
      ? error
      : Object.assign(new Error(redact(String(error.message), secrets)), typeof code === "string" ? { code } : {});
  if (target !== error) target.name = error.name;
  target.message = redact(target.message, secrets);
  if (error.stack !== undefined) target.stack = redact(error.stack, secrets);
  if (target === error) {
    for (const key of Object.keys(error)) {
      const record = error as unknown as Record<string, unknown>;
      record[key] = redactValue(record[key], secrets, depth + 1);
    }
  }
  if ("cause" in error && error.cause !== undefined) {
    Object.defineProperty(target, "cause", {
      value: redactValue(error.cause, secrets, depth + 1),
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  return target as E;
}
