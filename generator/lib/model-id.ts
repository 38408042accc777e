/**
 * Model ids: which ones this generator accepts, and the path each maps to
 * (schema files under `schemas/`, modules under `generated/models/`, package
 * subpaths). Shared by every stage, so it lives here.
 *
 * Module paths are injective and safe on case-insensitive file systems: a
 * segment is kept verbatim when it is lower-case `[a-z0-9._-]` (and not a
 * Windows device name); any other segment is lower-cased, sanitised and
 * suffixed with `~` plus a hash of the original segment. `~` never occurs in
 * a verbatim segment, so the two forms cannot meet.
 */
import { GeneratorError } from "./diagnostics.ts";
import { sha256 } from "./json.ts";

const SAFE_SEGMENT = /^[a-z0-9][a-z0-9._-]*$/;
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/;
const MAX_SEGMENTS = 6;

/** Throws unless `id` is a model id this generator can name. */
export function checkModelId(id: string): void {
  const segments = id.split("/");
  const problem =
    id.trim() !== id
      ? "it has leading or trailing spaces"
      : segments.length < 2
        ? "it needs at least two `/`-separated segments (e.g. `vendor/model`)"
        : segments.length > MAX_SEGMENTS
          ? `it has ${segments.length} segments; at most ${MAX_SEGMENTS} are supported`
          : segments.some((segment) => segment.length === 0)
            ? "it has an empty segment"
            : segments.some((segment) => segment === "." || segment === "..")
              ? "a segment is `.` or `..`"
              : /[\u0000-\u001f\u007f\\?#%]/.test(id)
                ? "it contains a control character, `\\`, `?`, `#` or `%`"
                : undefined;
  if (problem) throw new GeneratorError("model-id", `invalid model id ${JSON.stringify(id)}: ${problem}`);
}

function shortHash(text: string): string {
  return sha256(text).slice(0, 6);
}

function encodeSegment(segment: string): string {
  if (SAFE_SEGMENT.test(segment) && !segment.endsWith(".") && !WINDOWS_DEVICE.test(segment)) return segment;
  const readable = segment
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "");
  return `${readable || "x"}~${shortHash(segment)}`;
}

/** `community/fantasy-portrait/image-to-video` → the same; `kling/o3/4K/x` → `kling/o3/4k~<hash>/x`. */
export function modulePathFor(id: string): string {
  checkModelId(id);
  return id.split("/").map(encodeSegment).join("/");
}
