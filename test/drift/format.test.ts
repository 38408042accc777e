/** Markdown (breaking first, by model), stable JSON with fingerprints, plain text. */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { formatJson } from "../../generator/drift/format/json.ts";
import { formatMarkdown } from "../../generator/drift/format/markdown.ts";
import { formatText } from "../../generator/drift/format/text.ts";
import { compareModels } from "../../generator/drift/report.ts";
import { format } from "prettier";
import { PACKAGE_FORMAT } from "../../generator/emit/print/layout.ts";
import { releaseEntry } from "../../generator/package/changelog.ts";
import { compareDocs, seedDoc, specsFrom, type SchemaDoc } from "./helpers.ts";

function otherModel(maximum: number): SchemaDoc {
  return {
    modelId: "community/other/model",
    sources: [],
    inputSchema: {
      type: "object",
      properties: { "7_steps": { title: "Steps", type: "integer", default: 4, minimum: 1, maximum } },
    },
  };
}

function drifted(): ReturnType<typeof seedDoc> {
  const head = seedDoc();
  head.inputSchema.properties["149_steps"]!["maximum"] = 15; // ERR
  head.inputSchema.properties["149_seed"]!["description"] = "Same seed, same video."; // INFO
  head.inputSchema.properties["150_strength"]!["type"] = ["number", "string"]; // INFO: generalized, "|" in the text
  return head;
}

function report(base = "old", head = "new") {
  return compareModels(specsFrom([seedDoc(), otherModel(10)]), specsFrom([drifted(), otherModel(12)]), base, head);
}

describe("markdown", () => {
  const markdown = formatMarkdown(report());

  it("puts breaking changes first, grouped by model", () => {
    const breaking = markdown.indexOf("### Breaking changes");
    const other = markdown.indexOf("### Non-breaking changes");
    expect(breaking).toBeGreaterThan(0);
    expect(other).toBeGreaterThan(breaking);
    const breakingPart = markdown.slice(breaking, other);
    expect(breakingPart).toContain("#### `community/fantasy-portrait/image-to-video`");
    expect(breakingPart).toContain("maximum decreased from 20 to 15");
    expect(breakingPart).not.toContain("community/other/model");
    const otherPart = markdown.slice(other);
    expect(otherPart.indexOf("#### `community/fantasy-portrait/image-to-video`")).toBeLessThan(
      otherPart.indexOf("#### `community/other/model`"),
    );
    expect(otherPart).toContain("maximum increased from 10 to 12");
  });

  it("summarises both APIs and the suggested bump", () => {
    expect(markdown).toContain("## Schema drift: `old` → `new`");
    expect(markdown).toContain("1 breaking and 3 non-breaking changes in 2 models; suggested version bump: **major**.");
    expect(markdown).toMatch(/\| Raw \(wire keys[^|]*\| 1 \| 0 \| 3 \|/);
  });

  it("escapes table separators inside cells", () => {
    expect(markdown).toContain("type changed from number to number \\| string");
  });

  it("escapes upstream values: an HTML comment, emphasis or a backtick in a value cannot hide or restyle the rest", () => {
    const hostile = (values: readonly string[]): SchemaDoc => ({
      modelId: "acme/hostile",
      sources: [],
      inputSchema: {
        type: "object",
        properties: { "mode`x": { title: "Mode", type: "string", enum: values, default: values[0] } },
      },
    });
    const markdown = formatMarkdown(
      compareModels(specsFrom([hostile(["a", "<!-- hide", "**b**"])]), specsFrom([hostile(["a"])]), "old", "new"),
    );
    expect(markdown).not.toMatch(/(^|[^\\])<!--/);
    expect(markdown).not.toMatch(/(^|[^\\])\*\*b/);
    expect(markdown).toContain("\\<!-- hide");
    // The key with a backtick is a code span with a longer fence.
    expect(markdown).toContain("``mode`x``");
  });

  it("says so when nothing changed", () => {
    expect(formatMarkdown(compareModels(specsFrom([seedDoc()]), specsFrom([seedDoc()]), "a", "b"))).toBe(
      "## Schema drift: `a` → `b`\n\nNo changes.\n",
    );
  });
});

describe("json", () => {
  it("is stable, with one fingerprint per change over rule, model, path and text", () => {
    const text = formatJson(report());
    expect(formatJson(report())).toBe(text);
    const parsed = JSON.parse(text) as { semver: string; changes: Record<string, unknown>[] };
    expect(parsed.semver).toBe("major");
    expect(Object.keys(parsed.changes[0]!)).toEqual([
      "fingerprint",
      "rule",
      "level",
      "raw",
      "friendly",
      "model",
      "key",
      "previousKey",
      "alias",
      "previousAlias",
      "path",
      "text",
    ]);
    for (const change of parsed.changes) {
      const expected = createHash("sha256")
        .update(`${change["rule"]}\n${change["model"]}\n${change["path"]}\n${change["text"]}`)
        .digest("hex")
        .slice(0, 12);
      expect(change["fingerprint"]).toBe(expected);
    }
    expect(new Set(parsed.changes.map((change) => change["fingerprint"])).size).toBe(parsed.changes.length);
  });

  it("keeps fingerprints when only the compared sources are named differently", () => {
    const fingerprints = (labels: [string, string]) => report(...labels).changes.map((change) => change.fingerprint);
    expect(fingerprints(["HEAD:schemas", "schemas"])).toEqual(fingerprints(["main:schemas", "pr/schemas"]));
  });
});

describe("text", () => {
  it("lists each change with its rule, both impacts and its fingerprint", () => {
    const result = report();
    const text = formatText(result);
    const first = result.changes[0]!;
    expect(text).toContain(
      "Schema drift old → new: 1 breaking and 3 non-breaking changes in 2 models; suggested version bump: major",
    );
    expect(text).toContain(`ERR  steps (149_steps): maximum decreased from 20 to 15`);
    expect(text).toContain(`request-property-max-decreased · raw ERR · friendly ERR · ${first.fingerprint}`);
    expect(text).not.toContain("\u001b[");
    expect(formatText(result, { color: true })).toContain("\u001b[31mERR ");
  });
});

describe("the changelog entry of a change quoting hostile values", () => {
  it("renders as written: no HTML comment, code span or line break taken from a value", async () => {
    const base = seedDoc();
    const head = seedDoc();
    head.inputSchema.properties["169_valuex170_value"]!["enum"] = [
      ...(base.inputSchema.properties["169_valuex170_value"]!["enum"] as string[]),
      "<!-- x",
      "__under__ ~~gone~~ &lt;",
    ];
    head.inputSchema.properties["149_steps"]!["description"] = "new `tick` *bold* [link](x)\nsecond line";
    const entry = releaseEntry("2.0.0", "1.0.0", compareDocs([base], [head]));
    const bullets = entry.split("\n").filter((line) => line.startsWith("- "));
    expect(bullets.length).toBeGreaterThan(0);
    expect(entry).not.toMatch(/(^|[^\\])<!--/);
    expect(entry).toContain("\\<!-- x");
    // Emphasis, strikethrough and entities of a value are shown as written (Prettier would rewrite `__x__` as `**x**`).
    expect(entry).toContain("\\_\\_under\\_\\_ \\~\\~gone\\~\\~ \\&lt;");
    // Each change stays one list item, and Prettier (the oracle of the committed files) leaves the entry as it is.
    expect(entry.split("\n").filter((line) => line !== "" && !/^(#|- |[A-Z])/.test(line))).toEqual([]);
    expect(await format(entry, { ...PACKAGE_FORMAT, parser: "markdown" })).toBe(entry);
  });
});
