/** How the CLI prints the reports of its commands (shared by `generate`, `add` and `pull`). */
import type { ModelUpdate } from "../commands/add.ts";
import { formatText } from "../drift/format/text.ts";
import { changeSummary } from "../drift/format/shared.ts";
import type { DriftReport } from "../drift/types.ts";
import type { GenerateReport } from "../package/generate.ts";
import { paint, printWarnings, type Terminal } from "./terminal.ts";

const STATUS_WORDS: Record<ModelUpdate["status"], string> = {
  created: "created  ",
  updated: "updated  ",
  unchanged: "unchanged",
  removed: "removed  ",
};

/**
 * `created   schemas/x.json (2 pages)`, `updated   schemas/x.json (inputSchema, sources)`, `updated   schemas/b.json
 * (moved from schemas/a.json)` (a file moved to make room for an id that differs only in case).
 */
export function printModelUpdate(
  terminal: Terminal,
  update: Pick<ModelUpdate, "status" | "path" | "parts" | "previousPath">,
  notes: readonly string[] = [],
): void {
  const color = update.status === "unchanged" ? "dim" : update.status === "removed" ? "red" : "green";
  const all = [
    ...(update.status === "updated" && update.parts.length > 0 ? [update.parts.join(", ")] : []),
    ...(update.previousPath ? [`moved from ${update.previousPath}`] : []),
    ...notes,
  ];
  terminal.out(
    `${paint(terminal, color, STATUS_WORDS[update.status])} ${update.path}${all.length > 0 ? ` (${all.join("; ")})` : ""}`,
  );
}

/** The drift report of what was written, when it changed anything users see. */
export function printDrift(terminal: Terminal, drift: DriftReport | undefined): void {
  if (drift === undefined || drift.changes.length === 0) return;
  terminal.out(formatText(drift, { color: terminal.color }).replace(/\n$/, ""));
}

/**
 * After a write run: the package version bump (always) and the summary of
 * what was written (unless quiet). Also printed by `add` and `pull`, which
 * regenerate.
 */
export function printGenerated(terminal: Terminal, report: GenerateReport, seconds: string, quiet = false): void {
  const write = report.write;
  if (!write) return;
  const { previousVersion, version, level, generatorChanges, report: drift } = report.release;
  if (version !== previousVersion) {
    const why = [
      ...(drift && drift.changes.length > 0 ? [changeSummary(drift)] : []),
      ...(generatorChanges.length > 0
        ? [`${generatorChanges.length} generator change${generatorChanges.length === 1 ? "" : "s"}`]
        : []),
    ].join("; ");
    terminal.out(
      `${paint(terminal, "green", "version")} ${previousVersion} → ${version} (${level}: ${why}; see generated/CHANGELOG.md)`,
    );
  }
  if (quiet) return;
  const changes = [
    `${write.written.length} written`,
    `${write.removed.length} removed`,
    `${write.unchanged} unchanged`,
  ].join(", ");
  terminal.out(
    `${paint(terminal, "green", "generated")} ${report.modelCount} models → generated/ (${changes}; ${seconds}s)`,
  );
  for (const path of write.written) terminal.out(`  wrote   generated/${path}`);
  for (const path of write.removed) terminal.out(`  removed generated/${path}`);
}

/** Warnings of the models just written (not of every model), then the generate summary. */
export function printRegenerated(
  terminal: Terminal,
  report: GenerateReport | undefined,
  models: readonly Pick<ModelUpdate, "path">[],
  started: number,
): void {
  if (!report) return;
  const paths = new Set(models.map((model) => model.path));
  printWarnings(
    terminal,
    report.warnings.filter((warning) => warning.file !== undefined && paths.has(warning.file)),
  );
  printGenerated(terminal, report, ((performance.now() - started) / 1000).toFixed(2));
}
