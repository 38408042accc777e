/**
 * Tokens of emitted code exactly as Prettier prints them: string literals
 * (Prettier picks the quote that needs fewer escapes and drops needless
 * escapes), property keys, and doc comments.
 */
import { hardline, join, type Doc } from "./layout.ts";

let measure: ((text: string) => number) | undefined;

/**
 * Characters one column wide whose width is their length: printable ASCII, and the few non-ASCII characters the
 * emitters' own words use (`≥ 0`, `a → b`, `…`, `—`, `·`), which Prettier counts one column each (held to it by a test).
 */
export const OWN_NARROW = "\u2026\u2265\u2264\u2014\u2192\u00b7";
const NARROW = new RegExp(`^[\\x20-\\x7e${OWN_NARROW}]*$`);

/** Whether any string in `value` (keys included, at any depth, through arrays, maps and sets) is not all `NARROW`. */
function anyWide(value: unknown, seen: WeakSet<object>): boolean {
  if (typeof value === "string") return !NARROW.test(value);
  if (value === null || typeof value !== "object" || seen.has(value)) return false;
  seen.add(value);
  if (value instanceof Map) {
    for (const [key, entry] of value) if (anyWide(key, seen) || anyWide(entry, seen)) return true;
    return false;
  }
  if (Array.isArray(value) || value instanceof Set) {
    for (const entry of value) if (anyWide(entry, seen)) return true;
    return false;
  }
  for (const [key, entry] of Object.entries(value)) if (anyWide(key, seen) || anyWide(entry, seen)) return true;
  return false;
}

/**
 * Loads Prettier's own width function (East Asian wide characters and emoji
 * count two columns), which text with non-ASCII characters needs; call once
 * before printing. Given the values the text is printed from (every string a
 * printed file measures comes from them or is the emitters' own words), it is
 * loaded only if one of their strings is not all narrow: Prettier costs ~30 ms
 * to import, and an add that prints one model need not pay it.
 */
export async function loadStringWidth(...from: readonly unknown[]): Promise<void> {
  if (measure || (from.length > 0 && !anyWide(from, new WeakSet()))) return;
  measure = (await import("prettier")).util.getStringWidth;
}

/** Columns `text` takes, as Prettier counts them. */
export function stringWidth(text: string): number {
  if (NARROW.test(text)) return text.length;
  if (!measure) throw new Error("stringWidth of non-ASCII text needs loadStringWidth() first");
  return measure(text);
}

/** `/\\(.)|(["'])/` of Prettier's `makeString`: an escape, or a bare quote. */
const ESCAPE_OR_QUOTE = /\\(.)|(["'])/gsu;
/** Escapes Prettier keeps (anything else loses its needless backslash). */
const MEANINGFUL_ESCAPE = /^[^\n\r"'0-7\\bfnrt-vx\u2028\u2029]$/u;

/** Re-quotes the raw content of a string literal with `quote`, as Prettier does. */
function makeString(rawContent: string, quote: '"' | "'"): string {
  const other = quote === '"' ? "'" : '"';
  const content = rawContent.replaceAll(
    ESCAPE_OR_QUOTE,
    (match, escaped: string | undefined, bare: string | undefined) => {
      if (escaped === other) return escaped;
      if (bare === quote) return `\\${bare}`;
      if (bare) return bare;
      return MEANINGFUL_ESCAPE.test(escaped!) ? escaped! : `\\${escaped!}`;
    },
  );
  return `${quote}${content}${quote}`;
}

/** A string value as a JavaScript/TypeScript literal, in Prettier's form (double quotes unless singles need fewer escapes). */
export function stringLiteral(value: string): string {
  const raw = JSON.stringify(value).slice(1, -1);
  let doubles = 0;
  let singles = 0;
  for (const char of raw) {
    if (char === '"') doubles++;
    else if (char === "'") singles++;
  }
  return makeString(raw, doubles > singles ? "'" : '"');
}

/** A number as Prettier prints a numeric literal (`String()` already gives its canonical digits; Prettier drops the exponent's `+`). */
export function numberLiteral(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  return String(value).replace("e+", "e");
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Whether `name` can stand unquoted as a property key or binding (ASCII identifiers only: the rest are quoted). */
export function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name);
}

/** A property key: bare when it is an identifier, else a string literal (the package is formatted with `quoteProps: "preserve"`). */
export function propertyKey(name: string): string {
  return isIdentifier(name) ? name : stringLiteral(name);
}

/**
 * Text made safe inside a block comment: no `*\/`, `\n` line ends only, U+2028/U+2029 written as their escapes, and
 * no TSDoc tag but the one our doc text writes (`@default`): an `@` that would start another (`@deprecated`,
 * `{@link`, also mid-line after a space) in a schema's title, description or value is written `\@`, so an upstream
 * "@deprecated do not use" neither marks a field deprecated in editors nor drops it under `stripInternal` (`@internal`).
 */
export function commentSafe(text: string): string {
  return text
    .replace(/(^|[\s{(])@(?!default )(?=\S)/g, "$1\\@")
    .replace(/\*\//g, "*\\/")
    .replace(/\r\n?/g, "\n")
    .replace(/[\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16)}`);
}

/**
 * A doc comment as Prettier prints one: `/** text *\/` on one line when the
 * text is one line, else a block with ` * ` lines (trailing spaces trimmed,
 * as Prettier trims each line of a JSDoc-style comment).
 */
export function docComment(text: string): Doc {
  const lines = commentSafe(text)
    .split("\n")
    .map((entry) => entry.trimEnd());
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  while (lines.length > 0 && lines[0] === "") lines.shift();
  if (lines.length === 0) return "";
  if (lines.length === 1) return `/** ${lines[0]} */`;
  return [
    "/**",
    hardline,
    join(
      hardline,
      lines.map((entry) => (entry === "" ? " *" : ` * ${entry}`)),
    ),
    hardline,
    " */",
  ];
}
