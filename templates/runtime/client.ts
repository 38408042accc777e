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
import { resolveConfig, type ClientOptions } from "./config.js";
import { ConfigurationError } from "./errors.js";
import type { Model } from "./model.js";
import type { AnyModel } from "./registry.js";
import { createWaiter, resolveWaitOptions, type JobResult, type WaitOptions } from "./wait.js";

export interface RunOptions extends WaitOptions {
  /** Called once the job is queued, before waiting: persist the handle to resume later. */
  readonly onEnqueue?: ((handle: RequestHandle) => void) | undefined;
}

/**
 * Not distributive (`[X] extends [...]`) on purpose: while `run(id, input)`
 * infers the id, TypeScript types the input literal by this type's
 * constraint, and a distributive one would expand to every model's input
 * (seconds of type-checking per call at 1,000 models).
 */
type InputOfModel<X> = [X] extends [Model<string, infer Input, infer RawInput, unknown>] ? Input | RawInput : never;
type OutputOfModel<X> = X extends Model<string, unknown, unknown, infer Output> ? Output : never;

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
  status(handle: RequestRef, options?: CallOptions): Promise<StatusInfo>;
  result(handle: RequestRef, options?: CallOptions): Promise<ResultInfo>;
  cancel(handle: RequestRef, options?: CallOptions): Promise<CancelInfo>;
  readonly catalog: Catalog;
}

export function createClient<M = Record<never, AnyModel>>(options: ClientOptions = {}): Client<M> {
  const context = resolveConfig(options);
  const calls = createQueueCalls(context);
  const waitFor = createWaiter(context, calls);
  const wait = async (handle: RequestHandle, waitOptions?: WaitOptions): Promise<JobResult<unknown>> =>
    waitFor(handle, resolveWaitOptions(waitOptions, context.pollPolicy));

  const run = async (
    modelRef: string | AnyModel,
    input: unknown,
    runOptions: RunOptions = {},
  ): Promise<JobResult<unknown>> => {
    // Every option is checked before the paid submit.
    const resolved = resolveWaitOptions(runOptions, context.pollPolicy);
    const onEnqueue = runOptions.onEnqueue;
    if (onEnqueue !== undefined && typeof onEnqueue !== "function")
      throw new ConfigurationError("onEnqueue must be a function");
    const handle = await calls.submit(modelRef, input, { signal: resolved.signal });
    onEnqueue?.(handle);
    return waitFor(handle, resolved);
  };

  // Models are called by id (`client.run(id, input)`); there are no per-model namespaces.
  const client = {
    baseUrl: context.http.baseUrl,
    run,
    submit: calls.submit,
    wait,
    status: (ref: RequestRef, callOptions?: CallOptions) => calls.status(ref, callOptions),
    result: (ref: RequestRef, callOptions?: CallOptions) => calls.result(ref, callOptions),
    cancel: (ref: RequestRef, callOptions?: CallOptions) => calls.cancel(ref, callOptions),
    catalog: createCatalog(calls),
  };
  return client as unknown as Client<M>;
}
