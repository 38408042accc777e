/**
 * The constraint lines of field documentation (`generator/emit/docs.ts`), shared by TSDoc and the model pages: a
 * bound alone reads as a sentence ("At least 1 character."), equal bounds as "Exactly …", never "1 to any".
 */
import { describe, expect, it } from "vitest";
import { constraintLines, rangeLabel } from "../../generator/emit/docs.ts";
import type { ValueSpec } from "../../generator/model/types.ts";
import { fileWith, specOf } from "../helpers/spec.ts";

const text = (extra: Partial<ValueSpec>): ValueSpec => ({ types: ["string"], ...extra });
const list = (extra: Partial<ValueSpec>): ValueSpec => ({ types: ["array"], items: { types: ["string"] }, ...extra });

describe("constraint lines", () => {
  it.each([
    ["minLength alone", text({ minLength: 1 }), ["At least 1 character."]],
    ["minLength alone, plural", text({ minLength: 3 }), ["At least 3 characters."]],
    ["maxLength alone", text({ maxLength: 5 }), ["At most 5 characters."]],
    ["maxLength with minLength 0", text({ minLength: 0, maxLength: 2500 }), ["At most 2500 characters."]],
    ["minLength 0 alone bounds nothing", text({ minLength: 0 }), []],
    ["both", text({ minLength: 1, maxLength: 5 }), ["Length: 1 to 5 characters."]],
    ["equal", text({ minLength: 4, maxLength: 4 }), ["Exactly 4 characters."]],
    ["equal, one", text({ minLength: 1, maxLength: 1 }), ["Exactly 1 character."]],
    ["minItems alone", list({ minItems: 1 }), ["At least 1 item."]],
    ["maxItems alone", list({ maxItems: 3 }), ["At most 3 items."]],
    ["maxItems 1", list({ maxItems: 1 }), ["At most 1 item."]],
    ["both items", list({ minItems: 1, maxItems: 4 }), ["Items: 1 to 4."]],
    ["equal items", list({ minItems: 4, maxItems: 4 }), ["Exactly 4 items."]],
    ["items with uniqueness", list({ minItems: 2, uniqueItems: true }), ["At least 2 items.", "Items must be unique."]],
  ])("%s", (_, spec, expected) => {
    expect(constraintLines(spec)).toEqual(expected);
  });

  it("never prints an open end as a number word", () => {
    for (const spec of [text({ minLength: 1 }), list({ minItems: 1 }), text({ maxLength: 9 }), list({ maxItems: 9 })])
      expect(constraintLines(spec).join(" ")).not.toMatch(/to any|0 to|(\d+) to \1\b/);
  });
});

describe("range labels", () => {
  // Through the normaliser, which keeps one bound a side (the stricter), as every reader of a spec sees it.
  const cases: readonly (readonly [Record<string, number>, string | undefined])[] = [
    [{ minimum: 6, maximum: 20 }, "6 to 20"],
    [{ minimum: 0 }, "≥ 0"],
    [{ exclusiveMinimum: 0, maximum: 1 }, "> 0 and ≤ 1"],
    // Both kinds on one side: the stricter is the bound (the validator refuses 0 here).
    [{ minimum: 0, exclusiveMinimum: 0 }, "> 0"],
    [{ minimum: 1, exclusiveMinimum: 0 }, "≥ 1"],
    [{ minimum: 0, exclusiveMinimum: 0, maximum: 5 }, "> 0 and ≤ 5"],
    [{ maximum: 5, exclusiveMaximum: 5, minimum: 1 }, "≥ 1 and < 5"],
    [{ maximum: 4, exclusiveMaximum: 5, minimum: 1 }, "1 to 4"],
    [{}, undefined],
  ];
  it.each(cases)("%j reads %j", (bounds, label) => {
    const spec = specOf(fileWith({ x: { type: "number", ...bounds } }));
    expect(rangeLabel(spec.fields[0]!.value)).toBe(label);
  });
});
