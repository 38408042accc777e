/**
 * Vocabulary of the schema drift report.
 *
 * A change is judged twice, because the generated package has two APIs:
 * - the **raw** API: the wire body with ComfyUI keys (`149_steps`), judged as
 *   oasdiff judges a request or response body (would a client that followed
 *   the old published schema fail against the new one?);
 * - the **friendly** API: the generated TypeScript types and validators with
 *   aliases (`steps`). Input types are closed and validated locally, so some
 *   changes hit it harder than the wire (a removed input no longer compiles),
 *   and some not at all (a renumbered node keeps its alias).
 */

/** oasdiff's levels: ERR breaks a client that followed the old contract, WARN may, INFO does not. */
export type Level = "ERR" | "WARN" | "INFO";
/** A level, or `none` when the change does not touch that API at all. */
export type Impact = Level | "none";
export type Semver = "major" | "minor" | "patch" | "none";
/** oasdiff's request body (model inputs) and response body (model outputs). */
export type Side = "request" | "response";

export const LEVELS: readonly Level[] = ["ERR", "WARN", "INFO"];

/** What the differ finds, before the rule catalogue assigns levels and the report a fingerprint. */
export interface Finding {
  readonly rule: string;
  readonly model: string;
  /** Raw key of the top-level input or output the change is about (the new key after a rename). */
  readonly key: string | null;
  /** Set when the raw key was renamed (node renumbering). */
  readonly previousKey: string | null;
  /** Friendly name of the input (outputs and whole models have none). */
  readonly alias: string | null;
  /** Set when the friendly name changed. */
  readonly previousAlias: string | null;
  /** Path into the normalised schema: `inputSchema/properties/149_steps/maximum`. */
  readonly path: string;
  /** One line for humans; part of the fingerprint, so it holds no run-specific data. */
  readonly text: string;
}

export interface Change extends Finding {
  /** The rule's level (oasdiff's default level for oasdiff's ids). */
  readonly level: Level;
  readonly raw: Impact;
  readonly friendly: Impact;
  /** First 12 hex of SHA-256 over rule, model, path and text: stable across commits, like oasdiff's. */
  readonly fingerprint: string;
}

export interface DriftReport {
  /** What was compared, e.g. `HEAD:schemas` and `schemas`. */
  readonly base: string;
  readonly head: string;
  /** Suggested bump of the generated package. */
  readonly semver: Semver;
  /** Sorted by model, then worst first, then path. */
  readonly changes: readonly Change[];
}

const RANK: Readonly<Record<Impact, number>> = { ERR: 3, WARN: 2, INFO: 1, none: 0 };

function worse(a: Impact, b: Impact): Impact {
  return RANK[a] >= RANK[b] ? a : b;
}

/** True when `impact` is at least as severe as `threshold`. */
export function atLeast(impact: Impact, threshold: Level): boolean {
  return RANK[impact] >= RANK[threshold];
}

/** The worst a change does to either API: what sorting, `--fail-on` and the semver suggestion use. */
export function severity(change: Pick<Change, "raw" | "friendly">): Level {
  const worst = worse(change.raw, change.friendly);
  return worst === "none" ? "INFO" : worst;
}

/** Breaking for the generated package: ERR or WARN on either API. */
export function isBreaking(change: Pick<Change, "raw" | "friendly">): boolean {
  return atLeast(severity(change), "WARN");
}
