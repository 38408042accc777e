/** The drift report as Markdown for a pull-request comment: summary, breaking changes first, grouped by model. */
import type { Change, DriftReport } from "../types.ts";
import { changeSummary, countBy, fieldLabel, impactLabel, sections } from "./shared.ts";

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function row(change: Change): string {
  return `| ${impactLabel(change.raw)} | ${impactLabel(change.friendly)} | ${cell(fieldLabel(change, code))} | ${cell(change.text)} | ${code(change.rule)} | ${code(change.fingerprint)} |`;
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
