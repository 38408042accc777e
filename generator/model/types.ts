/**
 * The normalised model spec: the single structure every emitter reads.
 *
 * Stage boundary: `schemas/<id>.json` (a `SchemaFile`) → `normalizeModel()` →
 * `ModelSpec` → emitters. Nothing after this point looks at the raw, loose
 * RunComfy dialect again.
 */
import type { Warning } from "../lib/diagnostics.ts";
import type { JsonObject, JsonValue } from "../lib/json.ts";
import type { ModelSource } from "../schemas/schema-file.ts";

export type MediaKind = "image" | "video" | "audio";
export type ValueType = "string" | "integer" | "number" | "boolean" | "array" | "object" | "null";

/** One schema node after normalisation (recursive for arrays and objects). */
export interface ValueSpec {
  /** Allowed JSON types; empty means any JSON value. */
  readonly types: readonly ValueType[];
  readonly title?: string;
  readonly description?: string;
  /** Absent when the schema has no default or `"default": null`. */
  readonly default?: JsonValue;
  readonly enum?: readonly JsonValue[];
  readonly const?: JsonValue;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly multipleOf?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  /** A non-media `format` kept as documentation (e.g. `uri`). */
  readonly format?: string;
  /** Set on a string (or array of strings) that carries a media file reference. */
  readonly media?: MediaKind;
  readonly items?: ValueSpec;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
  readonly properties?: readonly PropertySpec[];
  /** For objects: whether keys other than `properties` are allowed. */
  readonly additionalProperties?: boolean;
  /** RunComfy's custom `validations` array, kept verbatim as metadata. */
  readonly validations?: readonly JsonValue[];
}

export interface PropertySpec {
  readonly key: string;
  /**
   * Friendly name of a member of a nested input object (`frontal_image_url`
   * → `frontalImageUrl`); absent on outputs. Top-level inputs carry theirs on
   * `FieldSpec`.
   */
  readonly alias?: string;
  readonly aliasOrigin?: AliasOrigin;
  /**
   * Required in the generated types, validators and docs: listed in the
   * schema's `required` (see `NORMALIZATION_RULES` for rules version 1).
   */
  readonly required: boolean;
  /** Listed in the published `required` (the same as `required` under the current rules). */
  readonly listedRequired: boolean;
  readonly value: ValueSpec;
}

/** A ComfyUI node input addressed by a node-ID key such as `143_image`. */
export interface NodeRef {
  readonly id: string;
  readonly input: string;
}

/** One allowed value of a compound width×height field, e.g. `720x720 (1:1)`. */
export interface SizeOption {
  readonly label: string;
  readonly width: number;
  readonly height: number;
  /** `"720x720"`; absent when two labels share the same size. */
  readonly short?: string;
}

export type AliasOrigin = "override" | "vocabulary" | "title" | "input-name" | "key";

/** A top-level input field with its friendly alias. */
export interface FieldSpec {
  /** Wire key, exactly as the API expects it. */
  readonly key: string;
  readonly alias: string;
  readonly aliasOrigin: AliasOrigin;
  /** ComfyUI nodes the key addresses: one for `143_image`, two for `169_valuex170_value`, none for plain keys. */
  readonly nodes: readonly NodeRef[];
  /** Set when the field is a compound width×height choice whose labels all parse as sizes. */
  readonly sizes?: readonly SizeOption[];
  /** Whether a body without this field is invalid: listed in `required`, also with a default (see `NORMALIZATION_RULES`). */
  readonly required: boolean;
  /** Whether the published schema lists it in `required`. */
  readonly listedRequired: boolean;
  readonly value: ValueSpec;
}

export interface ModelNames {
  /** Module path below the package root, without extension: `community/fantasy-portrait/image-to-video`. */
  readonly modulePath: string;
  /** PascalCase base for type names: `CommunityFantasyPortraitImageToVideo`. */
  readonly typeName: string;
}

/** Exported TypeScript type names of one model (see `modelTypeNames`). */
export interface ModelTypeNames {
  /** `<typeName>Input`: friendly input. */
  readonly input: string;
  /** `<typeName>RawInput`: wire body. */
  readonly rawInput: string;
  /** `<typeName>Output`. */
  readonly output: string;
  /** Size field alias → its type alias name, `<typeName><Alias>`. */
  readonly sizes: ReadonlyMap<string, string>;
  /** Size field alias → the type of its exact labels (the wire value), `<typeName><Alias>Label`. */
  readonly labels: ReadonlyMap<string, string>;
  /**
   * Field alias → the type alias of its allowed values, `<typeName><Alias>`, for a top-level enum of
   * `NAMED_ENUM_MIN` values or more (a hover then names the type instead of listing them).
   */
  readonly enums: ReadonlyMap<string, string>;
  /**
   * Nested object types by their path of raw keys (`elements[]`, `settings`,
   * `elements[].refs[]`): the friendly interface `<typeName><Path>`
   * (`…ElementsItem`) and the wire one `<typeName>Raw<Path>`.
   */
  readonly nested: ReadonlyMap<string, { readonly friendly: string; readonly raw: string }>;
}

/**
 * Versions of the normalisation rules, recorded in the generated package so
 * that the release plan reads its schema snapshot with the rules it was
 * built with (`package/release.ts`):
 * - 1: a field listed in `required` that has a default was optional (the
 *   server was assumed to fill the default in);
 * - 2: required stays required, also with a default (the defaults of
 *   required fields are RunComfy's sample inputs, and a request without the
 *   field runs, and pays for, the sample);
 * - 3: keywords no value satisfies fail the model (`minimum` above `maximum`,
 *   a `multipleOf` that is not positive, no allowed value of the field's
 *   type, ...), allowed values of another type than the field's (and
 *   repeated ones) are left out of its types and validator, and a
 *   non-boolean `additionalProperties` on the input schema fails as it does
 *   on a nested object (rules 2 read it as closed), and a media `format`
 *   goes to whichever of the field's types takes a reference (rules 2 read
 *   a plural format on a string field as an array of media, leaving the
 *   string unchecked);
 * - 4: allowed values (and a `const`) are also checked against the field's
 *   other keywords (range, `multipleOf`, length, `pattern`): one that breaks
 *   them is left out with a warning (a `const` fails the model), as rules 3
 *   did for another type (rules 3 typed `enum: [1, 2, 3], maximum: 2` as
 *   `1 | 2 | 3`, and the validator refused 3).
 */
export const NORMALIZATION_RULES = 4;

/**
 * `multipleOf` holds within float rounding: `value / multipleOf` is within `10^-MULTIPLE_OF_PRECISION` of an integer
 * (ajv's `multipleOfPrecision`, used by the generated validators; the normaliser's enum and default checks use the
 * same test, `isMultipleOf`).
 */
// A millionth, not less: for a step of 0.001 up to 10,000 (a ComfyUI-style float) the quotient carries a float error
// of some 1e-9, and a tighter test refused exact multiples such as 8390.442.
export const MULTIPLE_OF_PRECISION = 6;

/** The validators' `multipleOf` test (see `MULTIPLE_OF_PRECISION`), as ajv compiles it. */
export function isMultipleOf(value: number, multipleOf: number): boolean {
  const quotient = value / multipleOf;
  return !(Math.abs(Math.round(quotient) - quotient) > Number(`1e-${MULTIPLE_OF_PRECISION}`));
}

/** What the catalog says about a model (stored in its schema file by `pull`). */
export interface CatalogInfo {
  readonly categories?: readonly string[];
  readonly kind?: string;
  readonly basePriceUsd?: number;
  readonly priceUnit?: string;
}

export interface ModelSpec {
  readonly id: string;
  readonly names: ModelNames;
  readonly types: ModelTypeNames;
  readonly displayName?: string;
  readonly description?: string;
  /** Categories, kind and price from the catalog (information, not a promise). */
  readonly catalog: CatalogInfo;
  /** True when the output schema is RunComfy's documented default, not one published for the model. */
  readonly outputDefault: boolean;
  readonly sources: readonly ModelSource[];
  /** Input fields in published order. */
  readonly fields: readonly FieldSpec[];
  /** Output properties (the `{"output": {...}}` wrapper already removed). */
  readonly output: readonly PropertySpec[];
  /** Example request body from the page's curl call. */
  readonly example?: JsonObject;
  readonly warnings: readonly Warning[];
  /** SHA-256 of the schema file's text as read (provenance and caching). */
  readonly sourceHash: string;
  /** Path of the schema file relative to the project root, `/`-separated. */
  readonly schemaFile: string;
}
