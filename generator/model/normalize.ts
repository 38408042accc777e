/**
 * Normalisation: a schema file in RunComfy's loose JSON-Schema dialect → one
 * strict `ModelSpec`.
 *
 * What is repaired (with a warning naming model and key):
 * - `"type": "float"` → number;
 * - a `required` entry naming no property → ignored;
 * - a draft-4 boolean `exclusiveMinimum`/`exclusiveMaximum` → the numeric form.
 * What is interpreted:
 * - `format` `image_uri`/`video_uri`/`audio_uri` (and `_uris` arrays), or a
 *   title ending in Image/Video/Audio on a string field → a media kind;
 * - `"default": null` → no default;
 * - the output schema's `{"output": {...}}` wrapper is unwrapped;
 * - a custom `validations` array is kept as metadata.
 * What fails generation (model, key and value in the message): any other
 * unknown `type`, and any keyword that would change the meaning of an input
 * schema and that this generator does not implement (`oneOf`, `$ref`, …).
 * Outputs are lenient: unknown keywords there are warnings.
 */
import { WarningSink } from "../lib/diagnostics.ts";
import { isJsonObject, own, preview } from "../lib/json.ts";
import type { SchemaFile } from "../schemas/schema-file.ts";
import { assignAliases, keyShape, normalizePhrase, sizeOptions } from "./aliases.ts";
import { isRequired } from "./fields.ts";
import { modelTypeNames } from "./naming.ts";
import type { FieldSpec, MediaKind, ModelNames, ModelSpec, PropertySpec, ValueSpec, ValueType } from "./types.ts";
import type { JsonObject, JsonValue } from "../lib/json.ts";

/** Keywords that only document; they never change what is valid. */
const ANNOTATIONS: ReadonlySet<string> = new Set([
  "title",
  "description",
  "default",
  "examples",
  "example",
  "$comment",
  "deprecated",
  "readOnly",
  "writeOnly",
  "$schema",
  "$id",
]);
/** Keywords this generator implements in types, validators and docs. */
const SUPPORTED: ReadonlySet<string> = new Set([
  "type",
  "enum",
  "const",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "pattern",
  "format",
  "items",
  "minItems",
  "maxItems",
  "uniqueItems",
  "properties",
  "required",
  "additionalProperties",
  "validations",
]);
const JSON_TYPES: ReadonlySet<string> = new Set(["string", "integer", "number", "boolean", "array", "object", "null"]);
const MEDIA_FORMATS: Readonly<Record<string, { kind: MediaKind; array: boolean }>> = {
  image_uri: { kind: "image", array: false },
  video_uri: { kind: "video", array: false },
  audio_uri: { kind: "audio", array: false },
  image_uris: { kind: "image", array: true },
  video_uris: { kind: "video", array: true },
  audio_uris: { kind: "audio", array: true },
};
const MEDIA_WORDS: Readonly<Record<string, MediaKind>> = {
  image: "image",
  images: "image",
  video: "video",
  videos: "video",
  audio: "audio",
  audios: "audio",
};

type Side = "input" | "output";

interface Context {
  readonly sink: WarningSink;
  readonly side: Side;
}

function fieldName(path: string): string {
  return (
    path
      .split("/")
      .filter((part) => part !== "properties" && part !== "items" && part !== "inputSchema" && part !== "outputSchema")
      .join(".") || "(root)"
  );
}

function problem(context: Context, code: string, path: string, message: string): void {
  if (context.side === "input") context.sink.fail(code, message, path);
  context.sink.warn(code, `${message} (output schema: ignored)`, path);
}

function numberKeyword(schema: JsonObject, key: string, path: string, context: Context): number | undefined {
  const value = own(schema, key);
  if (value === undefined) return undefined;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  problem(
    context,
    "keyword-value",
    `${path}/${key}`,
    `field "${fieldName(path)}": "${key}" must be a number, got ${preview(value)}`,
  );
  return undefined;
}

function nonNegativeInteger(schema: JsonObject, key: string, path: string, context: Context): number | undefined {
  const value = numberKeyword(schema, key, path, context);
  if (value === undefined) return undefined;
  if (Number.isInteger(value) && value >= 0) return value;
  problem(
    context,
    "keyword-value",
    `${path}/${key}`,
    `field "${fieldName(path)}": "${key}" must be a non-negative integer, got ${value}`,
  );
  return undefined;
}

function normalizeTypes(schema: JsonObject, path: string, context: Context): ValueType[] {
  const raw = own(schema, "type");
  if (raw === undefined) return inferTypes(schema);
  const list = Array.isArray(raw) ? raw : [raw];
  const types: ValueType[] = [];
  for (const entry of list) {
    if (entry === "float") {
      context.sink.warn(
        "type-float",
        `field "${fieldName(path)}": type "float" is not JSON Schema; read as "number"`,
        `${path}/type`,
      );
      types.push("number");
    } else if (typeof entry === "string" && JSON_TYPES.has(entry)) {
      types.push(entry as ValueType);
    } else {
      problem(context, "unknown-type", `${path}/type`, `field "${fieldName(path)}": unknown type ${preview(entry)}`);
    }
  }
  return [...new Set(types)];
}

/** A schema without `type` is read from its other keywords; none at all means any value. */
function inferTypes(schema: JsonObject): ValueType[] {
  const values = own(schema, "enum") ?? (own(schema, "const") === undefined ? undefined : [own(schema, "const")!]);
  if (Array.isArray(values) && values.length > 0) {
    const types = new Set<ValueType>();
    for (const value of values) {
      types.add(
        value === null
          ? "null"
          : Array.isArray(value)
            ? "array"
            : typeof value === "object"
              ? "object"
              : typeof value === "number"
                ? Number.isInteger(value)
                  ? "integer"
                  : "number"
                : (typeof value as ValueType),
      );
    }
    if (types.has("number")) types.delete("integer");
    return [...types];
  }
  if (own(schema, "properties") !== undefined) return ["object"];
  if (own(schema, "items") !== undefined) return ["array"];
  return [];
}

/** Words that make "… image" a property of a media file rather than the file itself ("Size of image"). */
const NOT_MEDIA_WORDS: ReadonlySet<string> = new Set([
  "of",
  "size",
  "count",
  "number",
  "format",
  "type",
  "ratio",
  "strength",
  "scale",
  "weight",
  "resolution",
  "quality",
  "width",
  "height",
  "length",
  "duration",
  "mode",
  "name",
]);

/** "Image", "Reference Video", "Input Audio" → a media kind; "Image Size", "Size of image" → none. */
function mediaFromTitle(title: string | undefined): MediaKind | undefined {
  if (title === undefined) return undefined;
  const words = normalizePhrase(title).split(" ");
  if (words.length > 4 || words.some((word) => NOT_MEDIA_WORDS.has(word))) return undefined;
  return MEDIA_WORDS[words[words.length - 1] ?? ""];
}

function normalizeValue(input: JsonValue | undefined, path: string, context: Context): ValueSpec {
  if (!isJsonObject(input)) {
    problem(
      context,
      "schema-shape",
      path,
      `field "${fieldName(path)}": a schema must be an object, got ${preview(input)}`,
    );
    return { types: [] };
  }
  const schema = input;
  for (const key of Object.keys(schema)) {
    if (ANNOTATIONS.has(key) || SUPPORTED.has(key) || key.startsWith("x-")) continue;
    problem(
      context,
      "unsupported-keyword",
      `${path}/${key}`,
      `field "${fieldName(path)}": unsupported keyword "${key}" (value ${preview(schema[key])})`,
    );
  }
  const types = normalizeTypes(schema, path, context);
  const spec: { -readonly [K in keyof ValueSpec]: ValueSpec[K] } = { types };

  const title = own(schema, "title");
  if (typeof title === "string" && title.trim()) spec.title = title.trim();
  const description = own(schema, "description");
  if (typeof description === "string" && description.trim()) spec.description = description.trim();
  const fallback = own(schema, "default");
  if (fallback !== undefined && fallback !== null) spec.default = fallback;

  const enumValues = own(schema, "enum");
  if (enumValues !== undefined) {
    if (Array.isArray(enumValues) && enumValues.length > 0) spec.enum = enumValues;
    else
      problem(
        context,
        "keyword-value",
        `${path}/enum`,
        `field "${fieldName(path)}": "enum" must be a non-empty array, got ${preview(enumValues)}`,
      );
  }
  const constant = own(schema, "const");
  if (constant !== undefined) spec.const = constant;

  for (const key of ["minimum", "maximum", "multipleOf"] as const) {
    const value = numberKeyword(schema, key, path, context);
    if (value !== undefined) spec[key] = value;
  }
  for (const [exclusive, bound] of [
    ["exclusiveMinimum", "minimum"],
    ["exclusiveMaximum", "maximum"],
  ] as const) {
    const value = own(schema, exclusive);
    if (typeof value === "boolean") {
      // Draft-4 form: the boolean turns the plain bound exclusive.
      if (value && spec[bound] !== undefined) {
        spec[exclusive] = spec[bound]!;
        delete spec[bound];
      }
      context.sink.warn(
        "exclusive-boolean",
        `field "${fieldName(path)}": boolean "${exclusive}" (draft 4) read as a numeric bound`,
        `${path}/${exclusive}`,
      );
    } else {
      const numeric = numberKeyword(schema, exclusive, path, context);
      if (numeric !== undefined) spec[exclusive] = numeric;
    }
  }
  for (const key of ["minLength", "maxLength", "minItems", "maxItems"] as const) {
    const value = nonNegativeInteger(schema, key, path, context);
    if (value !== undefined) spec[key] = value;
  }
  const pattern = own(schema, "pattern");
  if (pattern !== undefined) {
    let valid = typeof pattern === "string";
    if (valid) {
      try {
        new RegExp(pattern as string, "u");
      } catch {
        valid = false;
      }
    }
    if (valid) spec.pattern = pattern as string;
    else
      problem(
        context,
        "keyword-value",
        `${path}/pattern`,
        `field "${fieldName(path)}": "pattern" must be a valid regular expression, got ${preview(pattern)}`,
      );
  }
  const unique = own(schema, "uniqueItems");
  if (typeof unique === "boolean") spec.uniqueItems = unique;
  else if (unique !== undefined)
    problem(
      context,
      "keyword-value",
      `${path}/uniqueItems`,
      `field "${fieldName(path)}": "uniqueItems" must be a boolean`,
    );

  const validations = own(schema, "validations");
  if (validations !== undefined) {
    if (Array.isArray(validations)) spec.validations = validations;
    else
      context.sink.warn(
        "validations-shape",
        `field "${fieldName(path)}": "validations" is not an array; ignored`,
        `${path}/validations`,
      );
  }

  const format = own(schema, "format");
  const media = typeof format === "string" ? MEDIA_FORMATS[format] : undefined;
  if (typeof format === "string" && !media) spec.format = format;
  else if (format !== undefined && typeof format !== "string")
    problem(context, "keyword-value", `${path}/format`, `field "${fieldName(path)}": "format" must be a string`);

  const items = own(schema, "items");
  if (items !== undefined) {
    if (Array.isArray(items)) {
      problem(
        context,
        "unsupported-keyword",
        `${path}/items`,
        `field "${fieldName(path)}": tuple "items" (an array of schemas) is not supported`,
      );
    } else {
      let itemSpec = normalizeValue(items, `${path}/items`, context);
      if (media?.array && itemSpec.media === undefined) itemSpec = { ...itemSpec, media: media.kind };
      spec.items = itemSpec;
    }
  } else if (media?.array) {
    spec.items = { types: ["string"], media: media.kind };
  }
  if (media && !media.array) spec.media = media.kind;
  if (
    !spec.media &&
    context.side === "input" &&
    types.length === 1 &&
    types[0] === "string" &&
    spec.enum === undefined
  ) {
    const fromTitle = mediaFromTitle(spec.title);
    if (fromTitle) spec.media = fromTitle;
  }
  if (
    spec.items &&
    spec.items.media === undefined &&
    context.side === "input" &&
    spec.items.types.length === 1 &&
    spec.items.types[0] === "string"
  ) {
    const fromTitle = mediaFromTitle(spec.title);
    if (fromTitle) spec.items = { ...spec.items, media: fromTitle };
  }

  const properties = own(schema, "properties");
  if (properties !== undefined) {
    if (!isJsonObject(properties)) {
      problem(
        context,
        "keyword-value",
        `${path}/properties`,
        `field "${fieldName(path)}": "properties" must be an object`,
      );
    } else {
      spec.properties = normalizeProperties(properties, own(schema, "required"), path, context);
    }
  }
  const additional = own(schema, "additionalProperties");
  if (typeof additional === "boolean") spec.additionalProperties = additional;
  else if (additional !== undefined) {
    problem(
      context,
      "unsupported-keyword",
      `${path}/additionalProperties`,
      `field "${fieldName(path)}": a schema-valued "additionalProperties" is not supported`,
    );
  }
  checkDefault(spec, path, context);
  return spec;
}

function normalizeProperties(
  properties: JsonObject,
  required: JsonValue | undefined,
  path: string,
  context: Context,
): PropertySpec[] {
  const requiredKeys = new Set<string>();
  if (required !== undefined) {
    if (!Array.isArray(required) || required.some((entry) => typeof entry !== "string")) {
      problem(
        context,
        "keyword-value",
        `${path}/required`,
        `field "${fieldName(path)}": "required" must be an array of property names`,
      );
    } else {
      for (const key of required as string[]) {
        if (Object.prototype.hasOwnProperty.call(properties, key)) requiredKeys.add(key);
        else
          context.sink.warn(
            "required-unknown",
            `"required" names ${JSON.stringify(key)}, which is not a property${path ? ` of "${fieldName(path)}"` : ""}; ignored`,
            `${path ? `${path}/` : ""}required`,
          );
      }
    }
  }
  return Object.keys(properties).map((key) => ({
    key,
    required: requiredKeys.has(key),
    value: normalizeValue(properties[key], `${path}/properties/${key}`, context),
  }));
}

/** A default that its own field would reject is worth a warning (the server would use it). */
function checkDefault(spec: ValueSpec, path: string, context: Context): void {
  const value = spec.default;
  if (value === undefined || context.side === "output") return;
  const typeOk =
    spec.types.length === 0 ||
    spec.types.some((type) =>
      type === "integer"
        ? Number.isInteger(value)
        : type === "number"
          ? typeof value === "number"
          : type === "array"
            ? Array.isArray(value)
            : type === "object"
              ? isJsonObject(value)
              : type === "null"
                ? value === null
                : typeof value === type,
    );
  const enumOk = !spec.enum || spec.enum.some((entry) => JSON.stringify(entry) === JSON.stringify(value));
  const rangeOk =
    typeof value !== "number" ||
    ((spec.minimum === undefined || value >= spec.minimum) &&
      (spec.maximum === undefined || value <= spec.maximum) &&
      (spec.exclusiveMinimum === undefined || value > spec.exclusiveMinimum) &&
      (spec.exclusiveMaximum === undefined || value < spec.exclusiveMaximum));
  if (!typeOk || !enumOk || !rangeOk) {
    context.sink.warn(
      "default-invalid",
      `field "${fieldName(path)}": default ${preview(value)} does not satisfy the field's own schema`,
      `${path}/default`,
    );
  }
}

function unwrapOutput(
  schema: JsonObject | undefined,
  sink: WarningSink,
): { root: JsonObject | undefined; path: string } {
  if (!schema) return { root: undefined, path: "outputSchema" };
  const wrapped = own(schema, "output");
  if (isJsonObject(wrapped) && own(schema, "properties") === undefined) {
    const others = Object.keys(schema).filter((key) => key !== "output" && !ANNOTATIONS.has(key));
    if (others.length > 0)
      sink.warn("output-wrapper", `output schema wrapper has extra keys ${others.join(", ")}; ignored`, "outputSchema");
    return { root: wrapped, path: "outputSchema/output" };
  }
  return { root: schema, path: "outputSchema" };
}

function outputMedia(key: string, value: ValueSpec): ValueSpec {
  const kind = MEDIA_WORDS[key.toLowerCase()];
  if (!kind) return value;
  if (value.types.includes("string") && !value.media) return { ...value, media: kind };
  if (value.items && value.items.types.includes("string") && !value.items.media)
    return { ...value, items: { ...value.items, media: kind } };
  return value;
}

/** Normalises one schema file. `names` come from `assignModelNames` over the whole model set. */
export function normalizeModel(file: SchemaFile, names: ModelNames, sourceHash: string, schemaFile: string): ModelSpec {
  const sink = new WarningSink({ file: schemaFile, model: file.modelId });
  const input: Context = { sink, side: "input" };
  const root = file.inputSchema;

  for (const key of Object.keys(root)) {
    if (
      ANNOTATIONS.has(key) ||
      key === "type" ||
      key === "properties" ||
      key === "required" ||
      key === "additionalProperties" ||
      key.startsWith("x-")
    )
      continue;
    sink.fail(
      "unsupported-keyword",
      `input schema root: unsupported keyword "${key}" (value ${preview(root[key])})`,
      `inputSchema/${key}`,
    );
  }
  const rootType = own(root, "type");
  if (rootType !== undefined && rootType !== "object")
    sink.fail("input-root", `input schema must be an object schema, got type ${preview(rootType)}`, "inputSchema/type");
  const properties = own(root, "properties");
  if (!isJsonObject(properties))
    sink.fail("input-root", 'input schema has no "properties" object', "inputSchema/properties");
  const additional = own(root, "additionalProperties");
  if (additional === true)
    sink.warn(
      "input-open",
      "input schema allows additional properties; the generated input type stays closed",
      "inputSchema/additionalProperties",
    );

  const props = normalizeProperties(properties as JsonObject, own(root, "required"), "inputSchema", input);
  const shaped = props.map((prop) => {
    const shape = keyShape(prop.key);
    return { prop, shape, sizes: shape.compound ? sizeOptions(prop.value.enum) : undefined };
  });
  const decisions = assignAliases(
    shaped.map(({ prop, shape, sizes }) => ({
      key: prop.key,
      shape,
      isSize: sizes !== undefined,
      ...(prop.value.title === undefined ? {} : { title: prop.value.title }),
    })),
    {
      model: file.modelId,
      schemaFile,
      overrides: file.aliases ?? {},
      warn: (code, message, path) => sink.warn(code, message, path),
    },
  );

  const fields = shaped.map(({ prop, shape, sizes }, index): FieldSpec => {
    const decision = decisions[index]!;
    return {
      key: prop.key,
      alias: decision.alias,
      aliasOrigin: decision.origin,
      nodes: shape.compound ?? (shape.node ? [shape.node] : []),
      ...(sizes ? { sizes } : {}),
      required: isRequired(prop),
      listedRequired: prop.required,
      value: prop.value,
    };
  });

  const { root: outputRoot, path: outputPath } = unwrapOutput(file.outputSchema, sink);
  let output: PropertySpec[] = [];
  if (outputRoot) {
    const outputProps = own(outputRoot, "properties");
    if (isJsonObject(outputProps)) {
      output = normalizeProperties(outputProps, own(outputRoot, "required"), outputPath, { sink, side: "output" }).map(
        (prop) => ({
          ...prop,
          value: outputMedia(prop.key, prop.value),
        }),
      );
    } else {
      sink.warn("output-shape", "output schema has no properties; outputs are typed as an open record", outputPath);
    }
  }

  return {
    id: file.modelId,
    names,
    types: modelTypeNames(names.typeName, fields),
    ...(file.displayName === undefined ? {} : { displayName: file.displayName }),
    ...(file.description === undefined ? {} : { description: file.description }),
    sources: file.sources,
    fields,
    output,
    ...(file.example === undefined ? {} : { example: file.example }),
    warnings: sink.warnings,
    sourceHash,
    schemaFile,
  };
}
