/**
 * The README's summary of the last full `npm run bench`: the rows with a target of the generation and validation
 * sections (what "generation at catalog speed" promises), with the run's date and machine, between two markers.
 * `bench/run.ts` rewrites it after each full run; a test holds it to `bench/results/latest.json`, so the README never
 * shows numbers of a run that is not the committed one.
 */

/** One row of the benchmark table, as `bench/run.ts` records it in `latest.json`. */
export interface BenchRow {
  readonly section: string;
  readonly metric: string;
  readonly ours: string;
  readonly baseline: string;
  readonly ratio?: number;
  readonly target: string;
  readonly met?: boolean;
}

export interface BenchResult {
  /** ISO time of the run. */
  readonly date: string;
  readonly machine: string;
  readonly rows: readonly BenchRow[];
}

export const README_BENCH_BEGIN = "<!-- bench:begin (written by npm run bench from bench/results/latest.json) -->";
export const README_BENCH_END = "<!-- bench:end -->";

/** The README block (markers included) for a full run's result. */
export function readmeBenchBlock(result: BenchResult): string {
  const rows = result.rows.filter(
    (row) => (row.section === "Generation" || row.section === "Validation") && row.target !== "",
  );
  const misses = rows.filter((row) => row.met === false).length;
  return [
    README_BENCH_BEGIN,
    `Measured ${result.date.slice(0, 10)} on ${result.machine} (\`npm run bench\`; ${misses === 0 ? "every target met" : `${misses} of ${rows.length} targets missed`}). Every row, both runs of the day where a ratio sits near its target, and what each missed target means: [Performance](docs/performance.md).`,
    "",
    "| Section | Metric | Ours | Baseline | Ratio | Target | Met? |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows.map(
      (row) =>
        `| ${row.section} | ${row.metric} | ${row.ours} | ${row.baseline} | ${row.ratio === undefined ? "" : row.ratio.toFixed(3)} | ${row.target} | ${row.met === undefined ? "" : row.met ? "yes" : "**no**"} |`,
    ),
    README_BENCH_END,
  ].join("\n");
}

/** `readme` with its block replaced by `block`; throws when the README has no block (or a broken one). */
export function withReadmeBenchBlock(readme: string, block: string): string {
  const begin = readme.indexOf(README_BENCH_BEGIN);
  const end = readme.indexOf(README_BENCH_END);
  if (begin === -1 || end < begin)
    throw new Error(`README.md: no "${README_BENCH_BEGIN}" … "${README_BENCH_END}" block`);
  return `${readme.slice(0, begin)}${block}${readme.slice(end + README_BENCH_END.length)}`;
}
