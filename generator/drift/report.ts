/**
 * Findings → the drift report: levels from the catalogue, a fingerprint per
 * change, a deterministic order and the semver suggestion.
 */
import { sha256 } from "../lib/json.ts";
import type { ModelSpec } from "../model/types.ts";
import { diffModels } from "./diff.ts";
import { ruleFor } from "./rules.ts";
import { suggestSemver } from "./semver.ts";
import { severity, type Change, type DriftReport, type Finding } from "./types.ts";

/** oasdiff's fingerprint: the first 12 hex digits of SHA-256 over rule id, model, path and text. */
export function fingerprint(finding: Pick<Finding, "rule" | "model" | "path" | "text">): string {
  return sha256([finding.rule, finding.model, finding.path, finding.text].join("\n")).slice(0, 12);
}

const ORDER = { ERR: 0, WARN: 1, INFO: 2 } as const;

function byPlace(a: Change, b: Change): number {
  return (
    (a.model < b.model ? -1 : a.model > b.model ? 1 : 0) ||
    ORDER[severity(a)] - ORDER[severity(b)] ||
    (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) ||
    (a.text < b.text ? -1 : a.text > b.text ? 1 : 0)
  );
}

export function buildReport(findings: readonly Finding[], base: string, head: string): DriftReport {
  const changes = findings
    .map((finding): Change => {
      const rule = ruleFor(finding.rule);
      return {
        ...finding,
        level: rule.level,
        raw: rule.raw,
        friendly: rule.friendly,
        fingerprint: fingerprint(finding),
      };
    })
    .sort(byPlace);
  return { base, head, semver: suggestSemver(changes), changes };
}

/** The whole comparison: normalised models before and after → report. */
export function compareModels(
  before: readonly ModelSpec[],
  after: readonly ModelSpec[],
  base: string,
  head: string,
): DriftReport {
  return buildReport(diffModels(before, after), base, head);
}
