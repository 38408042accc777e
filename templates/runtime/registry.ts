/**
 * The models a client knows, by id. A registry may hold the models
 * themselves or load each on demand (the generated package's root entry
 * passes one that imports a model's module the first time its id is used,
 * so a bundle carries only the models it runs).
 */
import type { Model } from "./model.js";

/** A model of any id and shape (what `loadModel(id)` gives for an id it only knows at run time). */
/* eslint-disable @typescript-eslint/no-explicit-any -- a model of any input/output shape */
export type AnyModel = Model<string, any, any, any>;
/* eslint-enable @typescript-eslint/no-explicit-any */

/** Looks a model up by id; `undefined` when the id is not one it knows. */
export interface ModelRegistry {
  /** The model of `modelId` (possibly loaded on demand), or `undefined` for an id this registry does not know. */
  load(modelId: string): AnyModel | undefined | Promise<AnyModel | undefined>;
}

/** What `createClient({ models })` accepts. */
export type ModelSource = readonly AnyModel[] | Readonly<Record<string, AnyModel>> | ModelRegistry;

function isRegistry(source: ModelSource): source is ModelRegistry {
  return !Array.isArray(source) && typeof (source as { load?: unknown }).load === "function";
}

/** One lookup over any model source; resolved models are remembered. */
export function createRegistry(source: ModelSource | undefined): {
  /** The model of `modelId`, loading it if needed. */
  resolve(modelId: string): Promise<AnyModel | undefined>;
  /** The model of `modelId` if it is already known (no loading). */
  peek(modelId: string): AnyModel | undefined;
} {
  const known = new Map<string, AnyModel>();
  let loader: ModelRegistry | undefined;
  if (source !== undefined && isRegistry(source)) loader = source;
  else if (source !== undefined) {
    for (const model of Array.isArray(source) ? source : Object.values(source)) known.set(model.id, model);
  }
  return {
    async resolve(modelId) {
      const cached = known.get(modelId);
      if (cached || !loader) return cached;
      const model = await loader.load(modelId);
      if (model) known.set(modelId, model);
      return model;
    },
    peek: (modelId) => known.get(modelId),
  };
}
