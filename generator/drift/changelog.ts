/**
 * `generated/CHANGELOG.md`: one entry per version of the generated package,
 * newest first, written by `generate` from the drift report. Entries carry
 * no dates or other run-specific data, so a second run writes the same bytes.
 */
import type { ModelSpec } from "../spec/types.ts";
import { changeSummary, fieldLabel, impactLabel, sections } from "./format/shared.ts";
import type { Change, DriftReport } from "./types.ts";

export const CHANGELOG_FILE = "CHANGELOG.md";

const HEADER = [
  "# Changelog",
  "",
  "Versions of this package and the schema changes behind them. `npm run generate` adds an entry whenever the",
  "schemas change, from the drift report (`npm run codegen -- drift`); the version bump follows the worst change.",
  "Raw: effect on the wire body (ComfyUI keys); friendly: effect on the TypeScript aliases. ERR breaks code",
  "written against the previous version, WARN may, INFO does not.",
  "",
].join("\n");

function code(text: string): string {
  return `\`${text}\``;
}

function bullet(change: Change): string {
  return `- ${fieldLabel(change, code)}: ${change.text} (raw ${impactLabel(change.raw)}, friendly ${impactLabel(change.friendly)}; ${code(change.rule)})`;
}

/** The entry for a version bumped because of `report`. */
export function releaseEntry(version: string, previousVersion: string, report: DriftReport): string {
  const lines = [`## ${version}`, "", `${report.semver[0]!.toUpperCase()}${report.semver.slice(1)} release after ${previousVersion}: ${changeSummary(report)}.`];
  for (const section of sections(report.changes)) {
    lines.push("", `### ${section.title}`);
    for (const group of section.models) lines.push("", `#### ${code(group.model)}`, "", ...group.changes.map(bullet));
  }
  return `${lines.join("\n")}\n`;
}

/** The entry for the first version generated (there is no earlier snapshot to compare with). */
export function initialEntry(version: string, specs: readonly ModelSpec[]): string {
  const models = specs.map((spec) => `- ${code(spec.id)}: ${spec.fields.length} inputs, ${spec.output.length} outputs`);
  return `${[`## ${version}`, "", `First generated version: ${specs.length} model${specs.length === 1 ? "" : "s"}.`, ...(models.length ? ["", ...models] : [])].join("\n")}\n`;
}

/** `entry` on top of the existing changelog (below its header), or a new changelog holding only `entry`. */
export function prependEntry(existing: string | undefined, entry: string): string {
  if (existing === undefined || existing.trim() === "") return `${HEADER}\n${entry}`;
  const first = existing.startsWith("## ") ? 0 : existing.indexOf("\n## ") + 1;
  if (first === 0 && !existing.startsWith("## ")) return `${existing.replace(/\n*$/, "\n\n")}${entry}`;
  return `${existing.slice(0, first)}${entry}\n${existing.slice(first)}`;
}
