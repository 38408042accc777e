/**
 * Every error this package throws is a `RunComfyError`.
 *
 * Local validation errors (`ValidationError`) are thrown before anything is
 * sent. API errors are chosen from the HTTP status and RunComfy's
 * `error_code` in one place, `errorFromResponse` in `http.ts`.
 */

export interface RunComfyErrorOptions {
  readonly modelId?: string | undefined;
  readonly requestId?: string | undefined;
  readonly cause?: unknown;
}

export class RunComfyError extends Error {
  override name = "RunComfyError";
  /** Model the failing call was about, when known. */
  readonly modelId: string | undefined;
  /** RunComfy request id, when the job was submitted. */
  readonly requestId: string | undefined;

  constructor(message: string, options: RunComfyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.modelId = options.modelId;
    this.requestId = options.requestId;
  }

  /** A plain, secret-free object for logs: `JSON.stringify(error)` never includes a token. */
  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = { name: this.name, message: this.message };
    for (const [key, value] of Object.entries(this)) {
      if (value !== undefined && key !== "cause") json[key] = value;
    }
    return json;
  }
}

/** One problem found in an input; `alias` and `key` name the field, `rule` the broken constraint. */
export interface ValidationIssue {
  /** Friendly field name (`steps`), or the raw key when the field is unknown. */
  readonly alias: string;
  /** Wire key (`149_steps`). */
  readonly key: string;
  /** JSON pointer of the value in the wire body (`/149_steps`, `/loras/0/path`). */
  readonly path: string;
  /** The constraint: `required`, `type`, `enum`, `minimum`, `media`, `size`, `unknown`, … */
  readonly rule: string;
  readonly message: string;
  /** Allowed values for `enum`/`size` problems. */
  readonly allowed?: readonly unknown[];
  /** Allowed range for range problems, e.g. `{ minimum: 6, maximum: 20 }`. */
  readonly range?: Readonly<Record<string, number>>;
}

/** The input breaks the model's schema; nothing was sent and nothing was spent. */
export class ValidationError extends RunComfyError {
  override name = "ValidationError";
  readonly issues: readonly ValidationIssue[];

  constructor(modelId: string, issues: readonly ValidationIssue[]) {
    const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
    super(
      `Invalid input for ${modelId} (${count}; nothing was sent):\n${issues.map((issue) => `  - ${issue.message}`).join("\n")}`,
      { modelId },
    );
    this.issues = issues;
  }
}

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

/** The API answered with an error. Subclasses are chosen by `apiErrorFor`. */
export class APIError extends RunComfyError {
  override name = "APIError";
  readonly status: number;
  readonly errorCode: number | undefined;
  readonly serverMessage: string | undefined;
  readonly detail: unknown;
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

/** The single place where an error class is chosen from RunComfy's `error_code` and the HTTP status. */
export function apiErrorClass(
  status: number,
  errorCode: number | undefined,
  operation: "submit" | "other",
): APIErrorClass {
  // On submit the only resource is the model: "not found" means the model id is unknown.
  if (operation === "submit" && (status === 404 || errorCode === 404001)) return InvalidModelError;
  switch (errorCode) {
    case 400001:
      return InvalidModelError;
    case 400002:
      return InsufficientBalanceError;
    case 400004:
    case 401001:
      return AuthenticationError;
    case 403001:
    case 403003:
      return PermissionDeniedError;
    case 404001:
      return NotFoundError;
    case 422001:
      return UnprocessableEntityError;
    case 429:
      return RateLimitError;
    case 500001:
      return InternalServerError;
  }
  if (status === 401) return AuthenticationError;
  if (status === 402) return InsufficientBalanceError;
  if (status === 403) return PermissionDeniedError;
  if (status === 404) return operation === "submit" ? InvalidModelError : NotFoundError;
  if (status === 422) return UnprocessableEntityError;
  if (status === 429) return RateLimitError;
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

/**
 * The connection broke while a submit was in flight: the job may or may not
 * have been queued (and charged). It is never retried automatically; check
 * your RunComfy generations before submitting again.
 */
export class SubmitOutcomeUnknownError extends ConnectionError {
  override name = "SubmitOutcomeUnknownError";
}

/** What happened to the job when waiting stopped early. */
export interface StopOutcome {
  /** `"left-running"`, `"cancelled"`, `"not-cancellable"` (already running: it will finish and be charged) or `"cancel-failed"`. */
  readonly job: "left-running" | "cancelled" | "not-cancellable" | "cancel-failed";
  /** Last status seen before stopping. */
  readonly lastStatus?: string | undefined;
}

export interface WaitErrorOptions extends RunComfyErrorOptions {
  readonly outcome: StopOutcome;
  /** Serializable handle to resume waiting with `client.wait(handle)`. */
  readonly handle?: unknown;
}

/** The wait deadline passed before the job finished. */
export class WaitTimeoutError extends RunComfyError {
  override name = "WaitTimeoutError";
  readonly outcome: StopOutcome;
  readonly handle: unknown;
  constructor(message: string, options: WaitErrorOptions) {
    super(message, options);
    this.outcome = options.outcome;
    this.handle = options.handle;
  }
}

/** The caller's `AbortSignal` fired. */
export class AbortError extends RunComfyError {
  override name = "AbortError";
  readonly outcome: StopOutcome | undefined;
  readonly handle: unknown;
  constructor(message: string, options: Partial<WaitErrorOptions> = {}) {
    super(message, options);
    this.outcome = options.outcome;
    this.handle = options.handle;
  }
}

/** The server kept reporting a status this client does not know. */
export class UnknownStatusError extends RunComfyError {
  override name = "UnknownStatusError";
  readonly status: string;
  constructor(message: string, status: string, options: RunComfyErrorOptions = {}) {
    super(message, options);
    this.status = status;
  }
}
