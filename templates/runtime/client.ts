/**
 * The client: submit, status, result, cancel, wait and run, over one HTTP
 * engine (`http.ts`), with a namespace per generated model
 * (`client.<model>.run(input)`).
 */
import {
  AbortError,
  APIError,
  RunComfyError,
  SubmitOutcomeUnknownError,
  UnknownStatusError,
  ValidationError,
  WaitTimeoutError,
  type StopOutcome,
} from "./errors.js";
import {
  createLog,
  request,
  RequestLimiter,
  systemClock,
  type Clock,
  type HttpConfig,
  type HttpRequest,
  type Logger,
  type LogLevel,
} from "./http.js";
import type { Model } from "./model.js";
import { DEFAULT_POLL_POLICY, nextPollDelay, type PollPolicy } from "./poll.js";
import {
  BASE_URL_ENV_VAR,
  CANCELLED_STATUSES,
  DEFAULT_BASE_URL,
  ERROR_CODES,
  FINISHED_STATUSES,
  paths,
  RUNNING_STATUSES,
  TOKEN_ENV_VARS,
} from "./protocol.js";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry.js";
import { PollScheduler } from "./scheduler.js";

/* eslint-disable @typescript-eslint/no-explicit-any -- a model of any input/output shape */
export type AnyModel = Model<string, any, any, any>;
/* eslint-enable @typescript-eslint/no-explicit-any */

type InputOfModel<X> = X extends Model<string, infer Input, infer RawInput, unknown> ? Input | RawInput : never;
type RawOfModel<X> = X extends Model<string, unknown, infer RawInput, unknown> ? RawInput : never;
type OutputOfModel<X> = X extends Model<string, unknown, unknown, infer Output> ? Output : never;

export interface ClientOptions {
  /** API token. @default `RUNCOMFY_API_TOKEN`, then `RUNCOMFY_TOKEN` (the official CLI's) from the environment */
  readonly token?: string | undefined;
  /** API origin; a trailing `/v1` is accepted. @default `RUNCOMFY_MODEL_API_BASE`, then `https://model-api.runcomfy.net` */
  readonly baseUrl?: string | undefined;
  /** `fetch` implementation. @default globalThis.fetch */
  readonly fetch?: typeof fetch | undefined;
  /** Timeout of one HTTP attempt, in milliseconds. @default 60000 */
  readonly timeoutMs?: number | undefined;
  /** Requests this client has in flight at most; more wait their turn (time waiting does not count towards `timeoutMs`). @default 32 */
  readonly maxConcurrentRequests?: number | undefined;
  /** Requests this client starts per second at most (bursts of up to one second's worth pass at once), e.g. to stay under an account's rate limit with thousands of jobs. @default Infinity */
  readonly maxRequestsPerSecond?: number | undefined;
  /** Retry policy of status, result and cancel calls (a submit is never retried once it may have been sent). */
  readonly retry?: Partial<RetryPolicy> | undefined;
  /** Poll schedule and default wait deadline. */
  readonly poll?: Partial<PollPolicy> | undefined;
  /** Receives log lines (never with the token). @default none */
  readonly logger?: Logger | undefined;
  /** @default "warn" */
  readonly logLevel?: LogLevel | undefined;
  /** Extra headers on every call. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** Time source, for tests. @default the system clock */
  readonly clock?: Clock | undefined;
  /** Models this client knows by id and by name (`client.<name>`). */
  readonly models?: readonly AnyModel[] | Readonly<Record<string, AnyModel>> | undefined;
}

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

export interface StatusUpdate extends StatusInfo {
  readonly modelId: string;
  /** Milliseconds since `wait` started. */
  readonly elapsedMs: number;
  /** False when the status is not one this client knows (it keeps polling, up to `maxUnknownStatuses`). */
  readonly known: boolean;
}

export interface ResultInfo {
  readonly requestId: string;
  /** `succeeded`, `failed`, `cancelled`, or a running status when the job has not finished. */
  readonly status: string;
  readonly output?: Readonly<Record<string, unknown>> | undefined;
  readonly error?: unknown;
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

interface JobBase {
  readonly requestId: string;
  readonly modelId: string;
  readonly createdAt?: string | undefined;
  readonly finishedAt?: string | undefined;
  readonly raw: unknown;
}

export interface JobSucceeded<Output> extends JobBase {
  readonly status: "succeeded";
  readonly output: Output;
}

export interface JobFailed extends JobBase {
  readonly status: "failed";
  /** The server's `error`, as sent. */
  readonly error: unknown;
  /** The error as one line of text. */
  readonly message: string;
}

export interface JobCancelled extends JobBase {
  readonly status: "cancelled";
}

/** How a job ended: switch on `status`. */
export type JobResult<Output> = JobSucceeded<Output> | JobFailed | JobCancelled;

export interface WaitOptions extends CallOptions {
  /** Give up after this many milliseconds (`Infinity` for never). @default poll.timeoutMs (30 min) */
  readonly timeoutMs?: number | undefined;
  /** Called after every status call, with status and queue position. */
  readonly onStatus?: ((update: StatusUpdate) => void) | undefined;
  /** On timeout: cancel the job while it is still queued, or leave it running. @default "cancel" */
  readonly onTimeout?: "cancel" | "leave" | undefined;
  /** On abort: cancel the job while it is still queued, or leave it running. @default "cancel" */
  readonly onAbort?: "cancel" | "leave" | undefined;
  /** Poll schedule for this wait. */
  readonly poll?: Partial<PollPolicy> | undefined;
}

export interface RunOptions extends WaitOptions {
  /** Called once the job is queued, before waiting: persist the handle to resume later. */
  readonly onEnqueue?: ((handle: RequestHandle) => void) | undefined;
}

export interface CatalogEntry {
  readonly model_id: string;
  readonly display_name?: string;
  readonly input_schema?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

export interface CatalogQuery {
  readonly search?: string;
  readonly category?: string;
  readonly limit?: number;
  readonly offset?: number;
  readonly includeSchema?: boolean;
}

/** Calls bound to one model: `client.<model>.run(input)`. */
export interface ModelClient<X extends AnyModel> {
  readonly model: X;
  run(input: InputOfModel<X>, options?: RunOptions): Promise<JobResult<OutputOfModel<X>>>;
  submit(input: InputOfModel<X>, options?: CallOptions): Promise<RequestHandle<X["id"]>>;
  wait(handle: RequestHandle<X["id"]>, options?: WaitOptions): Promise<JobResult<OutputOfModel<X>>>;
  build(input: InputOfModel<X>): RawOfModel<X>;
}

type Ref = RequestHandle | string;

/** A model id this client has no types for; a known id never matches, so its input stays checked. */
export type UnknownId<S extends string, M> = S & (S extends keyof M ? never : unknown);

/** The client; `M` maps known model ids to models (generated as `ModelMap`). */
export interface Client<M = Record<never, AnyModel>> {
  /** Base URL calls go to (the token is sent nowhere else). */
  readonly baseUrl: string;
  run<K extends keyof M & string>(
    model: K,
    input: InputOfModel<M[K]>,
    options?: RunOptions,
  ): Promise<JobResult<OutputOfModel<M[K]>>>;
  run<X extends AnyModel>(model: X, input: InputOfModel<X>, options?: RunOptions): Promise<JobResult<OutputOfModel<X>>>;
  /** Any other model id: the body is sent as given (no local validation, untyped output). */
  run<S extends string>(
    model: UnknownId<S, M>,
    input: Readonly<Record<string, unknown>>,
    options?: RunOptions,
  ): Promise<JobResult<Record<string, unknown>>>;
  submit<K extends keyof M & string>(
    model: K,
    input: InputOfModel<M[K]>,
    options?: CallOptions,
  ): Promise<RequestHandle<K>>;
  submit<X extends AnyModel>(model: X, input: InputOfModel<X>, options?: CallOptions): Promise<RequestHandle<X["id"]>>;
  submit<S extends string>(
    model: UnknownId<S, M>,
    input: Readonly<Record<string, unknown>>,
    options?: CallOptions,
  ): Promise<RequestHandle>;
  wait<K extends keyof M & string>(
    handle: RequestHandle<K>,
    options?: WaitOptions,
  ): Promise<JobResult<OutputOfModel<M[K]>>>;
  wait(handle: RequestHandle, options?: WaitOptions): Promise<JobResult<Record<string, unknown>>>;
  status(handle: Ref, options?: CallOptions): Promise<StatusInfo>;
  result(handle: Ref, options?: CallOptions): Promise<ResultInfo>;
  cancel(handle: Ref, options?: CallOptions): Promise<CancelInfo>;
  readonly catalog: {
    get(modelId: string, options?: CallOptions): Promise<CatalogEntry>;
    list(
      query?: CatalogQuery,
      options?: CallOptions,
    ): Promise<{ readonly models: readonly CatalogEntry[]; readonly total?: number | undefined }>;
  };
}

/** Missing token or a bad option: nothing was sent. */
export class ConfigurationError extends RunComfyError {
  override name = "ConfigurationError";
}

function env(name: string): string | undefined {
  const value = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/** `https://host/v1/` → `https://host`; throws on anything that is not an http(s) URL. */
export function normalizeBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new ConfigurationError(`baseUrl ${JSON.stringify(value)} is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new ConfigurationError(`baseUrl must be http(s), got ${url.protocol}`);
  if (url.username || url.password)
    throw new ConfigurationError("baseUrl must not contain credentials; pass the token as `token`");
  const path = url.pathname.replace(/\/+$/, "").replace(/\/v1$/, "");
  return `${url.origin}${path}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function errorMessage(error: unknown): string {
  if (typeof error === "string") return error;
  if (isObject(error) && typeof error["message"] === "string") return error["message"];
  if (error === undefined || error === null) return "the job failed (no detail)";
  return JSON.stringify(error);
}

export function createClient<M = Record<never, AnyModel>>(options: ClientOptions = {}): Client<M> {
  const clock = options.clock ?? systemClock;
  const token = options.token ?? TOKEN_ENV_VARS.map(env).find((value) => value !== undefined);
  const baseUrl = normalizeBaseUrl(options.baseUrl ?? env(BASE_URL_ENV_VAR) ?? DEFAULT_BASE_URL);
  const fetchImpl = options.fetch ?? (globalThis.fetch?.bind(globalThis) as typeof fetch | undefined);
  if (!fetchImpl)
    throw new ConfigurationError("no fetch implementation: pass `fetch` (Node 18+ and browsers have one)");
  const pollPolicy: PollPolicy = { ...DEFAULT_POLL_POLICY, ...options.poll };
  const log = createLog(options.logger, options.logLevel ?? "warn");
  const concurrency = Math.max(1, options.maxConcurrentRequests ?? 32);
  const config: HttpConfig = {
    baseUrl,
    token,
    fetch: fetchImpl,
    timeoutMs: options.timeoutMs ?? 60_000,
    retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    clock,
    log,
    debug: options.logger !== undefined && options.logLevel === "debug",
    headers: { ...options.headers },
    limiter: new RequestLimiter(concurrency, options.maxRequestsPerSecond ?? Number.POSITIVE_INFINITY, clock),
  };
  const scheduler = new PollScheduler(clock, concurrency);
  const modelList: AnyModel[] = options.models
    ? Array.isArray(options.models)
      ? [...options.models]
      : Object.values(options.models)
    : [];
  const byId = new Map(modelList.map((model) => [model.id, model]));

  const call = async (spec: HttpRequest): Promise<unknown> => {
    if (token === undefined) {
      throw new ConfigurationError(
        `no API token: set ${TOKEN_ENV_VARS.join(" or ")} or pass { token } to createClient (nothing was sent)`,
      );
    }
    return (await request(config, spec)).body;
  };

  const requestIdOf = (ref: Ref): string => {
    const id = typeof ref === "string" ? ref : ref?.requestId;
    if (typeof id !== "string" || id === "") throw new ConfigurationError("expected a request handle or a request id");
    return id;
  };
  const modelIdOf = (ref: Ref): string | undefined => (typeof ref === "string" ? undefined : ref.modelId);

  const submit = async (
    modelRef: string | AnyModel,
    input: unknown,
    callOptions: CallOptions = {},
  ): Promise<RequestHandle> => {
    const model = typeof modelRef === "string" ? byId.get(modelRef) : modelRef;
    const modelId = typeof modelRef === "string" ? modelRef : modelRef.id;
    let body: unknown;
    if (model) body = model.build(input);
    else if (isObject(input)) body = input;
    else
      throw new ValidationError(modelId, [
        { alias: "(input)", key: "", path: "", rule: "type", message: `input for ${modelId} must be a plain object` },
      ]);
    const response = await call({
      method: "POST",
      path: paths.model(modelId),
      body,
      operation: "submit",
      modelId,
      signal: callOptions.signal,
    });
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

  const status = async (ref: Ref, callOptions: CallOptions & { deadline?: number } = {}): Promise<StatusInfo> => {
    const requestId = requestIdOf(ref);
    const body = await call({
      method: "GET",
      path: paths.status(requestId),
      operation: "status",
      requestId,
      modelId: modelIdOf(ref),
      signal: callOptions.signal,
      deadline: callOptions.deadline,
    });
    const raw = isObject(body) ? body : {};
    const position = raw["queue_position"];
    return {
      requestId,
      status: String(raw["status"] ?? "")
        .trim()
        .toLowerCase(),
      ...(typeof position === "number" ? { queuePosition: position } : {}),
      raw: body,
    };
  };

  const result = async (ref: Ref, callOptions: CallOptions & { deadline?: number } = {}): Promise<ResultInfo> => {
    const requestId = requestIdOf(ref);
    let body: unknown;
    try {
      body = await call({
        method: "GET",
        path: paths.result(requestId),
        operation: "result",
        requestId,
        modelId: modelIdOf(ref),
        signal: callOptions.signal,
        deadline: callOptions.deadline,
      });
    } catch (error) {
      // Some deployments answer "not ready" with error_code 400005 instead of the current status.
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
      ...(raw["error"] === undefined ? {} : { error: raw["error"] }),
      ...(text(raw["created_at"]) ? { createdAt: text(raw["created_at"]) } : {}),
      ...(text(raw["finished_at"]) ? { finishedAt: text(raw["finished_at"]) } : {}),
      raw: body,
    };
  };

  const cancel = async (ref: Ref, callOptions: CallOptions = {}): Promise<CancelInfo> => {
    const requestId = requestIdOf(ref);
    const body = await call({
      method: "POST",
      path: paths.cancel(requestId),
      operation: "cancel",
      requestId,
      modelId: modelIdOf(ref),
      signal: callOptions.signal,
    });
    const raw = isObject(body) ? body : {};
    const statusText = text(raw["status"])?.toLowerCase();
    const outcome =
      text(raw["outcome"])?.toLowerCase() ??
      (statusText !== undefined && CANCELLED_STATUSES.includes(statusText) ? "cancelled" : (statusText ?? "unknown"));
    return { requestId, outcome, ...(statusText === undefined ? {} : { status: statusText }), raw: body };
  };

  /** Cancels (if asked) after waiting stopped early, and reports what happened to the job. */
  const stopOutcome = async (
    handle: RequestHandle,
    choice: "cancel" | "leave",
    lastStatus: string | undefined,
  ): Promise<StopOutcome> => {
    if (choice === "leave") return { job: "left-running", lastStatus };
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 10_000);
    try {
      const info = await cancel(handle, { signal: controller.signal });
      return { job: info.outcome === "cancelled" ? "cancelled" : "not-cancellable", lastStatus };
    } catch (error) {
      log("warn", `could not cancel ${handle.requestId} after stopping: ${(error as Error).message}`);
      return { job: "cancel-failed", lastStatus };
    } finally {
      clearTimeout(timer);
    }
  };

  const describeOutcome = (outcome: StopOutcome): string =>
    outcome.job === "cancelled"
      ? "the job was cancelled while still queued"
      : outcome.job === "not-cancellable"
        ? "the job was already running and could not be cancelled: it will finish (and be charged); resume with client.wait(handle)"
        : outcome.job === "cancel-failed"
          ? "cancelling the job failed: it may still run; resume with client.wait(handle)"
          : "the job was left running; resume with client.wait(handle)";

  const toJobResult = (handle: RequestHandle, info: ResultInfo): JobResult<unknown> | undefined => {
    const base = {
      requestId: handle.requestId,
      modelId: handle.modelId,
      ...(info.createdAt ? { createdAt: info.createdAt } : {}),
      ...(info.finishedAt ? { finishedAt: info.finishedAt } : {}),
      raw: info.raw,
    };
    if (info.status === "succeeded" || info.status === "completed") {
      const model = byId.get(handle.modelId);
      return {
        ...base,
        status: "succeeded",
        output: model ? model.parseOutput(info.output ?? {}) : { ...info.output },
      };
    }
    if (info.status === "failed")
      return { ...base, status: "failed", error: info.error, message: errorMessage(info.error) };
    if (CANCELLED_STATUSES.includes(info.status)) return { ...base, status: "cancelled" };
    return undefined;
  };

  /**
   * Waits for a job. The loop is a chain of steps on the client's poll
   * scheduler: between polls a waiting job is one record in its heap.
   */
  const wait = (handle: RequestHandle, waitOptions: WaitOptions = {}): Promise<JobResult<unknown>> =>
    new Promise<JobResult<unknown>>((resolve, reject) => {
      if (!isObject(handle) || typeof handle.requestId !== "string" || typeof handle.modelId !== "string") {
        throw new ConfigurationError(
          "wait() needs a handle { modelId, requestId, submittedAt } as returned by submit()",
        );
      }
      const policy: PollPolicy = waitOptions.poll ? { ...pollPolicy, ...waitOptions.poll } : pollPolicy;
      const timeoutMs = waitOptions.timeoutMs ?? policy.timeoutMs;
      const started = clock.now();
      const deadline = started + timeoutMs;
      const submitted = Date.parse(handle.submittedAt);
      const alreadyWaited = Number.isNaN(submitted) ? 0 : Math.max(0, started - submitted);
      const signal = waitOptions.signal;
      let lastStatus: string | undefined;
      let unknownInARow = 0;
      let cancelNext: (() => void) | undefined;
      let stepping = false;
      let settled = false;

      const settle = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        cancelNext?.();
        signal?.removeEventListener("abort", onAbort);
        outcome();
      };

      /** Stops early: cancels the job while queued (or leaves it, as asked) and rejects with the outcome. */
      const stop = async (reason: "timeout" | "abort", cause?: unknown): Promise<void> => {
        if (settled) return;
        const outcome = await stopOutcome(
          handle,
          (reason === "timeout" ? waitOptions.onTimeout : waitOptions.onAbort) ?? "cancel",
          lastStatus,
        );
        const facts = { modelId: handle.modelId, requestId: handle.requestId, outcome, handle, cause };
        settle(() =>
          reject(
            reason === "timeout"
              ? new WaitTimeoutError(
                  `gave up waiting for ${handle.modelId} request ${handle.requestId} after ${timeoutMs} ms (last status: ${lastStatus ?? "none"}); ${describeOutcome(outcome)}`,
                  facts,
                )
              : new AbortError(
                  `stopped waiting for ${handle.modelId} request ${handle.requestId} (last status: ${lastStatus ?? "none"}); ${describeOutcome(outcome)}`,
                  facts,
                ),
          ),
        );
      };

      function onAbort(): void {
        // A running step sees the abort through its request; a scheduled one is dropped here.
        if (stepping || settled) return;
        cancelNext?.();
        void stop("abort", signal?.reason);
      }

      const scheduleNext = (): void => {
        const now = clock.now();
        const due = Math.min(now + nextPollDelay(alreadyWaited + (now - started), policy, clock.random), deadline);
        cancelNext = scheduler.schedule(due, step);
      };

      const step = async (): Promise<void> => {
        if (settled) return;
        stepping = true;
        try {
          if (signal?.aborted) return await stop("abort", signal.reason);
          if (clock.now() >= deadline) return await stop("timeout");
          const info = await status(handle, { signal, deadline });
          lastStatus = info.status;
          const known =
            RUNNING_STATUSES.includes(info.status) ||
            FINISHED_STATUSES.includes(info.status) ||
            CANCELLED_STATUSES.includes(info.status);
          waitOptions.onStatus?.({ ...info, modelId: handle.modelId, elapsedMs: clock.now() - started, known });
          if (CANCELLED_STATUSES.includes(info.status)) {
            return settle(() =>
              resolve({ requestId: handle.requestId, modelId: handle.modelId, status: "cancelled", raw: info.raw }),
            );
          }
          if (FINISHED_STATUSES.includes(info.status)) {
            const job = toJobResult(handle, await result(handle, { signal, deadline }));
            if (job) return settle(() => resolve(job));
            // The result is not there yet: keep polling.
          } else if (known) {
            unknownInARow = 0;
          } else {
            unknownInARow++;
            log(
              "warn",
              `unknown status ${JSON.stringify(info.status)} for request ${handle.requestId} (${unknownInARow} in a row)`,
            );
            if (unknownInARow > policy.maxUnknownStatuses) {
              const error = new UnknownStatusError(
                `request ${handle.requestId} reported the unknown status ${JSON.stringify(info.status)} ${unknownInARow} times in a row; stopped waiting (the job was left as it is; resume with client.wait(handle))`,
                info.status,
                { modelId: handle.modelId, requestId: handle.requestId },
              );
              return settle(() => reject(error));
            }
          }
          scheduleNext();
        } catch (error) {
          if (error instanceof AbortError && signal?.aborted) return await stop("abort", error);
          settle(() => reject(error));
        } finally {
          stepping = false;
        }
      };

      if (signal?.aborted) {
        void stop("abort", signal.reason);
        return;
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      scheduleNext();
    });

  const run = async (
    modelRef: string | AnyModel,
    input: unknown,
    runOptions: RunOptions = {},
  ): Promise<JobResult<unknown>> => {
    const handle = await submit(modelRef, input, runOptions);
    runOptions.onEnqueue?.(handle);
    return wait(handle, runOptions);
  };

  const client: Record<string, unknown> = {
    baseUrl,
    run,
    submit,
    wait,
    status: (ref: Ref, callOptions?: CallOptions) => status(ref, callOptions),
    result: (ref: Ref, callOptions?: CallOptions) => result(ref, callOptions),
    cancel,
    catalog: {
      get: async (modelId: string, callOptions: CallOptions = {}) => {
        const body = await call({
          method: "GET",
          path: paths.model(modelId),
          operation: "catalog",
          modelId,
          signal: callOptions.signal,
        });
        if (!isObject(body))
          throw new APIError(`catalog entry of ${modelId} is not an object`, { status: 200, modelId });
        return body;
      },
      list: async (query: CatalogQuery = {}, callOptions: CallOptions = {}) => {
        const params = new URLSearchParams();
        if (query.search !== undefined) params.set("search", query.search);
        if (query.category !== undefined) params.set("category", query.category);
        if (query.limit !== undefined) params.set("limit", String(query.limit));
        if (query.offset !== undefined) params.set("offset", String(query.offset));
        if (query.includeSchema) params.set("include_schema", "true");
        const suffix = params.size > 0 ? `?${params.toString()}` : "";
        const body = await call({
          method: "GET",
          path: `${paths.models}${suffix}`,
          operation: "catalog",
          signal: callOptions.signal,
        });
        const raw = isObject(body) ? body : {};
        return {
          models: Array.isArray(raw["models"]) ? (raw["models"] as CatalogEntry[]) : [],
          ...(typeof raw["total"] === "number" ? { total: raw["total"] } : {}),
        };
      },
    },
  };
  for (const model of modelList) {
    if (model.name in client)
      throw new ConfigurationError(
        `model name ${JSON.stringify(model.name)} (${model.id}) clashes with a client method or another model`,
      );
    client[model.name] = {
      model,
      run: (input: unknown, runOptions?: RunOptions) => run(model, input, runOptions),
      submit: (input: unknown, callOptions?: CallOptions) => submit(model, input, callOptions),
      wait: (handle: RequestHandle, waitOptions?: WaitOptions) => wait(handle, waitOptions),
      build: (input: unknown) => model.build(input),
    } satisfies ModelClient<AnyModel>;
  }
  return client as unknown as Client<M>;
}
