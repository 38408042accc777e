/**
 * `schemas/<model id>.json`: the checked-in, locale-free source of truth.
 *
 * Stage boundary: the scraper and `pull` write `SchemaFile`s; the generator
 * reads them. The input and output schemas are kept as published except for
 * localised text RunComfy puts around them (see `schemas/to-schema-file.ts`).
 */
import { GeneratorError } from "../lib/diagnostics.ts";
import { isJsonObject, own, parseJson, stringifyPretty } from "../lib/json.ts";
import { checkModelId, modulePathFor } from "../lib/model-id.ts";
import type { JsonObject } from "../lib/json.ts";

/**
 * Where a schema file's content came from: a doc `page`, the `catalog`
 * (`GET /v1/models`), or `output-default`: the output schema is RunComfy's
 * documented output contract, written because the catalog publishes none
 * (a later `add` of the model's page replaces it and drops this entry).
 */
export interface ModelSource {
  readonly kind: "page" | "catalog" | "output-default";
  readonly url?: string;
}

const SOURCE_KINDS: ReadonlySet<string> = new Set(["page", "catalog", "output-default"]);

export interface SchemaFile {
  readonly modelId: string;
  /** English display name (from the catalog or written by hand). */
  readonly displayName?: string;
  readonly description?: string;
  /** Catalog categories (`["image-to-video"]`). */
  readonly categories?: readonly string[];
  /** Catalog kind (`model`, `workflow`, …). */
  readonly kind?: string;
  /** Catalog base price in US dollars (information, not a promise). */
  readonly basePriceUsd?: number;
  /** What the base price is per (`output`, `second`, `image`, …). */
  readonly priceUnit?: string;
  /** Where the schemas came from; locale-free (`/de/`, `/zh-CN/` are removed from URLs). */
  readonly sources: readonly ModelSource[];
  /** Alias overrides: raw key or `*_<input>` pattern → friendly name. */
  readonly aliases?: Readonly<Record<string, string>>;
  /** Request body of the page's curl example. */
  readonly example?: JsonObject;
  readonly inputSchema: JsonObject;
  readonly outputSchema?: JsonObject;
}

/** The fields of a schema file, in the order they are written. */
export const SCHEMA_FILE_FIELDS = [
  "modelId",
  "displayName",
  "description",
  "categories",
  "kind",
  "basePriceUsd",
  "priceUnit",
  "sources",
  "aliases",
  "example",
  "inputSchema",
  "outputSchema",
] as const;
const KNOWN_FIELDS: ReadonlySet<string> = new Set([...SCHEMA_FILE_FIELDS, "$schema"]);

/** `schemas/` relative path of a model's schema file, when no other id differs from it only in case (see `schemas/store.ts`). */
export function schemaFilePath(modelId: string): string {
  return `${modulePathFor(modelId)}.json`;
}

/** Checks the shape of a parsed schema file; every error names the file and the JSON path. */
export function validateSchemaFile(value: unknown, file: string): SchemaFile {
  const fail = (path: string, message: string): never => {
    throw new GeneratorError("schema-file", message, { file, path });
  };
  if (!isJsonObject(value)) return fail("", "a schema file must hold a JSON object");
  for (const key of Object.keys(value)) {
    if (!KNOWN_FIELDS.has(key)) fail(key, `unknown field; expected one of ${SCHEMA_FILE_FIELDS.join(", ")}`);
  }
  const modelId = own(value, "modelId");
  if (typeof modelId !== "string")
    return fail("modelId", 'must be a string such as "community/fantasy-portrait/image-to-video"');
  try {
    checkModelId(modelId);
  } catch (error) {
    fail("modelId", (error as Error).message);
  }
  for (const key of ["displayName", "description"] as const) {
    const text = own(value, key);
    if (text !== undefined && typeof text !== "string") fail(key, "must be a string");
  }
  for (const key of ["kind", "priceUnit"] as const) {
    const text = own(value, key);
    if (text !== undefined && (typeof text !== "string" || text.trim() === ""))
      fail(
        key,
        `must be a non-empty string (the catalog's ${key === "kind" ? 'kind, e.g. "model"' : 'price_unit, e.g. "second"'})`,
      );
  }
  const categories = own(value, "categories");
  if (categories !== undefined) {
    if (!Array.isArray(categories)) fail("categories", 'must be an array of strings, e.g. ["image-to-video"]');
    (categories as unknown[]).forEach((category, index) => {
      if (typeof category !== "string" || category.trim() === "")
        fail(`categories/${index}`, "must be a non-empty string");
    });
  }
  const price = own(value, "basePriceUsd");
  if (price !== undefined && (typeof price !== "number" || !Number.isFinite(price) || price < 0))
    fail("basePriceUsd", "must be a finite number of US dollars, 0 or more (the catalog's base_price_usd)");
  const sources = own(value, "sources") ?? [];
  if (!Array.isArray(sources)) return fail("sources", "must be an array of { kind, url? }");
  const parsedSources = sources.map((source, index): ModelSource => {
    if (!isJsonObject(source)) return fail(`sources/${index}`, "must be an object");
    const kind = own(source, "kind");
    const url = own(source, "url");
    if (typeof kind !== "string" || !SOURCE_KINDS.has(kind))
      return fail(`sources/${index}/kind`, 'must be "page", "catalog" or "output-default"');
    if (url !== undefined && typeof url !== "string") return fail(`sources/${index}/url`, "must be a string");
    const known = kind as ModelSource["kind"];
    return url === undefined ? { kind: known } : { kind: known, url };
  });
  const aliases = own(value, "aliases");
  if (aliases !== undefined) {
    if (!isJsonObject(aliases)) fail("aliases", 'must map raw keys to names, e.g. { "150_image": "referenceImage" }');
    for (const [key, alias] of Object.entries(aliases as JsonObject)) {
      if (typeof alias !== "string") fail(`aliases/${key}`, "must be a string");
    }
  }
  const example = own(value, "example");
  if (example !== undefined && !isJsonObject(example)) fail("example", "must be an object (the curl request body)");
  const inputSchema = own(value, "inputSchema");
  if (!isJsonObject(inputSchema)) return fail("inputSchema", "must be an object (the model's input schema)");
  const outputSchema = own(value, "outputSchema");
  if (outputSchema !== undefined && !isJsonObject(outputSchema))
    fail("outputSchema", "must be an object (the model's output schema)");

  return {
    modelId,
    ...(typeof own(value, "displayName") === "string" ? { displayName: own(value, "displayName") as string } : {}),
    ...(typeof own(value, "description") === "string" ? { description: own(value, "description") as string } : {}),
    ...(categories === undefined ? {} : { categories: categories as string[] }),
    ...(own(value, "kind") === undefined ? {} : { kind: own(value, "kind") as string }),
    ...(price === undefined ? {} : { basePriceUsd: price as number }),
    ...(own(value, "priceUnit") === undefined ? {} : { priceUnit: own(value, "priceUnit") as string }),
    sources: parsedSources,
    ...(aliases === undefined ? {} : { aliases: aliases as Record<string, string> }),
    ...(example === undefined ? {} : { example: example as JsonObject }),
    inputSchema,
    ...(outputSchema === undefined ? {} : { outputSchema: outputSchema as JsonObject }),
  };
}

export function parseSchemaFile(text: string, file: string): SchemaFile {
  return validateSchemaFile(parseJson(text, file), file);
}

/** The exact bytes of a schema file: fixed field order, two-space JSON, trailing newline. */
export function serializeSchemaFile(file: SchemaFile): string {
  const ordered: Record<string, unknown> = {};
  for (const key of SCHEMA_FILE_FIELDS) {
    const value = file[key];
    if (value !== undefined) ordered[key] = value;
  }
  return stringifyPretty(ordered);
}
