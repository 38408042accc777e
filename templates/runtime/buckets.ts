/**
 * Which registry chunk of the generated package lists a model id.
 *
 * The package's root entry must not grow with the catalog, so it does not
 * list model ids: it holds `REGISTRY_BUCKETS` loaders of small registry
 * modules (`registry/NN.js`), and each of those maps the ids that hash to it
 * to a loader of the model's module. Running one model loads the entry, one
 * registry module and the model's module; bundlers split each dynamic
 * `import()` into its own chunk. The generator uses this very function to
 * place ids, so the two always agree.
 */

/** How many registry modules the package has, whatever the number of models. */
export const REGISTRY_BUCKETS = 64;

/** FNV-1a (32 bit) over the id's UTF-16 code units, modulo `REGISTRY_BUCKETS`. */
export function bucketOf(modelId: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < modelId.length; index++) {
    hash ^= modelId.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % REGISTRY_BUCKETS;
}
