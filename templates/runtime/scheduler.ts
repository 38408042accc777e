/**
 * One poll scheduler per client: every waiting job is a small record in a
 * heap ordered by when it is next due, and one timer wakes the scheduler for
 * the earliest. At most `concurrency` steps run at once (a step is one status
 * call, and the result call when the job is done), so ten thousand waiting
 * jobs cost ten thousand records, not ten thousand timers and queued requests.
 * When no entry is left (every wait settled), no timer stays armed: nothing
 * of the scheduler keeps the process alive.
 */
import { MAX_TIMER_MS, onAbort, systemClock, type Clock } from "./http.js";

/** What the scheduler runs: an object with a `step` method (a waiting job is one, so scheduling it makes no closure). */
export interface PollTask {
  step(): Promise<void>;
}

/** One scheduled step; pass it to `cancel` to drop it. */
export interface PollEntry {
  readonly dueAt: number;
  readonly order: number;
  readonly task: PollTask;
  /** Cancelled, or taken out of the heap to run. */
  done: boolean;
}

type Entry = PollEntry;

function before(a: Entry, b: Entry): boolean {
  return a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.order < b.order);
}

export class PollScheduler {
  private readonly heap: Entry[] = [];
  private order = 0;
  private running = 0;
  /** Entries in the heap that are neither cancelled nor started. */
  private live = 0;
  private waits = 0;
  /** The armed wake-up (a token: the sleep that resolves checks it is still the current one). */
  private timer: object | undefined;
  private timerDue = Number.POSITIVE_INFINITY;
  /**
   * Cancels the armed sleep; kept from one wake-up to the next and replaced only once aborted, so the scheduler does
   * not make an `AbortSignal` per wake-up (Node puts ~0.6 KB of each straight in the old generation).
   */
  private sleeps: AbortController | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly concurrency: number,
  ) {}

  /** Runs `task.step()` once, at `dueAt` (clock time) or as soon after as a slot is free; `cancel(entry)` drops it. */
  schedule(dueAt: number, task: PollTask): PollEntry {
    const entry: Entry = { dueAt, order: this.order++, task, done: false };
    this.live++;
    this.push(entry);
    this.pump();
    return entry;
  }

  /** Drops a scheduled step that has not started (later calls, or calls after it started, do nothing). */
  cancel(entry: PollEntry): void {
    if (entry.done) return;
    entry.done = true;
    this.live--;
    if (this.live === 0) {
      this.heap.length = 0;
      this.disarm();
    }
  }

  /** Entries waiting for their turn (for tests and diagnostics). */
  get pending(): number {
    return this.live;
  }

  /** Waits in progress on this scheduler (between polls or polling), which share the poll budget. */
  get waiting(): number {
    return this.waits;
  }

  /** Counts one more wait in progress; each `join()` is matched by exactly one `leave()` (the wait keeps the count). */
  join(): void {
    this.waits++;
  }

  /** Counts one wait in progress less. */
  leave(): void {
    this.waits--;
  }

  private pump(): void {
    const now = this.clock.now();
    while (this.running < this.concurrency && this.heap.length > 0 && this.heap[0]!.dueAt <= now) {
      const entry = this.pop();
      if (entry.done) continue;
      entry.done = true;
      this.live--;
      this.running++;
      entry.task
        .step()
        .catch(() => undefined)
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
    while (this.heap.length > 0 && this.heap[0]!.done) this.pop();
    if (this.heap.length > 0 && this.running < this.concurrency) this.arm(this.heap[0]!.dueAt);
    else if (this.heap.length === 0) this.disarm();
  }

  /** Cancels the armed sleep, if any. */
  private cancelSleep(): void {
    if (this.timer === undefined) return;
    this.sleeps?.abort();
    this.sleeps = undefined;
  }

  private disarm(): void {
    this.cancelSleep();
    this.timer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
  }

  /** Wakes the scheduler at `dueAt`, unless it is already woken earlier. */
  private arm(dueAt: number): void {
    if (this.timer && this.timerDue <= dueAt) return;
    this.cancelSleep();
    const token = {};
    this.timer = token;
    this.timerDue = dueAt;
    this.sleeps ??= new AbortController();
    this.clock.sleep(Math.max(0, dueAt - this.clock.now()), this.sleeps.signal).then(
      () => {
        if (this.timer !== token) return;
        this.timer = undefined;
        this.timerDue = Number.POSITIVE_INFINITY;
        this.pump();
      },
      () => undefined,
    );
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(heap[index]!, heap[parent]!)) break;
      [heap[index], heap[parent]] = [heap[parent]!, heap[index]!];
      index = parent;
    }
  }

  private pop(): Entry {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let index = 0;
      for (;;) {
        const left = index * 2 + 1;
        const right = left + 1;
        let smallest = index;
        if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
        if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
        if (smallest === index) break;
        [heap[index], heap[smallest]] = [heap[smallest]!, heap[index]!];
        index = smallest;
      }
    }
    return top;
  }
}

interface SlotWaiter {
  readonly grant: (release: () => void) => void;
  unsubscribe: () => void;
  /** When the wait ends without a slot (clock ms), if it does. */
  readonly deadline: number | undefined;
}

const noRelease = (): void => undefined;
/** What `SlotQueue.enter` gives when its deadline came first (no slot is held, nothing may be sent). */
export const PAST_DEADLINE = (): void => undefined;

/**
 * At most `limit` holders at once; the others wait their turn in order, each
 * as one small record (no request built, no timer). Used for submits: ten
 * thousand `run()` calls started together do not each build a body and queue
 * a request before a slot is free. An abort of a waiter's signal takes it out
 * of the line at once: it resolves with a release that does nothing, and the
 * caller, which checks `signal.aborted` after the wait, sends nothing.
 */
export class SlotQueue {
  private active = 0;
  private readonly line = new Set<SlotWaiter>();
  /**
   * The waiters with a deadline, by deadline (those that left the line are dropped when met, or all at once when the
   * line empties), and the one timer armed for the first: no timer per waiter.
   */
  private expiry: SlotWaiter[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private timerAt = Infinity;

  constructor(
    private readonly limit: number,
    private readonly clock: Pick<Clock, "now"> = systemClock,
  ) {}

  /**
   * A release function once a slot is the caller's (at once when one is free), a no-op one on abort, or
   * `PAST_DEADLINE` when `deadline` (clock ms) came first: the caller holds no slot then.
   */
  enter(signal?: AbortSignal, deadline?: number): (() => void) | Promise<() => void> {
    if (signal?.aborted) return noRelease;
    if (this.active < this.limit && this.line.size === 0) {
      this.active++;
      return this.releaser();
    }
    const timed = deadline !== undefined && Number.isFinite(deadline);
    if (timed && this.clock.now() >= deadline) return PAST_DEADLINE;
    return new Promise<() => void>((resolve) => {
      const waiter: SlotWaiter = { grant: resolve, unsubscribe: noRelease, deadline: timed ? deadline : undefined };
      this.line.add(waiter);
      waiter.unsubscribe = onAbort(signal, () => {
        if (this.remove(waiter)) resolve(noRelease);
      });
      if (timed) this.expireLater(waiter);
    });
  }

  private remove(waiter: SlotWaiter): boolean {
    if (!this.line.delete(waiter)) return false;
    if (this.expiry[0] === waiter) this.expiry.shift();
    if (this.line.size === 0) {
      this.expiry = [];
      this.arm();
    }
    return true;
  }

  private expireLater(waiter: SlotWaiter): void {
    const deadline = waiter.deadline!;
    const list = this.expiry;
    // Waiters mostly come in deadline order (one timeoutMs): then this is a push.
    let at = list.length;
    while (at > 0 && list[at - 1]!.deadline! > deadline) at--;
    list.splice(at, 0, waiter);
    this.arm();
  }

  /** Arms the one timer for the first deadline of a waiter still in line (or clears it when there is none). */
  private arm(): void {
    while (this.expiry.length > 0 && !this.line.has(this.expiry[0]!)) this.expiry.shift();
    const first = this.expiry[0]?.deadline ?? Infinity;
    if (first === this.timerAt) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = first;
    if (first === Infinity) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Infinity;
        this.expire();
      },
      Math.min(MAX_TIMER_MS, Math.max(0, first - this.clock.now())),
    );
  }

  /** Takes the waiters whose deadline came out of the line: each gets `PAST_DEADLINE`. */
  private expire(): void {
    const now = this.clock.now();
    while (this.expiry.length > 0 && this.expiry[0]!.deadline! <= now) {
      const waiter = this.expiry.shift()!;
      if (!this.line.delete(waiter)) continue;
      waiter.unsubscribe();
      waiter.grant(PAST_DEADLINE);
    }
    if (this.line.size === 0) this.expiry = [];
    this.arm();
  }

  /** Holders and waiters (for tests and diagnostics). */
  get size(): { readonly active: number; readonly waiting: number } {
    return { active: this.active, waiting: this.line.size };
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // The slot goes straight to the first waiter, so `active` counts it throughout.
      const next = this.line.values().next();
      if (next.done) {
        this.active--;
        return;
      }
      this.remove(next.value);
      next.value.unsubscribe();
      next.value.grant(this.releaser());
    };
  }
}
