/**
 * The emulator's job queue: FIFO with a fixed number of workers, real queue
 * positions, real timers, cancel of queued jobs only.
 *
 * `in_queue` → `in_progress` (when a worker frees up) → `completed` after the
 * job's duration; the result is then `succeeded` (with output) or `failed`.
 */

export type JobState = "in_queue" | "in_progress" | "completed" | "cancelled";

export interface Job {
  readonly requestId: string;
  readonly modelId: string;
  /** Token that submitted the job; other tokens get 403. */
  readonly owner: string;
  readonly body: Record<string, unknown>;
  readonly createdAt: string;
  readonly sequence: number;
  state: JobState;
  startedAt?: string;
  finishedAt?: string;
  /** Set when the job finished: output on success, error on failure. */
  outcome?:
    | { readonly status: "succeeded"; readonly output: Record<string, unknown> }
    | { readonly status: "failed"; readonly error: unknown };
}

export interface QueueOptions {
  /** Jobs that run at the same time. */
  readonly capacity: number;
  /** Run time of a job in milliseconds. */
  readonly duration: (job: Job) => number;
  /** Decides how a finished job ends. */
  readonly finish: (job: Job) => NonNullable<Job["outcome"]>;
}

export class JobQueue {
  private readonly jobs = new Map<string, Job>();
  /** Queued jobs in order; positions are indexes into this array. */
  private readonly waiting: Job[] = [];
  private running = 0;
  private sequence = 0;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private closed = false;

  constructor(private readonly options: QueueOptions) {}

  add(job: Omit<Job, "sequence" | "state" | "createdAt">): Job {
    const created: Job = { ...job, sequence: this.sequence++, state: "in_queue", createdAt: new Date().toISOString() };
    this.jobs.set(created.requestId, created);
    this.waiting.push(created);
    this.pump();
    return created;
  }

  get(requestId: string): Job | undefined {
    return this.jobs.get(requestId);
  }

  /** Jobs ahead of this one (0 = next to start); undefined unless queued. */
  position(job: Job): number | undefined {
    if (job.state !== "in_queue") return undefined;
    let low = 0;
    let high = this.waiting.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const candidate = this.waiting[middle]!;
      if (candidate.sequence === job.sequence) return middle;
      if (candidate.sequence < job.sequence) low = middle + 1;
      else high = middle - 1;
    }
    return undefined;
  }

  /** Cancels a queued job; returns false when it already runs or finished. */
  cancel(job: Job): boolean {
    if (job.state !== "in_queue") return false;
    const index = this.position(job);
    if (index !== undefined) this.waiting.splice(index, 1);
    job.state = "cancelled";
    job.finishedAt = new Date().toISOString();
    return true;
  }

  get size(): { readonly queued: number; readonly running: number; readonly total: number } {
    return { queued: this.waiting.length, running: this.running, total: this.jobs.size };
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private pump(): void {
    while (!this.closed && this.running < this.options.capacity && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      this.running++;
      job.state = "in_progress";
      job.startedAt = new Date().toISOString();
      const timer = setTimeout(
        () => {
          this.timers.delete(timer);
          this.running--;
          job.outcome = this.options.finish(job);
          job.state = "completed";
          job.finishedAt = new Date().toISOString();
          this.pump();
        },
        Math.max(0, this.options.duration(job)),
      );
      this.timers.add(timer);
    }
  }
}
