/**
 * Waiting for a job: a chain of steps on the client's poll scheduler (between
 * polls a waiting job is one record in its heap), ending in the job's result,
 * or, when waiting stops early (deadline, abort), in an error that carries the
 * handle and says what happened to the job.
 */
import type { CallOptions, QueueCalls, RequestHandle, RequestStatus, ResultInfo, StatusInfo } from "./calls.js";
import { isObject } from "./calls.js";
import { checkChoice, checkPollPolicy, checkSignal, checkWaitTimeout, type ClientContext } from "./config.js";
import {
  AbortError,
  ConfigurationError,
  NotFoundError,
  redactError,
  ResultNotFoundError,
  UnknownStatusError,
  WaitTimeoutError,
  type StopOutcome,
} from "./errors.js";
import { isPastDeadline, onAbort } from "./http.js";
import { budgetedPollDelay, nextPollDelay, type PollOptions, type PollPolicy } from "./poll.js";
import { backoffDelay } from "./retry.js";
import type { AnyModel } from "./registry.js";
import { PollScheduler } from "./scheduler.js";

/** What `onStatus` receives after every status call of a wait. */
export interface StatusUpdate<Id extends string = string> extends StatusInfo {
  readonly modelId: Id;
  /** Milliseconds since `wait` started. */
  readonly elapsedMs: number;
  /** False when `serverStatus` is not a word this client knows (`status` is `"unknown"`; it keeps polling, up to `poll.maxUnknownStatuses`). */
  readonly known: boolean;
}

/** What every `JobResult` carries. */
export interface JobBase<Id extends string = string> {
  readonly requestId: string;
  readonly modelId: Id;
  /** ISO-8601 time the job was created, when the server says. */
  readonly createdAt?: string | undefined;
  /** ISO-8601 time the job finished, when the server says. */
  readonly finishedAt?: string | undefined;
  /** The last response body as sent (the result, or the status that said cancelled). */
  readonly raw: unknown;
}

/** The job succeeded: `output` is parsed by the model (keys its schema does not list are under `output.extra`). */
export interface JobSucceeded<Output, Id extends string = string> extends JobBase<Id> {
  readonly status: "succeeded";
  readonly output: Output;
}

/** The job failed on the server (it may have been charged). */
export interface JobFailed<Id extends string = string> extends JobBase<Id> {
  readonly status: "failed";
  /** The server's `error`, as sent. */
  readonly error: unknown;
  /** The error as one line of text. */
  readonly message: string;
  /** RunComfy's `error_code`, when the result carried one. */
  readonly errorCode?: number | undefined;
}

/** The job was cancelled (by `client.cancel`, `onTimeout`/`onAbort: "cancel"`, or on RunComfy's side). */
export interface JobCancelled<Id extends string = string> extends JobBase<Id> {
  readonly status: "cancelled";
}

/** How a job ended: switch on `status` (`"succeeded"`, `"failed"`, `"cancelled"`). */
export type JobResult<Output, Id extends string = string> = JobSucceeded<Output, Id> | JobFailed<Id> | JobCancelled<Id>;

/** Options of `client.wait` (and of `client.run`, with `onEnqueue`). */
export interface WaitOptions<Id extends string = string> extends CallOptions {
  /**
   * Give up after this many milliseconds (above 0, or `Infinity` for never): the wait ends at this deadline (give or
   * take one poll interval) even when a status call hangs or the server asks for a longer `Retry-After`, through
   * `onTimeout`, with a `WaitTimeoutError` that carries the handle. @default poll.timeoutMs (1800000, 30 min)
   */
  readonly timeoutMs?: number | undefined;
  /** Called after every status call, with status and queue position; an `abort()` inside it takes effect at once. @default none */
  readonly onStatus?: ((update: StatusUpdate<Id>) => void) | undefined;
  /** On timeout: `"cancel"` the job while it is still queued (a running job cannot be), or `"leave"` it running. @default "cancel" */
  readonly onTimeout?: "cancel" | "leave" | undefined;
  /** On abort (`signal`): `"cancel"` the job while it is still queued, or `"leave"` it running. @default "cancel" */
  readonly onAbort?: "cancel" | "leave" | undefined;
  /** Poll schedule for this wait; a key set to `undefined` keeps the client's value. @default the client's `poll` */
  readonly poll?: PollOptions | undefined;
}

function errorMessage(error: unknown): string {
  if (typeof error === "string") return error;
  if (isObject(error) && typeof error["message"] === "string") return error["message"];
  if (error === undefined || error === null) return "the job failed (no detail)";
  return JSON.stringify(error);
}

function describeOutcome(outcome: StopOutcome): string {
  switch (outcome.job) {
    case "cancelled":
      return "the job was cancelled while still queued";
    case "not-cancellable":
      return "the job was already running and could not be cancelled: it will finish (and be charged); resume with client.wait(handle)";
    case "cancel-failed":
      return "cancelling the job failed: it may still run; resume with client.wait(handle)";
    case "left-running":
      return "the job was left running; resume with client.wait(handle)";
  }
}

/** Wait options after their checks (`resolveWaitOptions`). */
export interface ResolvedWaitOptions {
  readonly policy: PollPolicy;
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
  readonly onStatus: ((update: StatusUpdate) => void) | undefined;
  readonly onTimeout: "cancel" | "leave";
  readonly onAbort: "cancel" | "leave";
}

/** Checks a call's wait options once (a bad one is a `ConfigurationError`; explicit `undefined` is the default). */
export function resolveWaitOptions(options: unknown, pollPolicy: PollPolicy): ResolvedWaitOptions {
  if (options !== undefined && !isObject(options))
    throw new ConfigurationError("the options of wait()/run() must be an object");
  const given = (options ?? {}) as WaitOptions;
  const policy = given.poll === undefined ? pollPolicy : checkPollPolicy(given.poll, pollPolicy, "poll");
  const onStatus = given.onStatus;
  if (onStatus !== undefined && typeof onStatus !== "function")
    throw new ConfigurationError("onStatus must be a function");
  return {
    policy,
    timeoutMs: checkWaitTimeout("timeoutMs", given.timeoutMs, policy.timeoutMs),
    signal: checkSignal("signal", given.signal),
    onStatus,
    onTimeout: checkChoice("onTimeout", given.onTimeout, ["cancel", "leave"], "cancel"),
    onAbort: checkChoice("onAbort", given.onAbort, ["cancel", "leave"], "cancel"),
  };
}

/** How often a 404 on the result of a job the status called finished is retried (eventual consistency) before giving up. */
export const RESULT_NOT_FOUND_RETRIES = 3;

/** The longest a cancel after stopping early may take, in milliseconds. */
const STOP_CANCEL_BUDGET_MS = 10_000;

/** Waits for `handle`; `model` (when the caller has it) parses the output, otherwise the client's registry does. */
export type Wait = (
  handle: RequestHandle,
  options: ResolvedWaitOptions,
  model?: AnyModel,
) => Promise<JobResult<unknown>>;

export function createWaiter(context: ClientContext, calls: QueueCalls): Wait {
  const { clock, log, registry } = context;
  const secrets = context.http.secrets;
  const scheduler = new PollScheduler(clock, context.concurrency);

  /** Cancels (if asked) after waiting stopped early, and reports what happened to the job. */
  const stopOutcome = async (
    handle: RequestHandle,
    choice: "cancel" | "leave",
    lastStatus: RequestStatus | undefined,
  ): Promise<StopOutcome> => {
    if (choice === "leave") return { job: "left-running", lastStatus };
    try {
      const info = await calls.cancel(handle, { deadline: clock.now() + STOP_CANCEL_BUDGET_MS });
      return { job: info.outcome === "cancelled" ? "cancelled" : "not-cancellable", lastStatus };
    } catch (error) {
      log("warn", `could not cancel ${handle.requestId} after stopping: ${(error as Error).message}`);
      return { job: "cancel-failed", lastStatus };
    }
  };

  const toJobResult = async (
    handle: RequestHandle,
    info: ResultInfo,
    given: AnyModel | undefined,
  ): Promise<JobResult<unknown> | undefined> => {
    const base = {
      requestId: handle.requestId,
      modelId: handle.modelId,
      ...(info.createdAt ? { createdAt: info.createdAt } : {}),
      ...(info.finishedAt ? { finishedAt: info.finishedAt } : {}),
      raw: info.raw,
    };
    if (info.status === "succeeded") {
      const model = given ?? (await registry.resolve(handle.modelId));
      return {
        ...base,
        status: "succeeded",
        output: model ? model.parseOutput(info.output ?? {}) : { ...info.output },
      };
    }
    if (info.status === "failed") {
      return {
        ...base,
        status: "failed",
        error: info.error,
        message: errorMessage(info.error),
        ...(info.errorCode === undefined ? {} : { errorCode: info.errorCode }),
      };
    }
    if (info.status === "cancelled") return { ...base, status: "cancelled" };
    return undefined;
  };

  return (handle, options, given) =>
    new Promise<JobResult<unknown>>((resolve, reject) => {
      if (!isObject(handle) || typeof handle.requestId !== "string" || typeof handle.modelId !== "string") {
        throw new ConfigurationError(
          "wait() needs a handle { modelId, requestId, submittedAt } as returned by submit()",
        );
      }
      const { policy, timeoutMs, signal } = options;
      const started = clock.now();
      const deadline = started + timeoutMs;
      const submitted = Date.parse(handle.submittedAt);
      const alreadyWaited = Number.isNaN(submitted) ? 0 : Math.max(0, started - submitted);
      let lastStatus: RequestStatus | undefined;
      let unknownInARow = 0;
      /** The status said finished: the next step asks for the result. */
      let resultNext = false;
      let resultMisses = 0;
      let cancelNext: (() => void) | undefined;
      let unsubscribe: () => void = () => undefined;
      let stepping = false;
      let stopping = false;
      let settled = false;

      const leave = scheduler.join();
      const settle = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        leave();
        cancelNext?.();
        cancelNext = undefined;
        unsubscribe();
        outcome();
      };
      const fail = (error: unknown): void => settle(() => reject(redactError(error, secrets)));

      /** Stops early: cancels the job while queued (or leaves it, as asked) and rejects with the outcome. */
      const stop = async (reason: "timeout" | "abort", cause?: unknown): Promise<void> => {
        if (settled || stopping) return;
        stopping = true;
        cancelNext?.();
        cancelNext = undefined;
        const choice = reason === "timeout" ? options.onTimeout : options.onAbort;
        const outcome = await stopOutcome(handle, choice, lastStatus);
        const facts = { modelId: handle.modelId, requestId: handle.requestId, outcome, handle, cause };
        const last = `last status: ${lastStatus ?? "none"}`;
        fail(
          reason === "timeout"
            ? new WaitTimeoutError(
                `gave up waiting for ${handle.modelId} request ${handle.requestId} after ${timeoutMs} ms (${last}); ${describeOutcome(outcome)}`,
                facts,
              )
            : new AbortError(
                `stopped waiting for ${handle.modelId} request ${handle.requestId} (${last}); ${describeOutcome(outcome)}`,
                facts,
              ),
        );
      };

      const onAbortSignal = (): void => {
        // A running step sees the abort through its request (or its next check); a scheduled one is dropped here.
        if (stepping || settled) return;
        void stop("abort", signal?.reason);
      };

      const scheduleAt = (due: number): void => {
        cancelNext = scheduler.schedule(Math.min(due, deadline), step);
      };
      const scheduleNext = (): void => {
        const now = clock.now();
        const own = nextPollDelay(alreadyWaited + (now - started), policy, clock.random);
        // Many waiting jobs share the client's poll budget: each one's polls spread out as their number grows.
        scheduleAt(now + budgetedPollDelay(own, scheduler.waiting, policy.budgetPerSecond));
      };

      /** True when the wait must end here: it settled, or the caller aborted (then it stops). */
      const interrupted = async (): Promise<boolean> => {
        if (settled || stopping) return true;
        if (!signal?.aborted) return false;
        await stop("abort", signal.reason);
        return true;
      };

      const fetchResult = async (): Promise<ResultInfo | undefined> => {
        try {
          return await calls.result(handle, { signal, deadline });
        } catch (error) {
          if (!(error instanceof NotFoundError)) throw error;
          // The status said finished: a 404 here is the result not being visible yet.
          resultMisses++;
          if (resultMisses > RESULT_NOT_FOUND_RETRIES) {
            throw new ResultNotFoundError(
              `request ${handle.requestId} of ${handle.modelId} finished (status ${JSON.stringify(lastStatus)}), but its result answered 404 ${resultMisses} times; it may have been charged: fetch it later with client.result(handle) or client.wait(handle)`,
              {
                status: error.status,
                errorCode: error.errorCode,
                serverMessage: error.serverMessage,
                detail: error.detail,
                modelId: handle.modelId,
                requestId: handle.requestId,
                handle,
                cause: error,
              },
            );
          }
          const delay = backoffDelay(resultMisses, context.http.retry, clock.random);
          log("warn", `result of ${handle.requestId} not found right after it finished; retrying in ${delay} ms`);
          scheduleAt(clock.now() + delay);
          return undefined;
        }
      };

      async function step(): Promise<void> {
        if (settled || stopping) return;
        cancelNext = undefined;
        stepping = true;
        try {
          if (await interrupted()) return;
          if (clock.now() >= deadline) return await stop("timeout");
          if (!resultNext) {
            const info = await calls.status(handle, { signal, deadline });
            if (await interrupted()) return;
            lastStatus = info.status;
            const known = info.status !== "unknown";
            options.onStatus?.({ ...info, modelId: handle.modelId, elapsedMs: clock.now() - started, known });
            // An abort() inside onStatus takes effect here, before anything else is sent.
            if (await interrupted()) return;
            if (info.status === "cancelled") {
              return settle(() =>
                resolve({ requestId: handle.requestId, modelId: handle.modelId, status: "cancelled", raw: info.raw }),
              );
            }
            if (info.status === "completed" || info.status === "failed") {
              resultNext = true;
            } else if (known) {
              unknownInARow = 0;
            } else {
              unknownInARow++;
              log(
                "warn",
                `unknown status ${JSON.stringify(info.serverStatus)} for request ${handle.requestId} (${unknownInARow} in a row)`,
              );
              if (unknownInARow > policy.maxUnknownStatuses) {
                return fail(
                  new UnknownStatusError(
                    `request ${handle.requestId} reported the unknown status ${JSON.stringify(info.serverStatus)} ${unknownInARow} times in a row; stopped waiting (the job was left as it is; resume with client.wait(handle))`,
                    info.serverStatus,
                    { modelId: handle.modelId, requestId: handle.requestId },
                  ),
                );
              }
            }
          }
          if (resultNext) {
            const info = await fetchResult();
            if (await interrupted()) return;
            if (info === undefined) return; // a 404 right after finishing: fetchResult scheduled the retry
            const job = await toJobResult(handle, info, given);
            if (await interrupted()) return;
            if (job) return settle(() => resolve(job));
            // The result is not there yet: back to polling the status.
            resultNext = false;
          }
          scheduleNext();
        } catch (error) {
          if (signal?.aborted) return await stop("abort", error);
          if (isPastDeadline(error)) return await stop("timeout", error);
          fail(error);
        } finally {
          stepping = false;
        }
      }

      if (signal?.aborted) {
        void stop("abort", signal.reason);
        return;
      }
      unsubscribe = onAbort(signal, onAbortSignal);
      scheduleNext();
    });
}
