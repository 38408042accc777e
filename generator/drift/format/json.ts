/**
 * The drift report as stable JSON: fixed key order, every key present
 * (`null` when empty), changes in report order, one fingerprint per change
 * so a reviewer can acknowledge it across commits.
 */
import { stringifyPretty } from "../../lib/json.ts";
import type { DriftReport } from "../types.ts";
import { countBy } from "./shared.ts";

export function formatJson(report: DriftReport): string {
  return stringifyPretty({
    base: report.base,
    head: report.head,
    semver: report.semver,
    summary: {
      changes: report.changes.length,
      models: new Set(report.changes.map((change) => change.model)).size,
      raw: countBy(report.changes, "raw"),
      friendly: countBy(report.changes, "friendly"),
    },
    changes: report.changes.map((change) => ({
      fingerprint: change.fingerprint,
      rule: change.rule,
      level: change.level,
      raw: change.raw,
      friendly: change.friendly,
      model: change.model,
      key: change.key,
      previousKey: change.previousKey,
      alias: change.alias,
      previousAlias: change.previousAlias,
      path: change.path,
      text: change.text,
    })),
  });
}
