/** Every problem of a schema file is reported in one run: its own fields' and those of its input schema, together. */
import { describe, expect, it } from "vitest";
import { GeneratorError, GeneratorErrors } from "../../generator/lib/diagnostics.ts";
import { loadModels } from "../../generator/model/load.ts";
import { validateSchemaFile } from "../../generator/schemas/schema-file.ts";

const FILE = "schemas/acme/model.json";
const base = {
  modelId: "acme/model",
  inputSchema: {
    type: "object",
    properties: { prompt: { type: "string" }, steps: { type: "integer", minimum: 1 } },
    required: ["prompt"],
  },
};

function problemsOf(value: unknown): string[] {
  try {
    loadModels([{ file: FILE, text: JSON.stringify(value) }], "schemas/");
  } catch (error) {
    const all = error instanceof GeneratorErrors ? error.errors : [error as GeneratorError];
    return all.map((problem) => `${problem.location.path ?? ""}: ${problem.detail}`);
  }
  return [];
}

describe("all problems of one schema file, in one run", () => {
  const cases: [string, Record<string, unknown>, RegExp[]][] = [
    [
      "a bad price and a bad minimum in the input schema",
      {
        ...base,
        basePriceUsd: "cheap",
        inputSchema: { ...base.inputSchema, properties: { steps: { type: "integer", minimum: "x" } } },
      },
      [/^basePriceUsd: must be a finite number/, /steps.*minimum|minimum.*steps/],
    ],
    [
      "an unknown field, a bad kind and bad categories",
      { ...base, colour: "red", kind: 7, categories: "video" },
      [/^colour: unknown field/, /^kind: must be a non-empty string/, /^categories: must be an array/],
    ],
    [
      "bad display name, price unit and an alias that is not a string",
      { ...base, displayName: 3, priceUnit: 5, aliases: { prompt: 1 } },
      [
        /^displayName: must be a string/,
        /^priceUnit: must be a non-empty string/,
        /^aliases\/prompt: must be a string/,
      ],
    ],
    [
      "three bad fields and two unsupported root keywords of one input schema",
      {
        ...base,
        inputSchema: {
          type: "object",
          minProperties: 1,
          dependentRequired: { a: ["b"] },
          properties: { a: { type: "blob" }, b: { type: "string", oneOf: [] }, c: { type: "string", minLength: "x" } },
        },
      },
      [
        /^inputSchema\/minProperties: input schema root: unsupported keyword "minProperties"/,
        /^inputSchema\/dependentRequired: input schema root: unsupported keyword "dependentRequired"/,
        /^inputSchema\/properties\/a\/type: field "a": unknown type "blob"/,
        /^inputSchema\/properties\/b\/oneOf: field "b": unsupported keyword "oneOf"/,
        /^inputSchema\/properties\/c\/minLength: field "c": "minLength" must be a number/,
      ],
    ],
    [
      "a bad nested member beside a bad top-level field",
      {
        ...base,
        inputSchema: {
          type: "object",
          properties: {
            elements: {
              type: "array",
              items: { type: "object", properties: { url: { type: "string", pattern: "(" } } },
            },
            steps: { type: "integer", minimum: 10, maximum: 1 },
          },
        },
      },
      [
        /elements\/items\/properties\/url\/pattern: .*valid regular expression/,
        /steps\/minimum: .*leave no valid number/,
      ],
    ],
  ];
  it.each(cases)("%s", (_, value, expected) => {
    const problems = problemsOf(value);
    expect(problems).toHaveLength(expected.length);
    for (const pattern of expected) expect(problems.some((problem) => pattern.test(problem))).toBe(true);
  });

  it("a file without an input schema reports its other problems too, and nothing of a normalisation", () => {
    expect(problemsOf({ modelId: "acme/model", displayName: 3 })).toEqual([
      "displayName: must be a string",
      "inputSchema: must be an object (the model's input schema)",
    ]);
  });

  it("validateSchemaFile throws one GeneratorError for one problem and GeneratorErrors for several", () => {
    expect(() => validateSchemaFile({ ...base, kind: "" }, FILE)).toThrow(GeneratorError);
    expect(() => validateSchemaFile({ ...base, kind: "", priceUnit: "" }, FILE)).toThrow(GeneratorErrors);
    expect(validateSchemaFile(base, FILE).modelId).toBe("acme/model");
  });
});
