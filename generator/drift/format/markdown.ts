/** The drift report as Markdown for a pull-request comment: summary, breaking changes first, grouped by model. */
import { cellCode, code, text } from "../../lib/markdown.ts";
import type { Change, DriftReport } from "../types.ts";
import { changeSummary, countBy, fieldLabel, impactLabel, sections } from "./shared.ts";

// Keys, values and ids come from upstream schemas: each is escaped (text) or a code span with a fence it cannot
// close (code), so a value such as `<!--` or `**` cannot hide or restyle the rest of the comment.
function row(change: Change): string {
  return `| ${impactLabel(change.raw)} | ${impactLabel(change.friendly)} | ${fieldLabel(change, cellCode)} | ${text(change.text)} | ${cellCode(change.rule)} | ${cellCode(change.fingerprint)} |`;
}

export function formatMarkdown(report: DriftReport): string {
  const lines = [`## Schema drift: ${code(report.base)} → ${code(report.head)}`, ""];
  if (report.changes.length === 0) return `${[...lines, "No changes."].join("\n")}\n`;
  const raw = countBy(report.changes, "raw");
  const friendly = countBy(report.changes, "friendly");
  lines.push(
    `${changeSummary(report)}; suggested version bump: **${report.semver}**.`,
    "",
    "| API | ERR | WARN | INFO |",
    "| --- | ---: | ---: | ---: |",
    `| Raw (wire keys such as \`149_steps\`) | ${raw.ERR} | ${raw.WARN} | ${raw.INFO} |`,
    `| Friendly (TypeScript aliases such as \`steps\`) | ${friendly.ERR} | ${friendly.WARN} | ${friendly.INFO} |`,
  );
  for (const section of sections(report.changes)) {
    lines.push("", `### ${section.title}`);
    for (const group of section.models) {
      lines.push(
        "",
        `#### ${code(group.model)}`,
        "",
        "| Raw | Friendly | Field | Change | Rule | Fingerprint |",
        "| --- | --- | --- | --- | --- | --- |",
      );
      lines.push(...group.changes.map(row));
    }
  }
  lines.push(
    "",
    "Levels follow oasdiff: ERR breaks clients that followed the old schema, WARN may, INFO does not. — means the change does not touch that API.",
  );
  return `${lines.join("\n")}\n`;
}
