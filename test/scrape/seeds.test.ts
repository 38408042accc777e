/**
 * The real doc pages scrape to the checked-in schema files, byte for byte,
 * whatever form and language the same content comes in.
 */
import { describe, expect, it } from "vitest";
import { parseSchemaFile, serializeSchemaFile } from "../../generator/schemas/schema-file.ts";
import { mergeSources } from "../../generator/schemas/to-schema-file.ts";
import { asHtml, checkedIn, inLocale, LOCALES, scrapeToFile, seed, seeds } from "../helpers/pages.ts";

const all = seeds();

describe("seed pages", () => {
  it("are the five pages of four models", () => {
    expect(all.map((page) => page.name.slice(0, 3))).toEqual(["000", "001", "002", "003", "004"]);
    expect(new Set(all.map((page) => page.schemaPath)).size).toBe(4);
  });

  it.each(all.map((page) => [page.name, page] as const))("%s scrapes to its checked-in schema file", (_, page) => {
    expect(scrapeToFile({ name: page.name, content: page.text })).toBe(checkedIn(page.schemaPath));
  });

  it.each(all.map((page) => [page.name, page] as const))(
    "%s gives the same file as HTML with entities, highlighting and script/nav noise",
    (_, page) => {
      const html = asHtml(page.text);
      expect(html).toContain("&quot;");
      expect(html).toContain("&#x2F;");
      expect(scrapeToFile({ name: `${page.name}.html`, content: html })).toBe(checkedIn(page.schemaPath));
    },
  );

  it.each(all.map((page) => [page.name, page] as const))(
    "%s gives the same file with CRLF line ends (text and HTML)",
    (_, page) => {
      const crlf = page.text.replace(/\n/g, "\r\n");
      expect(scrapeToFile({ name: page.name, content: crlf })).toBe(checkedIn(page.schemaPath));
      expect(scrapeToFile({ name: page.name, content: asHtml(page.text).replace(/\n/g, "\r\n") })).toBe(
        checkedIn(page.schemaPath),
      );
    },
  );

  const german = all.filter((page) => page.text.includes("Eingabeschema"));
  const cases = german.flatMap((page) => LOCALES.map((locale) => [page.name, locale, page] as const));
  it.each(cases)("%s in %s wording gives the same file", (_, locale, page) => {
    const localised = inLocale(page.text, locale);
    expect(localised).not.toContain("Eingabeschema");
    expect(scrapeToFile({ name: page.name, content: localised })).toBe(checkedIn(page.schemaPath));
  });

  it("German and Chinese fantasy-portrait pages give byte-identical files, alone and together", () => {
    const de = seed("000");
    const zh = seed("001");
    const fromDe = scrapeToFile({ name: de.name, content: de.text });
    expect(scrapeToFile({ name: zh.name, content: zh.text })).toBe(fromDe);
    expect(scrapeToFile({ name: de.name, content: de.text }, { name: zh.name, content: asHtml(zh.text) })).toBe(fromDe);
  });

  it("records the page's canonical URL without its locale segment", () => {
    const page = seed("003");
    const url = "https://www.runcomfy.com/zh-CN/models/community/wan-2-2/vace-fun/image-to-video/api";
    const expected = parseSchemaFile(checkedIn(page.schemaPath), page.schemaPath);
    const withUrl = serializeSchemaFile({
      ...expected,
      sources: mergeSources(
        expected.sources.filter((source) => source.url !== undefined),
        [{ kind: "page", url: url.replace("/zh-CN", "") }],
      ),
    });
    expect(scrapeToFile({ name: "vace-fun.html", content: asHtml(page.text, { canonical: url }) })).toBe(withUrl);
    expect(withUrl).toContain('"url": "https://www.runcomfy.com/models/community/wan-2-2/vace-fun/image-to-video/api"');
  });
});
