/** Node renumbering: paired into "raw key renamed, alias unchanged" only when it is unambiguous. */
import { describe, expect, it } from "vitest";
import { compareDocs, seedDoc, summarize, type SchemaDoc } from "./helpers.ts";

type Doc = ReturnType<typeof seedDoc>;

/** Moves input `from` to key `to` (same schema), keeping its place in `required`. */
function renumber(doc: Doc, from: string, to: string): Doc {
  const properties = Object.fromEntries(
    Object.entries(doc.inputSchema.properties).map(([key, value]) => [key === from ? to : key, value]),
  );
  return {
    ...doc,
    inputSchema: {
      ...doc.inputSchema,
      properties,
      required: doc.inputSchema.required.map((key) => (key === from ? to : key)),
    },
  };
}

function property(doc: Doc, key: string): Record<string, unknown> {
  return doc.inputSchema.properties[key]!;
}

describe("node renumbering", () => {
  it("pairs 143_image → 150_image as one raw-key rename with the alias unchanged", () => {
    const report = compareDocs([seedDoc()], [renumber(seedDoc(), "143_image", "150_image")]);
    expect(report.changes).toHaveLength(1);
    expect(report.changes[0]).toMatchObject({
      rule: "request-property-key-renamed",
      raw: "ERR",
      friendly: "none",
      key: "150_image",
      previousKey: "143_image",
      alias: "image",
      previousAlias: null,
      path: "inputSchema/properties/150_image",
    });
    expect(report.changes[0]!.text).toContain("friendly name image unchanged");
  });

  it("reports an alias lost with the renumbering (an override naming the old raw key) as a friendly break too", () => {
    const base = { ...seedDoc(), aliases: { "143_image": "portrait" } };
    const report = compareDocs([base], [renumber(seedDoc(), "143_image", "150_image")]);
    expect(
      report.changes.map((change) => [change.rule, change.raw, change.friendly, change.previousAlias, change.alias]),
    ).toEqual([
      ["request-property-alias-changed", "none", "ERR", "portrait", "image"],
      ["request-property-key-renamed", "ERR", "none", "portrait", "image"],
    ]);
    expect(report.changes[1]!.text).toContain("friendly name changed too, from portrait to image");
  });

  it("pairs a renumbered compound size key and still reports its other changes", () => {
    const head = renumber(seedDoc(), "169_valuex170_value", "171_valuex172_value");
    property(head, "171_valuex172_value")["enum"] = ["480x480 (1:1)", "720x720 (1:1)"];
    const report = compareDocs([seedDoc()], [head]);
    const rules = report.changes.map((change) => change.rule);
    expect(rules.filter((rule) => rule === "request-property-key-renamed")).toHaveLength(1);
    expect(rules).not.toContain("request-property-removed");
    expect(rules).not.toContain("new-optional-request-property");
    const removedValues = report.changes.filter((change) => change.rule === "request-property-enum-value-removed");
    expect(removedValues).toHaveLength(8);
    for (const change of report.changes)
      expect(change).toMatchObject({
        key: "171_valuex172_value",
        previousKey: "169_valuex170_value",
        alias: "resolution",
      });
  });

  it("reports a change of the renumbered field against the new key", () => {
    const head = renumber(seedDoc(), "149_steps", "151_steps");
    property(head, "151_steps")["maximum"] = 15;
    expect(summarize(compareDocs([seedDoc()], [head])).map(({ rule, key, path }) => ({ rule, key, path }))).toEqual([
      { rule: "request-property-key-renamed", key: "151_steps", path: "inputSchema/properties/151_steps" },
      { rule: "request-property-max-decreased", key: "151_steps", path: "inputSchema/properties/151_steps/maximum" },
    ]);
  });

  it("does not pair when the title changed (that is a different field)", () => {
    const head = renumber(seedDoc(), "143_image", "150_image");
    property(head, "150_image")["title"] = "Portrait";
    const rules = compareDocs([seedDoc()], [head])
      .changes.map((change) => change.rule)
      .sort();
    // 143_image is listed as required (with RunComfy's sample as default), so its stand-in is a new required field.
    expect(rules).toEqual(["new-required-request-property", "request-property-removed"]);
  });

  it("does not pair when the type changed", () => {
    const head = renumber(seedDoc(), "149_steps", "151_steps");
    property(head, "151_steps")["type"] = "number";
    const rules = compareDocs([seedDoc()], [head])
      .changes.map((change) => change.rule)
      .sort();
    expect(rules).toEqual(["new-optional-request-property", "request-property-removed"]);
  });

  it("does not guess when two renumbered fields look alike", () => {
    const image = { title: "Image", type: "string", default: "a.png" };
    const doc = (front: string, back: string): SchemaDoc => ({
      modelId: "fixtures/two-images",
      sources: [],
      aliases: { [front]: "front", [back]: "back" },
      inputSchema: { type: "object", properties: { [front]: image, [back]: image } },
    });
    const rules = compareDocs([doc("143_image", "144_image")], [doc("150_image", "151_image")])
      .changes.map((change) => change.rule)
      .sort();
    expect(rules).toEqual([
      "new-optional-request-property",
      "new-optional-request-property",
      "request-property-removed",
      "request-property-removed",
    ]);
  });

  it("never pairs plain keys", () => {
    const doc = (key: string): SchemaDoc => ({
      modelId: "fixtures/plain",
      sources: [],
      inputSchema: { type: "object", properties: { [key]: { title: "Image", type: "string", default: "a.png" } } },
    });
    const rules = compareDocs([doc("image_url")], [doc("image_uri")])
      .changes.map((change) => change.rule)
      .sort();
    expect(rules).toEqual(["new-optional-request-property", "request-property-removed"]);
  });
});
