/** Markdown escapes of upstream values (generator/lib/markdown.ts) in tables: Prettier keeps them, rows keep their cells. */
import { format } from "prettier";
import { describe, expect, it } from "vitest";
import { cellCode, text } from "../../generator/lib/markdown.ts";
import { PACKAGE_FORMAT } from "../../generator/emit/print/layout.ts";
import { table } from "../../generator/emit/print/md.ts";

const HOSTILE = ["k\\|ey", "a|b", "`tick`", "end\\", "<!-- x", "__x__", "a\\\\|b", "||", "plain_key"];

describe("table cells of upstream values", () => {
  it.each(HOSTILE)("%j stays one cell, and Prettier leaves the table as it is", async (value) => {
    const markdown = `${table(["Key", "Text", "After"], [[cellCode(value), text(value), "end"]])}\n`;
    expect(await format(markdown, { ...PACKAGE_FORMAT, parser: "markdown" })).toBe(markdown);
    // Three cells in every row: a border is an unescaped `|` (one not after an odd run of backslashes).
    const borders = (line: string) => line.match(/(?<!\\)(?:\\\\)*\|/g)!.length;
    for (const line of markdown.trimEnd().split("\n")) expect(borders(line), line).toBe(4);
  });
});
