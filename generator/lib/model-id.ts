/**
 * Model ids: which ones this generator accepts, and the path each maps to
 * (schema files under `schemas/`, modules under `generated/models/`, package
 * subpaths). Shared by every stage, so it lives here.
 *
 * A path is the model id itself, case kept
 * (`kling/kling-video-o3/4K/image-to-video`), so users can type it. Only what
 * cannot be a file or subpath name everywhere is encoded, one character at a
 * time, as `~` and two lower-case hex digits of its UTF-8 bytes:
 * - characters outside `A-Z a-z 0-9 . _ -` (invalid on Windows, in URLs or in
 *   import specifiers: space, `*`, `"`, `:`, `<`, `>`, `|`, `#`, `$`, `{`,
 *   non-ASCII, …) and `~` itself (`~7e`), so the encoding can be read back;
 * - a trailing dot (Windows drops it): `v1.` → `v1~2e`;
 * - the first letter of a Windows device name, with or without extension
 *   (`aux` → `~61ux`, `CON.json` → `~43ON.json`).
 * So `minimax/Hailuo Video 01 Live` → `minimax/Hailuo~20Video~2001~20Live`.
 *
 * Case is kept, so two ids may differ only in case (`a/4K/x`, `a/4k/x`):
 * one folder or file on macOS and Windows. `assignModelPaths` finds such
 * pairs over the whole model set (segment by segment, so `a/Foo/x` and
 * `a/foo/y` count too) and suffixes the segment of each one that is not
 * all lower case with `~~` and a hash of that segment; `~~` never occurs in
 * an encoded segment, so a suffixed name cannot meet an unsuffixed one.
 */
import { GeneratorError } from "./diagnostics.ts";
import { sha256 } from "./json.ts";

const PLAIN_CHARACTER = /^[A-Za-z0-9._-]$/;
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;
const MAX_SEGMENTS = 6;
/**
 * The longest segment, as a file name (`encodeSegment`). File systems allow 255 bytes per name, and a leaf's longest
 * file is its name plus a case-collision suffix (`~~` and 6 hex digits), `.d.ts` or `.json`, and the temp suffix
 * of an atomic write (`.tmp-<pid>-<thread>-<8 hex>`, up to ~30): 200 leaves room for all of them.
 */
export const MAX_SEGMENT_NAME = 200;

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
                : /[\ud800-\udfff]/u.test(id)
                  ? "it contains an unpaired UTF-16 surrogate"
                  : longSegment(segments);
  if (problem) throw new GeneratorError("model-id", `invalid model id ${JSON.stringify(id)}: ${problem}`);
}

/** Why a segment is too long for a file name, if one is. */
function longSegment(segments: readonly string[]): string | undefined {
  const long = segments.find((segment) => encodeSegment(segment).length > MAX_SEGMENT_NAME);
  if (long === undefined) return undefined;
  const name = encodeSegment(long).length;
  const preview = JSON.stringify(`${[...long].slice(0, 24).join("")}…`);
  return (
    `its segment ${preview} is ${name} characters as a file name (characters other than A-Z a-z 0-9 . _ - are written ` +
    `as ~ and hex digits, three per UTF-8 byte); at most ${MAX_SEGMENT_NAME} are supported`
  );
}

function hex(character: string): string {
  return [...new TextEncoder().encode(character)].map((byte) => `~${byte.toString(16).padStart(2, "0")}`).join("");
}

/** One id segment as a file/subpath name (see the module comment). */
export function encodeSegment(segment: string): string {
  let encoded = "";
  for (const character of segment) encoded += PLAIN_CHARACTER.test(character) ? character : hex(character);
  if (encoded.endsWith(".")) encoded = `${encoded.slice(0, -1)}~2e`;
  if (WINDOWS_DEVICE.test(encoded)) encoded = `${hex(encoded.charAt(0))}${encoded.slice(1)}`;
  return encoded;
}

/** The path of one id on its own (no other ids considered): `kling/o3/4K/x` → the same; `a/b c` → `a/b~20c`. */
export function modulePathFor(id: string): string {
  checkModelId(id);
  return id.split("/").map(encodeSegment).join("/");
}

export interface ModelPath {
  /** Path below `schemas/` and `generated/models/`, without extension. */
  readonly path: string;
  /** Other ids whose path differs from this one's only in case somewhere (empty almost always). */
  readonly collidesWith: readonly string[];
  /** True when this id's path carries a `~~<hash>` suffix because of such a collision. */
  readonly suffixed: boolean;
}

function lowerCase(text: string): boolean {
  return text === text.toLowerCase();
}

/**
 * Paths of every id of one model set, safe on case-insensitive file systems
 * (see the module comment). Deterministic and independent of order; an id
 * that collides with none keeps `modulePathFor(id)`.
 */
export function assignModelPaths(ids: readonly string[]): Map<string, ModelPath> {
  const unique = [...new Set(ids)];
  const segments = unique.map((id) => modulePathFor(id).split("/"));
  const final = segments.map((parts) => [...parts]);
  const collisions = unique.map(() => new Set<number>());
  const suffixed = unique.map(() => false);
  const depth = Math.max(0, ...segments.map((parts) => parts.length));
  for (let level = 0; level < depth; level++) {
    // Names one folder would hold (case folded): a folder `x`, or the files `x.js`, `x.d.ts`, `x.md`, `x.json` of a
    // leaf.
    const byName = new Map<string, Map<string, number[]>>();
    segments.forEach((parts, index) => {
      if (parts.length <= level) return;
      const segment = parts[level]!;
      const leaf = level === parts.length - 1;
      const parent = final[index]!.slice(0, level).join("/");
      const entry = `${leaf ? "file" : "folder"}:${segment}`;
      for (const name of leaf ? [`${segment}.js`, `${segment}.d.ts`, `${segment}.md`, `${segment}.json`] : [segment]) {
        const key = `${parent}\u0000${name.toLowerCase()}`;
        const entries = byName.get(key) ?? new Map<string, number[]>();
        byName.set(key, entries);
        const members = entries.get(entry) ?? [];
        if (!members.includes(index)) members.push(index);
        entries.set(entry, members);
      }
    });
    const renamed = new Set<number>();
    for (const entries of byName.values()) {
      if (entries.size < 2) continue;
      // The first all-lower-case entry (folders before files) keeps its name; every other one gets the suffix.
      const ordered = [...entries.keys()].sort((a, b) => {
        const [kindA, nameA] = [a.slice(0, a.indexOf(":")), a.slice(a.indexOf(":") + 1)];
        const [kindB, nameB] = [b.slice(0, b.indexOf(":")), b.slice(b.indexOf(":") + 1)];
        return (
          Number(lowerCase(nameB)) - Number(lowerCase(nameA)) ||
          (kindA === kindB ? 0 : kindA === "folder" ? -1 : 1) ||
          (nameA < nameB ? -1 : nameA > nameB ? 1 : 0)
        );
      });
      const keeper = lowerCase(ordered[0]!.slice(ordered[0]!.indexOf(":") + 1)) ? ordered[0] : undefined;
      const members = [...entries.values()].flat();
      for (const [entry, indices] of entries) {
        for (const index of indices) for (const other of members) if (other !== index) collisions[index]!.add(other);
        if (entry === keeper) continue;
        for (const index of indices) renamed.add(index);
      }
    }
    for (const index of renamed) {
      const segment = segments[index]![level]!;
      final[index]![level] = `${segment}~~${sha256(segment).slice(0, 6)}`;
      suffixed[index] = true;
    }
  }
  return new Map(
    unique.map((id, index) => [
      id,
      {
        path: final[index]!.join("/"),
        collidesWith: [...collisions[index]!].map((other) => unique[other]!).sort(),
        suffixed: suffixed[index]!,
      },
    ]),
  );
}
