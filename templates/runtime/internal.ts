/**
 * `runcomfy-models/internal`: what the package itself is built from, exported for its tests and for the curious.
 * None of it is public API (openai-node's `internal/`): names, signatures and behaviour may change in any release,
 * patch releases included. The public API is the root entry (`index.ts`).
 */
export { normalizeBaseUrl } from "./config.js";
export { downloadRefusal, fileNameFor, fitFileName, MAX_FILE_NAME_BYTES, truncateUtf8 } from "./download-rules.js";
export { apiErrorClass, redact, redactError } from "./errors.js";
export { systemClock } from "./http.js";
export { defineModel, extraKey } from "./model.js";
export type { CompiledValidator, CompiledValidatorError, ModelDefinition } from "./model.js";
export { DEFAULT_POLL_POLICY, nextPollDelay } from "./poll.js";
export { backoffDelay, DEFAULT_RETRY_POLICY, parseRetryAfter, provablyNotSent, retryDelay } from "./retry.js";
