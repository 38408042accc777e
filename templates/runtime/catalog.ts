/** The model catalog: `GET /v1/models` (listing) and `GET /v1/models/{model_id}` (one entry). */
import type { CallOptions, QueueCalls } from "./calls.js";
import { checkModelId, isObject } from "./calls.js";
import { APIError } from "./errors.js";
import { paths } from "./protocol.js";

/** One model of RunComfy's catalog, as the API sends it (snake_case keys; keys not listed here are kept). */
export interface CatalogEntry {
  /** The model id (`community/wan-2-2/vace-fun`). */
  readonly model_id: string;
  /** The name the catalog shows. */
  readonly display_name?: string;
  /** The model's input JSON Schema (only with `includeSchema: true` on `list`, always on `get`). */
  readonly input_schema?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/** Filters and paging of `catalog.list`; every key is optional (the server's defaults apply), `undefined` is left out. */
export interface CatalogQuery {
  /** Case-insensitive text in the model id or display name. @default none */
  readonly search?: string | undefined;
  /** A catalog category (`video`, `image`, …). @default none */
  readonly category?: string | undefined;
  /** `model`, `workflow`, … @default none */
  readonly kind?: string | undefined;
  /** Models per page (the server caps it). @default the server's page size */
  readonly limit?: number | undefined;
  /** Models to skip, for paging. @default 0 */
  readonly offset?: number | undefined;
  /** Include each model's `input_schema` (bigger pages). @default false */
  readonly includeSchema?: boolean | undefined;
}

/** One page of `catalog.list`. */
export interface CatalogPage {
  /** The models of this page. */
  readonly models: readonly CatalogEntry[];
  /** Models matching the query over all pages, when the server says. */
  readonly total?: number | undefined;
}

/** RunComfy's model catalog (`client.catalog`); any model id, also ones this package has no types for. */
export interface Catalog {
  /** One model's catalog entry (`GET /v1/models/{model_id}`), with its input schema; `InvalidModelError`/`NotFoundError` for an unknown id. */
  get(modelId: string, options?: CallOptions): Promise<CatalogEntry>;
  /** One page of the catalog (`GET /v1/models`), filtered by `query`. */
  list(query?: CatalogQuery, options?: CallOptions): Promise<CatalogPage>;
}

export function createCatalog(calls: Pick<QueueCalls, "send">): Catalog {
  return {
    async get(modelId, callOptions = {}) {
      checkModelId(modelId);
      const body = await calls.send({
        method: "GET",
        path: paths.model(modelId),
        operation: "catalog",
        modelId,
        signal: callOptions.signal,
      });
      if (!isObject(body))
        throw new APIError(`catalog entry of ${modelId} is not a JSON object`, { status: 200, modelId });
      return body as CatalogEntry;
    },
    async list(query = {}, callOptions = {}) {
      const params = new URLSearchParams();
      if (query.search !== undefined) params.set("search", query.search);
      if (query.category !== undefined) params.set("category", query.category);
      if (query.kind !== undefined) params.set("kind", query.kind);
      if (query.limit !== undefined) params.set("limit", String(query.limit));
      if (query.offset !== undefined) params.set("offset", String(query.offset));
      if (query.includeSchema) params.set("include_schema", "true");
      const suffix = params.size > 0 ? `?${params.toString()}` : "";
      const body = await calls.send({
        method: "GET",
        path: `${paths.models}${suffix}`,
        operation: "catalog",
        signal: callOptions.signal,
      });
      // Not an empty page: a listing that is JSON but no object (`[]`, `null`) says so. A body that is not JSON at all
      // (a proxy's or a login page's HTML with status 200) is a ConnectionError of the call itself (http.ts), retried.
      if (!isObject(body)) throw new APIError("catalog page is not a JSON object", { status: 200 });
      return {
        models: Array.isArray(body["models"]) ? (body["models"] as CatalogEntry[]) : [],
        ...(typeof body["total"] === "number" ? { total: body["total"] } : {}),
      };
    },
  };
}
