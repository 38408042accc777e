/**
 * `ValueSpec` → strict JSON Schema (draft-07 vocabulary), the form ajv and
 * json-schema-to-typescript read. Titles, defaults and media formats stay out
 * (they are documentation, or checked by the runtime) unless `annotate` asks
 * for them: the annotated schemas are the generated package's metadata.
 */
import { fieldProperty } from "../model/fields.ts";
import type { FieldSpec, PropertySpec, ValueSpec } from "../model/types.ts";
import type { JsonObject } from "../lib/json.ts";

/** `["elements", "[]", "frontal_image_url"]` → `elements[].frontal_image_url` (the nested alias scope of that value). */
export function scopeOf(path: readonly string[]): string {
  return path.map((segment, index) => (index === 0 || segment === "[]" ? segment : `.${segment}`)).join("");
}

export interface SchemaOptions {
  /** Close objects that list their properties (inputs); leave them open (outputs). */
  readonly closed: boolean;
  /** The key a property gets in the schema (`alias` for the friendly type). @default its raw key */
  readonly keyOf?: (property: PropertySpec, path: readonly string[]) => string;
  /** Replaces a nested object value (at a path of raw keys, `"[]"` for items) with a type reference. */
  readonly named?: (path: readonly string[]) => string | undefined;
  /** Adds `description` (documentation) to each property; used for type emission. */
  readonly describe?: (property: PropertySpec, path: readonly string[]) => string | undefined;
  /** Replaces a property's type (json-schema-to-typescript `tsType`). */
  readonly tsType?: (property: PropertySpec, path: readonly string[]) => string | undefined;
  /** Keeps documentation keywords (title, description, default, format, media, validations) for metadata. */
  readonly annotate?: boolean;
  /** Extra `x-` keywords for a property. */
  readonly extra?: (property: PropertySpec, path: readonly string[]) => JsonObject | undefined;
}

export function valueSchema(spec: ValueSpec, options: SchemaOptions, path: readonly string[] = []): JsonObject {
  const name = spec.properties && path.length > 0 ? options.named?.(path) : undefined;
  if (name !== undefined) return { tsType: spec.types.includes("null") ? `${name} | null` : name };
  const schema: JsonObject = {};
  if (options.annotate) {
    if (spec.title !== undefined) schema["title"] = spec.title;
    if (spec.description !== undefined) schema["description"] = spec.description;
  }
  if (spec.types.length === 1) schema["type"] = spec.types[0]!;
  else if (spec.types.length > 1) schema["type"] = [...spec.types];
  if (spec.enum) schema["enum"] = [...spec.enum];
  if (spec.const !== undefined) schema["const"] = spec.const;
  const numeric: (keyof ValueSpec)[] = [
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
  ];
  for (const key of numeric) {
    const value = spec[key];
    if (typeof value === "number") schema[key] = value;
  }
  if (spec.pattern !== undefined) schema["pattern"] = spec.pattern;
  if (spec.uniqueItems !== undefined) schema["uniqueItems"] = spec.uniqueItems;
  if (spec.items) schema["items"] = valueSchema(spec.items, options, [...path, "[]"]);
  if (spec.properties) {
    Object.assign(schema, objectSchema(spec.properties, options, path, spec.additionalProperties));
  } else if (spec.additionalProperties !== undefined && spec.types.includes("object")) {
    schema["additionalProperties"] = spec.additionalProperties;
  }
  if (options.annotate) {
    if (spec.default !== undefined) schema["default"] = spec.default;
    if (spec.format !== undefined) schema["format"] = spec.format;
    if (spec.media !== undefined) schema["x-media"] = spec.media;
    if (spec.validations !== undefined) schema["x-validations"] = [...spec.validations];
  }
  return schema;
}

/** An object schema; `additional` (keys beyond `properties`) defaults to `!options.closed`. */
export function objectSchema(
  properties: readonly PropertySpec[],
  options: SchemaOptions,
  path: readonly string[] = [],
  additional = !options.closed,
): JsonObject {
  const props: JsonObject = {};
  const keyOf = options.keyOf ?? ((property: PropertySpec) => property.key);
  for (const property of properties) {
    const childPath = [...path, property.key];
    const tsType = options.tsType?.(property, childPath);
    const schema: JsonObject = tsType === undefined ? valueSchema(property.value, options, childPath) : { tsType };
    const description = options.describe?.(property, childPath);
    if (description) schema["description"] = description;
    const extra = options.extra?.(property, childPath);
    if (extra) Object.assign(schema, extra);
    // defineProperty keeps keys such as "__proto__" as ordinary own keys.
    Object.defineProperty(props, keyOf(property, childPath), {
      value: schema,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  const required = properties
    .filter((property) => property.required)
    .map((property) => keyOf(property, [...path, property.key]));
  return {
    type: "object",
    ...(required.length > 0 ? { required } : {}),
    properties: props,
    additionalProperties: additional,
  };
}

/** The wire-body schema of a model's inputs, for the validator. */
export function inputSchema(fields: readonly FieldSpec[]): JsonObject {
  return objectSchema(
    fields.map((field) => fieldProperty(field)),
    { closed: true },
  );
}

/** The input schema with documentation and `x-` annotations: the model's machine-readable metadata. */
export function annotatedInputSchema(fields: readonly FieldSpec[]): JsonObject {
  const byKey = new Map(fields.map((field) => [field.key, field]));
  return objectSchema(
    fields.map((field) => fieldProperty(field)),
    {
      closed: true,
      annotate: true,
      extra: (property, path) => {
        const field = path.length === 1 ? byKey.get(property.key) : undefined;
        if (!field) return property.alias === undefined ? undefined : { "x-alias": property.alias };
        return {
          "x-alias": field.alias,
          ...(field.nodes.length ? { "x-nodes": field.nodes.map((node) => ({ id: node.id, input: node.input })) } : {}),
          ...(field.sizes ? { "x-sizes": field.sizes.map((size) => size.label) } : {}),
        };
      },
    },
  );
}

/** The output schema (unwrapped, open) with documentation annotations. */
export function annotatedOutputSchema(output: readonly PropertySpec[]): JsonObject {
  return objectSchema(output, { closed: false, annotate: true });
}
