import AjvModule from "ajv";
import { describe, expect, it } from "vitest";
import { VALIDATOR_OPTIONS } from "../../generator/emit/validator.ts";
import { normalizeModel } from "../../generator/model/normalize.ts";
import { validateSchemaFile } from "../../generator/schemas/schema-file.ts";
import { GeneratorError } from "../../generator/lib/diagnostics.ts";
import { fileWith, seedFile, specOf } from "../helpers/spec.ts";

const Ajv = AjvModule.default;

const field = (spec: ReturnType<typeof specOf>, key: string) => spec.fields.find((candidate) => candidate.key === key)!;

describe("normalisation", () => {
  it('reads "type": "float" as number and warns naming model and key', () => {
    const spec = specOf(seedFile("community/fantasy-portrait/image-to-video"));
    expect(field(spec, "149_cfg").value.types).toEqual(["number"]);
    const warning = spec.warnings.find(
      (candidate) => candidate.code === "type-float" && candidate.message.includes("149_cfg"),
    );
    expect(warning).toMatchObject({
      model: "community/fantasy-portrait/image-to-video",
      file: "schemas/community/fantasy-portrait/image-to-video.json",
    });
  });

  it("turns RunComfy media formats and media titles into a media kind", () => {
    const spec = specOf(
      fileWith({
        a: { type: "string", format: "image_uri" },
        b: { type: "string", format: "video_uri" },
        c: { type: "string", format: "audio_uri" },
        d: { type: "array", format: "image_uris" },
        e: { type: "array", items: { type: "string", format: "video_uri" } },
        "6_image": { type: "string", title: "Image" },
        g: { type: "string", title: "Reference Video" },
        h: { type: "string", title: "Image Size", enum: ["small", "large"] },
        i: { type: "string", title: "Size of image" },
      }),
    );
    const kinds = Object.fromEntries(
      spec.fields.map((f) => [f.key, f.value.media ?? (f.value.items?.media ? `${f.value.items.media}[]` : undefined)]),
    );
    expect(kinds).toEqual({
      a: "image",
      b: "video",
      c: "audio",
      d: "image[]",
      e: "video[]",
      "6_image": "image",
      g: "video",
      h: undefined,
      i: undefined,
    });
  });

  it("ignores a required entry that names no property, with a warning", () => {
    const spec = specOf(
      fileWith({ images: { type: "array", items: { type: "string" } } }, { required: ["image_urls"] }),
    );
    expect(spec.fields[0]!.required).toBe(false);
    expect(spec.warnings.map((warning) => warning.code)).toEqual(["required-unknown"]);
    expect(spec.warnings[0]!.message).toContain('"image_urls"');
  });

  it('treats "default": null as no default and keeps required fields required', () => {
    const spec = specOf(
      fileWith(
        { seed: { type: "integer", default: null }, prompt: { type: "string" } },
        { required: ["seed", "prompt"] },
      ),
    );
    expect(field(spec, "seed").value.default).toBeUndefined();
    expect(field(spec, "seed").required).toBe(true);
    expect(field(spec, "prompt").required).toBe(true);
  });

  it("keeps a required field with a default required (the default is RunComfy's sample input)", () => {
    const f = field(specOf(seedFile("community/fantasy-portrait/image-to-video")), "143_image");
    expect(f).toMatchObject({
      required: true,
      listedRequired: true,
      value: { default: "Runcomfy_example_1268_1.png" },
    });
    // Nested members too.
    const nested = specOf(
      fileWith({
        loras: {
          type: "array",
          items: {
            type: "object",
            required: ["path", "scale"],
            properties: { path: { type: "string" }, scale: { type: "number", default: 1 } },
          },
        },
      }),
    );
    expect(nested.fields[0]!.value.items!.properties!.map(({ key, required }) => [key, required])).toEqual([
      ["path", true],
      ["scale", true],
    ]);
  });

  it("reads a snapshot with the rules it was built with: under rules 1 a required field with a default was optional", () => {
    const file = validateSchemaFile(seedFile("community/fantasy-portrait/image-to-video"), "schemas/x.json");
    const names = { modulePath: "community/fantasy-portrait/image-to-video", typeName: "X" };
    const legacy = normalizeModel(file, names, "0".repeat(64), "schemas/x.json", { rules: 1 });
    expect(legacy.fields.find((f) => f.key === "143_image")).toMatchObject({ required: false, listedRequired: true });
    expect(legacy.fields.find((f) => f.key === "149_steps")).toMatchObject({ required: false, listedRequired: false });
  });

  // Rules 3: keywords no value satisfies fail; allowed values the field's type rejects are left out, with a warning.
  const UNSATISFIABLE: readonly (readonly [what: string, schema: Record<string, unknown>, message: RegExp])[] = [
    [
      "minimum above maximum",
      { type: "integer", minimum: 10, maximum: 1 },
      /"minimum" 10 and "maximum" 1 leave no valid number/,
    ],
    [
      "an exclusive bound equal to the other",
      { type: "number", exclusiveMinimum: 2, maximum: 2 },
      /"exclusiveMinimum" 2 and "maximum" 2/,
    ],
    [
      "minLength above maxLength",
      { type: "string", minLength: 5, maxLength: 2 },
      /"minLength" 5 is greater than "maxLength" 2/,
    ],
    [
      "minItems above maxItems",
      { type: "array", items: { type: "string" }, minItems: 3, maxItems: 1 },
      /"minItems" 3 is greater/,
    ],
    ["multipleOf 0", { type: "number", multipleOf: 0 }, /"multipleOf" must be greater than 0, got 0/],
    ["a negative multipleOf", { type: "integer", multipleOf: -2 }, /"multipleOf" must be greater than 0, got -2/],
    [
      "no allowed value of the field's type",
      { type: "integer", enum: ["a", 1.5] },
      /no allowed value is an integer, so no value is valid/,
    ],
    ["a const of another type", { type: "string", const: 3 }, /"const" 3 is not a string/],
    // Rules 4: allowed values and a const are held to the field's other keywords too.
    [
      "no allowed value in the field's range",
      { type: "integer", enum: [5, 10], maximum: 2 },
      /no allowed value is an integer and satisfies the field's other keywords/,
    ],
    [
      "an integer field with no integer between its exclusive bounds",
      { type: "integer", exclusiveMinimum: 1, exclusiveMaximum: 2 },
      /"exclusiveMinimum" 1 and "exclusiveMaximum" 2 leave no valid integer/,
    ],
    [
      "an exclusive bound stricter than the inclusive one, meeting the other side",
      { type: "number", minimum: 0, exclusiveMinimum: 5, maximum: 5 },
      /"exclusiveMinimum" 5 and "maximum" 5 leave no valid number/,
    ],
    [
      "a const its enum does not list",
      { type: "string", enum: ["a", "b"], const: "c" },
      /"const" "c" is not one of its allowed values \(enum\)/,
    ],
    [
      "an integer field whose multipleOf has no integer multiple between its bounds",
      { type: "integer", minimum: 1, maximum: 4, multipleOf: 2.5 },
      /no multiple of 2.5 lies between "minimum" 1 and "maximum" 4 that is an integer/,
    ],
    [
      "a decimal multipleOf with no multiple between its bounds",
      { type: "number", minimum: 0.11, maximum: 0.19, multipleOf: 0.1 },
      /no multiple of 0.1 lies between "minimum" 0.11 and "maximum" 0.19/,
    ],
    [
      "a const out of range",
      { type: "number", const: 24.5, maximum: 10 },
      /"const" 24.5 breaks the field's own "maximum"/,
    ],
    [
      "a const too short",
      { type: "string", const: "a", minLength: 2 },
      /"const" "a" breaks the field's own "minLength"/,
    ],
  ];
  it.each(UNSATISFIABLE)("fails a field no value satisfies: %s (rules 3), naming the field", (_, schema, message) => {
    expect(() => specOf(fileWith({ x: schema }))).toThrow(message);
    expect(() => specOf(fileWith({ x: schema }))).toThrow(/field "x"/);
    // An output field of that kind is a warning: outputs are lenient.
    const lenient = specOf(
      fileWith({ a: { type: "string" } }, { outputSchema: { type: "object", properties: { x: schema } } }),
    );
    expect(lenient.warnings.some((warning) => message.test(warning.message))).toBe(true);
    // A snapshot built under rules 2 still loads (the release plan reads it with the rules it was built with).
    const file = validateSchemaFile(fileWith({ x: schema }), "schemas/test/model.json");
    expect(() =>
      normalizeModel(file, { modulePath: "test/model", typeName: "X" }, "0".repeat(64), "schemas/test/model.json", {
        rules: 2,
      }),
    ).not.toThrow();
  });

  it("leaves out allowed values the field's own keywords reject, with a warning each (rules 4)", () => {
    const fields = {
      count: { type: "integer", enum: [1, 2, 3], maximum: 2 },
      ratio: { type: "number", enum: [0, 0.5, 1], exclusiveMinimum: 0 },
      step: { type: "number", enum: [0.5, 0.7, 1.5], multipleOf: 0.5 },
      // A decimal step holds within float rounding (0.3 / 0.1 is 2.9999999999999996), as the validators check it.
      tenth: { type: "number", enum: [0.3, 0.7, 1.9, 0.25], multipleOf: 0.1 },
      size: { type: "string", enum: ["a", "bb", "ccc", "👍👍"], minLength: 2, maxLength: 2 },
      code: { type: "string", enum: ["A1", "b2", "C3"], pattern: "^[A-Z]" },
    };
    const spec = specOf(fileWith(fields));
    expect(field(spec, "count").value.enum).toEqual([1, 2]);
    expect(field(spec, "ratio").value.enum).toEqual([0.5, 1]);
    expect(field(spec, "step").value.enum).toEqual([0.5, 1.5]);
    expect(field(spec, "tenth").value.enum).toEqual([0.3, 0.7, 1.9]);
    // Lengths count code points, as the validator does: "👍👍" is 2 characters long.
    expect(field(spec, "size").value.enum).toEqual(["bb", "👍👍"]);
    expect(field(spec, "code").value.enum).toEqual(["A1", "C3"]);
    expect(spec.warnings.filter((warning) => warning.code === "enum-rule").map((warning) => warning.message)).toEqual([
      'field "count": allowed value 3 breaks the field\'s own "maximum", so the field rejects it; left out',
      'field "ratio": allowed value 0 breaks the field\'s own "exclusiveMinimum", so the field rejects it; left out',
      'field "step": allowed value 0.7 breaks the field\'s own "multipleOf", so the field rejects it; left out',
      'field "tenth": allowed value 0.25 breaks the field\'s own "multipleOf", so the field rejects it; left out',
      'field "size": allowed value "a" breaks the field\'s own "minLength", so the field rejects it; left out',
      'field "size": allowed value "ccc" breaks the field\'s own "maxLength", so the field rejects it; left out',
      'field "code": allowed value "b2" breaks the field\'s own "pattern", so the field rejects it; left out',
    ]);
    // The validator agrees on every value kept and every value left out.
    const validate = new Ajv(VALIDATOR_OPTIONS).compile({ type: "object", properties: fields });
    for (const [key, schema] of Object.entries(fields))
      for (const value of schema.enum) {
        const kept = (field(spec, key).value.enum as readonly unknown[]).includes(value);
        expect(validate({ [key]: value }), `${key} ${JSON.stringify(value)}`).toBe(kept);
      }
    // Rules 3 kept them (a snapshot built under rules 3 reads as it was).
    const file = validateSchemaFile(fileWith(fields), "schemas/test/model.json");
    const legacy = normalizeModel(
      file,
      { modulePath: "test/model", typeName: "X" },
      "0".repeat(64),
      "schemas/test/model.json",
      {
        rules: 3,
      },
    );
    expect(legacy.fields.find((f) => f.key === "count")!.value.enum).toEqual([1, 2, 3]);
  });

  it("keeps fields whose multipleOf has multiples between the bounds, and reads enum with const as the const", () => {
    const spec = specOf(
      fileWith({
        tenths: { type: "number", minimum: 0.1, maximum: 0.3, multipleOf: 0.1 },
        open: { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 0.2, multipleOf: 0.1 },
        halves: { type: "integer", minimum: 1, maximum: 10, multipleOf: 2.5 },
        // Exclusive bounds of an integer field: 1 is the one value, and a multiple of 1.
        single: { type: "integer", exclusiveMinimum: 0, exclusiveMaximum: 2, multipleOf: 1 },
        one: { type: "string", enum: ["a", "b"], const: "a" },
      }),
    );
    expect(spec.fields.map((f) => f.key)).toEqual(["tenths", "open", "halves", "single", "one"]);
    // Only the const is typed: "b" would compile and be refused.
    expect(field(spec, "one").value.enum).toEqual(["a"]);
    expect(() =>
      specOf(fileWith({ x: { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 0.1, multipleOf: 0.1 } })),
    ).toThrow(/no multiple of 0.1 lies between/);
  });

  it("warns about a default its own field rejects, by any of its keywords, and not about one it takes", () => {
    const spec = specOf(
      fileWith({
        over: { type: "integer", maximum: 10, default: 12 },
        step: { type: "number", multipleOf: 0.5, default: 0.7 },
        short: { type: "string", minLength: 3, default: "ab" },
        shape: { type: "string", pattern: "^[a-z]+$", default: "A1" },
        listed: { type: "string", enum: ["a", "b"], default: "c" },
        fine: { type: "number", multipleOf: 0.1, minimum: 0, default: 0.7 },
      }),
    );
    const warned = spec.warnings
      .filter((warning) => warning.code === "default-invalid")
      .map((warning) => /field "([^"]+)"/.exec(warning.message)![1]);
    expect(warned).toEqual(["over", "step", "short", "shape", "listed"]);
  });

  it("leaves out allowed values the field's type rejects and repeated ones, with a warning each (rules 3)", () => {
    const spec = specOf(
      fileWith({
        s: { type: "string", enum: ["a", null, "a", "b"] },
        i: { type: "integer", enum: [1, 2.5, 3] },
        n: { type: ["string", "null"], enum: ["a", null] },
        any: { enum: ["a", 1, null] },
      }),
    );
    expect(field(spec, "s").value.enum).toEqual(["a", "b"]);
    expect(field(spec, "i").value.enum).toEqual([1, 3]);
    expect(field(spec, "n").value.enum).toEqual(["a", null]);
    expect(field(spec, "any").value.enum).toEqual(["a", 1, null]);
    expect(
      spec.warnings.filter((warning) => warning.code.startsWith("enum-")).map((warning) => warning.message),
    ).toEqual([
      'field "s": allowed value null is not a string, so the field rejects it; left out',
      'field "s": allowed value "a" is listed twice; kept once',
      'field "i": allowed value 2.5 is not an integer, so the field rejects it; left out',
    ]);
  });

  it("fails a non-boolean additionalProperties on the input schema as it does on a nested object (rules 3)", () => {
    for (const additional of [{ type: "string" }, "yes"])
      expect(() =>
        specOf({
          ...fileWith({ a: { type: "string" } }),
          inputSchema: { type: "object", properties: { a: { type: "string" } }, additionalProperties: additional },
        }),
      ).toThrow(/input schema root: a (schema-valued|non-boolean \("yes"\)) "additionalProperties" is not supported/);
    expect(() =>
      specOf({ ...fileWith({}), inputSchema: { type: "object", properties: {}, additionalProperties: false } }),
    ).not.toThrow();
  });

  it("names a field below arrays by its path with [] in messages, and the output schema as the output schema", () => {
    const spec = specOf(
      fileWith(
        {
          grid: {
            type: "array",
            items: {
              type: "array",
              items: { type: "object", required: ["ghost"], properties: { a: { type: "string" } } },
            },
          },
        },
        { outputSchema: { type: "object", required: ["nope"], properties: { video: { type: "string" } } } },
      ),
    );
    expect(
      spec.warnings.filter((warning) => warning.code === "required-unknown").map((warning) => warning.message),
    ).toEqual([
      '"required" names "ghost", which is not a property of "grid[][]"; ignored',
      '"required" names "nope", which is not a property of the output schema; ignored',
    ]);
    expect(() =>
      specOf(
        fileWith({
          list: { type: "array", items: { type: "object", properties: { url: { type: "string", pattern: "(" } } } },
        }),
      ),
    ).toThrow(/field "list\[\]\.url": "pattern" must be a valid regular expression/);
  });

  it("unwraps the output wrapper and derives output media kinds from the keys", () => {
    const spec = specOf(seedFile("community/wan-2-2/vace-fun"));
    expect(spec.output.map((property) => [property.key, property.value.media ?? property.value.items?.media])).toEqual([
      ["image", "image"],
      ["video", "video"],
      ["images", "image"],
      ["videos", "video"],
    ]);
  });

  it("keeps a custom validations array as metadata", () => {
    const validations = [
      {
        validation_error: "File size must be less than 30 MB.",
        validation_rule: "file_size_mb<",
        validation_value: 30,
      },
    ];
    const spec = specOf(fileWith({ image_url: { type: "string", format: "image_uri", validations } }));
    expect(spec.fields[0]!.value.validations).toEqual(validations);
  });

  it("supports every JSON type the catalog uses, nested objects and arrays included", () => {
    const spec = specOf(
      fileWith({
        flag: { type: "boolean", default: false },
        ratio: { type: "number", exclusiveMinimum: 0, maximum: 1 },
        tags: { type: "array", items: { type: "string", maxLength: 20 }, minItems: 1, maxItems: 4, uniqueItems: true },
        loras: {
          type: "array",
          items: {
            type: "object",
            properties: { path: { type: "string" }, scale: { type: "number", default: 1 } },
            required: ["path"],
          },
        },
        lora: { type: "object", properties: { path: { type: "string" } } },
        mode: { enum: ["a", "b"] },
        nullable: { type: ["string", "null"] },
      }),
    );
    expect(spec.fields.map((f) => [f.key, f.value.types])).toEqual([
      ["flag", ["boolean"]],
      ["ratio", ["number"]],
      ["tags", ["array"]],
      ["loras", ["array"]],
      ["lora", ["object"]],
      ["mode", ["string"]],
      ["nullable", ["string", "null"]],
    ]);
    expect(field(spec, "loras").value.items!.properties!.map((p) => [p.key, p.required])).toEqual([
      ["path", true],
      ["scale", false],
    ]);
  });

  it.each([
    ["an unknown type", { x: { type: "flaot" } }, /field "x": unknown type "flaot"/],
    [
      "an unsupported keyword",
      { x: { type: "string", oneOf: [{ const: "a" }] } },
      /field "x": unsupported keyword "oneOf" \(value \[\{"const":"a"\}\]\)/,
    ],
    ["a $ref", { x: { $ref: "#/definitions/y" } }, /unsupported keyword "\$ref"/],
    ["a non-numeric bound", { x: { type: "integer", maximum: "10" } }, /"maximum" must be a number, got "10"/],
    ["a tuple", { x: { type: "array", items: [{ type: "string" }] } }, /tuple "items"/],
  ])("fails generation on %s, naming model, key and value", (_, properties, pattern) => {
    let error: unknown;
    try {
      specOf(fileWith(properties));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GeneratorError);
    expect((error as GeneratorError).message).toMatch(pattern);
    expect((error as GeneratorError).message).toContain("schemas/test/model.json");
    expect((error as GeneratorError).location.model).toBe("test/model");
  });

  it("is lenient with outputs: an unknown keyword there is a warning", () => {
    const spec = specOf({
      ...fileWith({ a: { type: "string" } }),
      outputSchema: { output: { type: "object", properties: { video: { type: "string", oneOf: [] } } } },
    });
    expect(spec.output.map((property) => property.key)).toEqual(["video"]);
    expect(spec.warnings.some((warning) => warning.code === "unsupported-keyword")).toBe(true);
  });

  it("an output schema with both an output wrapper and properties reads the properties, and says the wrapper is ignored", () => {
    const spec = specOf({
      ...fileWith({ a: { type: "string" } }),
      outputSchema: {
        type: "object",
        output: { type: "object", properties: { images: { type: "array", items: { type: "string" } } } },
        properties: { video: { type: "string" } },
      },
    });
    expect(spec.output.map((property) => property.key)).toEqual(["video"]);
    expect(spec.warnings.filter((warning) => warning.code === "output-wrapper").map((w) => w.message)).toEqual([
      'output schema has both an "output" wrapper and "properties": the properties are read, the wrapper ignored',
    ]);
  });

  it("allows annotations and x- extensions", () => {
    expect(() =>
      specOf(
        fileWith({
          a: { type: "string", examples: ["x"], deprecated: true, "x-ui": { widget: "text" }, $comment: "c" },
        }),
      ),
    ).not.toThrow();
  });
});
