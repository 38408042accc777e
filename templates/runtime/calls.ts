/**
 * The four queue calls as parsed answers: submit, status, result and cancel.
 * Each is one request through the HTTP engine (`http.ts`), which does the
 * retries, timeouts and error mapping; this file only builds the requests
 * and reads the answers.
 */
import type { ClientContext } from "./config.js";
import { AbortError, APIError, ConfigurationError, RequestTimeoutError, SubmitOutcomeUnknownError } from "./errors.js";
import { markPastDeadline, request, type HttpRequest } from "./http.js";
import { PAST_DEADLINE } from "./scheduler.js";
import { checkSignal } from "./config.js";
import {
  CANCELLED_STATUSES,
  ERROR_CODES,
  FINISHED_STATUSES,
  QUEUED_STATUSES,
  RUNNING_STATUSES,
  modelIdProblem,
  paths,
  requestIdProblem,
  TOKEN_ENV_VARS,
} from "./protocol.js";
import type { AnyModel } from "./registry.js";
import { snapshotInput } from "./model.js";

/**
 * JSON-serialisable reference to a submitted job: store it (`JSON.stringify`), and `client.wait(handle)` later, also
 * in another process. `Id` is the model id, so waiting on a handle gives that model's output type; check a parsed
 * value with `isRequestHandle(value, modelId)`.
 */
export interface RequestHandle<Id extends string = string> {
  /** The model the job runs. */
  readonly modelId: Id;
  /** RunComfy's request id. */
  readonly requestId: string;
  /** ISO-8601 time of the submit (the poll schedule counts from it when a wait resumes). */
  readonly submittedAt: string;
}

/**
 * True when `value` has the shape of a `RequestHandle` (a non-empty `modelId` and `requestId`, and a `submittedAt`
 * string), e.g. after `JSON.parse`. It narrows to `RequestHandle` of any model; pass `modelId` to narrow to one
 * model's handle.
 */
export function isRequestHandle(value: unknown): value is RequestHandle;
/**
 * True when `value` has the shape of a `RequestHandle` and is the handle of `modelId`, which narrows it to
 * `RequestHandle<Id>` (so `client.wait` gives that model's output type). The id is checked at run time, so it can
 * only be narrowed with the id given.
 */
export function isRequestHandle<const Id extends string>(value: unknown, modelId: Id): value is RequestHandle<Id>;
export function isRequestHandle(value: unknown, modelId?: string): value is RequestHandle {
  if (!isObject(value)) return false;
  const { modelId: id, requestId, submittedAt } = value;
  return (
    typeof id === "string" &&
    id !== "" &&
    (modelId === undefined || id === modelId) &&
    typeof requestId === "string" &&
    requestId !== "" &&
    typeof submittedAt === "string"
  );
}

/** Options every call takes. */
export interface CallOptions {
  /** Aborts the call: before it is sent nothing is sent; a wait stops through `onAbort`. @default none */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Where a job is, read from the server's word (kept in `serverStatus`): `"in_queue"` (also `queued`, `pending`,
 * `waiting`), `"in_progress"` (also `starting`, `processing`, `running`), `"completed"` (also `succeeded`: the result
 * is ready), `"failed"`, `"cancelled"` (also `canceled`), or `"unknown"` for a word this client does not know.
 */
export type RequestStatus = "in_queue" | "in_progress" | "completed" | "failed" | "cancelled" | "unknown";

/** How a job ended as the result endpoint reports it, or where it still is (`"in_queue"`, `"in_progress"`, `"unknown"`). */
export type ResultStatus = "succeeded" | "failed" | "cancelled" | "in_queue" | "in_progress" | "unknown";

/** What a cancel did: `"cancelled"` (it was queued), `"not_cancellable"` (already running or finished), or `"unknown"`. */
export type CancelOutcome = "cancelled" | "not_cancellable" | "unknown";

/** The status endpoint's answer, parsed. */
export interface StatusInfo {
  /** RunComfy's request id. */
  readonly requestId: string;
  /** Where the job is (see `RequestStatus`). */
  readonly status: RequestStatus;
  /** The server's own status word, trimmed and lower-cased (`"in_queue"`, `"running"`, …). */
  readonly serverStatus: string;
  /** Jobs ahead of this one (only while queued, when the server says). */
  readonly queuePosition?: number | undefined;
  /** The response body as sent. */
  readonly raw: unknown;
}

/** The result endpoint's answer, parsed (`client.wait` and `client.run` turn it into a `JobResult`). */
export interface ResultInfo {
  /** RunComfy's request id. */
  readonly requestId: string;
  /** How the job ended, or where it still is (see `ResultStatus`). */
  readonly status: ResultStatus;
  /** The server's own status word, trimmed and lower-cased. */
  readonly serverStatus: string;
  /** The output as sent (not parsed by the model: `client.wait` does that). */
  readonly output?: Readonly<Record<string, unknown>> | undefined;
  /** The server's `error` of a failed job, as sent. */
  readonly error?: unknown;
  /** RunComfy's `error_code` of a failed job, when the result carried one. */
  readonly errorCode?: number | undefined;
  /** ISO-8601 time the job was created, when the server says. */
  readonly createdAt?: string | undefined;
  /** ISO-8601 time the job finished, when the server says. */
  readonly finishedAt?: string | undefined;
  /** The response body as sent. */
  readonly raw: unknown;
}

/** The cancel endpoint's answer, parsed. */
export interface CancelInfo {
  /** RunComfy's request id. */
  readonly requestId: string;
  /** What the cancel did (see `CancelOutcome`). */
  readonly outcome: CancelOutcome;
  /** The server's own `outcome` word (or its status when it sent none), lower-cased. */
  readonly serverOutcome: string;
  /** Where the job is after the cancel, when the server says. */
  readonly status?: RequestStatus | undefined;
  /** The response body as sent. */
  readonly raw: unknown;
}

/** A request handle or a bare request id (what `status`, `result` and `cancel` take). */
export type RequestRef = RequestHandle | string;

/** The server's status word (lower-cased) as a `RequestStatus`. */
export function requestStatusOf(word: string): RequestStatus {
  if (CANCELLED_STATUSES.includes(word)) return "cancelled";
  if (word === "failed") return "failed";
  if (FINISHED_STATUSES.includes(word)) return "completed";
  if (RUNNING_STATUSES.includes(word)) return QUEUED_STATUSES.includes(word) ? "in_queue" : "in_progress";
  return "unknown";
}

function resultStatusOf(word: string): ResultStatus {
  const status = requestStatusOf(word);
  return status === "completed" ? "succeeded" : status;
}

function wordOf(value: unknown): string {
  return String(value ?? "")
    .trim()
    .toLowerCase();
}

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
  /** Validates (`build`, or `buildRaw` when `raw`), then submits; a model object is used as given. */
  submit(
    modelRef: string | AnyModel,
    input: unknown,
    options?: CallOptions,
    raw?: boolean,
    /** run()'s deadline (clock ms): it ends the wait for a slot and the submit itself. */
    deadline?: number,
  ): Promise<RequestHandle>;
  status(ref: RequestRef, options?: TimedCallOptions): Promise<StatusInfo>;
  result(ref: RequestRef, options?: TimedCallOptions): Promise<ResultInfo>;
  cancel(ref: RequestRef, options?: TimedCallOptions): Promise<CancelInfo>;
}

/** A submit whose deadline (run()'s `timeoutMs`) came while it waited for a slot: nothing was sent. */
function submitPastDeadline(modelId: string): RequestTimeoutError {
  return markPastDeadline(
    new RequestTimeoutError(
      `POST ${paths.model(modelId)}: the deadline came before it was sent (nothing was sent) (model ${modelId})`,
      { modelId },
    ),
  );
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

  /** The submit itself, once the call holds a submit slot (`release` gives it back). */
  const submitInSlot = async (
    modelRef: string | AnyModel,
    modelId: string,
    input: unknown,
    signal: AbortSignal | undefined,
    deadline: number | undefined,
    raw: boolean,
    release: () => void,
  ): Promise<RequestHandle> => {
    let response: unknown;
    try {
      if (signal?.aborted) {
        throw new AbortError(`POST ${paths.model(modelId)} aborted before it was sent (nothing was sent)`, {
          modelId,
          cause: signal.reason,
        });
      }
      if (release === PAST_DEADLINE) throw submitPastDeadline(modelId);
      const model = typeof modelRef === "string" ? await registry.resolve(modelRef) : modelRef;
      // An id this client does not know is refused, not sent as given: a typo or a model missing from the package
      // would run (and bill) whatever the body says, its sample inputs for an empty one.
      if (!model)
        throw new ConfigurationError(
          `model ${JSON.stringify(modelId)} is not one this client knows (check the id, or regenerate the package with it); ` +
            "to send a body as given to a model the package lacks, pass untypedModel(id) instead of the id; nothing was sent",
        );
      const body = raw ? model.buildRaw(input) : model.build(input);
      response = await send({
        method: "POST",
        path: paths.model(modelId),
        body,
        operation: "submit",
        modelId,
        signal,
        deadline,
      });
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
    // Checked here, not first by the status call after it: the job is paid for, and the id is all there is of it.
    const problem = requestIdProblem(requestId);
    if (problem !== undefined) {
      throw new SubmitOutcomeUnknownError(
        `submit of ${modelId} was answered with the request_id ${JSON.stringify(requestId.slice(0, 200))}, which is not valid (${problem}): the job may have been queued under it; check your RunComfy generations`,
        { modelId },
      );
    }
    log("info", `submitted ${modelId} as ${requestId}`);
    return { modelId, requestId, submittedAt: new Date(clock.now()).toISOString() };
  };

  const submit = (
    modelRef: string | AnyModel,
    input: unknown,
    callOptions: CallOptions = {},
    raw = false,
    deadline?: number,
  ): Promise<RequestHandle> => {
    let signal: AbortSignal | undefined;
    let modelId: string;
    let data: unknown;
    try {
      signal = checkSignal("signal", callOptions.signal);
      modelId = checkModelId(typeof modelRef === "string" ? modelRef : modelRef?.id);
      // The input as it is now: the call sends this, however long it waits for its model or a slot.
      data = snapshotInput(modelId, input);
    } catch (error) {
      return Promise.reject(error);
    }
    // Waiting for a submit slot is cheap: one small record and one callback, no frame of this call (ten thousand
    // run() calls started together wait here); the body is built only once a slot is free. A deadline (run()'s
    // timeoutMs) ends the wait too.
    const slot = context.submitSlots.enter(signal, deadline);
    if (typeof slot === "function") return submitInSlot(modelRef, modelId, data, signal, deadline, raw, slot);
    return slot.then((release) => submitInSlot(modelRef, modelId, data, signal, deadline, raw, release));
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
    const serverStatus = wordOf(raw["status"]);
    return {
      requestId,
      status: requestStatusOf(serverStatus),
      serverStatus,
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
        signal: checkSignal("signal", callOptions.signal),
        deadline: callOptions.deadline,
      });
    } catch (error) {
      // Some deployments answer "not ready" with an error code instead of the current status.
      if (error instanceof APIError && error.errorCode === ERROR_CODES.resultNotReady)
        return { requestId, status: "in_progress", serverStatus: "in_progress", raw: error.detail };
      throw error;
    }
    const raw = isObject(body) ? body : {};
    const serverStatus = wordOf(raw["status"]);
    return {
      requestId,
      status: resultStatusOf(serverStatus),
      serverStatus,
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
    const status = statusText === undefined ? undefined : requestStatusOf(statusText);
    const serverOutcome = text(raw["outcome"])?.toLowerCase() ?? statusText ?? "";
    // Without an `outcome`, the status says it: cancelled, or still there (running or finished) and not cancellable.
    const outcome: CancelOutcome =
      serverOutcome === "not_cancellable"
        ? "not_cancellable"
        : CANCELLED_STATUSES.includes(serverOutcome)
          ? "cancelled"
          : raw["outcome"] === undefined && status !== undefined && status !== "unknown"
            ? "not_cancellable"
            : "unknown";
    return { requestId, outcome, serverOutcome, ...(status === undefined ? {} : { status }), raw: body };
  };

  return { send, submit, status, result, cancel };
}
