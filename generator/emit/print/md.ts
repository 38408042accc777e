/**
 * Markdown as Prettier's markdown printer leaves it: text escaped so that no
 * character starts markup (Prettier keeps backslash escapes as written),
 * whitespace runs collapsed, code spans with Prettier's backtick fences, and
 * tables padded to their widest cell (Prettier aligns every table).
 * Fenced code is kept as written: the package is formatted with
 * `embeddedLanguageFormatting: "off"`.
 */
import { stringWidth } from "./text.ts";

export { cellCode, cellWords, code, paragraph, text } from "../../lib/markdown.ts";

/**
 * A table: `header` and each row are cells of already escaped inline
 * markdown; columns are padded to their widest cell (at least three
 * columns wide, the width of the `---` delimiter).
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((cell, column) =>
    Math.max(3, stringWidth(cell), ...rows.map((row) => stringWidth(row[column] ?? ""))),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => cell + " ".repeat(widths[column]! - stringWidth(cell))).join(" | ")} |`;
  return [line(header), `| ${widths.map((width) => "-".repeat(width)).join(" | ")} |`, ...rows.map(line)].join("\n");
}
