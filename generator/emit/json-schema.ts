/**
 * `ValueSpec` → strict JSON Schema (draft-07 vocabulary), the form ajv and
 * json-schema-to-typescript read. Titles, defaults and media formats stay out:
 * they are documentation or checked by the runtime, not schema rules.
 */
import type { FieldSpec, JsonObject, JsonValue, PropertySpec, ValueSpec } from "../spec/types.ts";

export interface SchemaOptions {
  /** Close objects that list their properties (inputs); leave them open (outputs). */
  readonly closed: boolean;
  /** Adds `description` (documentation) to each property; used for type emission. */
  readonly describe?: (property: PropertySpec, path: readonly string[]) => string | undefined;
  /** Replaces a property's type (json-schema-to-typescript `tsType`). */
  readonly tsType?: (property: PropertySpec, path: readonly string[]) => string | undefined;
}

/** A property is required on the wire only when listed and without a server default. */
export function isRequired(property: PropertySpec): boolean {
  return property.required && property.value.default === undefined;
}

export function valueSchema(spec: ValueSpec, options: SchemaOptions, path: readonly string[] = []): JsonObject {
  const schema: JsonObject = {};
  if (spec.types.length === 1) schema["type"] = spec.types[0]!;
  else if (spec.types.length > 1) schema["type"] = [...spec.types];
  if (spec.enum) schema["enum"] = [...spec.enum];
  if (spec.const !== undefined) schema["const"] = spec.const;
  const numeric: (keyof ValueSpec)[] = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "minItems", "maxItems"];
  for (const key of numeric) {
    const value = spec[key];
    if (typeof value === "number") schema[key] = value;
  }
  if (spec.pattern !== undefined) schema["pattern"] = spec.pattern;
  if (spec.uniqueItems !== undefined) schema["uniqueItems"] = spec.uniqueItems;
  if (spec.items) schema["items"] = valueSchema(spec.items, options, [...path, "[]"]);
  if (spec.properties) {
    Object.assign(schema, objectSchema(spec.properties, spec.additionalProperties ?? !options.closed, options, path));
  } else if (spec.additionalProperties !== undefined && spec.types.includes("object")) {
    schema["additionalProperties"] = spec.additionalProperties;
  }
  return schema;
}

export function objectSchema(properties: readonly PropertySpec[], additional: boolean, options: SchemaOptions, path: readonly string[] = []): JsonObject {
  const props: JsonObject = {};
  for (const property of properties) {
    const childPath = [...path, property.key];
    const tsType = options.tsType?.(property, childPath);
    const schema: JsonObject = tsType === undefined ? valueSchema(property.value, options, childPath) : { tsType };
    const description = options.describe?.(property, childPath);
    if (description) schema["description"] = description;
    // defineProperty keeps keys such as "__proto__" as ordinary own keys.
    Object.defineProperty(props, property.key, { value: schema, enumerable: true, writable: true, configurable: true });
  }
  const required = properties.filter(isRequired).map((property) => property.key);
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
    fields.map((field) => ({ key: field.key, required: field.listedRequired, value: field.value })),
    false,
    { closed: true },
  );
}

export function jsonLiteral(value: JsonValue): string {
  return JSON.stringify(value);
}
