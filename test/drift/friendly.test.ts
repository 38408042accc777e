/** The raw (wire) API and the friendly (alias) API are judged separately. */
import { describe, expect, it } from "vitest";
import { formatMarkdown } from "../../generator/drift/format/markdown.ts";
import { compareDocs, seedDoc } from "./helpers.ts";

function impacts(report: ReturnType<typeof compareDocs>): [string, string, string, string | null][] {
  return report.changes.map((change) => [change.rule, change.raw, change.friendly, change.alias]);
}

describe("raw versus friendly API", () => {
  it("a title edit that renames the alias breaks only the friendly API", () => {
    const head = seedDoc();
    head.inputSchema.properties["149_cfg"]!["title"] = "CFG Weight";
    const report = compareDocs([seedDoc()], [head]);
    expect(impacts(report)).toEqual([
      ["request-property-alias-changed", "none", "ERR", "cfgWeight"],
      ["request-property-title-changed", "INFO", "INFO", "cfgWeight"],
    ]);
    expect(report.changes[0]).toMatchObject({ previousAlias: "cfg", key: "149_cfg", previousKey: null });
    expect(report.semver).toBe("major");
  });

  it("a title edit that keeps the alias is documentation only", () => {
    const head = seedDoc();
    head.inputSchema.properties["149_cfg"]!["title"] = "CFG Scale";
    const report = compareDocs([seedDoc()], [head]);
    expect(impacts(report)).toEqual([["request-property-title-changed", "INFO", "INFO", "cfg"]]);
    expect(report.semver).toBe("patch");
  });

  it("an alias override changes the friendly API and not the wire", () => {
    const head = { ...seedDoc(), aliases: { "*_image": "portrait" } };
    expect(impacts(compareDocs([seedDoc()], [head]))).toEqual([
      ["request-property-alias-changed", "none", "ERR", "portrait"],
    ]);
  });

  it("a removed input may break the wire (WARN) but breaks the closed friendly types (ERR)", () => {
    const head = seedDoc();
    delete head.inputSchema.properties["150_strength"];
    expect(impacts(compareDocs([seedDoc()], [head]))).toEqual([
      ["request-property-removed", "WARN", "ERR", "strength"],
    ]);
  });

  it("a renumbered node breaks raw keys only, and the Markdown shows both columns", () => {
    const head = seedDoc();
    const properties = head.inputSchema.properties;
    properties["150_image"] = properties["143_image"]!;
    delete properties["143_image"];
    head.inputSchema.required = head.inputSchema.required.map((key) => (key === "143_image" ? "150_image" : key));
    const report = compareDocs([seedDoc()], [head]);
    expect(impacts(report)).toEqual([["request-property-key-renamed", "ERR", "none", "image"]]);
    expect(formatMarkdown(report)).toContain("| ERR | — | `image` (`143_image` → `150_image`) |");
  });

  it("a narrowed range breaks both", () => {
    const head = seedDoc();
    head.inputSchema.properties["149_steps"]!["maximum"] = 15;
    expect(impacts(compareDocs([seedDoc()], [head]))).toEqual([
      ["request-property-max-decreased", "ERR", "ERR", "steps"],
    ]);
  });
});
