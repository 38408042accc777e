/**
 * Normalisation: a schema file in RunComfy's loose JSON-Schema dialect → one
 * strict `ModelSpec`.
 *
 * What is repaired (with a warning naming model and key):
 * - `"type": "float"` → number;
 * - a `required` entry naming no property → ignored;
 * - a draft-4 boolean `exclusiveMinimum`/`exclusiveMaximum` → the numeric form.
 * What is interpreted:
 * - media references, by format, title or key, at every depth (`media.ts`);
 * - `required`: required in types, validators and docs, also with a default
 *   (`NORMALIZATION_RULES`);
 * - friendly names of top-level fields and of nested members (`aliases.ts`);
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
import { assignAliases, checkOverrides, keyShape, overrideKey, sizeOptions, type AliasScope } from "./aliases.ts";
import { mediaFromFormat, mediaFromNames } from "./media.ts";
import { modelTypeNames } from "./naming.ts";
import {
  isMultipleOf,
  NORMALIZATION_RULES,
  type FieldSpec,
  type MediaKind,
  type ModelNames,
  type ModelSpec,
  type PropertySpec,
  type ValueSpec,
  type ValueType,
} from "./types.ts";
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
/** Output keys that name their media kind (`video`, `images`); a Map, so that a key `constructor` finds nothing. */
const OUTPUT_MEDIA_KEYS: ReadonlyMap<string, MediaKind> = new Map([
  ["image", "image"],
  ["images", "image"],
  ["video", "video"],
  ["videos", "video"],
  ["audio", "audio"],
  ["audios", "audio"],
]);

type Side = "input" | "output";

interface Context {
  readonly sink: WarningSink;
  readonly side: Side;
  /** Version of the required rule (`NORMALIZATION_RULES`). */
  readonly rules: number;
  /** Alias overrides and what they matched (input side). */
  readonly aliases?: {
    readonly model: string;
    readonly schemaFile: string;
    readonly overrides: Readonly<Record<string, string>>;
    readonly used: Map<string, string[]>;
  };
}

/** Where a value sits among the inputs: its raw key, and its path of raw keys for nested aliases (`elements[]`). */
interface Site {
  readonly key?: string;
  /** Undefined on the output side (no aliases there). */
  readonly scope?: AliasScope;
}

/** A field's name in messages, from its schema path: `elements[].url` (an array's items are `[]`), `(root)`. */
function fieldName(path: string): string {
  let name = "";
  const parts = path.split("/");
  // `outputSchema/output/…`: the unwrapped output wrapper is no part of the name.
  if (parts[0] === "outputSchema" && parts[1] === "output") parts.splice(1, 1);
  for (const part of parts) {
    if (part === "properties" || part === "inputSchema" || part === "outputSchema" || part === "") continue;
    name = part === "items" ? `${name}[]` : name ? `${name}.${part}` : part;
  }
  return name || "(root)";
}

function problem(context: Context, code: string, path: string, message: string): void {
  // On the input side a problem fails the model; normalising goes on, so that the run reports all of its problems.
  if (context.side === "input") context.sink.error(code, message, path);
  else context.sink.warn(code, `${message} (output schema: ignored)`, path);
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

function normalizeValue(input: JsonValue | undefined, path: string, context: Context, site: Site = {}): ValueSpec {
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
        value && spec[exclusive] !== undefined
          ? `field "${fieldName(path)}": boolean "${exclusive}" (draft 4) read as a numeric bound`
          : `field "${fieldName(path)}": boolean "${exclusive}" (draft 4) ${value ? `without "${bound}"` : "false"}: ignored`,
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
  // Both kinds of bound on one side: the stricter one is the bound, and the other says nothing (rules 4; rules 3 kept
  // both, and docs and messages read the inclusive one: `minimum: 0, exclusiveMinimum: 0` read "≥ 0", 0 was refused).
  // So every reader of a spec (docs, TSDoc, messages, the satisfiability check) sees one bound a side.
  if (context.rules >= 4) {
    if (spec.minimum !== undefined && spec.exclusiveMinimum !== undefined) {
      if (spec.exclusiveMinimum >= spec.minimum) delete spec.minimum;
      else delete spec.exclusiveMinimum;
    }
    if (spec.maximum !== undefined && spec.exclusiveMaximum !== undefined) {
      if (spec.exclusiveMaximum <= spec.maximum) delete spec.maximum;
      else delete spec.exclusiveMaximum;
    }
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
  const fromFormat = typeof format === "string" ? mediaFromFormat(format) : undefined;
  if (typeof format === "string" && !fromFormat) spec.format = format;
  else if (format !== undefined && typeof format !== "string")
    problem(context, "keyword-value", `${path}/format`, `field "${fieldName(path)}": "format" must be a string`);
  // A media format on an array (`image_uris`, or `image_uri` on an array) describes its items.
  // Rules 3: the media kind goes to whichever of the field's types takes a reference (its strings, its array's items,
  // or both), whatever the format's own plural says; on a field of neither it is ignored, with a warning. Rules 2 read
  // a plural format on a string field as an array of media (its strings went unchecked).
  const onItems =
    context.rules >= 3 ? types.includes("array") || (types.length === 0 && fromFormat?.array === true) : undefined;
  const arrayMedia =
    fromFormat && (onItems ?? (fromFormat.array || (types.includes("array") && !types.includes("string"))));
  const onString =
    fromFormat &&
    (context.rules >= 3 ? types.includes("string") || (types.length === 0 && !fromFormat.array) : !arrayMedia);
  if (fromFormat && context.rules >= 3 && !onItems && !onString)
    context.sink.warn(
      "media-format-type",
      `field "${fieldName(path)}": format ${preview(format)} names a media file, but the field is ${typeList(types)}; ignored`,
      `${path}/format`,
    );

  const itemScope = site.scope === undefined ? undefined : `${site.scope}[]`;
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
      let itemSpec = normalizeValue(
        items,
        `${path}/items`,
        context,
        itemScope === undefined ? {} : { scope: itemScope },
      );
      const takesReference = itemSpec.types.length === 0 || itemSpec.types.includes("string");
      if (arrayMedia && itemSpec.media === undefined && (takesReference || context.rules < 3))
        itemSpec = { ...itemSpec, media: fromFormat.kind };
      else if (arrayMedia && !takesReference)
        context.sink.warn(
          "media-format-type",
          `field "${fieldName(path)}": format ${preview(format)} names media files, but its items are ${typeList(itemSpec.types)}; ignored`,
          `${path}/format`,
        );
      spec.items = itemSpec;
    }
  } else if (arrayMedia) {
    spec.items = { types: ["string"], media: fromFormat.kind };
  }
  if (fromFormat && onString) spec.media = fromFormat.kind;
  // Title and key rules (input side): a plain string, or an array of plain strings.
  if (context.side === "input" && !spec.media && isPlainString(spec)) {
    const named = mediaFromNames({ ...site, ...(spec.title === undefined ? {} : { title: spec.title }) });
    if (named) spec.media = named;
  }
  if (context.side === "input" && spec.items && !spec.items.media && isPlainString(spec.items)) {
    const named = mediaFromNames({ ...site, ...(spec.title === undefined ? {} : { title: spec.title }) });
    if (named) spec.items = { ...spec.items, media: named };
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
      spec.properties = normalizeProperties(properties, own(schema, "required"), path, context, site.scope);
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
  if (context.rules >= 3) checkSatisfiable(spec, path, context);
  checkDefault(spec, path, context);
  return spec;
}

/** A string without allowed values (media references are never enums). */
function isPlainString(spec: ValueSpec): boolean {
  return spec.types.length === 1 && spec.types[0] === "string" && spec.enum === undefined && spec.const === undefined;
}

/**
 * The properties of an object schema. `scope` is the object's path of raw
 * keys among the inputs: `""` for the top level (named by `normalizeModel`),
 * `elements[]` for a nested object (its members are named here), undefined
 * on the output side.
 */
function normalizeProperties(
  properties: JsonObject,
  required: JsonValue | undefined,
  path: string,
  context: Context,
  scope: AliasScope | undefined,
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
            `"required" names ${JSON.stringify(key)}, which is not a property${fieldName(path) === "(root)" ? ` of the ${context.side} schema` : ` of "${fieldName(path)}"`}; ignored`,
            `${path ? `${path}/` : ""}required`,
          );
      }
    }
  }
  const list = Object.keys(properties).map((key): PropertySpec => {
    const value = normalizeValue(properties[key], `${path}/properties/${key}`, context, {
      key,
      ...(scope === undefined ? {} : { scope: overrideKey(scope, key) }),
    });
    const listed = requiredKeys.has(key);
    // Rules 1 read a required field with a default as optional; every later version keeps it required.
    const effective = listed && (context.side === "output" || context.rules >= 2 || value.default === undefined);
    return { key, required: effective, listedRequired: listed, value };
  });
  if (scope === undefined || scope === "" || !context.aliases) return list;
  const decisions = assignAliases(
    list.map((property) => ({
      key: property.key,
      shape: keyShape(property.key),
      isSize: false,
      ...(property.value.title === undefined ? {} : { title: property.value.title }),
    })),
    { ...context.aliases, scope },
  );
  return list.map((property, index) => ({
    ...property,
    alias: decisions[index]!.alias,
    aliasOrigin: decisions[index]!.origin,
  }));
}

/** Whether `value` has one of `types` (any value when there are none), as the validator's `type` check decides. */
function hasType(value: JsonValue, types: readonly ValueType[]): boolean {
  return (
    types.length === 0 ||
    types.some((type) =>
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
    )
  );
}

/** "a string", "an integer or null": the types a value must have, for messages. */
function typeList(types: readonly ValueType[]): string {
  return types
    .map((type, index) => (index === 0 ? `${/^[aeiou]/.test(type) ? "an" : "a"} ${type}` : type))
    .join(" or ");
}

/**
 * Keywords no value could satisfy together fail the model (a required field of that kind makes every call
 * invalid): `minimum` above `maximum`, `minLength` above `maxLength`, a `multipleOf` that is not positive, an `enum`
 * none of whose values has the field's type. Allowed values of another type than the field's are left out with a
 * warning (the validator's type check rejects them, so the type must not offer them), and so are repeated ones.
 */
function checkSatisfiable(
  spec: { -readonly [K in keyof ValueSpec]: ValueSpec[K] },
  path: string,
  context: Context,
): void {
  const name = fieldName(path);
  if (spec.enum) {
    const seen = new Set<string>();
    const kept: JsonValue[] = [];
    let ruleBroken = false;
    for (const value of spec.enum) {
      const key = JSON.stringify(value);
      if (seen.has(key)) {
        context.sink.warn(
          "enum-duplicate",
          `field "${name}": allowed value ${preview(value)} is listed twice; kept once`,
          `${path}/enum`,
        );
        continue;
      }
      seen.add(key);
      const broken = context.rules >= 4 ? brokenKeyword(value, spec) : undefined;
      if (!hasType(value, spec.types))
        context.sink.warn(
          "enum-type",
          `field "${name}": allowed value ${preview(value)} is not ${typeList(spec.types)}, so the field rejects it; left out`,
          `${path}/enum`,
        );
      else if (broken) {
        ruleBroken = true;
        context.sink.warn(
          "enum-rule",
          `field "${name}": allowed value ${preview(value)} breaks the field's own "${broken}", so the field rejects it; left out`,
          `${path}/enum`,
        );
      } else kept.push(value);
    }
    if (kept.length > 0) spec.enum = kept;
    else {
      problem(
        context,
        "keyword-value",
        `${path}/enum`,
        `field "${name}": no allowed value is ${typeList(spec.types)}${ruleBroken ? " and satisfies the field's other keywords" : ""}, so no value is valid`,
      );
      delete spec.enum;
    }
  }
  if (spec.const !== undefined) {
    const broken = hasType(spec.const, spec.types)
      ? context.rules >= 4
        ? brokenKeyword(spec.const, spec)
        : undefined
      : `is not ${typeList(spec.types)}`;
    if (broken) {
      problem(
        context,
        "keyword-value",
        `${path}/const`,
        `field "${name}": "const" ${preview(spec.const)} ${broken.startsWith("is ") ? broken : `breaks the field's own "${broken}"`}, so no value is valid`,
      );
      delete spec.const;
    }
  }
  // Both `enum` and `const` (rules 4): the const must be one of the allowed values, and is then the only one.
  if (context.rules >= 4 && spec.const !== undefined && spec.enum) {
    const wanted = JSON.stringify(spec.const);
    if (!spec.enum.some((value) => JSON.stringify(value) === wanted)) {
      problem(
        context,
        "keyword-value",
        `${path}/const`,
        `field "${name}": "const" ${preview(spec.const)} is not one of its allowed values (enum), so no value is valid`,
      );
      delete spec.const;
    } else spec.enum = [spec.const];
  }
  if (spec.multipleOf !== undefined && !(spec.multipleOf > 0)) {
    problem(
      context,
      "keyword-value",
      `${path}/multipleOf`,
      `field "${name}": "multipleOf" must be greater than 0, got ${spec.multipleOf}`,
    );
    delete spec.multipleOf;
  }
  // One bound a side under rules 4 (normalizeValue keeps the stricter); rules 3 read the inclusive one.
  const strict = context.rules >= 4;
  const lowKey = spec.minimum === undefined && spec.exclusiveMinimum !== undefined ? "exclusiveMinimum" : "minimum";
  const highKey = spec.maximum === undefined && spec.exclusiveMaximum !== undefined ? "exclusiveMaximum" : "maximum";
  const low = spec[lowKey];
  const high = spec[highKey];
  // An integer field needs an integer between them (rules 4): "> 1 and < 2" leaves none.
  const integer = strict && spec.types.length === 1 && spec.types[0] === "integer";
  const lowest = low === undefined || !integer ? low : lowKey === "minimum" ? Math.ceil(low) : Math.floor(low) + 1;
  const highest =
    high === undefined || !integer ? high : highKey === "maximum" ? Math.floor(high) : Math.ceil(high) - 1;
  const noNumber =
    low !== undefined &&
    high !== undefined &&
    (low > high || (low === high && (lowKey === "exclusiveMinimum" || highKey === "exclusiveMaximum")));
  const noInteger = lowest !== undefined && highest !== undefined && lowest > highest;
  if (noNumber || noInteger)
    problem(
      context,
      "keyword-value",
      `${path}/${lowKey}`,
      `field "${name}": "${lowKey}" ${low} and "${highKey}" ${high} leave no valid ${noNumber ? "number" : "integer"}`,
    );
  // A multipleOf with bounds (rules 4): some multiple must lie between them (an integer one for an integer field).
  if (
    strict &&
    !noNumber &&
    !noInteger &&
    spec.multipleOf !== undefined &&
    spec.multipleOf > 0 &&
    lowest !== undefined &&
    highest !== undefined &&
    // An integer field's lowest and highest are inclusive already.
    !someMultipleBetween(
      spec.multipleOf,
      lowest,
      !integer && lowKey === "exclusiveMinimum",
      highest,
      !integer && highKey === "exclusiveMaximum",
      integer,
    )
  )
    problem(
      context,
      "keyword-value",
      `${path}/multipleOf`,
      `field "${name}": no multiple of ${spec.multipleOf} lies between "${lowKey}" ${low} and "${highKey}" ${high}${integer ? " that is an integer" : ""}, so no value is valid`,
    );
  for (const [min, max] of [
    ["minLength", "maxLength"],
    ["minItems", "maxItems"],
  ] as const) {
    if (spec[min] !== undefined && spec[max] !== undefined && spec[min]! > spec[max]!)
      problem(
        context,
        "keyword-value",
        `${path}/${min}`,
        `field "${name}": "${min}" ${spec[min]} is greater than "${max}" ${spec[max]}, so no value is valid`,
      );
  }
}

/**
 * Whether a multiple of `step` lies between `low` and `high` (each exclusive or not), an integer one when `integer`.
 * Checked by stepping through the candidates (at most 10,000; a wider range is taken to hold one), each read to 15
 * significant digits as a schema writes it.
 */
function someMultipleBetween(
  step: number,
  low: number,
  lowExclusive: boolean,
  high: number,
  highExclusive: boolean,
  integer: boolean,
): boolean {
  const first = Math.ceil(low / step - 1e-9);
  const last = Math.floor(high / step + 1e-9);
  if (!Number.isFinite(first) || !Number.isFinite(last) || last - first > 10_000) return true;
  for (let k = first; k <= last; k++) {
    // 3 × 0.1 is 0.30000000000000004: the multiple as written, to 15 significant digits.
    const value = Number((k * step).toPrecision(15));
    if (value < low || (lowExclusive && value === low) || value > high || (highExclusive && value === high)) continue;
    if (integer && !Number.isInteger(value)) continue;
    return true;
  }
  return false;
}

/**
 * The first of the field's own value keywords (range, `multipleOf`, length, `pattern`) that `value` breaks, as a
 * keyword name; undefined when it breaks none. Lengths count code points, as the validator does.
 */
function brokenKeyword(value: JsonValue, spec: ValueSpec): string | undefined {
  if (typeof value === "number") {
    if (spec.minimum !== undefined && !(value >= spec.minimum)) return "minimum";
    if (spec.maximum !== undefined && !(value <= spec.maximum)) return "maximum";
    if (spec.exclusiveMinimum !== undefined && !(value > spec.exclusiveMinimum)) return "exclusiveMinimum";
    if (spec.exclusiveMaximum !== undefined && !(value < spec.exclusiveMaximum)) return "exclusiveMaximum";
    // As the validator checks it (within float rounding, `MULTIPLE_OF_PRECISION`).
    if (spec.multipleOf !== undefined && spec.multipleOf > 0 && !isMultipleOf(value, spec.multipleOf))
      return "multipleOf";
  }
  if (typeof value === "string") {
    const length = [...value].length;
    if (spec.minLength !== undefined && length < spec.minLength) return "minLength";
    if (spec.maxLength !== undefined && length > spec.maxLength) return "maxLength";
    if (spec.pattern !== undefined && !new RegExp(spec.pattern, "u").test(value)) return "pattern";
  }
  return undefined;
}

/** A default that its own field would reject is worth a warning (the server would use it). */
function checkDefault(spec: ValueSpec, path: string, context: Context): void {
  const value = spec.default;
  if (value === undefined || context.side === "output") return;
  const typeOk = hasType(value, spec.types);
  const enumOk = !spec.enum || spec.enum.some((entry) => JSON.stringify(entry) === JSON.stringify(value));
  // Range, multipleOf, length and pattern, as the validator checks them.
  const rulesOk = brokenKeyword(value, spec) === undefined;
  if (!typeOk || !enumOk || !rulesOk) {
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
  if (isJsonObject(wrapped))
    sink.warn(
      "output-wrapper",
      `output schema has both an "output" wrapper and "properties": the properties are read, the wrapper ignored`,
      "outputSchema/output",
    );
  return { root: schema, path: "outputSchema" };
}

function outputMedia(key: string, value: ValueSpec): ValueSpec {
  const kind = OUTPUT_MEDIA_KEYS.get(key.toLowerCase());
  if (!kind) return value;
  if (value.types.includes("string") && !value.media) return { ...value, media: kind };
  if (value.items && value.items.types.includes("string") && !value.items.media)
    return { ...value, items: { ...value.items, media: kind } };
  return value;
}

export interface NormalizeOptions {
  /** Version of the normalisation rules to apply. @default NORMALIZATION_RULES */
  readonly rules?: number;
}

/** Normalises one schema file. `names` come from `assignModelNames` over the whole model set. */
export function normalizeModel(
  file: SchemaFile,
  names: ModelNames,
  sourceHash: string,
  schemaFile: string,
  options: NormalizeOptions = {},
): ModelSpec {
  const sink = new WarningSink({ file: schemaFile, model: file.modelId });
  const rules = options.rules ?? NORMALIZATION_RULES;
  const aliasContext = {
    model: file.modelId,
    schemaFile,
    overrides: file.aliases ?? {},
    used: new Map<string, string[]>(),
  };
  const input: Context = { sink, side: "input", rules, aliases: aliasContext };
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
    sink.error(
      "unsupported-keyword",
      `input schema root: unsupported keyword "${key}" (value ${preview(root[key])})`,
      `inputSchema/${key}`,
    );
  }
  const rootType = own(root, "type");
  if (rootType !== undefined && rootType !== "object")
    sink.error(
      "input-root",
      `input schema must be an object schema, got type ${preview(rootType)}`,
      "inputSchema/type",
    );
  const properties = own(root, "properties");
  if (!isJsonObject(properties)) {
    sink.error("input-root", 'input schema has no "properties" object', "inputSchema/properties");
    sink.throwErrors();
  }
  const additional = own(root, "additionalProperties");
  if (additional === true)
    sink.warn(
      "input-open",
      "input schema allows additional properties; the generated input type stays closed",
      "inputSchema/additionalProperties",
    );
  else if (additional !== undefined && additional !== false && rules >= 3)
    // As for a nested object: a schema for the other keys would change what the input accepts.
    sink.error(
      "unsupported-keyword",
      `input schema root: ${typeof additional === "object" ? "a schema-valued" : `a non-boolean (${preview(additional)})`} "additionalProperties" is not supported`,
      "inputSchema/additionalProperties",
    );

  const props = normalizeProperties(properties as JsonObject, own(root, "required"), "inputSchema", input, "");
  // Every problem of the input schema at once; the aliases are assigned over fields that normalised.
  sink.throwErrors();
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
    aliasContext,
  );
  checkOverrides(aliasContext, (code, message, path) => sink.warn(code, message, path));

  const fields = shaped.map(({ prop, shape, sizes }, index): FieldSpec => {
    const decision = decisions[index]!;
    return {
      key: prop.key,
      alias: decision.alias,
      aliasOrigin: decision.origin,
      nodes: shape.compound ?? (shape.node ? [shape.node] : []),
      ...(sizes ? { sizes } : {}),
      required: prop.required,
      listedRequired: prop.listedRequired,
      value: prop.value,
    };
  });

  const { root: outputRoot, path: outputPath } = unwrapOutput(file.outputSchema, sink);
  let output: PropertySpec[] = [];
  if (outputRoot) {
    const outputProps = own(outputRoot, "properties");
    if (isJsonObject(outputProps)) {
      output = normalizeProperties(
        outputProps,
        own(outputRoot, "required"),
        outputPath,
        { sink, side: "output", rules },
        undefined,
      ).map((prop) => ({
        ...prop,
        value: outputMedia(prop.key, prop.value),
      }));
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
    catalog: {
      ...(file.categories === undefined ? {} : { categories: file.categories }),
      ...(file.kind === undefined ? {} : { kind: file.kind }),
      ...(file.basePriceUsd === undefined ? {} : { basePriceUsd: file.basePriceUsd }),
      ...(file.priceUnit === undefined ? {} : { priceUnit: file.priceUnit }),
    },
    outputDefault: file.sources.some((source) => source.kind === "output-default"),
    sources: file.sources,
    fields,
    output,
    ...(file.example === undefined ? {} : { example: file.example }),
    warnings: sink.warnings,
    sourceHash,
    schemaFile,
  };
}
