/**
 * What a schema file stores from a page or a catalog entry: the locale-free
 * rules, in one place.
 *
 * RunComfy localises some text around the schemas, and the German and
 * Chinese pages of one model must give the same bytes, so:
 * - the root `title` of the input schema ("Eingabeschema", "输入结构",
 *   "Input schema" in the catalog) is dropped;
 * - the output schema keeps its `{"output": {...}}` wrapper but loses every
 *   `description` ("Einzelbild-URL" / "单张图片 URL") and its root titles:
 *   all of that is RunComfy's localised template text;
 * - source URLs lose their locale segment (`/de/`, `/zh-CN/`), query and
 *   fragment;
 * - display name and description never come from pages (pages are
 *   localised, compact pages lack them); the catalog's `display_name` is
 *   English and is stored by `pull`, with its categories, kind and price.
 * Existing `displayName`, `description` and `aliases` are always kept.
 *
 * The catalog publishes no output schema and no example: a file created from
 * the catalog gets RunComfy's documented output contract
 * (`DEFAULT_OUTPUT_SCHEMA`) and says so with an `output-default` source, which
 * a later page with an output schema replaces.
 */
import { GeneratorError } from "../lib/diagnostics.ts";
import { canonicalJson, isJsonObject, own } from "../lib/json.ts";
import type { ModelSource, SchemaFile } from "./schema-file.ts";
import type { JsonObject, JsonValue } from "../lib/json.ts";
import type { ScrapedPage } from "../scrape/scrape-page.ts";

/** What one or more pages say about a model, already locale-free. */
export interface PageContribution {
  readonly modelId: string;
  /** Names of the pages, for messages. */
  readonly pages: readonly string[];
  readonly inputSchema: JsonObject;
  readonly outputSchema?: JsonObject;
  readonly example?: JsonObject;
  readonly sources: readonly ModelSource[];
}

/** A catalog entry (`GET /v1/models`, `GET /v1/models/{model_id}`) as `pull` checked it. */
export interface CatalogModel {
  readonly modelId: string;
  readonly displayName?: string;
  readonly categories?: readonly string[];
  readonly kind?: string;
  readonly basePriceUsd?: number;
  readonly priceUnit?: string;
  readonly inputSchema: JsonObject;
}

/**
 * RunComfy's documented output contract (Model API docs: the result's
 * `output` object holds hosted URLs, `image`/`images`, `video`/`videos`,
 * `audio`/`audios`, one URL or a list): the output schema of a model whose
 * output schema was never published.
 */
export const DEFAULT_OUTPUT_SCHEMA: JsonObject = {
  output: {
    type: "object",
    properties: Object.fromEntries(
      ["image", "video", "audio"].flatMap((kind) => [
        [kind, { type: "string", format: "uri" }],
        [`${kind}s`, { type: "array", items: { type: "string", format: "uri" } }],
      ]),
    ),
  },
};

function without(object: JsonObject, keys: readonly string[]): JsonObject {
  return Object.fromEntries(Object.entries(object).filter(([key]) => !keys.includes(key)));
}

/** The input schema as published, minus its localised root `title`. */
export function localeFreeInputSchema(schema: JsonObject): JsonObject {
  return without(schema, ["title"]);
}

/** Drops `description` from a schema node and every schema below it (`properties`, `items`, …); a property *named* `description` stays. */
function withoutDescriptions(node: JsonValue): JsonValue {
  if (Array.isArray(node)) return node.map(withoutDescriptions);
  if (!isJsonObject(node)) return node;
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "description") continue;
    if (
      (key === "properties" || key === "patternProperties" || key === "$defs" || key === "definitions") &&
      isJsonObject(value)
    ) {
      result[key] = Object.fromEntries(
        Object.entries(value).map(([name, schema]) => [name, withoutDescriptions(schema)]),
      );
    } else if (["items", "prefixItems", "additionalProperties", "anyOf", "oneOf", "allOf", "not"].includes(key)) {
      result[key] = withoutDescriptions(value);
    } else {
      result[key] = value;
    }
  }
  return result;
}

/** The output schema as published (wrapper kept), minus its root titles and every `description`. */
export function localeFreeOutputSchema(schema: JsonObject): JsonObject {
  const output = own(schema, "output");
  if (isJsonObject(output)) {
    return { ...without(schema, ["title", "description"]), output: withoutDescriptions(without(output, ["title"])) };
  }
  return withoutDescriptions(without(schema, ["title"])) as JsonObject;
}

/** A locale tag as RunComfy uses them as the first path segment: `de`, `ja`, `zh-CN`, `zh-TW`, `pt-BR`. */
const LOCALE_SEGMENT = /^[a-z]{2}(?:-(?:[A-Za-z]{2}|[A-Za-z]{4}))?$/i;

/**
 * `https://www.runcomfy.com/de/models/x/api?ref=1#schema` → `https://www.runcomfy.com/models/x/api`.
 * Relative URLs are resolved against `base`; anything that is not http(s) gives `undefined`.
 */
export function localeFreeUrl(url: string, base?: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url, base);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return undefined;
  const segments = parsed.pathname.split("/");
  if (segments[1] !== undefined && LOCALE_SEGMENT.test(segments[1]) && segments.length > 2) segments.splice(1, 1);
  parsed.pathname = segments.join("/");
  parsed.search = "";
  parsed.hash = "";
  return parsed.href;
}

const KIND_ORDER: readonly ModelSource["kind"][] = ["page", "catalog", "output-default"];

/** Union of source lists, de-duplicated, in a fixed order: pages before the catalog, URL-less first, then by URL. */
export function mergeSources(...lists: readonly (readonly ModelSource[])[]): ModelSource[] {
  const unique = new Map<string, ModelSource>();
  for (const source of lists.flat()) unique.set(`${source.kind}\u0000${source.url ?? ""}`, source);
  return [...unique.values()].sort(
    (a, b) =>
      KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
      (a.url === undefined ? -1 : 0) - (b.url === undefined ? -1 : 0) ||
      (a.url ?? "").localeCompare(b.url ?? "", "en"),
  );
}

/**
 * What a scraped page contributes to its model's schema file.
 * @param fetchedUrl the https URL the page was fetched from, if any; the page's own canonical URL wins over it
 */
export function pageContribution(page: ScrapedPage, fetchedUrl?: string): PageContribution {
  const url =
    (page.canonicalUrl === undefined ? undefined : localeFreeUrl(page.canonicalUrl, fetchedUrl)) ??
    (fetchedUrl === undefined ? undefined : localeFreeUrl(fetchedUrl));
  return {
    modelId: page.modelId,
    pages: [page.name],
    inputSchema: localeFreeInputSchema(page.inputSchema),
    ...(page.outputSchema === undefined ? {} : { outputSchema: localeFreeOutputSchema(page.outputSchema) }),
    ...(page.example === undefined ? {} : { example: page.example }),
    sources: [url === undefined ? { kind: "page" } : { kind: "page", url }],
  };
}

/**
 * Several pages of one model (e.g. its German and Chinese pages) in one run.
 * They must agree on what they publish; which of two different schemas is
 * right cannot be decided here, so a disagreement stops the run.
 */
export function combinePages(first: PageContribution, second: PageContribution): PageContribution {
  const disagree = (what: string): never => {
    throw new GeneratorError(
      "page-conflict",
      `pages ${first.pages.join(", ")} and ${second.pages[0]} publish different ${what} for ${first.modelId}; add them in separate runs (the later one wins) or leave one out`,
      { file: second.pages[0]! },
    );
  };
  const merged = (what: string, a: JsonObject | undefined, b: JsonObject | undefined): JsonObject | undefined => {
    if (a !== undefined && b !== undefined && canonicalJson(a) !== canonicalJson(b)) disagree(what);
    return a ?? b;
  };
  const outputSchema = merged("output schemas", first.outputSchema, second.outputSchema);
  const example = merged("example bodies", first.example, second.example);
  return {
    modelId: first.modelId,
    pages: [...first.pages, ...second.pages],
    inputSchema: merged("input schemas", first.inputSchema, second.inputSchema)!,
    ...(outputSchema === undefined ? {} : { outputSchema }),
    ...(example === undefined ? {} : { example }),
    sources: mergeSources(first.sources, second.sources),
  };
}

/** A `SchemaFile` whose optional fields may be given as `undefined`. */
type SchemaFileFields = { readonly [K in keyof SchemaFile]?: SchemaFile[K] | undefined } & Pick<
  SchemaFile,
  "modelId" | "sources" | "inputSchema"
>;

/** Drops `undefined` optional fields (exactOptionalPropertyTypes forbids storing them). */
function schemaFile(fields: SchemaFileFields): SchemaFile {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as unknown as SchemaFile;
}

/**
 * The schema file after adding pages: the page's schemas and example replace
 * the stored ones; what the page lacks (an output schema, an example) is
 * kept, so a compact page never turns a file into a partial one.
 */
export function withPages(existing: SchemaFile | undefined, contribution: PageContribution): SchemaFile {
  // A published output schema replaces the documented default, and the file stops saying it holds the default.
  const kept = (existing?.sources ?? []).filter(
    (source) => contribution.outputSchema === undefined || source.kind !== "output-default",
  );
  return schemaFile({
    modelId: contribution.modelId,
    displayName: existing?.displayName,
    description: existing?.description,
    categories: existing?.categories,
    kind: existing?.kind,
    basePriceUsd: existing?.basePriceUsd,
    priceUnit: existing?.priceUnit,
    sources: mergeSources(kept, contribution.sources),
    aliases: existing?.aliases,
    example: contribution.example ?? existing?.example,
    inputSchema: contribution.inputSchema,
    outputSchema: contribution.outputSchema ?? existing?.outputSchema,
  });
}

/**
 * The schema file after a catalog refresh: input schema, display name,
 * categories, kind and price from the catalog (what it leaves out is kept),
 * everything else kept. When the catalog says nothing new (same content, key
 * order aside) the file is returned as it is, so an unchanged model keeps its
 * bytes and does not even gain a `catalog` source.
 */
export function withCatalogEntry(existing: SchemaFile, entry: CatalogModel): SchemaFile {
  const next = schemaFile({
    ...existing,
    displayName: entry.displayName ?? existing.displayName,
    categories: entry.categories ?? existing.categories,
    kind: entry.kind ?? existing.kind,
    basePriceUsd: entry.basePriceUsd ?? existing.basePriceUsd,
    priceUnit: entry.priceUnit ?? existing.priceUnit,
    inputSchema: localeFreeInputSchema(entry.inputSchema),
  });
  const same = (
    [
      "displayName",
      "categories",
      "kind",
      "basePriceUsd",
      "priceUnit",
      "inputSchema",
    ] as const satisfies readonly (keyof SchemaFile)[]
  ).every(
    (field) =>
      canonicalJson((existing[field] ?? null) as JsonValue) === canonicalJson((next[field] ?? null) as JsonValue),
  );
  if (same) return existing;
  return { ...next, sources: mergeSources(existing.sources, [{ kind: "catalog" }]) };
}

/**
 * A new schema file from a catalog entry: its input schema and metadata,
 * RunComfy's documented output contract as output schema (the catalog
 * publishes none) and no example; `sources` says both.
 */
export function catalogFile(entry: CatalogModel): SchemaFile {
  return schemaFile({
    modelId: entry.modelId,
    displayName: entry.displayName,
    categories: entry.categories,
    kind: entry.kind,
    basePriceUsd: entry.basePriceUsd,
    priceUnit: entry.priceUnit,
    sources: [{ kind: "catalog" }, { kind: "output-default" }],
    inputSchema: localeFreeInputSchema(entry.inputSchema),
    outputSchema: DEFAULT_OUTPUT_SCHEMA,
  });
}
