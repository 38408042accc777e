/**
 * Markdown escapes, as Prettier's markdown printer leaves them: text escaped
 * so that no character starts markup (Prettier keeps backslash escapes as
 * written), whitespace runs collapsed, code spans with Prettier's backtick
 * fences. Shared by everything that prints Markdown from upstream values: the
 * package's README and model pages (`emit/print/md.ts`, which adds tables),
 * the changelog and the drift report's pull-request comment.
 */

/** Characters that can start inline markup anywhere in a line (emphasis, code, links, HTML, entities, strikethrough), `|` (table cells) and `\` itself. */
const MARKUP = /[\\`*_[<|~&]/g;

/** Inline text (a table cell, part of a line): escaped, on one line, single spaces. */
export function text(value: string): string {
  return value
    .replace(/\s+/g, " ")
    .trim()
    .replace(MARKUP, (char) => `\\${char}`);
}

/** A paragraph or heading: inline text that also cannot start a block (heading, quote, list, numbered item). */
export function paragraph(value: string): string {
  return text(value)
    .replace(/^([#>])/, "\\$1")
    .replace(/^([-+=])(?= |$)/, "\\$1")
    .replace(/^(\d+)([.)])/, "$1\\$2");
}

/** Inline code: the shortest backtick fence not found in the value, padded when the value starts or ends with one. */
export function code(value: string): string {
  const content = value.replace(/\s+/g, " ").trim();
  const runs = new Set((content.match(/`+/g) ?? []).map((run) => run.length));
  let fence = 1;
  while (runs.has(fence)) fence++;
  const ticks = "`".repeat(fence);
  const pad = content.startsWith("`") || content.endsWith("`") ? " " : "";
  return `${ticks}${pad}${content}${pad}${ticks}`;
}

/**
 * Inline code inside a table cell: `|` must stay escaped there. A backslash right before a `|` cannot be shown in a
 * code span of a cell (`\\|` reads as an escaped backslash and a cell border), so such a value is escaped text instead.
 */
export function cellCode(value: string): string {
  if (/\\\|/.test(value)) return text(value);
  return code(value).replace(/\|/g, "\\|");
}

/** Our own words in a table cell (a type label such as `string | null`): only `|`, which would end the cell, is escaped. */
export function cellWords(value: string): string {
  return value.replace(/\|/g, "\\|");
}
