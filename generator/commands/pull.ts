/**
 * `pull`: schema files from the Model API catalog, then regenerate.
 *
 * - `pull [model ids...]` refreshes the named models (default: every
 *   checked-in one) from `GET /v1/models/{model_id}`; a named model that is
 *   not checked in yet is created from its catalog entry.
 * - `pull --all [ids or globs...]` lists the catalog
 *   (`GET /v1/models?include_schema=true`, 500 a page, until `total`),
 *   optionally filtered by the server (`--search`, `--category`, `--kind`)
 *   and locally (ids, `*` within a segment, `**` across segments). It creates
 *   a file for every listed model that is not checked in, refreshes the ones
 *   that are, and reports checked-in models the listing no longer has, as far
 *   as the listing can tell (all of them for a full listing, those matching
 *   the globs, none under a server-side filter): they are kept and reported as
 *   `model-removed`, or deleted with `--prune`.
 *
 * The catalog publishes the input schema, display name, categories, kind and
 * price, but no output schema and no example: a created file gets RunComfy's
 * documented output contract (`to-schema-file.ts`). Calls go through the
 * generated client's own runtime (one HTTP engine: auth, retries, error
 * mapping). All or nothing: every page is fetched and checked, and every
 * file checked with all other schema files, before the first write or
 * delete; a catalog that misbehaves (a page that repeats entries, a `total`
 * that changes, a page with no entries before `total`) stops the run.
 */
import { mapLimit } from "../lib/concurrency.ts";
import { GeneratorError, GeneratorErrors, generatorProblems } from "../lib/diagnostics.ts";
import { generate, type GenerateReport } from "../package/generate.ts";
import { isJsonObject, preview, type JsonObject, type JsonValue } from "../lib/json.ts";
import { buildReport } from "../drift/report.ts";
import type { DriftReport, Finding } from "../drift/types.ts";
import type { SchemaFile } from "../schemas/schema-file.ts";
import { commitSchemaFiles, nothingWritten, type SchemaUpdate } from "./commit.ts";
import { readStoredSchemas, storedSchemaOf, type StoredSchemas } from "../schemas/store.ts";
import { catalogFile, withCatalogEntry, type CatalogModel } from "../schemas/to-schema-file.ts";
import { checkModelId } from "../lib/model-id.ts";
import type { CatalogEntry, CatalogPage, CatalogQuery } from "../../templates/runtime/catalog.ts";
import { createClient, type Client } from "../../templates/runtime/client.ts";
import { RunComfyError } from "../../templates/runtime/errors.ts";
import { BASE_URL_ENV_VAR, TOKEN_ENV_VARS } from "../../templates/runtime/protocol.ts";

export interface PullOptions {
  /** Project root (holds schemas/ and generated/). */
  readonly root: string;
  /**
   * Models to pull. Without `all`: model ids (default: every checked-in
   * model). With `all`: ids or globs that filter the listing locally.
   */
  readonly modelIds?: readonly string[];
  /** List the whole catalog (filtered by `search`, `category`, `kind` and `modelIds`). */
  readonly all?: boolean;
  /** Server-side filters of the listing (`--all` only). */
  readonly search?: string;
  readonly category?: string;
  readonly kind?: string;
  /** Delete checked-in models the listing no longer has (`--all` only). @default false (kept and reported) */
  readonly prune?: boolean;
  /** API origin. @default `RUNCOMFY_MODEL_API_BASE`, then https://model-api.runcomfy.net */
  readonly baseUrl?: string;
  /** API token. @default `RUNCOMFY_API_TOKEN`, then `RUNCOMFY_TOKEN` */
  readonly token?: string;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Regenerate generated/ afterwards. @default true */
  readonly generate?: boolean;
  /** Called after every catalog page (`--all`) or entry: models read so far, and of how many. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Entries per listing page. @default PAGE_SIZE (500, the most the catalog serves); smaller only to test paging */
  readonly pageSize?: number;
}

export interface PullReport {
  /** The base URL the catalog was read from. */
  readonly baseUrl: string;
  readonly models: readonly SchemaUpdate[];
  /** Checked-in models the listing no longer has, kept (without `prune`; with it they are in `models` as removed). */
  readonly kept: readonly string[];
  /** Ids and globs given with `--all` that matched no listed model. */
  readonly unmatched: readonly string[];
  /**
   * Which checked-in models the listing could judge: `all` (an unfiltered
   * listing), `matching` (those matching the globs), `none` (a server-side
   * filter hides the rest), `named` (no listing: `pull <ids>`).
   */
  readonly removalScope: "all" | "matching" | "none" | "named";
  /** What changed for users of the generated package (see `generator/drift/`); kept removals included. */
  readonly drift?: DriftReport;
  readonly generate?: GenerateReport;
}

const CONCURRENCY = 4;
/** The largest page RunComfy's catalog serves (its CLI caps `limit` at 500). */
export const PAGE_SIZE = 500;
/** What the drift report says of a checked-in model the catalog no longer lists. */
export const KEPT_TEXT = "no longer listed by the catalog; kept, run with --prune to remove";

function envValue(name: string): string | undefined {
  const value = process.env[name]?.trim();
  return value ? value : undefined;
}

function catalogClient(options: PullOptions): Client {
  const token = options.token ?? TOKEN_ENV_VARS.map(envValue).find((value) => value !== undefined);
  if (token === undefined)
    throw new GeneratorError(
      "pull-token",
      `no API token: pass --token or set ${TOKEN_ENV_VARS.join(" or ")} (nothing was sent)`,
    );
  try {
    return createClient({
      token,
      baseUrl: options.baseUrl ?? envValue(BASE_URL_ENV_VAR),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  } catch (error) {
    if (error instanceof RunComfyError) throw new GeneratorError("pull-config", error.message);
    throw error;
  }
}

/** The runtime's message, plus what it wraps (`fetch failed` alone does not say ECONNREFUSED or "bad port"). */
function failureText(error: RunComfyError): string {
  let innermost: string | undefined;
  for (
    let cause: unknown = error.cause;
    typeof cause === "object" && cause !== null;
    cause = (cause as { cause?: unknown }).cause
  ) {
    const { code, message } = cause as { code?: unknown; message?: unknown };
    if (typeof code === "string") return `${error.message} (${code})`;
    if (typeof message === "string") innermost = message;
  }
  return innermost === undefined || error.message.includes(innermost)
    ? error.message
    : `${error.message} (${innermost})`;
}

async function catalogCall<T>(call: () => Promise<T>, where: { model?: string; what: string }): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof RunComfyError)
      throw new GeneratorError("catalog", `catalog call failed (${where.what}): ${failureText(error)}`, {
        ...(where.model === undefined ? {} : { model: where.model }),
      });
    throw error;
  }
}

// ── Globs ───────────────────────────────────────────────────────────────────

/** A glob (`kling/*`, `**\/image-to-video`) rather than an exact id. */
export function isGlob(pattern: string): boolean {
  return pattern.includes("*");
}

function segmentPattern(segment: string): RegExp {
  return new RegExp(
    `^${segment
      .split("*")
      .map((text) => text.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
}

function matchSegments(pattern: readonly string[], id: readonly string[]): boolean {
  if (pattern.length === 0) return id.length === 0;
  const [head, ...rest] = pattern;
  if (head === "**") {
    for (let skip = 0; skip <= id.length; skip++) if (matchSegments(rest, id.slice(skip))) return true;
    return false;
  }
  return id.length > 0 && segmentPattern(head!).test(id[0]!) && matchSegments(rest, id.slice(1));
}

/**
 * Whether `id` matches a model-id glob: `*` within one segment, `**` any
 * number of segments (also none). As in `.gitignore`, a glob that matches a
 * leading part of an id matches the id: `kling/*` is every kling model.
 */
export function globMatches(glob: string, id: string): boolean {
  const pattern = glob.split("/");
  const segments = id.split("/");
  for (let length = segments.length; length >= 1; length--)
    if (matchSegments(pattern, segments.slice(0, length))) return true;
  return false;
}

function matcher(patterns: readonly string[]): (id: string) => boolean {
  const exact = new Set(patterns.filter((pattern) => !isGlob(pattern)));
  const globs = patterns.filter(isGlob);
  return (id) => exact.has(id) || globs.some((glob) => globMatches(glob, id));
}

// ── Catalog answers ─────────────────────────────────────────────────────────

function optionalText(entry: CatalogEntry, field: string, fail: (message: string) => undefined): string | undefined {
  const value = entry[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") return fail(`"${field}" must be a string, got ${JSON.stringify(value)}`);
  const text = value.trim();
  return text === "" ? undefined : text;
}

/**
 * A catalog entry checked field by field; every problem names the model and the field, and all problems of one entry
 * are reported together (`GeneratorErrors` when there are several).
 */
export function catalogModel(entry: unknown, where: string, expected?: string): CatalogModel {
  const label = isJsonObject(entry) && typeof entry["model_id"] === "string" ? entry["model_id"] : expected;
  const problems: GeneratorError[] = [];
  const fail = (message: string): undefined => {
    problems.push(
      new GeneratorError("catalog-entry", `catalog entry ${where}: ${message}`, {
        ...(label === undefined ? {} : { model: label }),
      }),
    );
    return undefined;
  };
  const done = (): never => {
    throw problems.length === 1 ? problems[0]! : new GeneratorErrors(problems);
  };
  if (!isJsonObject(entry)) return (fail(`must be an object, got ${preview(entry as JsonValue, 60)}`), done());
  const raw = entry as CatalogEntry;
  const modelId = raw["model_id"];
  if (typeof modelId !== "string") return (fail(`"model_id" must be a string`), done());
  if (expected !== undefined && modelId !== expected) fail(`answered with model ${JSON.stringify(modelId)}`);
  try {
    checkModelId(modelId);
  } catch (error) {
    fail(`"model_id": ${(error as Error).message}`);
  }
  const inputSchema = raw["input_schema"];
  if (!isJsonObject(inputSchema) || !isJsonObject(inputSchema["properties"]))
    fail('has no "input_schema" with "properties" (was include_schema=true honoured?)');
  const categories = raw["categories"];
  if (
    categories !== undefined &&
    categories !== null &&
    (!Array.isArray(categories) || categories.some((category) => typeof category !== "string" || !category.trim()))
  )
    fail(`"categories" must be an array of non-empty strings, got ${JSON.stringify(categories)}`);
  const price = raw["base_price_usd"];
  if (price !== undefined && price !== null && (typeof price !== "number" || !Number.isFinite(price) || price < 0))
    fail(`"base_price_usd" must be a number of US dollars, 0 or more, got ${JSON.stringify(price)}`);
  const displayName = optionalText(raw, "display_name", fail);
  const kind = optionalText(raw, "kind", fail);
  const priceUnit = optionalText(raw, "price_unit", fail);
  if (problems.length > 0) done();
  return {
    modelId,
    ...(displayName === undefined ? {} : { displayName }),
    ...(Array.isArray(categories) ? { categories: categories as string[] } : {}),
    ...(kind === undefined ? {} : { kind }),
    ...(typeof price === "number" ? { basePriceUsd: price } : {}),
    ...(priceUnit === undefined ? {} : { priceUnit }),
    inputSchema: inputSchema as JsonObject,
  };
}

/**
 * Every entry of a listing, page by page. The catalog must behave: each page
 * carries the same integer `total`, no entry twice, and at least one new
 * entry until `total` is reached.
 */
export async function listCatalog(
  client: Client,
  query: Pick<CatalogQuery, "search" | "category" | "kind">,
  onPage?: (done: number, total: number) => void,
  pageSize: number = PAGE_SIZE,
): Promise<unknown[]> {
  const entries: unknown[] = [];
  const seen = new Set<string>();
  let total: number | undefined;
  for (let offset = 0, pages = 0; total === undefined || offset < total; pages++) {
    const page: CatalogPage = await catalogCall(
      () => client.catalog.list({ ...query, includeSchema: true, limit: pageSize, offset }),
      { what: `GET /v1/models at offset ${offset}` },
    );
    const fail = (message: string): never => {
      throw new GeneratorError("catalog-listing", `catalog page at offset ${offset}: ${message}`);
    };
    if (typeof page.total !== "number" || !Number.isInteger(page.total) || page.total < 0)
      fail('has no "total" (a whole number of models)');
    if (total !== undefined && page.total !== total)
      fail(`"total" changed from ${total} to ${page.total} between pages (the catalog changed while it was read)`);
    total = page.total!;
    if (page.models.length === 0 && offset < total)
      fail(`has no entries, but ${total - offset} of ${total} models are still to come`);
    if (page.models.length > pageSize) fail(`has ${page.models.length} entries, more than the ${pageSize} asked for`);
    for (const entry of page.models) {
      const id = isJsonObject(entry) && typeof entry["model_id"] === "string" ? entry["model_id"] : undefined;
      if (id !== undefined && seen.has(id))
        fail(`lists ${JSON.stringify(id)} again (the catalog repeats entries across pages)`);
      if (id !== undefined) seen.add(id);
      entries.push(entry);
    }
    offset += page.models.length;
    if (offset > total) fail(`brings the listing to ${offset} entries, more than its "total" of ${total}`);
    // Each page must bring a new entry, so this bound is never reached by a catalog that keeps its word.
    if (pages > total) fail("the listing does not end");
    onPage?.(offset, total);
  }
  return entries;
}

// ── The command ─────────────────────────────────────────────────────────────

/** The drift report with one `model-removed` finding per kept model. */
function withKept(report: DriftReport | undefined, kept: readonly string[], labels: { base: string; head: string }) {
  if (kept.length === 0) return report;
  const findings: Finding[] = [
    ...(report?.changes ?? []),
    ...kept.map((model): Finding => ({
      rule: "model-removed",
      model,
      key: null,
      previousKey: null,
      alias: null,
      previousAlias: null,
      path: "",
      text: KEPT_TEXT,
    })),
  ];
  return buildReport(
    findings.map(({ rule, model, key, previousKey, alias, previousAlias, path, text }) => ({
      rule,
      model,
      key,
      previousKey,
      alias,
      previousAlias,
      path,
      text,
    })),
    report?.base ?? labels.base,
    report?.head ?? labels.head,
  );
}

/** `pull <ids>`: each named model (default: every checked-in one) from `GET /v1/models/{id}`. */
async function pullNamed(client: Client, stored: StoredSchemas, options: PullOptions): Promise<SchemaFile[]> {
  const requested = options.modelIds?.length ? [...new Set(options.modelIds)] : [...stored.byId.keys()];
  if (requested.length === 0)
    throw new GeneratorError(
      "pull-nothing",
      "no checked-in schema files to refresh (schemas/ is empty): name models to create, or list the catalog with --all",
    );
  const problems: GeneratorError[] = [];
  const targets: { modelId: string; existing?: SchemaFile }[] = [];
  for (const modelId of requested) {
    try {
      checkModelId(modelId);
      const found = storedSchemaOf(stored, modelId, requested);
      targets.push(found.file ? { modelId, existing: found.file } : { modelId });
    } catch (error) {
      problems.push(...generatorProblems(error)); // an invalid id, or a file there that does not parse: each names itself
    }
  }
  if (problems.length > 0) throw nothingWritten(problems);
  let done = 0;
  const results = await mapLimit(targets, CONCURRENCY, async ({ modelId, existing }) => {
    const entry = await catalogCall(() => client.catalog.get(modelId), { model: modelId, what: "GET /v1/models/{id}" });
    options.onProgress?.(++done, targets.length);
    const model = catalogModel(entry, `of ${modelId}`, modelId);
    return existing ? withCatalogEntry(existing, model) : catalogFile(model);
  });
  const files: SchemaFile[] = [];
  for (const result of results) {
    if (result.status === "rejected") problems.push(...generatorProblems(result.reason));
    else files.push(result.value);
  }
  if (problems.length > 0) throw nothingWritten(problems);
  return files;
}

export async function pullSchemas(options: PullOptions): Promise<PullReport> {
  const serverFilter = options.search !== undefined || options.category !== undefined || options.kind !== undefined;
  if (!options.all && (serverFilter || options.prune))
    throw new GeneratorError("pull-usage", "--search, --category, --kind and --prune need --all (a catalog listing)");
  if (!options.all && options.modelIds?.some(isGlob))
    throw new GeneratorError("pull-usage", "globs filter a listing: add --all to match ids against the catalog");
  const stored = await readStoredSchemas(options.root);
  const client = catalogClient(options);
  const labels = { base: "schemas/", head: `catalog ${client.baseUrl}` };

  if (!options.all) {
    const files = await pullNamed(client, stored, options);
    const { updates, drift } = await commitSchemaFiles(options.root, files, labels);
    const report: PullReport = {
      baseUrl: client.baseUrl,
      models: updates,
      kept: [],
      unmatched: [],
      removalScope: "named",
      ...(drift === undefined ? {} : { drift }),
    };
    return options.generate === false ? report : { ...report, generate: await generate({ root: options.root }) };
  }

  const patterns = options.modelIds ?? [];
  for (const pattern of patterns.filter((pattern) => !isGlob(pattern))) {
    try {
      checkModelId(pattern);
    } catch (error) {
      throw new GeneratorError("pull-usage", (error as Error).message);
    }
  }
  const wanted = patterns.length > 0 ? matcher(patterns) : () => true;
  const query = {
    ...(options.search === undefined ? {} : { search: options.search }),
    ...(options.category === undefined ? {} : { category: options.category }),
    ...(options.kind === undefined ? {} : { kind: options.kind }),
  };
  let listed: unknown[];
  try {
    listed = await listCatalog(client, query, options.onProgress, options.pageSize);
  } catch (error) {
    throw nothingWritten(generatorProblems(error));
  }

  // Check every entry (each problem names its model and field), then build every file.
  const problems: GeneratorError[] = [];
  const models: CatalogModel[] = [];
  listed.forEach((entry, index) => {
    try {
      const model = catalogModel(entry, `#${index + 1} of the listing`);
      if (wanted(model.modelId)) models.push(model);
    } catch (error) {
      problems.push(...generatorProblems(error));
    }
  });
  const listedIds = new Set(models.map((model) => model.modelId));
  const files: SchemaFile[] = [];
  for (const model of models) {
    try {
      const found = storedSchemaOf(stored, model.modelId, listedIds);
      files.push(found.file ? withCatalogEntry(found.file, model) : catalogFile(model));
    } catch (error) {
      problems.push(...generatorProblems(error));
    }
  }
  if (problems.length > 0) throw nothingWritten(problems);

  const removalScope = serverFilter ? "none" : patterns.length > 0 ? "matching" : "all";
  const gone = removalScope === "none" ? [] : [...stored.byId.keys()].filter((id) => wanted(id) && !listedIds.has(id));
  const { updates, drift } = await commitSchemaFiles(options.root, files, labels, options.prune ? gone : []);
  const kept = options.prune ? [] : gone;
  const fullDrift = withKept(drift, kept, labels);
  const report: PullReport = {
    baseUrl: client.baseUrl,
    models: updates,
    kept,
    unmatched: patterns.filter((pattern) => !models.some((model) => matcher([pattern])(model.modelId))),
    removalScope,
    ...(fullDrift === undefined ? {} : { drift: fullDrift }),
  };
  return options.generate === false ? report : { ...report, generate: await generate({ root: options.root }) };
}
