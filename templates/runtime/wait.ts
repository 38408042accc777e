/**
 * Waiting for a job: a chain of steps on the client's poll scheduler (between
 * polls a waiting job is one record in its heap), ending in the job's result,
 * or, when waiting stops early (deadline, abort), in an error that carries the
 * handle and says what happened to the job.
 */
import type { CallOptions, QueueCalls, RequestHandle, ResultInfo, StatusInfo } from "./calls.js";
import { isObject } from "./calls.js";
import type { ClientContext } from "./config.js";
import { AbortError, ConfigurationError, UnknownStatusError, WaitTimeoutError, type StopOutcome } from "./errors.js";
import { nextPollDelay, type PollPolicy } from "./poll.js";
import { CANCELLED_STATUSES, FINISHED_STATUSES, RUNNING_STATUSES } from "./protocol.js";
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

export type Wait = (handle: RequestHandle, options?: WaitOptions) => Promise<JobResult<unknown>>;

export function createWaiter(context: ClientContext, calls: QueueCalls): Wait {
  const { clock, log, registry, pollPolicy } = context;
  const scheduler = new PollScheduler(clock, context.concurrency);

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
      const info = await calls.cancel(handle, { signal: controller.signal });
      return { job: info.outcome === "cancelled" ? "cancelled" : "not-cancellable", lastStatus };
    } catch (error) {
      log("warn", `could not cancel ${handle.requestId} after stopping: ${(error as Error).message}`);
      return { job: "cancel-failed", lastStatus };
    } finally {
      clearTimeout(timer);
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
    if (info.status === "failed")
      return { ...base, status: "failed", error: info.error, message: errorMessage(info.error) };
    if (CANCELLED_STATUSES.includes(info.status)) return { ...base, status: "cancelled" };
    return undefined;
  };

  return (handle, waitOptions = {}) =>
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
        const choice = (reason === "timeout" ? waitOptions.onTimeout : waitOptions.onAbort) ?? "cancel";
        const outcome = await stopOutcome(handle, choice, lastStatus);
        const facts = { modelId: handle.modelId, requestId: handle.requestId, outcome, handle, cause };
        const last = `last status: ${lastStatus ?? "none"}`;
        settle(() =>
          reject(
            reason === "timeout"
              ? new WaitTimeoutError(
                  `gave up waiting for ${handle.modelId} request ${handle.requestId} after ${timeoutMs} ms (${last}); ${describeOutcome(outcome)}`,
                  facts,
                )
              : new AbortError(
                  `stopped waiting for ${handle.modelId} request ${handle.requestId} (${last}); ${describeOutcome(outcome)}`,
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
          const info = await calls.status(handle, { signal, deadline });
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
            const job = await toJobResult(handle, await calls.result(handle, { signal, deadline }));
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
}
