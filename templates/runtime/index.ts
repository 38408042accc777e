/**
 * Public runtime API of the generated package (re-exported by its root entry, `runcomfy-models`). Everything
 * exported here is public and follows semver; what the package needs internally (policies, schedules, the error
 * class table, the model constructor of generated modules) is exported from `runcomfy-models/internal`
 * (`internal.ts`) only, and may change in any release.
 */
export { createClient } from "./client.js";
export type {
  Client,
  IdOf,
  InputOfModel,
  ModelOf,
  ModelRef,
  OutputOfModel,
  RawInputOfModel,
  RunOptions,
} from "./client.js";
export { isRequestHandle } from "./calls.js";
export type {
  CallOptions,
  CancelInfo,
  CancelOutcome,
  RequestHandle,
  RequestRef,
  RequestStatus,
  ResultInfo,
  ResultStatus,
  StatusInfo,
} from "./calls.js";
export type { Catalog, CatalogEntry, CatalogPage, CatalogQuery } from "./catalog.js";
export type { ClientOptions, RuntimeClientOptions } from "./config.js";
export type { AnyModel, ModelRegistry, ModelSource } from "./registry.js";
export type { JobBase, JobCancelled, JobFailed, JobResult, JobSucceeded, StatusUpdate, WaitOptions } from "./wait.js";
export {
  AbortError,
  APIError,
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
  WaitFailedError,
  WaitTimeoutError,
} from "./errors.js";
export type {
  APIErrorOptions,
  RunComfyErrorOptions,
  StopOutcome,
  SubmitOutcomeUnknownErrorOptions,
  ValidationIssue,
  WaitErrorOptions,
} from "./errors.js";
export type { Clock, Logger, LogLevel } from "./http.js";
export { mediaProblem } from "./model.js";
export type {
  AnnotatedSchema,
  FieldDefinition,
  InputOf,
  MediaKind,
  Model,
  OutputOf,
  RawInputOf,
  Size,
  SizeChoice,
  SizeValue,
  ValueDefinition,
} from "./model.js";
export { outputUrls } from "./outputs.js";
export type { PollOptions, PollPolicy } from "./poll.js";
export { DEFAULT_BASE_URL } from "./protocol.js";
export type { RetryOptions, RetryPolicy } from "./retry.js";
export { untypedModel } from "./untyped.js";
export type { UntypedInput, UntypedModel, UntypedOutput } from "./untyped.js";
