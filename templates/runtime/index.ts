/**
 * Public runtime API of the generated package (re-exported by its index).
 * Exports not listed here are internal and may change between releases.
 */
export { createClient, normalizeBaseUrl, ConfigurationError } from "./client.js";
export type {
  AnyModel,
  CallOptions,
  CancelInfo,
  CatalogEntry,
  CatalogQuery,
  Client,
  ClientOptions,
  JobCancelled,
  JobFailed,
  JobResult,
  JobSucceeded,
  ModelClient,
  RequestHandle,
  ResultInfo,
  RunOptions,
  StatusInfo,
  StatusUpdate,
  UnknownId,
  WaitOptions,
} from "./client.js";
export {
  AbortError,
  APIError,
  apiErrorClass,
  AuthenticationError,
  BadRequestError,
  ConnectionError,
  InsufficientBalanceError,
  InternalServerError,
  InvalidModelError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  RequestTimeoutError,
  RunComfyError,
  SubmitOutcomeUnknownError,
  UnknownStatusError,
  UnprocessableEntityError,
  ValidationError,
  WaitTimeoutError,
} from "./errors.js";
export type { APIErrorOptions, RunComfyErrorOptions, StopOutcome, ValidationIssue } from "./errors.js";
export { systemClock } from "./http.js";
export type { Clock, Logger, LogLevel } from "./http.js";
export { mediaProblem } from "./model.js";
export type { MediaKind } from "./model.js";
export { defineModel } from "./model.js";
export type {
  AnnotatedSchema,
  CompiledValidator,
  FieldDefinition,
  InputOf,
  Model,
  ModelDefinition,
  OutputOf,
  RawInputOf,
  SizeChoice,
  Size,
  SizeValue,
} from "./model.js";
export { outputUrls } from "./outputs.js";
export { DEFAULT_POLL_POLICY, nextPollDelay } from "./poll.js";
export type { PollPolicy } from "./poll.js";
export { DEFAULT_BASE_URL } from "./protocol.js";
export { backoffDelay, DEFAULT_RETRY_POLICY, parseRetryAfter, provablyNotSent, retryDelay } from "./retry.js";
export type { RetryPolicy } from "./retry.js";
