/**
 * Prettier's width function is loaded only when a printed value holds text that is not printable ASCII
 * (`loadStringWidth` in `generator/emit/print/text.ts`): an add of one ASCII model does not import Prettier, and a
 * model with wide or control characters anywhere (a nested key, a map, a set) still gets Prettier's widths.
 */
import { describe, expect, it, vi } from "vitest";

type Text = typeof import("../../generator/emit/print/text.ts");

/** A fresh copy of the module (nothing loaded yet). */
async function fresh(): Promise<Text> {
  vi.resetModules();
  return import("../../generator/emit/print/text.ts");
}

describe("loadStringWidth", () => {
  it("loads nothing for printable ASCII values, so measuring wide text is then refused", async () => {
    const text = await fresh();
    await text.loadStringWidth({
      id: "a/b",
      fields: [{ key: "prompt", enum: ["x", "y"] }],
      types: new Map([["k", "V"]]),
    });
    expect(text.stringWidth("plain")).toBe(5);
    expect(() => text.stringWidth("漢字")).toThrow(/loadStringWidth/);
  });

  it.each([
    ["a wide string deep in an array", { fields: [{ value: { enum: ["ok", "漢字"] } }] }],
    ["an emoji in an object key", { properties: { "🙂": 1 } }],
    ["a map value", { types: new Map([["k", "é"]]) }],
    ["a set member", { tags: new Set(["ok", "ß"]) }],
    ["a control character", { description: "tab\there" }],
  ])("loads Prettier's widths for %s", async (_, value) => {
    const text = await fresh();
    await text.loadStringWidth("ascii", value);
    expect(text.stringWidth("漢字")).toBe(4);
  });

  it("counts the emitters' own non-ASCII characters as Prettier does, one column each, without loading it", async () => {
    const { util } = await import("prettier");
    const text = await fresh();
    await text.loadStringWidth({ range: `≥ 0 and ≤ 1 → a … b — c · d` });
    for (const char of text.OWN_NARROW) {
      expect(util.getStringWidth(char), char).toBe(1);
      expect(text.stringWidth(`a${char}b`), char).toBe(util.getStringWidth(`a${char}b`));
    }
    expect(() => text.stringWidth("漢字")).toThrow(/loadStringWidth/);
  });

  it("loads them when called without values", async () => {
    const text = await fresh();
    await text.loadStringWidth();
    expect(text.stringWidth("🙂")).toBe(2);
  });
});
