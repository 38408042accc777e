import AjvModule from "ajv";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { compileValidator, protoSafeSchema, VALIDATOR_OPTIONS } from "../../generator/emit/validator.ts";
import type { JsonObject } from "../../generator/lib/json.ts";

const Ajv = AjvModule.default;

/** The emitted code as a function (imported from a data: URL; the package itself never evaluates code). */
async function load(schema: JsonObject): Promise<{ (data: unknown): boolean; errors?: unknown[] | null }> {
  const { code, name, helpers } = compileValidator(schema, "test/model");
  // ajv's run-time helpers, from the generated runtime as a model module imports them.
  const runtime = pathToFileURL(fileURLToPath(new URL("../../generated/runtime/model.js", import.meta.url))).href;
  const imports = helpers.map((helper) => `import { ${helper.name} as ${helper.local} } from "${runtime}";\n`).join("");
  const module = `${imports}${code}\nexport default ${name};\n`;
  return (await import(`data:text/javascript,${encodeURIComponent(module)}`)).default;
}

type Validate = Awaited<ReturnType<typeof load>>;

/** Each input gets ajv's verdict and ajv's errors, less `schemaPath` (the generated validator leaves it out). */
function expectSameAsAjv(ours: Validate, ajv: AjvModule.ValidateFunction, inputs: readonly unknown[]): void {
  for (const input of inputs) {
    expect(ours(input)).toBe(ajv(input));
    const expected = ajv.errors?.map((error) => {
      const copy: Partial<typeof error> = { ...error };
      delete copy.schemaPath;
      return copy;
    });
    expect(ours.errors).toEqual(expected ?? null);
  }
}

describe("compileValidator", () => {
  // Keys that spell the property being dropped, quotes and backslashes included: the rewrite must touch only the
  // `schemaPath` of ajv's error objects, never a key inside a string literal.
  const tricky = ['a",schemaPath:"#/x",keyword:"', "schemaPath", 'q"uote', "back\\slash", ",keyword:"];
  const schema: JsonObject = {
    type: "object",
    required: ["steps", ...tricky],
    properties: {
      steps: { type: "integer", minimum: 6, maximum: 20 },
      size: { type: "string", enum: ["480x480", "720x720"] },
      ...Object.fromEntries(tricky.map((key) => [key, { type: "number", minimum: 1 }])),
    },
    additionalProperties: false,
  };

  it("takes a decimal step within float rounding (0.3 for a step of 0.1), and refuses what is off the step", async () => {
    const validate = await load({ type: "object", properties: { strength: { type: "number", multipleOf: 0.1 } } });
    const taken = Array.from({ length: 21 }, (_, index) => Number((index / 10).toFixed(1)));
    expect(taken.filter((strength) => !validate({ strength }))).toEqual([]);
    for (const strength of [0.25, 0.05, 1.01]) expect(validate({ strength }), String(strength)).toBe(false);
    // Large exact multiples of a small step, whose quotient carries a float error of some 1e-9.
    const fine = await load({ type: "object", properties: { x: { type: "number", multipleOf: 0.001 } } });
    for (const x of [8390.442, 9999.999, 1234.567]) expect(fine({ x }), String(x)).toBe(true);
    const twentieth = await load({ type: "object", properties: { x: { type: "number", multipleOf: 0.05 } } });
    expect(twentieth({ x: 12345678.85 })).toBe(true);
    expect(twentieth({ x: 12345678.87 })).toBe(false);
  });

  it("drops the schemaPath of every error object, and nothing else", async () => {
    const { code } = compileValidator(schema, "test/model");
    expect(code).not.toMatch(/schemaPath:"#/);
    for (const key of tricky) expect(code).toContain(JSON.stringify(key).slice(1, -1));
  });

  it("emits the validation function parenthesized, as the last statement (V8 compiles it with the module)", () => {
    const { code, name } = compileValidator(schema, "test/model");
    expect(code).toMatch(new RegExp(`^const ${name} = \\(function ${name}\\(`, "m"));
    expect(code.endsWith("\n});")).toBe(true);
    expect(code.match(/^function /gm)).toBeNull();
  });

  it("records each error in one statement, and reports what ajv reports at every depth", async () => {
    const nested: JsonObject = {
      type: "object",
      required: ["loras"],
      properties: {
        loras: {
          type: "array",
          minItems: 1,
          uniqueItems: true,
          items: {
            type: "object",
            required: ["path"],
            properties: { path: { type: "string", minLength: 3 }, scale: { type: ["number", "null"], maximum: 2 } },
            additionalProperties: false,
          },
        },
        mode: { enum: ["a", "b", { c: 1 }] },
      },
      additionalProperties: true,
    };
    const { code } = compileValidator(nested, "test/model");
    expect(code).not.toContain("if(vErrors === null)");
    expect(code).not.toMatch(/\berr\d+\b/);
    expect(code).toContain("(vErrors ??= []).push({");
    const ours = await load(nested);
    const ajv = new Ajv({ ...VALIDATOR_OPTIONS }).compile(protoSafeSchema(nested));
    const inputs: unknown[] = [
      { loras: [{ path: "a/b.safetensors", scale: null }], mode: { c: 1 } },
      { loras: [{ path: "x", scale: 3, extra: 1 }, { scale: "1" }, { scale: "1" }], mode: "z" },
      { loras: [] },
      { loras: "x" },
      {},
    ];
    expectSameAsAjv(ours, ajv, inputs);
    expect(ajv(inputs[1])).toBe(false);
    expect(ajv.errors!.length).toBeGreaterThan(4);
  });

  it("reports what ajv reports, less schemaPath, for valid and invalid inputs", async () => {
    const ours = await load(schema);
    const ajv = new Ajv({ ...VALIDATOR_OPTIONS }).compile(protoSafeSchema(schema));
    const inputs: unknown[] = [
      { steps: 8, ...Object.fromEntries(tricky.map((key) => [key, 2])) },
      { steps: 30, size: "1x1", extra: true, [tricky[0]!]: 0, [tricky[1]!]: "x" },
      { steps: 2.5 },
      [],
      null,
    ];
    expectSameAsAjv(ours, ajv, inputs);
    expect(ajv({ steps: 30 })).toBe(false);
    expect(ajv.errors!.length).toBeGreaterThan(1);
  });
});
