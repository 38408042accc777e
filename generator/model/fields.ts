/**
 * Reading a model spec's fields: the helpers every consumer of `ModelSpec`
 * (emitters, drift) shares, so each rule has one home.
 */
import type { FieldSpec, PropertySpec } from "./types.ts";

/** A top-level field as a property named `key` (its wire key unless given). */
export function fieldProperty(field: FieldSpec, key: string = field.key): PropertySpec {
  return {
    key,
    alias: field.alias,
    aliasOrigin: field.aliasOrigin,
    required: field.required,
    listedRequired: field.listedRequired,
    value: field.value,
  };
}
