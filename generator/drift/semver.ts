/**
 * Semver for the generated package, from the drift report.
 *
 * - major: any ERR or WARN, on either API. WARN counts as breaking because
 *   the generated package is stricter than the server: its input types are
 *   closed and validated locally, so "may break" on the wire (a removed
 *   input, a new bound) is a compile or validation error for its users.
 * - minor: any other change that adds or widens something (new model, new
 *   optional input, wider range, new allowed value, new default).
 * - patch: documentation only (titles, descriptions, display names, examples).
 * - none: no change.
 *
 * The level is applied as-is, also below 1.0.0 (0.1.0 + major = 1.0.0), so
 * a breaking schema change is never hidden in a minor release.
 */
import { GeneratorError } from "../lib/diagnostics.ts";
import { ruleFor } from "./rules.ts";
import { isBreaking, type Change, type Semver } from "./types.ts";

export function suggestSemver(changes: readonly Pick<Change, "rule" | "raw" | "friendly">[]): Semver {
  if (changes.length === 0) return "none";
  if (changes.some(isBreaking)) return "major";
  if (changes.some((change) => !ruleFor(change.rule).docs)) return "minor";
  return "patch";
}

const ORDER: readonly Semver[] = ["none", "patch", "minor", "major"];

/** The worst of several bump levels (`none` for none): a release is bumped by its worst change. */
export function worstSemver(levels: readonly Semver[]): Semver {
  return levels.reduce((a, b) => (ORDER.indexOf(b) > ORDER.indexOf(a) ? b : a), "none");
}

const PLAIN_VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

/** `1.4.2` + minor → `1.5.0`. Only plain MAJOR.MINOR.PATCH versions are bumped automatically. */
export function bumpVersion(version: string, level: Semver, file = "generated/package.json"): string {
  const match = PLAIN_VERSION.exec(version);
  if (!match) {
    throw new GeneratorError(
      "version-format",
      `version ${JSON.stringify(version)} is not a plain MAJOR.MINOR.PATCH version, so it cannot be bumped automatically; set one by hand`,
      {
        file,
        path: "version",
      },
    );
  }
  const [major, minor, patch] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (![major, minor, patch].every((part) => part < Number.MAX_SAFE_INTEGER))
    throw new GeneratorError(
      "version-format",
      `version ${JSON.stringify(version)} has a part too large to bump exactly (above ${Number.MAX_SAFE_INTEGER}); set one by hand`,
      { file, path: "version" },
    );
  switch (level) {
    case "major":
      return `${major + 1}.0.0`;
    case "minor":
      return `${major}.${minor + 1}.0`;
    case "patch":
      return `${major}.${minor}.${patch + 1}`;
    case "none":
      return version;
  }
}
