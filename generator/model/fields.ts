/**
 * Reading a model spec's fields: the helpers every consumer of `ModelSpec`
 * (emitters, drift) shares, so each rule has one home.
 */
import type { FieldSpec, PropertySpec } from "./types.ts";

/**
 * The one required-ness rule, used by types, validators, docs and drift: a
 * property is required only when the schema lists it and gives it no
 * default (the server fills a default in). `PropertySpec.required` keeps the
 * upstream listing itself.
 */
export function isRequired(property: PropertySpec): boolean {
  return property.required && property.value.default === undefined;
}

/** A top-level field as a property named `key` (its wire key unless given), `required` as listed upstream. */
export function fieldProperty(field: FieldSpec, key: string = field.key): PropertySpec {
  return { key, required: field.listedRequired, value: field.value };
}
