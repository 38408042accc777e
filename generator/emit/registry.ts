/**
 * Which registry module of the package lists a model (`registry/NN.js`, placed by `bucketOf` of the runtime, so the
 * two always agree). Kept apart from the printers: the generate job groups models by bucket to key each registry
 * module's unit without loading any emitter.
 */
import type { ModelSpec } from "../model/types.ts";
import { bucketOf, REGISTRY_BUCKETS } from "../../templates/runtime/buckets.ts";

/** `07`: a bucket's two-digit name, in its files (`registry/07.js`, `types/07.d.ts`) and its units (`registry:07`). */
export function bucketName(bucket: number): string {
  return String(bucket).padStart(2, "0");
}

/** `registry/07.js`: the registry module of one bucket (see `templates/runtime/buckets.ts`). */
export function registryPath(bucket: number): string {
  return `registry/${bucketName(bucket)}.js`;
}

/** The models of each registry bucket, in model order; every bucket is listed, also an empty one. */
export function registryBuckets(specs: readonly ModelSpec[]): ModelSpec[][] {
  const buckets: ModelSpec[][] = Array.from({ length: REGISTRY_BUCKETS }, () => []);
  for (const spec of specs) buckets[bucketOf(spec.id)]!.push(spec);
  return buckets;
}

/** `types/07.js`: the module specifier of a bucket's types (`types/07.d.ts`, declarations only; see `typesPath`). */
export function typesModule(bucket: number): string {
  return `types/${bucketName(bucket)}.js`;
}

/** `types/07.d.ts`: the type declarations of the models of one registry bucket, and its part of `ModelMap`. */
export function typesPath(bucket: number): string {
  return `types/${bucketName(bucket)}.d.ts`;
}
