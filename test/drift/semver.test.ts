/** Semver suggestion (worst change) and the bump applied to generated/package.json. */
import { describe, expect, it } from "vitest";
import { bumpVersion, suggestSemver, worstSemver } from "../../generator/drift/semver.ts";
import { compareDocs, seedDoc } from "./helpers.ts";

type Doc = ReturnType<typeof seedDoc>;

function semverOf(edit: (doc: Doc) => void): string {
  const head = seedDoc();
  edit(head);
  return compareDocs([seedDoc()], [head]).semver;
}

describe("semver suggestion", () => {
  it("is none without changes", () => {
    expect(semverOf(() => {})).toBe("none");
    expect(suggestSemver([])).toBe("none");
  });

  it("is patch for documentation only", () => {
    expect(semverOf((doc) => (doc.inputSchema.properties["149_seed"]!["description"] = "Same seed, same video."))).toBe(
      "patch",
    );
    expect(semverOf((doc) => (doc["displayName"] = "Fantasy Portrait"))).toBe("patch");
  });

  it("is minor for additions and widenings", () => {
    expect(semverOf((doc) => (doc.inputSchema.properties["149_steps"]!["maximum"] = 30))).toBe("minor");
    expect(
      semverOf(
        (doc) => (doc.inputSchema.properties["200_fps"] = { title: "Interpolation", type: "integer", default: 0 }),
      ),
    ).toBe("minor");
    expect(semverOf((doc) => (doc.inputSchema.properties["174_value"]!["enum"] as number[]).push(161))).toBe("minor");
    expect(semverOf((doc) => (doc.inputSchema.properties["149_steps"]!["default"] = 8))).toBe("minor");
  });

  it("is major for ERR, and for WARN (the generated validators are stricter than the wire)", () => {
    expect(semverOf((doc) => (doc.inputSchema.properties["149_steps"]!["maximum"] = 15))).toBe("major");
    expect(semverOf((doc) => (doc.inputSchema.properties["149_seed"]!["maximum"] = 1000))).toBe("major");
    const warnOnly = compareDocs(
      [seedDoc()],
      [
        (() => {
          const doc = seedDoc();
          doc.inputSchema.properties["149_seed"]!["maximum"] = 1000;
          return doc;
        })(),
      ],
    );
    expect(warnOnly.changes.map((change) => [change.rule, change.level])).toEqual([
      ["request-property-max-set", "WARN"],
    ]);
  });

  it("takes the worst change of a mix", () => {
    expect(
      semverOf((doc) => {
        doc.inputSchema.properties["149_seed"]!["description"] = "Seed.";
        doc.inputSchema.properties["149_steps"]!["maximum"] = 30;
        doc.inputSchema.properties["149_shift"]!["minimum"] = 2;
      }),
    ).toBe("major");
  });
});

describe("bumpVersion", () => {
  it("applies the level as-is, also below 1.0.0", () => {
    expect(bumpVersion("0.1.0", "major")).toBe("1.0.0");
    expect(bumpVersion("0.1.0", "minor")).toBe("0.2.0");
    expect(bumpVersion("0.1.0", "patch")).toBe("0.1.1");
    expect(bumpVersion("1.4.2", "major")).toBe("2.0.0");
    expect(bumpVersion("1.4.2", "minor")).toBe("1.5.0");
    expect(bumpVersion("1.4.2", "patch")).toBe("1.4.3");
    expect(bumpVersion("1.4.2", "none")).toBe("1.4.2");
  });

  it.each([
    [[], "none"],
    [["none", "patch"], "patch"],
    [["minor", "patch", "none"], "minor"],
    [["patch", "major", "minor"], "major"],
  ] as const)("the worst of %j is %s", (levels, worst) => {
    expect(worstSemver(levels)).toBe(worst);
  });

  it("refuses versions it cannot bump, naming the file", () => {
    expect(() => bumpVersion("1.0.0-beta.1", "minor", "generated/package.json")).toThrow(
      /generated\/package\.json › version: version "1\.0\.0-beta\.1" is not a plain MAJOR\.MINOR\.PATCH/,
    );
    expect(() => bumpVersion("01.2.3", "patch")).toThrow(/not a plain/);
    // A part beyond exact integers would be bumped to a rounded (or exponent) number.
    expect(() => bumpVersion("99999999999999999999.0.0", "major")).toThrow(/has a part too large to bump exactly/);
    expect(() => bumpVersion("1.0.9007199254740991", "patch")).toThrow(/too large/);
    expect(bumpVersion("1.0.9007199254740990", "patch")).toBe("1.0.9007199254740991");
  });
});
