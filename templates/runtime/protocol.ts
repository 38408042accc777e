/**
 * RunComfy Model API protocol constants, in one place.
 * Sources: docs.runcomfy.com/model-apis (async queue endpoints, error codes)
 * and what RunComfy's own CLI (runcomfy-cli) and ComfyUI partner nodes accept.
 */

/** Production base URL; every path below starts with `/v1`. */
export const DEFAULT_BASE_URL = "https://model-api.runcomfy.net";

/** Environment variables read when no option is given (first match wins). */
export const TOKEN_ENV_VARS: readonly string[] = ["RUNCOMFY_API_TOKEN", "RUNCOMFY_TOKEN"];
/** Same variable RunComfy's CLI reads; it may end in `/v1`, which is accepted. */
export const BASE_URL_ENV_VAR = "RUNCOMFY_MODEL_API_BASE";

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Why a model id cannot go into `/v1/models/{model_id}`, or undefined when it
 * can. Its slashes stay path separators (as RunComfy documents), so a segment
 * that is empty, `.` or `..` would move the request elsewhere once the URL is
 * normalised (`acme/../../requests/job-9/cancel`); percent-encoded slashes
 * and backslashes, backslashes and control characters are refused too.
 */
export function modelIdProblem(modelId: unknown): string | undefined {
  if (typeof modelId !== "string" || modelId === "") return "it is not a non-empty string";
  if (CONTROL.test(modelId)) return "it contains a control character";
  if (/%(2f|5c)/i.test(modelId)) return "it contains a percent-encoded slash or backslash";
  if (modelId.includes("\\")) return "it contains a backslash";
  for (const segment of modelId.split("/")) {
    if (segment === "") return "it has an empty segment (a leading, trailing or doubled slash)";
    if (segment === "." || segment === "..") return `it has a "${segment}" segment`;
  }
  return undefined;
}

/** Why a request id cannot go into `/v1/requests/{request_id}/…`, or undefined when it can. */
export function requestIdProblem(requestId: unknown): string | undefined {
  if (typeof requestId !== "string" || requestId === "") return "it is not a non-empty string";
  if (CONTROL.test(requestId)) return "it contains a control character";
  if (requestId === "." || requestId === "..") return `it is "${requestId}"`;
  return undefined;
}

export const paths = {
  /** POST: submit a job; GET: the model's catalog entry (the model id's slashes stay path separators). */
  model: (modelId: string): string => `/v1/models/${modelId.split("/").map(encodeURIComponent).join("/")}`,
  /** GET: catalog listing. */
  models: "/v1/models",
  status: (requestId: string): string => `/v1/requests/${encodeURIComponent(requestId)}/status`,
  result: (requestId: string): string => `/v1/requests/${encodeURIComponent(requestId)}/result`,
  cancel: (requestId: string): string => `/v1/requests/${encodeURIComponent(requestId)}/cancel`,
};

/** Status endpoint values of a job still in the queue (the documented one first, then ones RunComfy's own clients tolerate). */
export const QUEUED_STATUSES: readonly string[] = ["in_queue", "queued", "pending", "waiting"];
/** Status endpoint values that mean "keep waiting": the queued ones, then those of a job that has started. */
export const RUNNING_STATUSES: readonly string[] = [
  ...QUEUED_STATUSES,
  "in_progress",
  "starting",
  "processing",
  "running",
];
/** Status endpoint values after which the result endpoint has the answer. */
export const FINISHED_STATUSES: readonly string[] = ["completed", "succeeded", "failed"];
/** Both spellings are seen in RunComfy's clients. */
export const CANCELLED_STATUSES: readonly string[] = ["cancelled", "canceled"];

/**
 * RunComfy `error_code` values: the Model API's documented codes, the general
 * API's 401001/403003/422001/500001, and two that only RunComfy's own clients
 * and gateways show (400005 "result not ready", 429 as a code).
 */
export const ERROR_CODES = {
  invalidResource: 400001,
  insufficientBalance: 400002,
  userAccount: 400004,
  /** A result that is not ready yet (seen in RunComfy's own client tests). */
  resultNotReady: 400005,
  unauthorized: 401001,
  permissionDenied: 403001,
  forbidden: 403003,
  notFound: 404001,
  validation: 422001,
  /** Not documented; some gateways put the HTTP status into the body. */
  rateLimited: 429,
  internal: 500001,
} as const;

/** Header names. */
export const headers = {
  /** Bearer token; sent to the configured base URL only. */
  authorization: "Authorization",
  contentType: "Content-Type",
  accept: "Accept",
  /** Seconds or an HTTP date; honoured (capped) on retries. */
  retryAfter: "Retry-After",
  /** Milliseconds; some gateways send it instead of Retry-After. */
  retryAfterMs: "Retry-After-Ms",
} as const;
