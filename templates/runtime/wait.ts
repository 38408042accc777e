/**
 * Waiting for a job: a chain of steps on the client's poll scheduler (between
 * polls a waiting job is one record in its heap), ending in the job's result,
 * or, when waiting stops early (deadline, abort), in an error that carries the
 * handle and says what happened to the job.
 */
import type { CallOptions, QueueCalls, RequestHandle, ResultInfo, StatusInfo } from "./calls.js";
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
import { CANCELLED_STATUSES, FINISHED_STATUSES, RUNNING_STATUSES } from "./protocol.js";
import { backoffDelay } from "./retry.js";
import { PollScheduler } from "./scheduler.js";

export interface StatusUpdate extends StatusInfo {
  readonly modelId: string;
  /** Milliseconds since `wait` started. */
  readonly elapsedMs: number;
  /** False when the status is not one this client knows (it keeps polling, up to `maxUnknownStatuses`). */
  readonly known: boolean;
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
  /** RunComfy's `error_code`, when the result carried one. */
  readonly errorCode?: number | undefined;
}

export interface JobCancelled extends JobBase {
  readonly status: "cancelled";
}

/** How a job ended: switch on `status`. */
export type JobResult<Output> = JobSucceeded<Output> | JobFailed | JobCancelled;

export interface WaitOptions extends CallOptions {
  /**
   * Give up after this many milliseconds (above 0, or `Infinity` for never): the wait ends at this deadline (give or
   * take one poll interval) even when a status call hangs or the server asks for a longer `Retry-After`, through
   * `onTimeout`. @default poll.timeoutMs (1800000, 30 min)
   */
  readonly timeoutMs?: number | undefined;
  /** Called after every status call, with status and queue position; an `abort()` inside it takes effect at once. */
  readonly onStatus?: ((update: StatusUpdate) => void) | undefined;
  /** On timeout: cancel the job while it is still queued, or leave it running. @default "cancel" */
  readonly onTimeout?: "cancel" | "leave" | undefined;
  /** On abort: cancel the job while it is still queued, or leave it running. @default "cancel" */
  readonly onAbort?: "cancel" | "leave" | undefined;
  /** Poll schedule for this wait. */
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

export type Wait = (handle: RequestHandle, options: ResolvedWaitOptions) => Promise<JobResult<unknown>>;

export function createWaiter(context: ClientContext, calls: QueueCalls): Wait {
  const { clock, log, registry } = context;
  const secrets = context.http.secrets;
  const scheduler = new PollScheduler(clock, context.concurrency);

  /** Cancels (if asked) after waiting stopped early, and reports what happened to the job. */
  const stopOutcome = async (
    handle: RequestHandle,
    choice: "cancel" | "leave",
    lastStatus: string | undefined,
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

  const toJobResult = async (handle: RequestHandle, info: ResultInfo): Promise<JobResult<unknown> | undefined> => {
    const base = {
      requestId: handle.requestId,
      modelId: handle.modelId,
      ...(info.createdAt ? { createdAt: info.createdAt } : {}),
      ...(info.finishedAt ? { finishedAt: info.finishedAt } : {}),
      raw: info.raw,
    };
    if (info.status === "succeeded" || info.status === "completed") {
      const model = await registry.resolve(handle.modelId);
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
    if (CANCELLED_STATUSES.includes(info.status)) return { ...base, status: "cancelled" };
    return undefined;
  };

  return (handle, options) =>
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
      let lastStatus: string | undefined;
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
            const known =
              RUNNING_STATUSES.includes(info.status) ||
              FINISHED_STATUSES.includes(info.status) ||
              CANCELLED_STATUSES.includes(info.status);
            options.onStatus?.({ ...info, modelId: handle.modelId, elapsedMs: clock.now() - started, known });
            // An abort() inside onStatus takes effect here, before anything else is sent.
            if (await interrupted()) return;
            if (CANCELLED_STATUSES.includes(info.status)) {
              return settle(() =>
                resolve({ requestId: handle.requestId, modelId: handle.modelId, status: "cancelled", raw: info.raw }),
              );
            }
            if (FINISHED_STATUSES.includes(info.status)) {
              resultNext = true;
            } else if (known) {
              unknownInARow = 0;
            } else {
              unknownInARow++;
              log(
                "warn",
                `unknown status ${JSON.stringify(info.status)} for request ${handle.requestId} (${unknownInARow} in a row)`,
              );
              if (unknownInARow > policy.maxUnknownStatuses) {
                return fail(
                  new UnknownStatusError(
                    `request ${handle.requestId} reported the unknown status ${JSON.stringify(info.status)} ${unknownInARow} times in a row; stopped waiting (the job was left as it is; resume with client.wait(handle))`,
                    info.status,
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
            const job = await toJobResult(handle, info);
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
