/**
 * One fixture per rule (`test/fixtures/drift/<rule>.json`): a base and a head
 * schema set and the changes the report must hold, levels stated by hand
 * from oasdiff's catalogue (and our own rules' documented levels).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RULES } from "../../generator/drift/rules.ts";
import { compareDocs, FIXTURES, summarize, type SchemaDoc } from "./helpers.ts";

interface Fixture {
  readonly about: string;
  /** Normalisation rules the base was built with (default: the current ones). */
  readonly baseRules?: number;
  readonly base: SchemaDoc[];
  readonly head: SchemaDoc[];
  readonly expect: ReturnType<typeof summarize>;
}

const files = readdirSync(FIXTURES)
  .filter((file) => file.endsWith(".json"))
  .sort();
const byPlace = (a: { rule: string; path: string }, b: { rule: string; path: string }) =>
  a.rule.localeCompare(b.rule) || a.path.localeCompare(b.path);

describe("rule catalogue", () => {
  it("has a fixture for every rule and a rule for every fixture", () => {
    const fixtures = files.map((file) => file.replace(/\.json$/, ""));
    expect(fixtures.filter((rule) => !RULES.has(rule))).toEqual([]);
    expect([...RULES.keys()].filter((rule) => !fixtures.includes(rule))).toEqual([]);
  });

  it("keeps oasdiff's default levels for the rules the brief names", () => {
    const levels = Object.fromEntries([...RULES.values()].map((rule) => [rule.id, rule.level]));
    expect(levels).toMatchObject({
      "request-property-removed": "WARN",
      "new-required-request-property": "ERR",
      "new-optional-request-property": "INFO",
      "request-property-became-required": "ERR",
      "request-property-became-optional": "INFO",
      "request-property-type-changed": "ERR",
      "request-property-type-generalized": "INFO",
      "request-property-enum-value-removed": "ERR",
      "request-property-enum-value-added": "INFO",
      "request-property-became-enum": "ERR",
      "request-property-max-decreased": "ERR",
      "request-property-max-increased": "INFO",
      "request-property-max-set": "WARN",
      "request-property-min-increased": "ERR",
      "request-property-min-set": "WARN",
      "request-property-max-length-decreased": "ERR",
      "request-property-min-items-increased": "ERR",
      "request-property-max-items-decreased": "ERR",
      "request-property-default-value-changed": "INFO",
      "response-optional-property-removed": "WARN",
      "response-required-property-removed": "ERR",
      "response-optional-property-added": "INFO",
      "model-added": "INFO",
      "model-removed": "ERR",
    });
  });
});

describe.each(files)("fixture %s", (file) => {
  const fixture = JSON.parse(readFileSync(join(FIXTURES, file), "utf8")) as Fixture;
  const rule = file.replace(/\.json$/, "");

  it(`reports exactly the expected changes (${fixture.about})`, () => {
    const report = compareDocs(fixture.base, fixture.head, fixture.baseRules);
    expect(summarize(report).sort(byPlace)).toEqual([...fixture.expect].sort(byPlace));
    expect(report.changes.map((change) => change.rule)).toContain(rule);
  });

  it("reports nothing when nothing changed", () => {
    expect(compareDocs(fixture.head, fixture.head).changes).toEqual([]);
  });
});

describe("requiredness under the current rules (required stays required, also with a default)", () => {
  const fixture = JSON.parse(
    readFileSync(join(FIXTURES, "request-property-listed-required-changed.json"), "utf8"),
  ) as Fixture;

  it("makes a newly listed field with a default required: became-required, breaking", () => {
    // Swap the sides: the field is now listed upstream, default or not.
    const report = compareDocs(fixture.head, fixture.base);
    expect(summarize(report).map(({ rule, level }) => [rule, level])).toEqual([
      ["request-property-became-required", "ERR"],
    ]);
  });

  it("makes a field that is no longer listed optional, also with a default: became-optional", () => {
    const report = compareDocs(fixture.base, fixture.head);
    expect(summarize(report).map(({ rule, level }) => [rule, level])).toEqual([
      ["request-property-became-optional", "INFO"],
    ]);
  });

  it("reads a rules-1 snapshot's listed field with a default as optional, so the same schema now becomes required", () => {
    const report = compareDocs(fixture.base, fixture.base, 1);
    expect(report.changes.map(({ rule, level, text }) => ({ rule, level, text }))).toEqual([
      {
        rule: "request-property-became-required",
        level: "ERR",
        text: "became required (listed as required upstream): leaving it out no longer runs its sample default 8",
      },
    ]);
    expect(report.semver).toBe("major");
  });
});
