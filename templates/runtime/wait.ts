/**
 * Waiting for a job: a chain of steps on the client's poll scheduler (between
 * polls a waiting job is one record in its heap), ending in the job's result,
 * or, when waiting stops early (deadline, abort), in an error that carries the
 * handle and says what happened to the job.
 */
import type { CallOptions, QueueCalls, RequestHandle, RequestStatus, ResultInfo, StatusInfo } from "./calls.js";
import { isObject } from "./calls.js";
import {
  checkChoice,
  checkKeys,
  checkPollPolicy,
  checkSignal,
  checkWaitTimeout,
  type ClientContext,
} from "./config.js";
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
import { PollScheduler, type PollEntry } from "./scheduler.js";

/** What `onStatus` receives after every status call of a wait. */
export interface StatusUpdate<Id extends string = string> extends StatusInfo {
  /** The model the job runs. */
  readonly modelId: Id;
  /** Milliseconds since `wait` started. */
  readonly elapsedMs: number;
  /** False when `serverStatus` is not a word this client knows (`status` is `"unknown"`; it keeps polling, up to `poll.maxUnknownStatuses`). */
  readonly known: boolean;
}

/** What every `JobResult` carries. */
export interface JobBase<Id extends string = string> {
  /** RunComfy's request id. */
  readonly requestId: string;
  /** The model the job ran. */
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
  /** The job succeeded. */
  readonly status: "succeeded";
  /** The output, parsed by the model: its schema's keys, and the keys it does not list under `extra`. */
  readonly output: Output;
}

/** The job failed on the server (it may have been charged). */
export interface JobFailed<Id extends string = string> extends JobBase<Id> {
  /** The job failed on the server. */
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
  /** The job was cancelled. */
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

function callbackErrorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 197)}...` : text);
}

const WAIT_OPTIONS = ["signal", "timeoutMs", "onStatus", "onTimeout", "onAbort", "poll"] as const;
const RUN_OPTIONS = [...WAIT_OPTIONS, "onEnqueue"] as const;

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
export function resolveWaitOptions(
  options: unknown,
  pollPolicy: PollPolicy,
  owner: "wait()" | "run()" = "wait()",
): ResolvedWaitOptions {
  if (options !== undefined && !isObject(options))
    throw new ConfigurationError("the options of wait()/run() must be an object");
  const given = (options ?? {}) as WaitOptions;
  checkKeys(owner, given, owner === "run()" ? RUN_OPTIONS : WAIT_OPTIONS);
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
  thrown?: CallbackFailure,
  /** When the wait ends at the latest (clock ms): `run()`'s, whose `timeoutMs` counts from the call. @default now + timeoutMs */
  deadline?: number,
) => Promise<JobResult<unknown>>;

/** A callback of the caller's (`onEnqueue`, `onStatus`) that threw: the wait stops as on an abort. */
export interface CallbackFailure {
  readonly callback: "onEnqueue" | "onStatus";
  readonly error: unknown;
}

/** What every wait of one client shares (one object per client, so a waiting job holds one reference to it). */
interface WaitShared {
  readonly context: ClientContext;
  readonly calls: QueueCalls;
  readonly scheduler: PollScheduler;
  readonly secrets: readonly string[];
}

/** Cancels (if asked) after waiting stopped early, and reports what happened to the job. */
async function stopOutcome(
  shared: WaitShared,
  handle: RequestHandle,
  choice: "cancel" | "leave",
  lastStatus: RequestStatus | undefined,
): Promise<StopOutcome> {
  if (choice === "leave") return { job: "left-running", lastStatus };
  try {
    const info = await shared.calls.cancel(handle, { deadline: shared.context.clock.now() + STOP_CANCEL_BUDGET_MS });
    return { job: info.outcome === "cancelled" ? "cancelled" : "not-cancellable", lastStatus };
  } catch (error) {
    shared.context.log("warn", `could not cancel ${handle.requestId} after stopping: ${(error as Error).message}`);
    return { job: "cancel-failed", lastStatus };
  }
}

async function toJobResult(
  shared: WaitShared,
  handle: RequestHandle,
  info: ResultInfo,
  given: AnyModel | undefined,
): Promise<JobResult<unknown> | undefined> {
  if (info.status !== "succeeded" && info.status !== "failed" && info.status !== "cancelled") return undefined;
  // Built key by key, not as `{ ...base, status }`: V8 gives an object spread followed by more keys a fresh shape in
  // the old generation (~0.4 KB of garbage per job that no scavenge frees).
  const job: {
    requestId: string;
    modelId: string;
    createdAt?: string;
    finishedAt?: string;
    raw?: unknown;
    status?: JobResult<unknown>["status"];
    output?: unknown;
    error?: unknown;
    message?: string;
    errorCode?: number;
  } = {
    requestId: handle.requestId,
    modelId: handle.modelId,
  };
  if (info.createdAt) job.createdAt = info.createdAt;
  if (info.finishedAt) job.finishedAt = info.finishedAt;
  job.raw = info.raw;
  job.status = info.status;
  if (info.status === "succeeded") {
    const model = given ?? (await shared.context.registry.resolve(handle.modelId));
    job.output = model ? model.parseOutput(info.output ?? {}) : { ...info.output };
  } else if (info.status === "failed") {
    job.error = info.error;
    job.message = errorMessage(info.error);
    if (info.errorCode !== undefined) job.errorCode = info.errorCode;
  }
  return job as JobResult<unknown>;
}

/**
 * One wait in progress: a single record (its state as fields, its steps as methods shared by every wait), so ten
 * thousand waiting jobs are ten thousand of these and their scheduler entries, not ten closures and contexts each.
 */
class WaitingJob {
  readonly started: number;
  readonly deadline: number;
  /** Time since submit when the wait began (the poll schedule counts from the submit). */
  readonly alreadyWaited: number;
  lastStatus: RequestStatus | undefined = undefined;
  unknownInARow = 0;
  /** The status said finished: the next step asks for the result. */
  resultNext = false;
  resultMisses = 0;
  next: PollEntry | undefined = undefined;
  unsubscribe: (() => void) | undefined = undefined;
  stepping = false;
  stopping = false;
  settled = false;

  constructor(
    readonly shared: WaitShared,
    readonly handle: RequestHandle,
    readonly options: ResolvedWaitOptions,
    readonly given: AnyModel | undefined,
    readonly resolve: (result: JobResult<unknown>) => void,
    readonly reject: (error: unknown) => void,
    deadline: number | undefined,
  ) {
    this.started = shared.context.clock.now();
    this.deadline = deadline ?? this.started + options.timeoutMs;
    const submitted = Date.parse(handle.submittedAt);
    this.alreadyWaited = Number.isNaN(submitted) ? 0 : Math.max(0, this.started - submitted);
  }

  begin(thrown?: CallbackFailure): void {
    const signal = this.options.signal;
    this.shared.scheduler.join();
    if (thrown) {
      void this.stop("abort", thrown.error, thrown);
      return;
    }
    if (signal?.aborted) {
      void this.stop("abort", signal.reason);
      return;
    }
    if (signal) this.unsubscribe = onAbort(signal, () => this.onAbortSignal());
    this.scheduleNext();
  }

  cancelNext(): void {
    if (this.next === undefined) return;
    this.shared.scheduler.cancel(this.next);
    this.next = undefined;
  }

  /** Resolves or rejects once; `cause`, when given, is set on the redacted error as it is (a callback's own error). */
  settle(result: JobResult<unknown> | undefined, error?: unknown, cause?: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.shared.scheduler.leave();
    this.cancelNext();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (result === undefined) {
      const redacted = redactError(error, this.shared.secrets);
      if (cause !== undefined)
        Object.defineProperty(redacted, "cause", { value: cause, writable: true, configurable: true });
      this.reject(redacted);
    } else this.resolve(result);
  }

  fail(error: unknown): void {
    this.settle(undefined, error);
  }

  /**
   * Stops early: cancels the job while queued (or leaves it, as asked) and rejects with the outcome. A callback that
   * threw (`thrown`) stops the wait as an abort does; its error is the cause, kept as the very object it threw.
   */
  async stop(reason: "timeout" | "abort", cause?: unknown, thrown?: CallbackFailure): Promise<void> {
    if (this.settled || this.stopping) return;
    this.stopping = true;
    this.cancelNext();
    const { handle, options, lastStatus } = this;
    const choice = reason === "timeout" ? options.onTimeout : options.onAbort;
    const outcome = await stopOutcome(this.shared, handle, choice, lastStatus);
    const facts = {
      modelId: handle.modelId,
      requestId: handle.requestId,
      outcome,
      handle,
      cause,
    };
    const last = `last status: ${lastStatus ?? "none"}`;
    const why = thrown ? `: ${thrown.callback} threw ${callbackErrorText(thrown.error)}` : "";
    this.settle(
      undefined,
      reason === "timeout"
        ? new WaitTimeoutError(
            `gave up waiting for ${handle.modelId} request ${handle.requestId} after ${options.timeoutMs} ms (${last}); ${describeOutcome(outcome)}`,
            facts,
          )
        : new AbortError(
            `stopped waiting for ${handle.modelId} request ${handle.requestId}${why} (${last}); ${describeOutcome(outcome)}`,
            facts,
          ),
      thrown?.error,
    );
  }

  onAbortSignal(): void {
    // A running step sees the abort through its request (or its next check); a scheduled one is dropped here.
    if (this.stepping || this.settled) return;
    void this.stop("abort", this.options.signal?.reason);
  }

  scheduleAt(due: number): void {
    // Until a status was seen, a poll that would fall at the deadline is made now: a wait never gives up (and
    // cancels) without having asked once, e.g. a handle submitted an hour ago (a 30 s first delay) with a 5 s wait.
    const now = this.shared.context.clock.now();
    const at = this.lastStatus === undefined && due >= this.deadline ? now : Math.min(due, this.deadline);
    this.next = this.shared.scheduler.schedule(at, this);
  }

  scheduleNext(): void {
    const { clock } = this.shared.context;
    const { policy } = this.options;
    const now = clock.now();
    const own = nextPollDelay(this.alreadyWaited + (now - this.started), policy, clock.random);
    // Many waiting jobs share the client's poll budget: each one's polls spread out as their number grows.
    this.scheduleAt(now + budgetedPollDelay(own, this.shared.scheduler.waiting, policy.budgetPerSecond));
  }

  /** True when the wait must end here: it settled, or the caller aborted (then it stops). */
  async interrupted(): Promise<boolean> {
    if (this.settled || this.stopping) return true;
    const signal = this.options.signal;
    if (!signal?.aborted) return false;
    await this.stop("abort", signal.reason);
    return true;
  }

  async fetchResult(): Promise<ResultInfo | undefined> {
    const { handle, shared } = this;
    try {
      return await shared.calls.result(handle, { signal: this.options.signal, deadline: this.deadline });
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      // The status said finished: a 404 here is the result not being visible yet.
      this.resultMisses++;
      if (this.resultMisses > RESULT_NOT_FOUND_RETRIES) {
        throw new ResultNotFoundError(
          `request ${handle.requestId} of ${handle.modelId} finished (status ${JSON.stringify(this.lastStatus)}), but its result answered 404 ${this.resultMisses} times; it may have been charged: fetch it later with client.result(handle) or client.wait(handle)`,
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
      const { clock, log, http } = shared.context;
      const delay = backoffDelay(this.resultMisses, http.retry, clock.random);
      log("warn", `result of ${handle.requestId} not found right after it finished; retrying in ${delay} ms`);
      this.scheduleAt(clock.now() + delay);
      return undefined;
    }
  }

  /** Counts one unknown status (of the status or the result); true when that ended the wait. */
  countUnknown(serverStatus: string): boolean {
    const { handle, options, shared } = this;
    this.unknownInARow++;
    shared.context.log(
      "warn",
      `unknown status ${JSON.stringify(serverStatus)} for request ${handle.requestId} (${this.unknownInARow} in a row)`,
    );
    if (this.unknownInARow <= options.policy.maxUnknownStatuses) return false;
    this.fail(
      new UnknownStatusError(
        `request ${handle.requestId} reported the unknown status ${JSON.stringify(serverStatus)} ${this.unknownInARow} times in a row; stopped waiting (the job was left as it is; resume with client.wait(handle))`,
        serverStatus,
        { modelId: handle.modelId, requestId: handle.requestId },
      ),
    );
    return true;
  }

  /** One turn: a status call (and the result call once it says finished), then the next turn or the outcome. */
  async step(): Promise<void> {
    if (this.settled || this.stopping) return;
    this.next = undefined;
    this.stepping = true;
    const { handle, options, shared } = this;
    const { signal } = options;
    const { clock } = shared.context;
    try {
      if (await this.interrupted()) return;
      if (clock.now() >= this.deadline) return await this.stop("timeout");
      if (!this.resultNext) {
        const info = await shared.calls.status(handle, { signal, deadline: this.deadline });
        if (await this.interrupted()) return;
        this.lastStatus = info.status;
        const known = info.status !== "unknown";
        try {
          options.onStatus?.({ ...info, modelId: handle.modelId, elapsedMs: clock.now() - this.started, known });
        } catch (error) {
          return await this.stop("abort", error, { callback: "onStatus", error });
        }
        // An abort() inside onStatus takes effect here, before anything else is sent.
        if (await this.interrupted()) return;
        if (info.status === "cancelled") {
          return this.settle({
            requestId: handle.requestId,
            modelId: handle.modelId,
            status: "cancelled",
            raw: info.raw,
          });
        }
        if (info.status === "completed" || info.status === "failed") {
          this.resultNext = true;
        } else if (known) {
          this.unknownInARow = 0;
        } else if (this.countUnknown(info.serverStatus)) return;
      }
      if (this.resultNext) {
        const info = await this.fetchResult();
        if (await this.interrupted()) return;
        if (info === undefined) return; // a 404 right after finishing: fetchResult scheduled the retry
        const job = await toJobResult(shared, handle, info, this.given);
        if (await this.interrupted()) return;
        if (job) return this.settle(job);
        // A result status this client does not know counts like an unknown status (no loop of status and result).
        if (info.status === "unknown" && this.countUnknown(info.serverStatus)) return;
        // The result is not there yet: back to polling the status.
        this.resultNext = false;
      }
      this.scheduleNext();
    } catch (error) {
      if (signal?.aborted) return await this.stop("abort", error);
      if (isPastDeadline(error)) return await this.stop("timeout", error);
      this.fail(error);
    } finally {
      this.stepping = false;
    }
  }
}

export function createWaiter(context: ClientContext, calls: QueueCalls): Wait {
  const shared: WaitShared = {
    context,
    calls,
    scheduler: new PollScheduler(context.clock, context.concurrency),
    secrets: context.http.secrets,
  };
  return (handle, options, given, thrown, deadline) =>
    new Promise<JobResult<unknown>>((resolve, reject) => {
      if (!isObject(handle) || typeof handle.requestId !== "string" || typeof handle.modelId !== "string") {
        throw new ConfigurationError(
          "wait() needs a handle { modelId, requestId, submittedAt } as returned by submit()",
        );
      }
      new WaitingJob(shared, handle, options, given, resolve, reject, deadline).begin(thrown);
    });
}
