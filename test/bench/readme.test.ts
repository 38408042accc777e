/** The README's benchmark summary is the committed full run's (`bench/results/latest.json`), row for row. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  README_BENCH_BEGIN,
  README_BENCH_END,
  readmeBenchBlock,
  withReadmeBenchBlock,
  type BenchResult,
} from "../../bench/readme.ts";
import { ROOT } from "../helpers/project.ts";

const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const latest = JSON.parse(readFileSync(join(ROOT, "bench/results/latest.json"), "utf8")) as BenchResult;

describe("the README's benchmark summary", () => {
  it("is the block of the committed full run", () => {
    const block = readmeBenchBlock(latest);
    expect(readme).toContain(block);
    expect(withReadmeBenchBlock(readme, block)).toBe(readme);
  });

  it("holds every generation and validation row with a target, with the run's date and machine", () => {
    const block = readme.slice(readme.indexOf(README_BENCH_BEGIN), readme.indexOf(README_BENCH_END));
    const targeted = latest.rows.filter(
      (row) => (row.section === "Generation" || row.section === "Validation") && row.target !== "",
    );
    expect(targeted.length).toBeGreaterThanOrEqual(8);
    for (const row of targeted) expect(block).toContain(`| ${row.metric} | ${row.ours} |`);
    expect(block).toContain(`Measured ${latest.date.slice(0, 10)} on ${latest.machine}`);
  });

  it("is replaced whole, and a README without the block is an error", () => {
    const replaced = withReadmeBenchBlock(`a\n${README_BENCH_BEGIN}\nold\n${README_BENCH_END}\nb\n`, "NEW");
    expect(replaced).toBe("a\nNEW\nb\n");
    expect(() => withReadmeBenchBlock("no block", "NEW")).toThrow(/no ".*" … ".*" block/);
  });
});
