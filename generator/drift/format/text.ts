/** The drift report as plain text for a terminal (colour only when asked). */
import { severity, type DriftReport, type Level } from "../types.ts";
import { changeSummary, countBy, countsText, fieldLabel, impactLabel, sections } from "./shared.ts";

export interface TextOptions {
  readonly color?: boolean;
}

const COLORS: Readonly<Record<Level | "bold" | "dim", number>> = { ERR: 31, WARN: 33, INFO: 36, bold: 1, dim: 2 };

export function formatText(report: DriftReport, options: TextOptions = {}): string {
  const paint = (style: keyof typeof COLORS, text: string): string =>
    options.color ? `\u001b[${COLORS[style]}m${text}\u001b[0m` : text;
  if (report.changes.length === 0) return `No schema drift between ${report.base} and ${report.head}.\n`;
  const lines = [
    `Schema drift ${report.base} → ${report.head}: ${changeSummary(report)}; suggested version bump: ${report.semver}`,
    `raw API (wire keys): ${countsText(countBy(report.changes, "raw"))}; friendly API (aliases): ${countsText(countBy(report.changes, "friendly"))}`,
  ];
  for (const section of sections(report.changes)) {
    lines.push("", paint("bold", section.title));
    for (const group of section.models) {
      lines.push(`  ${paint("bold", group.model)}`);
      for (const change of group.changes) {
        const level = severity(change);
        lines.push(
          `    ${paint(level, level.padEnd(4))} ${fieldLabel(change)}: ${change.text}`,
          paint(
            "dim",
            `         ${change.rule} · raw ${impactLabel(change.raw)} · friendly ${impactLabel(change.friendly)} · ${change.fingerprint}`,
          ),
        );
      }
    }
  }
  return `${lines.join("\n")}\n`;
}
