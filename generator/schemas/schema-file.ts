/**
 * `schemas/<model id>.json`: the checked-in, locale-free source of truth.
 *
 * Stage boundary: the scraper and `pull` write `SchemaFile`s; the generator
 * reads them. The input and output schemas are kept as published except for
 * localised text RunComfy puts around them (see `schemas/to-schema-file.ts`).
 */
import { GeneratorError, GeneratorErrors } from "../lib/diagnostics.ts";
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

/**
 * Checks the shape of a parsed schema file and reports every problem of it together (`GeneratorErrors` when there are
 * several); every error names the file and the JSON path.
 */
export function validateSchemaFile(value: unknown, file: string): SchemaFile {
  const { file: checked, problems } = inspectSchemaFile(value, file);
  if (problems.length > 1) throw new GeneratorErrors(problems);
  if (problems.length === 1) throw problems[0]!;
  return checked!;
}

/**
 * Every problem of a parsed schema file, and the file without its bad fields when what is left can still be normalised
 * (a model id and an input schema of the right shapes), so the normaliser can report the input schema's problems in
 * the same run (`loadModels`). Without problems, `file` is the schema file.
 */
export function inspectSchemaFile(
  value: unknown,
  file: string,
): { readonly file?: SchemaFile; readonly problems: readonly GeneratorError[] } {
  const problems: GeneratorError[] = [];
  const fail = (path: string, message: string): undefined => {
    problems.push(new GeneratorError("schema-file", message, { file, path }));
    return undefined;
  };
  if (!isJsonObject(value)) {
    fail("", "a schema file must hold a JSON object");
    return { problems };
  }
  for (const key of Object.keys(value)) {
    if (!KNOWN_FIELDS.has(key)) fail(key, `unknown field; expected one of ${SCHEMA_FILE_FIELDS.join(", ")}`);
  }
  let fatal = false;
  const modelId = own(value, "modelId");
  if (typeof modelId !== "string") {
    fail("modelId", 'must be a string such as "community/fantasy-portrait/image-to-video"');
    fatal = true;
  } else {
    try {
      checkModelId(modelId);
    } catch (error) {
      fail("modelId", (error as Error).message);
      fatal = true;
    }
  }
  const text = (key: "displayName" | "description"): string | undefined => {
    const found = own(value, key);
    if (found !== undefined && typeof found !== "string") return fail(key, "must be a string");
    return found as string | undefined;
  };
  const displayName = text("displayName");
  const description = text("description");
  const word = (key: "kind" | "priceUnit"): string | undefined => {
    const found = own(value, key);
    if (found !== undefined && (typeof found !== "string" || found.trim() === ""))
      return fail(
        key,
        `must be a non-empty string (the catalog's ${key === "kind" ? 'kind, e.g. "model"' : 'price_unit, e.g. "second"'})`,
      );
    return found as string | undefined;
  };
  const kind = word("kind");
  const priceUnit = word("priceUnit");
  let categories = own(value, "categories") as string[] | undefined;
  if (categories !== undefined) {
    if (!Array.isArray(categories))
      categories = fail("categories", 'must be an array of strings, e.g. ["image-to-video"]');
    else {
      const before = problems.length;
      (categories as unknown[]).forEach((category, index) => {
        if (typeof category !== "string" || category.trim() === "")
          fail(`categories/${index}`, "must be a non-empty string");
      });
      if (problems.length > before) categories = undefined;
    }
  }
  let price = own(value, "basePriceUsd") as number | undefined;
  if (price !== undefined && (typeof price !== "number" || !Number.isFinite(price) || price < 0))
    price = fail("basePriceUsd", "must be a finite number of US dollars, 0 or more (the catalog's base_price_usd)");
  const sources = own(value, "sources") ?? [];
  const parsedSources: ModelSource[] = [];
  if (!Array.isArray(sources)) fail("sources", "must be an array of { kind, url? }");
  else
    sources.forEach((source, index) => {
      if (!isJsonObject(source)) return void fail(`sources/${index}`, "must be an object");
      const sourceKind = own(source, "kind");
      const url = own(source, "url");
      if (typeof sourceKind !== "string" || !SOURCE_KINDS.has(sourceKind))
        return void fail(`sources/${index}/kind`, 'must be "page", "catalog" or "output-default"');
      if (url !== undefined && typeof url !== "string") return void fail(`sources/${index}/url`, "must be a string");
      const known = sourceKind as ModelSource["kind"];
      parsedSources.push(url === undefined ? { kind: known } : { kind: known, url });
    });
  let aliases = own(value, "aliases") as Record<string, string> | undefined;
  if (aliases !== undefined) {
    if (!isJsonObject(aliases))
      aliases = fail("aliases", 'must map raw keys to names, e.g. { "150_image": "referenceImage" }');
    else {
      const before = problems.length;
      for (const [key, alias] of Object.entries(aliases as JsonObject)) {
        if (typeof alias !== "string") fail(`aliases/${key}`, "must be a string");
      }
      if (problems.length > before) aliases = undefined;
    }
  }
  let example = own(value, "example") as JsonObject | undefined;
  if (example !== undefined && !isJsonObject(example))
    example = fail("example", "must be an object (the curl request body)");
  const inputSchema = own(value, "inputSchema");
  if (!isJsonObject(inputSchema)) {
    fail("inputSchema", "must be an object (the model's input schema)");
    fatal = true;
  }
  let outputSchema = own(value, "outputSchema") as JsonObject | undefined;
  if (outputSchema !== undefined && !isJsonObject(outputSchema))
    outputSchema = fail("outputSchema", "must be an object (the model's output schema)");
  if (fatal) return { problems };

  return {
    problems,
    file: {
      modelId: modelId as string,
      ...(displayName === undefined ? {} : { displayName }),
      ...(description === undefined ? {} : { description }),
      ...(categories === undefined ? {} : { categories }),
      ...(kind === undefined ? {} : { kind }),
      ...(price === undefined ? {} : { basePriceUsd: price }),
      ...(priceUnit === undefined ? {} : { priceUnit }),
      sources: parsedSources,
      ...(aliases === undefined ? {} : { aliases }),
      ...(example === undefined ? {} : { example }),
      inputSchema: inputSchema as JsonObject,
      ...(outputSchema === undefined ? {} : { outputSchema }),
    },
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
