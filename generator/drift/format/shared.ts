/** What every rendering of a drift report shares: grouping, field labels, counts, the summary line. */
import { isBreaking, LEVELS, type Change, type DriftReport, type Impact, type Level } from "../types.ts";

export interface ModelGroup {
  readonly model: string;
  readonly changes: readonly Change[];
}

export interface Section {
  readonly breaking: boolean;
  readonly title: string;
  readonly models: readonly ModelGroup[];
}

/** Breaking changes first, then the others; each grouped by model (the report is already sorted). */
export function sections(changes: readonly Change[]): Section[] {
  const result: Section[] = [];
  for (const breaking of [true, false]) {
    const groups = new Map<string, Change[]>();
    for (const change of changes) {
      if (isBreaking(change) !== breaking) continue;
      groups.set(change.model, [...(groups.get(change.model) ?? []), change]);
    }
    if (groups.size > 0) {
      result.push({
        breaking,
        title: breaking ? "Breaking changes" : "Non-breaking changes",
        models: [...groups].map(([model, list]) => ({ model, changes: list })),
      });
    }
  }
  return result;
}

/**
 * The field a change is about, as a user sees it: `steps (149_steps)`,
 * `image (143_image → 150_image)`, `video (output)`, `(model)`.
 * `code` marks identifiers (backticks in Markdown).
 */
export function fieldLabel(change: Change, code: (text: string) => string = (text) => text): string {
  if (change.key === null) return "(model)";
  if (change.alias === null) return `${code(change.key)} (output)`;
  const alias =
    change.previousAlias === null ? code(change.alias) : `${code(change.previousAlias)} → ${code(change.alias)}`;
  const key = change.previousKey === null ? code(change.key) : `${code(change.previousKey)} → ${code(change.key)}`;
  return `${alias} (${key})`;
}

export function impactLabel(impact: Impact): string {
  return impact === "none" ? "—" : impact;
}

export function countBy(changes: readonly Change[], api: "raw" | "friendly"): Record<Level, number> {
  const counts: Record<Level, number> = { ERR: 0, WARN: 0, INFO: 0 };
  for (const change of changes) {
    const impact = change[api];
    if (impact !== "none") counts[impact]++;
  }
  return counts;
}

export function countsText(counts: Record<Level, number>): string {
  return LEVELS.map((level) => `${counts[level]} ${level}`).join(", ");
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** `2 breaking and 3 non-breaking changes in 1 model`, `1 breaking change in 1 model`. */
export function changeSummary(report: DriftReport): string {
  const breaking = report.changes.filter(isBreaking).length;
  const other = report.changes.length - breaking;
  const models = plural(new Set(report.changes.map((change) => change.model)).size, "model");
  if (other === 0) return `${plural(breaking, "breaking change")} in ${models}`;
  if (breaking === 0) return `${plural(other, "non-breaking change")} in ${models}`;
  return `${breaking} breaking and ${plural(other, "non-breaking change")} in ${models}`;
}
