/**
 * Every constraint of every seed schema: a passing boundary value and a
 * failing value just outside, derived from the published schema (not from
 * the generator), checked through the generated package. Each case changes
 * one field of the page's own example body, which carries every required
 * field.
 */
import { describe, expect, it } from "vitest";
import { loadModel, type AnyModel } from "../../generated/index.js";
import { curlBody, publishedInput, SEED_PAGES } from "../helpers/seeds.ts";

const models = new Map<string, AnyModel>();
for (const id of Object.keys(SEED_PAGES)) models.set(id, (await loadModel(id))!);

interface Case {
  readonly model: string;
  readonly key: string;
  readonly alias: string;
  readonly value: unknown;
  readonly valid: boolean;
  readonly rule?: string;
  readonly why: string;
}

function cases(): Case[] {
  const all: Case[] = [];
  for (const model of Object.keys(SEED_PAGES)) {
    const generated = models.get(model)!;
    const aliasOf = new Map(generated.fields.map((field) => [field.key, field.alias]));
    for (const [key, schema] of Object.entries(publishedInput(model).properties)) {
      const alias = aliasOf.get(key)!;
      const integer = schema["type"] === "integer";
      const step = integer ? 1 : 0.001;
      const add = (value: unknown, valid: boolean, why: string, rule?: string) =>
        all.push({ model, key, alias, value, valid, why, ...(rule ? { rule } : {}) });
      if (typeof schema["minimum"] === "number") {
        add(schema["minimum"], true, "at minimum");
        add(schema["minimum"] - step, false, "just below minimum", "minimum");
      }
      if (typeof schema["maximum"] === "number") {
        add(schema["maximum"], true, "at maximum");
        add(schema["maximum"] + step, false, "just above maximum", "maximum");
      }
      if (integer && schema["enum"] === undefined) {
        add((typeof schema["minimum"] === "number" ? schema["minimum"] : 1) + 0.5, false, "not an integer", "type");
      }
      if (Array.isArray(schema["enum"])) {
        const values = schema["enum"] as unknown[];
        for (const value of values) add(value, true, "an allowed value");
        add(
          typeof values[0] === "number" ? Math.max(...(values as number[])) + 1 : "not-an-option",
          false,
          "outside the enum",
          /x/.test(key) ? "size" : "enum",
        );
      }
      if (schema["type"] === "string" && schema["enum"] === undefined) {
        add(42, false, "wrong type", "type");
      }
    }
  }
  return all;
}

describe.each(Object.keys(SEED_PAGES))("%s", (model) => {
  const generated = models.get(model)!;
  const example = JSON.parse(curlBody(model)) as Record<string, unknown>;
  const base = generated.toFriendly(example) as Record<string, unknown>;
  it.each(
    cases()
      .filter((entry) => entry.model === model)
      .map((entry) => [`${entry.alias} (${entry.key}) ${entry.why}: ${JSON.stringify(entry.value)}`, entry] as const),
  )("%s", (_, entry) => {
    const input = { ...base, [entry.alias]: entry.value };
    const issues = generated.validate(input);
    if (entry.valid) {
      expect(issues).toEqual([]);
      expect(generated.build(input)).toEqual({ ...example, [entry.key]: entry.value });
    } else {
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatchObject({ alias: entry.alias, key: entry.key, rule: entry.rule });
      expect(issues[0]!.message).toContain(entry.alias);
      expect(issues[0]!.message).toContain(`"${entry.key}"`);
      expect(() => generated.build(input)).toThrow(entry.alias);
    }
  });

  it("has at least one boundary case per constrained field", () => {
    const constrained = Object.entries(publishedInput(model).properties).filter(
      ([, schema]) =>
        schema["minimum"] !== undefined || schema["maximum"] !== undefined || schema["enum"] !== undefined,
    );
    const covered = new Set(
      cases()
        .filter((entry) => entry.model === model && !entry.valid)
        .map((entry) => entry.key),
    );
    for (const [key] of constrained) expect(covered.has(key), key).toBe(true);
  });
});
