/** The model catalog: `GET /v1/models` (listing) and `GET /v1/models/{model_id}` (one entry). */
import type { CallOptions, QueueCalls } from "./calls.js";
import { checkModelId, isObject } from "./calls.js";
import { APIError } from "./errors.js";
import { paths } from "./protocol.js";

export interface CatalogEntry {
  readonly model_id: string;
  readonly display_name?: string;
  readonly input_schema?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

export interface CatalogQuery {
  /** Case-insensitive text in the model id or display name. */
  readonly search?: string;
  readonly category?: string;
  /** `model`, `workflow`, … */
  readonly kind?: string;
  readonly limit?: number;
  readonly offset?: number;
  readonly includeSchema?: boolean;
}

export interface CatalogPage {
  readonly models: readonly CatalogEntry[];
  readonly total?: number | undefined;
}

export interface Catalog {
  get(modelId: string, options?: CallOptions): Promise<CatalogEntry>;
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
      if (!isObject(body)) throw new APIError(`catalog entry of ${modelId} is not an object`, { status: 200, modelId });
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
      const raw = isObject(body) ? body : {};
      return {
        models: Array.isArray(raw["models"]) ? (raw["models"] as CatalogEntry[]) : [],
        ...(typeof raw["total"] === "number" ? { total: raw["total"] } : {}),
      };
    },
  };
}
