/**
 * Public runtime API of the generated package (re-exported by its index).
 * Exports not listed here are internal and may change between releases.
 */
export { createClient } from "./client.js";
export type { Client, RunOptions, UnknownId } from "./client.js";
export type { CallOptions, CancelInfo, RequestHandle, RequestRef, ResultInfo, StatusInfo } from "./calls.js";
export type { Catalog, CatalogEntry, CatalogPage, CatalogQuery } from "./catalog.js";
export { normalizeBaseUrl } from "./config.js";
export type { ClientOptions } from "./config.js";
export type { AnyModel, ModelRegistry, ModelSource } from "./registry.js";
export type { JobCancelled, JobFailed, JobResult, JobSucceeded, StatusUpdate, WaitOptions } from "./wait.js";
export {
  AbortError,
  APIError,
  apiErrorClass,
  AuthenticationError,
  BadRequestError,
  ConfigurationError,
  ConnectionError,
  InsufficientBalanceError,
  InternalServerError,
  InvalidModelError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  RequestTimeoutError,
  ResultNotFoundError,
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
  ValueDefinition,
} from "./model.js";
export { outputUrls } from "./outputs.js";
export { DEFAULT_POLL_POLICY, nextPollDelay } from "./poll.js";
export type { PollOptions, PollPolicy } from "./poll.js";
export { DEFAULT_BASE_URL } from "./protocol.js";
export { backoffDelay, DEFAULT_RETRY_POLICY, parseRetryAfter, provablyNotSent, retryDelay } from "./retry.js";
export type { RetryOptions, RetryPolicy } from "./retry.js";
