/** The report compares normalised models: spelling that does not change the contract is no change. */
import { describe, expect, it } from "vitest";
import type { JsonValue } from "../../generator/lib/json.ts";
import { compareDocs, compareTexts, seedDoc, seedText } from "./helpers.ts";

/** Every object's keys in reverse order, at every depth (arrays keep their order). */
function reverseKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .reverse()
        .map((key) => [key, reverseKeys(value[key]!)]),
    );
  }
  return value;
}

describe("normalised comparison", () => {
  it("sees no change when keys are reordered and whitespace differs", () => {
    const reordered = JSON.stringify(reverseKeys(JSON.parse(seedText()) as JsonValue), null, 4);
    expect(reordered).not.toBe(seedText());
    expect(compareTexts(seedText(), reordered).changes).toEqual([]);
    expect(compareTexts(seedText(), JSON.stringify(JSON.parse(seedText()))).changes).toEqual([]);
  });

  it('sees no change between "type": "float" and "type": "number"', () => {
    expect(seedText()).toContain('"type": "float"');
    const report = compareTexts(seedText(), seedText().replaceAll('"type": "float"', '"type": "number"'));
    expect(report.changes).toEqual([]);
    expect(report.semver).toBe("none");
  });

  it("sees no change when the required list or the properties are reordered", () => {
    const head = seedDoc();
    head.inputSchema.required.reverse();
    head.inputSchema.properties = Object.fromEntries(Object.entries(head.inputSchema.properties).reverse());
    expect(compareDocs([seedDoc()], [head]).changes).toEqual([]);
  });

  it("reports description edits as INFO on both APIs and suggests a patch", () => {
    const head = seedDoc();
    head.inputSchema.properties["149_cfg"]!["description"] = "How closely the video follows the prompt.";
    head.inputSchema.properties["155_positive_prompt"]!["description"] = "What the person does.";
    const report = compareDocs([seedDoc()], [head]);
    expect(
      report.changes.map((change) => [change.rule, change.key, change.level, change.raw, change.friendly]),
    ).toEqual([
      ["request-property-description-changed", "149_cfg", "INFO", "INFO", "INFO"],
      ["request-property-description-changed", "155_positive_prompt", "INFO", "INFO", "INFO"],
    ]);
    expect(report.semver).toBe("patch");
  });
});
