/** Small helpers for the drift tests: schema files (as objects or text) → normalised models → report. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compareModels } from "../../generator/drift/report.ts";
import type { DriftReport } from "../../generator/drift/types.ts";
import { stringifyPretty } from "../../generator/lib/json.ts";
import { loadModels } from "../../generator/model/load.ts";
import type { ModelSpec } from "../../generator/model/types.ts";
import type { Terminal } from "../../generator/cli/terminal.ts";
import { ROOT } from "../helpers/project.ts";

export const FIXTURES = join(ROOT, "test", "fixtures", "drift");
export const SEED_FILE = "schemas/community/fantasy-portrait/image-to-video.json";

export type SchemaDoc = Record<string, unknown>;

/** Normalises schema files given as text (named `label/<n>.json` in errors), under the given normalisation rules. */
export function specsFromTexts(texts: readonly string[], label = "test", rules?: number): readonly ModelSpec[] {
  return loadModels(
    texts.map((text, index) => ({ file: `${label}/${index}.json`, text })),
    "",
    { checkPaths: false, ...(rules === undefined ? {} : { rules }) },
  ).specs;
}

export function specsFrom(docs: readonly SchemaDoc[], label = "test", rules?: number): readonly ModelSpec[] {
  return specsFromTexts(
    docs.map((doc) => stringifyPretty(doc)),
    label,
    rules,
  );
}

/** The drift from `base` (read under `baseRules`, as a snapshot built with them would be) to `head`. */
export function compareDocs(base: readonly SchemaDoc[], head: readonly SchemaDoc[], baseRules?: number): DriftReport {
  return compareModels(specsFrom(base, "base", baseRules), specsFrom(head, "head"), "base", "head");
}

export function compareTexts(base: string, head: string): DriftReport {
  return compareModels(specsFromTexts([base], "base"), specsFromTexts([head], "head"), "base", "head");
}

/** The seed schema file of the fantasy-portrait model, as text and as a fresh object. */
export function seedText(): string {
  return readFileSync(join(ROOT, SEED_FILE), "utf8");
}

export function seedDoc(): SchemaDoc & {
  inputSchema: { properties: Record<string, Record<string, unknown>>; required: string[] };
} {
  return JSON.parse(seedText()) as ReturnType<typeof seedDoc>;
}

/** The parts of a change a test states: rule, levels, where. */
export function summarize(report: DriftReport): {
  rule: string;
  level: string;
  raw: string;
  friendly: string;
  key: string | null;
  alias: string | null;
  path: string;
}[] {
  return report.changes.map(({ rule, level, raw, friendly, key, alias, path }) => ({
    rule,
    level,
    raw,
    friendly,
    key,
    alias,
    path,
  }));
}

/** A terminal that records what a command prints. */
export function fakeTerminal(): Terminal & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (line) => stdout.push(line), err: (line) => stderr.push(line), color: false };
}
