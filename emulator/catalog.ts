/**
 * The emulator's model catalog: every schema file under `schemas/`, served by
 * the catalog routes (`GET /v1/models` with pagination and filters,
 * `GET /v1/models/{model_id}`) and used to validate submitted bodies.
 *
 * Validation is deliberately independent of the generator: ajv compiles the
 * published schema itself, with the leniency a real server shows (`"type":
 * "float"` accepted, unknown formats and custom keywords ignored, nested
 * objects open). A field listed in `required` is required, also when it has
 * a default: a server never silently runs the sample input for a missing
 * field. Each model's validator is compiled on its first submit, so a folder
 * of hundreds of schema files starts in the time it takes to read them.
 */
import AjvModule, { type ErrorObject, type ValidateFunction } from "ajv";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";

const Ajv = AjvModule.default;

export interface CatalogModel {
  readonly modelId: string;
  readonly displayName?: string;
  /** What the schema file says (absent when it says nothing: the emulator serves back what it was given). */
  readonly categories?: readonly string[];
  readonly kind?: string;
  readonly basePriceUsd?: number;
  readonly priceUnit?: string;
  readonly inputSchema: Record<string, unknown>;
  readonly outputSchema?: Record<string, unknown>;
  /** The model's validator, compiled on first use. */
  validate(body: unknown): { readonly valid: boolean; readonly errors: readonly ErrorObject[] };
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A lenient, ajv-compatible copy of a published schema (float is a number; formats and docs ignored). */
export function lenientSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(lenientSchema);
  if (!isObject(schema)) return schema;
  const copy: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "validations" || key === "title" || key === "description" || key === "format" || key === "default")
      continue;
    if (key === "type")
      copy[key] = Array.isArray(value)
        ? value.map((type) => (type === "float" ? "number" : type))
        : value === "float"
          ? "number"
          : value;
    else if (key === "properties" && isObject(value))
      copy[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, lenientSchema(sub)]));
    else copy[key] = lenientSchema(value);
  }
  // A `required` entry naming no property is a publishing slip (seedream lists `image_urls` for `images`): ignored.
  const properties = isObject(schema["properties"]) ? schema["properties"] : undefined;
  if (Array.isArray(schema["required"]) && properties)
    copy["required"] = (schema["required"] as unknown[]).filter(
      (name) => typeof name === "string" && Object.prototype.hasOwnProperty.call(properties, name),
    );
  return copy;
}

async function jsonFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map(async (entry) => {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) return jsonFiles(full);
      return entry.name.endsWith(".json") ? [full] : [];
    }),
  );
  return nested.flat().sort();
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

/** Every schema file below `schemasDir`, by model id (validators compiled lazily). */
export async function loadCatalog(schemasDir: string): Promise<Map<string, CatalogModel>> {
  // multipleOfPrecision as the generated validators use it: a "step 0.1" field takes 0.3.
  const ajv = new Ajv({
    allErrors: true,
    strict: false,
    validateFormats: false,
    allowUnionTypes: true,
    multipleOfPrecision: 6,
  });
  const files = await jsonFiles(schemasDir);
  const parsed: (readonly [string, JsonObject])[] = [];
  // In batches: thousands of files at once would run out of file descriptors.
  for (let start = 0; start < files.length; start += 64) {
    const batch = files.slice(start, start + 64);
    parsed.push(
      ...(await Promise.all(
        batch.map(async (file) => [file, JSON.parse(await readFile(file, "utf8")) as JsonObject] as const),
      )),
    );
  }
  const models = new Map<string, CatalogModel>();
  for (const [file, schemaFile] of parsed) {
    const modelId = schemaFile["modelId"];
    const inputSchema = schemaFile["inputSchema"];
    if (typeof modelId !== "string" || !isObject(inputSchema))
      throw new Error(`${file}: not a schema file (needs modelId and inputSchema)`);
    const categories = Array.isArray(schemaFile["categories"])
      ? (schemaFile["categories"] as unknown[]).filter((entry): entry is string => typeof entry === "string")
      : undefined;
    let compiled: ValidateFunction | undefined;
    const price = schemaFile["basePriceUsd"];
    models.set(modelId, {
      modelId,
      ...(text(schemaFile["displayName"]) === undefined ? {} : { displayName: text(schemaFile["displayName"])! }),
      ...(categories === undefined ? {} : { categories }),
      ...(text(schemaFile["kind"]) === undefined ? {} : { kind: text(schemaFile["kind"])! }),
      ...(typeof price === "number" ? { basePriceUsd: price } : {}),
      ...(text(schemaFile["priceUnit"]) === undefined ? {} : { priceUnit: text(schemaFile["priceUnit"])! }),
      inputSchema,
      ...(isObject(schemaFile["outputSchema"]) ? { outputSchema: schemaFile["outputSchema"] } : {}),
      validate(body) {
        compiled ??= ajv.compile({ ...(lenientSchema(inputSchema) as JsonObject), additionalProperties: false });
        const valid = compiled(body);
        return { valid, errors: valid ? [] : [...(compiled.errors ?? [])] };
      },
    });
  }
  return models;
}

/** A catalog entry as `GET /v1/models/{id}` (and a listing with `include_schema=true`) returns it. */
export function catalogEntry(model: CatalogModel, withSchema = true): JsonObject {
  return {
    model_id: model.modelId,
    ...(model.displayName === undefined ? {} : { display_name: model.displayName }),
    ...(model.kind === undefined ? {} : { kind: model.kind }),
    ...(model.categories === undefined ? {} : { categories: [...model.categories] }),
    ...(model.basePriceUsd === undefined ? {} : { base_price_usd: model.basePriceUsd }),
    ...(model.priceUnit === undefined ? {} : { price_unit: model.priceUnit }),
    ...(withSchema ? { input_schema: { title: "Input schema", ...model.inputSchema } } : {}),
  };
}

export interface ListingQuery {
  readonly limit: number;
  readonly offset: number;
  readonly includeSchema: boolean;
  readonly search?: string;
  readonly category?: string;
  readonly kind?: string;
}

/** The query of `GET /v1/models`, or the problems with it (RunComfy's CLI keeps `limit` in 1–500). */
export function listingQuery(params: URLSearchParams): ListingQuery | { readonly problems: JsonObject[] } {
  const problems: JsonObject[] = [];
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = params.get(name);
    if (raw === null) return fallback;
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isInteger(value) || value < min || value > max) {
      problems.push({
        loc: ["query", name],
        msg: `must be an integer from ${min} to ${max === Number.MAX_SAFE_INTEGER ? "any" : max}`,
        type: "value_error",
      });
      return fallback;
    }
    return value;
  };
  const limit = integer("limit", 100, 1, 500);
  const offset = integer("offset", 0, 0, Number.MAX_SAFE_INTEGER);
  if (problems.length > 0) return { problems };
  const optional = (name: string) => {
    const value = params.get(name)?.trim();
    return value ? { [name]: value } : {};
  };
  return {
    limit,
    offset,
    includeSchema: params.get("include_schema") === "true",
    ...optional("search"),
    ...optional("category"),
    ...optional("kind"),
  };
}

/** One page of the catalog: filtered (search in id or display name, category, kind), sorted by id. */
export function listCatalog(
  catalog: ReadonlyMap<string, CatalogModel>,
  query: ListingQuery,
): { models: JsonObject[]; total: number } {
  const search = query.search?.toLowerCase();
  const matching = [...catalog.values()]
    .filter(
      (model) =>
        (search === undefined ||
          model.modelId.toLowerCase().includes(search) ||
          (model.displayName?.toLowerCase().includes(search) ?? false)) &&
        (query.category === undefined || (model.categories?.includes(query.category) ?? false)) &&
        (query.kind === undefined || model.kind === query.kind),
    )
    .sort((a, b) => (a.modelId < b.modelId ? -1 : a.modelId > b.modelId ? 1 : 0));
  return {
    models: matching
      .slice(query.offset, query.offset + query.limit)
      .map((model) => catalogEntry(model, query.includeSchema)),
    total: matching.length,
  };
}

/** ajv errors → RunComfy-style `detail` items (`loc` like FastAPI, which the docs' `detail` array suggests). */
export function validationDetail(errors: readonly ErrorObject[] | null | undefined): JsonObject[] {
  return (errors ?? []).map((error) => {
    const path = error.instancePath
      .split("/")
      .slice(1)
      .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"));
    if (error.keyword === "required") path.push(String(error.params["missingProperty"]));
    if (error.keyword === "additionalProperties") path.push(String(error.params["additionalProperty"]));
    const message =
      error.keyword === "additionalProperties"
        ? "extra inputs are not permitted"
        : error.keyword === "required"
          ? "field required"
          : (error.message ?? error.keyword);
    return { loc: ["body", ...path], msg: message, type: error.keyword };
  });
}
