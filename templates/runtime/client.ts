/**
 * `createClient`: the client composed of its parts. Each part is a factory
 * over the shared, resolved configuration (`config.ts`):
 *
 * - `calls.ts`: submit, status, result, cancel (one request each through the
 *   HTTP engine, `http.ts`);
 * - `wait.ts`: the wait loop on the client's poll scheduler;
 * - `catalog.ts`: the model catalog;
 * - `registry.ts`: the models the client knows (possibly loaded on demand).
 *
 * This file only wires them together and declares the public `Client` type.
 */
import {
  createQueueCalls,
  type CallOptions,
  type CancelInfo,
  type RequestHandle,
  type RequestRef,
  type ResultInfo,
  type StatusInfo,
} from "./calls.js";
import { createCatalog, type Catalog } from "./catalog.js";
import { checkKeys, resolveConfig, type RuntimeClientOptions } from "./config.js";
import {
  AbortError,
  ConfigurationError,
  redactError,
  ResultNotFoundError,
  WaitFailedError,
  WaitTimeoutError,
} from "./errors.js";
import type { Model } from "./model.js";
import type { AnyModel } from "./registry.js";
import type { UntypedOutput } from "./untyped.js";
import { createWaiter, resolveWaitOptions, type JobResult, type WaitOptions } from "./wait.js";

/** Options of `client.run`: the wait's options, and `onEnqueue`. */
export interface RunOptions<Id extends string = string> extends WaitOptions<Id> {
  /** Called once the job is queued, before waiting, with its handle: persist it to resume later (`client.wait`). @default none */
  readonly onEnqueue?: ((handle: RequestHandle<Id>) => void) | undefined;
}

/**
 * Not distributive (`[X] extends [...]`) on purpose: while `run(id, input)`
 * infers the id, TypeScript types the input literal by this type's
 * constraint, and a distributive one would expand to every model's input
 * (seconds of type-checking per call at 1,000 models).
 */
/** The friendly input type of a model (not distributive, see above). */
export type InputOfModel<X> = [X] extends [Model<string, infer Input, unknown, unknown>] ? Input : never;
/** The wire body type of a model. */
export type RawInputOfModel<X> = [X] extends [Model<string, unknown, infer RawInput, unknown>] ? RawInput : never;
/** The output type of a model (the result's `output`). */
export type OutputOfModel<X> = X extends Model<string, unknown, unknown, infer Output> ? Output : never;

/**
 * What `run`, `submit` and their raw forms take as `model`: a known id, or a model object. One signature, not an
 * overload per form, so a mistake in the input is reported as itself ("Did you mean 'prompt'?"), not as "No overload
 * matches this call".
 */
export type ModelRef<M, Id = keyof M> = Id | AnyModel;
/**
 * The model a `ModelRef` names: `M[K]` for a known id (read as one property of `M`, not through `keyof M`), the model
 * object itself otherwise.
 */
export type ModelOf<M, K> = [K] extends [string] ? (M extends { readonly [P in K]: infer X } ? X : never) : K;
/** The model id a `ModelRef` names. */
export type IdOf<K> = [K] extends [string] ? K : [K] extends [{ readonly id: infer Id extends string }] ? Id : string;

/**
 * The client; `M` maps known model ids to models (generated as `ModelMap`), `Id` is its ids (`keyof M`; the generated
 * package passes `ModelId`, the same ids written as a union, which tsc reads faster than the keys of a 1,000-member
 * interface). A model is called by its id, `client.run(modelId, input)`: only known ids compile; any other model goes
 * through `untypedModel(id)`.
 */
export interface Client<M = Record<never, AnyModel>, Id = keyof M> {
  /** Base URL calls go to (the token is sent nowhere else). */
  readonly baseUrl: string;
  /**
   * Runs a model: validates `input` locally (a `ValidationError` lists every problem; nothing is sent), submits it
   * (paid, sent at most once), then polls until the job ends (`wait`). Resolves with the job's result whatever it
   * was: switch on `result.status`. `model` is a known model id (its module is loaded on first use) or a model object
   * (`import model from "runcomfy-models/<id>"`, or `untypedModel(id)` for a model this package does not know).
   * `input` has the friendly names; a wire body (raw keys) goes through `runRaw`.
   *
   * @param options wait options (`timeoutMs`, default 30 min; `onStatus`; `onEnqueue`; `signal`; `onTimeout` and
   *   `onAbort`, default `"cancel"`); rejects with `WaitTimeoutError` or `AbortError` carrying the handle.
   */
  run<K extends ModelRef<M, Id>>(
    model: K,
    input: InputOfModel<ModelOf<M, K>>,
    options?: RunOptions<IdOf<K>>,
  ): Promise<JobResult<OutputOfModel<ModelOf<M, K>>, IdOf<K>>>;
  /**
   * `run` with a wire body: the raw keys of RunComfy's docs and curl examples (`{ "149_steps": 8 }`), validated
   * locally like `run`'s friendly input.
   */
  runRaw<K extends ModelRef<M, Id>>(
    model: K,
    input: RawInputOfModel<ModelOf<M, K>>,
    options?: RunOptions<IdOf<K>>,
  ): Promise<JobResult<OutputOfModel<ModelOf<M, K>>, IdOf<K>>>;
  /**
   * Validates `input` locally and submits it (paid; sent at most once, never retried once it may have left), without
   * waiting. Resolves with the job's handle (plain JSON: store it, and `wait(handle)` later, also in another process).
   * A failure after the request may have left is `SubmitOutcomeUnknownError`: check before submitting again.
   *
   * @param options `signal`: an abort before the request starts sends nothing.
   */
  submit<K extends ModelRef<M, Id>>(
    model: K,
    input: InputOfModel<ModelOf<M, K>>,
    options?: CallOptions,
  ): Promise<RequestHandle<IdOf<K>>>;
  /** `submit` with a wire body (raw keys), validated locally like `submit`'s friendly input. */
  submitRaw<K extends ModelRef<M, Id>>(
    model: K,
    input: RawInputOfModel<ModelOf<M, K>>,
    options?: CallOptions,
  ): Promise<RequestHandle<IdOf<K>>>;
  /**
   * Polls a submitted job until it ends (fast at first, then about 9 % of the time waited; see `poll`) and resolves
   * with its result. Works with a handle from another process; a handle of a known model gives its output type (a
   * parsed one: narrow it with `isRequestHandle(value, modelId)`).
   *
   * @param options `timeoutMs` (default `poll.timeoutMs`, 30 min), `onStatus`, `signal`, `onTimeout`/`onAbort`
   *   (default `"cancel"`: a job still queued is cancelled), `poll`.
   */
  wait<K extends keyof M & string>(
    handle: RequestHandle<K>,
    options?: WaitOptions<K>,
  ): Promise<JobResult<OutputOfModel<M[K]>, K>>;
  wait<Id extends string>(handle: RequestHandle<Id>, options?: WaitOptions<Id>): Promise<JobResult<UntypedOutput, Id>>;
  /** One status call (`GET /v1/requests/{id}/status`, retried on 429, 5xx and network errors), parsed. */
  status(handle: RequestRef, options?: CallOptions): Promise<StatusInfo>;
  /** One result call (`GET /v1/requests/{id}/result`), parsed; the output is as sent (`wait` parses it by model). */
  result(handle: RequestRef, options?: CallOptions): Promise<ResultInfo>;
  /** Asks RunComfy to cancel a job (`POST /v1/requests/{id}/cancel`); only a queued job can be cancelled. */
  cancel(handle: RequestRef, options?: CallOptions): Promise<CancelInfo>;
  /** The model catalog: `catalog.get(modelId)` and `catalog.list(query)`. */
  readonly catalog: Catalog;
}

/** The options of one call (`{ signal }`): an object without other keys (the signal itself is checked by the call). */
function checkCallOptions(owner: string, options: CallOptions | undefined): CallOptions | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== "object" || options === null || Array.isArray(options))
    throw new ConfigurationError(`the options of ${owner} must be an object`);
  checkKeys(owner, options, ["signal"]);
  return options;
}

/**
 * A client over the runtime alone, knowing the models of `options.models` (the generated package's `createClient`
 * passes all its models, loaded on demand, and types them as `ModelMap`). Options are checked here, once
 * (`ConfigurationError`); nothing is sent until a call.
 */
export function createClient<M = Record<never, AnyModel>>(options: RuntimeClientOptions = {}): Client<M> {
  const context = resolveConfig(options);
  const calls = createQueueCalls(context);
  const waitFor = createWaiter(context, calls);
  const wait = async (handle: RequestHandle, waitOptions?: WaitOptions): Promise<JobResult<unknown>> =>
    waitFor(handle, resolveWaitOptions(waitOptions, context.pollPolicy));

  // Not an async function: while ten thousand run() calls wait for a submit slot, each holds one small callback, not
  // a suspended frame.
  const runWith =
    (raw: boolean) =>
    (modelRef: string | AnyModel, input: unknown, runOptions: RunOptions = {}): Promise<JobResult<unknown>> => {
      let resolved: ReturnType<typeof resolveWaitOptions>;
      let onEnqueue: RunOptions["onEnqueue"];
      try {
        // Every option is checked before the paid submit.
        resolved = resolveWaitOptions(runOptions, context.pollPolicy, "run()");
        onEnqueue = runOptions.onEnqueue;
        if (onEnqueue !== undefined && typeof onEnqueue !== "function")
          throw new ConfigurationError("onEnqueue must be a function");
      } catch (error) {
        return Promise.reject(error);
      }
      // run()'s timeoutMs counts from this call: the submit (its slot wait included) and the wait share the deadline.
      const deadline = Number.isFinite(resolved.timeoutMs) ? context.clock.now() + resolved.timeoutMs : undefined;
      // `resolved` carries the signal: it serves as the submit's call options.
      return calls.submit(modelRef, input, resolved, raw, deadline).then((handle) => {
        const model = typeof modelRef === "string" ? undefined : modelRef;
        let failed: Parameters<typeof waitFor>[3];
        try {
          onEnqueue?.(handle);
        } catch (error) {
          // The job is queued (and paid for): the wait stops as on an abort (onAbort), with the handle and the error.
          failed = { callback: "onEnqueue", error };
        }
        return waitFor(handle, resolved, model, failed, deadline).catch((error: unknown) => {
          throw waitFailed(error, handle);
        });
      });
    };
  /**
   * A failure of run()'s wait, once the job is queued: the stop errors (`WaitTimeoutError`, `AbortError`) and
   * `ResultNotFoundError` say what became of the job and carry its handle already; anything else (a status call that
   * kept failing: `ConnectionError`, `InternalServerError`, `RateLimitError`, an unknown status) is wrapped, so that
   * a wrapper resending run() on those classes does not submit (and pay) again.
   */
  const waitFailed = (error: unknown, handle: RequestHandle): unknown => {
    if (error instanceof WaitTimeoutError || error instanceof AbortError || error instanceof ResultNotFoundError)
      return error;
    const reason = error instanceof Error ? error.message : String(error);
    // Redacted like every error that leaves the client (the handle's id is the server's word: it may echo the token).
    return redactError(
      new WaitFailedError(
        `waiting for ${handle.modelId} request ${handle.requestId} failed (${reason}); the job is queued and may still run and be charged: resume with client.wait(error.handle), do not run() it again`,
        { modelId: handle.modelId, requestId: handle.requestId, cause: error, handle },
      ),
      context.http.secrets,
    );
  };
  const submitWith =
    (raw: boolean) =>
    (modelRef: string | AnyModel, input: unknown, callOptions?: CallOptions): Promise<RequestHandle> => {
      try {
        checkCallOptions(raw ? "submitRaw()" : "submit()", callOptions);
      } catch (error) {
        return Promise.reject(error);
      }
      return calls.submit(modelRef, input, callOptions, raw);
    };

  // Models are called by id (`client.run(id, input)`); there are no per-model namespaces.
  const client = {
    baseUrl: context.http.baseUrl,
    run: runWith(false),
    runRaw: runWith(true),
    submit: submitWith(false),
    submitRaw: submitWith(true),
    wait,
    status: async (ref: RequestRef, callOptions?: CallOptions) =>
      calls.status(ref, checkCallOptions("status()", callOptions)),
    result: async (ref: RequestRef, callOptions?: CallOptions) =>
      calls.result(ref, checkCallOptions("result()", callOptions)),
    cancel: async (ref: RequestRef, callOptions?: CallOptions) =>
      calls.cancel(ref, checkCallOptions("cancel()", callOptions)),
    catalog: createCatalog(calls),
  };
  return client as unknown as Client<M>;
}
