/**
 * Per-phase timing of a generate run (printed with `--verbose`), so a slow
 * phase is visible without a profiler.
 */
const totals = new Map<string, { ms: number; count: number }>();

function add(phase: string, started: number): void {
  const entry = totals.get(phase) ?? { ms: 0, count: 0 };
  entry.ms += performance.now() - started;
  entry.count++;
  totals.set(phase, entry);
}

export function measure<T>(phase: string, task: () => T): T {
  const started = performance.now();
  try {
    return task();
  } finally {
    add(phase, started);
  }
}

export async function measureAsync<T>(phase: string, task: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await task();
  } finally {
    add(phase, started);
  }
}

export interface Timing {
  readonly phase: string;
  readonly ms: number;
  readonly count: number;
}

/** Adds timings measured elsewhere (worker threads). */
export function mergeTimings(timings: readonly Timing[]): void {
  for (const timing of timings) {
    const entry = totals.get(timing.phase) ?? { ms: 0, count: 0 };
    entry.ms += timing.ms;
    entry.count += timing.count;
    totals.set(timing.phase, entry);
  }
}

/** Timings since the last reset, slowest first. */
export function takeTimings(): Timing[] {
  const result = [...totals]
    .map(([phase, entry]) => ({ phase, ms: Math.round(entry.ms), count: entry.count }))
    .sort((a, b) => b.ms - a.ms);
  totals.clear();
  return result;
}
