/**
 * `drift [old] [new]`: what changed for users between two schema sets.
 *
 * Without paths it compares the committed `schemas/` (`--base`, default
 * HEAD) with the working tree; with two paths it compares two schema files
 * or two schema folders. The report goes to stdout; `--fail-on` turns it into
 * an exit code for CI.
 */
import { resolve } from "node:path";
import type { Argv } from "yargs";
import { GeneratorError } from "../lib/diagnostics.ts";
import { formatJson } from "../drift/format/json.ts";
import { formatMarkdown } from "../drift/format/markdown.ts";
import { formatText } from "../drift/format/text.ts";
import { compareModels } from "../drift/report.ts";
import { fileSet, folderSet, gitSet, pathKind, workingTreeSet, type SchemaSet } from "../drift/sources.ts";
import { atLeast, severity, type DriftReport, type Level } from "../drift/types.ts";
import { paint, type Terminal } from "./terminal.ts";

export const DRIFT_FORMATS = ["md", "json", "text"] as const;
export type DriftFormat = (typeof DRIFT_FORMATS)[number];
const FAIL_LEVELS = ["ERR", "WARN", "INFO"] as const;

export interface DriftArgs {
  readonly root: string;
  readonly quiet: boolean;
  readonly old?: string | undefined;
  readonly new?: string | undefined;
  readonly base?: string | undefined;
  readonly format: DriftFormat;
  readonly failOn?: Level | undefined;
}

export function driftOptions<T>(yargs: Argv<T>): Argv<T & DriftArgs> {
  return yargs
    .positional("old", {
      type: "string",
      describe: "Old schema file or folder (omit both paths to compare the committed schemas/ with the working tree)",
    })
    .positional("new", { type: "string", describe: "New schema file or folder" })
    .option("base", {
      type: "string",
      describe: "Git revision whose schemas/ is the old side (default HEAD); only without paths",
    })
    .option("format", {
      choices: DRIFT_FORMATS,
      default: process.stdout.isTTY ? "text" : "md",
      defaultDescription: "text on a terminal, md otherwise",
      describe: "md (pull-request comment), json (stable, with fingerprints) or text",
    })
    .option("fail-on", {
      choices: FAIL_LEVELS,
      describe: "Exit 1 when a change reaches this level on either API (raw or friendly)",
    }) as unknown as Argv<T & DriftArgs>;
}

async function sideOf(path: string, cwd: string): Promise<{ kind: "folder" | "file"; set: () => Promise<SchemaSet> }> {
  const full = resolve(cwd, path);
  const kind = await pathKind(full, path);
  return { kind, set: () => (kind === "folder" ? folderSet(full, cwd) : fileSet(full, cwd)) };
}

/** The two schema sets the arguments name. */
export async function driftSides(args: DriftArgs, cwd: string): Promise<[SchemaSet, SchemaSet]> {
  if (args.old === undefined && args.new === undefined) {
    return Promise.all([gitSet(args.root, args.base ?? "HEAD", "schemas"), workingTreeSet(args.root, "schemas")]);
  }
  if (args.base !== undefined) {
    throw new GeneratorError(
      "drift-usage",
      "--base chooses the git revision compared with the working tree's schemas/; it cannot be combined with paths",
    );
  }
  if (args.old === undefined || args.new === undefined) {
    throw new GeneratorError(
      "drift-usage",
      "give two paths (old and new: two schema files or two schema folders), or none to compare the committed schemas/ with the working tree",
    );
  }
  const [old, next] = await Promise.all([sideOf(args.old, cwd), sideOf(args.new, cwd)]);
  if (old.kind !== next.kind) {
    throw new GeneratorError(
      "drift-usage",
      `${args.old} is a ${old.kind} but ${args.new} is a ${next.kind}; compare two schema files or two schema folders`,
    );
  }
  return Promise.all([old.set(), next.set()]);
}

export function renderReport(report: DriftReport, format: DriftFormat, color = false): string {
  return format === "json"
    ? formatJson(report)
    : format === "md"
      ? formatMarkdown(report)
      : formatText(report, { color });
}

export interface DriftRun {
  readonly cwd?: string;
  /** Colour the text format (only when stdout is a terminal). */
  readonly color?: boolean;
}

export async function runDrift(args: DriftArgs, terminal: Terminal, run: DriftRun = {}): Promise<number> {
  const [base, head] = await driftSides(args, run.cwd ?? process.cwd());
  const report = compareModels(base.specs, head.specs, base.label, head.label);
  terminal.out(renderReport(report, args.format, run.color ?? false).replace(/\n$/, ""));
  if (args.failOn === undefined) return 0;
  const failing = report.changes.filter((change) => atLeast(severity(change), args.failOn!)).length;
  if (failing === 0) return 0;
  if (!args.quiet)
    terminal.err(
      `${paint(terminal, "red", "drift")}: ${failing} change${failing === 1 ? "" : "s"} at ${args.failOn} or above (--fail-on ${args.failOn})`,
    );
  return 1;
}
