/**
 * The four queue calls as parsed answers: submit, status, result and cancel.
 * Each is one request through the HTTP engine (`http.ts`), which does the
 * retries, timeouts and error mapping; this file only builds the requests
 * and reads the answers.
 */
import type { ClientContext } from "./config.js";
import { AbortError, APIError, ConfigurationError, SubmitOutcomeUnknownError, ValidationError } from "./errors.js";
import { request, type HttpRequest } from "./http.js";
import { checkSignal } from "./config.js";
import {
  CANCELLED_STATUSES,
  ERROR_CODES,
  modelIdProblem,
  paths,
  requestIdProblem,
  TOKEN_ENV_VARS,
} from "./protocol.js";
import type { AnyModel } from "./registry.js";

/** JSON-serialisable reference to a submitted job: store it, and `wait(handle)` later, even in another process. */
export interface RequestHandle<Id extends string = string> {
  readonly modelId: Id;
  readonly requestId: string;
  /** ISO-8601 time of the submit. */
  readonly submittedAt: string;
}

export interface CallOptions {
  readonly signal?: AbortSignal | undefined;
}

export interface StatusInfo {
  readonly requestId: string;
  /** Lower-cased status: `in_queue`, `in_progress`, `completed`, `cancelled`, or whatever the server said. */
  readonly status: string;
  /** Jobs ahead of this one (only while `in_queue`). */
  readonly queuePosition?: number | undefined;
  readonly raw: unknown;
}

export interface ResultInfo {
  readonly requestId: string;
  /** `succeeded`, `failed`, `cancelled`, or a running status when the job has not finished. */
  readonly status: string;
  readonly output?: Readonly<Record<string, unknown>> | undefined;
  readonly error?: unknown;
  /** RunComfy's `error_code` of a failed job, when the result carried one. */
  readonly errorCode?: number | undefined;
  readonly createdAt?: string | undefined;
  readonly finishedAt?: string | undefined;
  readonly raw: unknown;
}

export interface CancelInfo {
  readonly requestId: string;
  /** `cancelled` (it was queued), `not_cancellable` (already running or finished), or the server's word. */
  readonly outcome: "cancelled" | "not_cancellable" | (string & {});
  readonly status?: string | undefined;
  readonly raw: unknown;
}

/** A request handle or a bare request id. */
export type RequestRef = RequestHandle | string;

/** Internal call options: the wait loop passes its deadline so retries stop in time. */
export interface TimedCallOptions extends CallOptions {
  readonly deadline?: number | undefined;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** `queue_position` as a number: an integer, or a numeric string (`"3"`) read as one. */
export function queuePositionOf(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) && value >= 0 ? value : undefined;
  if (typeof value === "string" && /^\s*\d+\s*$/.test(value)) return Number(value);
  return undefined;
}

/** Refuses a model id that cannot be put in a path safely, before anything is sent. */
export function checkModelId(modelId: unknown): string {
  const problem = modelIdProblem(modelId);
  if (problem !== undefined) {
    const shown = typeof modelId === "string" ? JSON.stringify(modelId.slice(0, 200)) : String(typeof modelId);
    throw new ConfigurationError(`model id ${shown} is not valid: ${problem}; nothing was sent`);
  }
  return modelId as string;
}

/** A failed result's error: the server's `error`, or its `error_code`/`error_message` when it sent those instead. */
function errorOf(raw: Record<string, unknown>): { readonly error?: unknown; readonly errorCode?: number } {
  const code = raw["error_code"];
  const errorCode =
    typeof code === "number" ? code : typeof code === "string" && /^\d+$/.test(code) ? Number(code) : undefined;
  const message = raw["error_message"] ?? raw["message"];
  const error =
    raw["error"] !== undefined
      ? raw["error"]
      : errorCode !== undefined || message !== undefined
        ? {
            ...(errorCode === undefined ? {} : { error_code: errorCode }),
            ...(message === undefined ? {} : { message }),
          }
        : undefined;
  return { ...(error === undefined ? {} : { error }), ...(errorCode === undefined ? {} : { errorCode }) };
}

export interface QueueCalls {
  /** One API call (after the token check); resolves with the parsed body. */
  send(spec: HttpRequest): Promise<unknown>;
  submit(modelRef: string | AnyModel, input: unknown, options?: CallOptions): Promise<RequestHandle>;
  status(ref: RequestRef, options?: TimedCallOptions): Promise<StatusInfo>;
  result(ref: RequestRef, options?: TimedCallOptions): Promise<ResultInfo>;
  cancel(ref: RequestRef, options?: TimedCallOptions): Promise<CancelInfo>;
}

export function createQueueCalls(context: ClientContext): QueueCalls {
  const { clock, log, registry, token } = context;

  const send = async (spec: HttpRequest): Promise<unknown> => {
    if (token === undefined) {
      throw new ConfigurationError(
        `no API token: set ${TOKEN_ENV_VARS.join(" or ")} or pass { token } to createClient (nothing was sent)`,
      );
    }
    return (await request(context.http, spec)).body;
  };

  const requestIdOf = (ref: RequestRef): string => {
    const id = typeof ref === "string" ? ref : isObject(ref) ? ref["requestId"] : undefined;
    if (typeof id !== "string" || id === "") throw new ConfigurationError("expected a request handle or a request id");
    const problem = requestIdProblem(id);
    if (problem !== undefined)
      throw new ConfigurationError(
        `request id ${JSON.stringify(id.slice(0, 200))} is not valid: ${problem}; nothing was sent`,
      );
    return id;
  };
  const modelIdOf = (ref: RequestRef): string | undefined => (typeof ref === "string" ? undefined : ref.modelId);

  const submit = async (
    modelRef: string | AnyModel,
    input: unknown,
    callOptions: CallOptions = {},
  ): Promise<RequestHandle> => {
    const signal = checkSignal("signal", callOptions.signal);
    const modelId = checkModelId(typeof modelRef === "string" ? modelRef : modelRef?.id);
    // Waiting for a submit slot is cheap (one small record): the body is built only once a slot is free.
    const release = await context.submitSlots.enter(signal);
    let response: unknown;
    try {
      if (signal?.aborted) {
        throw new AbortError(`POST ${paths.model(modelId)} aborted before it was sent (nothing was sent)`, {
          modelId,
          cause: signal.reason,
        });
      }
      const model = typeof modelRef === "string" ? await registry.resolve(modelRef) : modelRef;
      let body: unknown;
      if (model) body = model.build(input);
      else if (isObject(input)) body = input;
      else
        throw new ValidationError(modelId, [
          { alias: "(input)", key: "", path: "", rule: "type", message: `input for ${modelId} must be a plain object` },
        ]);
      response = await send({ method: "POST", path: paths.model(modelId), body, operation: "submit", modelId, signal });
    } finally {
      release();
    }
    const requestId = isObject(response) ? text(response["request_id"]) : undefined;
    if (requestId === undefined) {
      throw new SubmitOutcomeUnknownError(
        `submit of ${modelId} was answered without a request_id: the job may have been queued; check your RunComfy generations`,
        { modelId },
      );
    }
    log("info", `submitted ${modelId} as ${requestId}`);
    return { modelId, requestId, submittedAt: new Date(clock.now()).toISOString() };
  };

  const status = async (ref: RequestRef, callOptions: TimedCallOptions = {}): Promise<StatusInfo> => {
    const requestId = requestIdOf(ref);
    const body = await send({
      method: "GET",
      path: paths.status(requestId),
      operation: "status",
      requestId,
      modelId: modelIdOf(ref),
      signal: checkSignal("signal", callOptions.signal),
      deadline: callOptions.deadline,
    });
    const raw = isObject(body) ? body : {};
    const position = queuePositionOf(raw["queue_position"]);
    return {
      requestId,
      status: String(raw["status"] ?? "")
        .trim()
        .toLowerCase(),
      ...(position === undefined ? {} : { queuePosition: position }),
      raw: body,
    };
  };

  const result = async (ref: RequestRef, callOptions: TimedCallOptions = {}): Promise<ResultInfo> => {
    const requestId = requestIdOf(ref);
    let body: unknown;
    try {
      body = await send({
        method: "GET",
        path: paths.result(requestId),
        operation: "result",
        requestId,
        modelId: modelIdOf(ref),
        signal: callOptions.signal,
        deadline: callOptions.deadline,
      });
    } catch (error) {
      // Some deployments answer "not ready" with an error code instead of the current status.
      if (error instanceof APIError && error.errorCode === ERROR_CODES.resultNotReady)
        return { requestId, status: "in_progress", raw: error.detail };
      throw error;
    }
    const raw = isObject(body) ? body : {};
    return {
      requestId,
      status: String(raw["status"] ?? "")
        .trim()
        .toLowerCase(),
      ...(isObject(raw["output"]) ? { output: raw["output"] } : {}),
      ...errorOf(raw),
      ...(text(raw["created_at"]) ? { createdAt: text(raw["created_at"]) } : {}),
      ...(text(raw["finished_at"]) ? { finishedAt: text(raw["finished_at"]) } : {}),
      raw: body,
    };
  };

  const cancel = async (ref: RequestRef, callOptions: TimedCallOptions = {}): Promise<CancelInfo> => {
    const requestId = requestIdOf(ref);
    const body = await send({
      method: "POST",
      path: paths.cancel(requestId),
      operation: "cancel",
      requestId,
      modelId: modelIdOf(ref),
      signal: checkSignal("signal", callOptions.signal),
      deadline: callOptions.deadline,
    });
    const raw = isObject(body) ? body : {};
    const statusText = text(raw["status"])?.toLowerCase();
    const outcome =
      text(raw["outcome"])?.toLowerCase() ??
      (statusText !== undefined && CANCELLED_STATUSES.includes(statusText) ? "cancelled" : (statusText ?? "unknown"));
    return { requestId, outcome, ...(statusText === undefined ? {} : { status: statusText }), raw: body };
  };

  return { send, submit, status, result, cancel };
}
