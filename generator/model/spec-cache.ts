/**
 * Normalised models and their README sections, kept between runs so that one
 * edited schema among a thousand is the only one parsed, normalised and
 * printed again. An entry is keyed by the schema file's path, the SHA-256 of
 * its bytes and the normalisation rules, and the whole cache by the
 * generator fingerprint (generator sources, templates, lockfile, tools): a
 * model is taken from it only when the same generator built it from the same
 * bytes, so its spec is the one normalising would return. Kept outside the
 * repository (`node_modules/.cache/`, V8's serialisation); a missing, foreign
 * or unreadable cache only costs the work it would have saved.
 */
import { readFile } from "node:fs/promises";
import { deserialize, serialize } from "node:v8";
import type { ModelSpec } from "./types.ts";
import { writeFileAtomic } from "../lib/files.ts";

/**
 * One model, as stored: V8's serialisation of its spec (specs hold properties set to undefined, which JSON would
 * drop), deserialised only when used, and kept as these bytes by a run that does not change it.
 */
interface Stored {
  readonly modelId: string;
  readonly v8: Uint8Array;
  readonly section?: string;
  /** The spec's keys in order, and the values of the `HEAD` keys: a spec whose other keys nobody reads is not deserialised. */
  readonly keys: readonly string[];
  readonly head: Readonly<Record<string, unknown>>;
}

/**
 * What a run reads of every model, also of those it does not emit: names and type names (the package files, the
 * type-name check), warnings (the manifest and the report), provenance (the release plan and the unit keys).
 */
const HEAD = new Set(["id", "names", "types", "warnings", "sourceHash", "schemaFile"]);

interface Entry {
  stored: Stored;
  spec?: ModelSpec;
  section?: string;
}

interface StoredCache {
  readonly version: 4;
  readonly fingerprint: string;
  readonly entries: Map<string, Stored>;
}

export interface SpecCache {
  /** The model id of a schema file that parsed before (same path, bytes and rules). */
  modelId(file: string, sourceHash: string, rules: number): string | undefined;
  /**
   * The spec normalised before from the same file, bytes and rules, under the same names; undefined otherwise. Its
   * `HEAD` properties are there at once, the others are deserialised when first read (`normalize` makes the spec
   * instead should the stored bytes turn out to be damaged).
   */
  spec(
    file: string,
    sourceHash: string,
    rules: number,
    names: ModelSpec["names"],
    normalize: () => ModelSpec,
  ): ModelSpec | undefined;
  /** Records a spec normalised now. */
  set(spec: ModelSpec, rules: number): void;
  /** The README section printed before for exactly this (cached) spec. */
  section(spec: ModelSpec): string | undefined;
  /** Records the README section of a spec of this run. */
  setSection(spec: ModelSpec, section: string): void;
  /** Stores the entries of this run's models (best effort); entries of files no longer used are dropped. */
  save(): Promise<void>;
}

const key = (file: string, sourceHash: string, rules: number) => `${rules}\u0000${file}\u0000${sourceHash}`;

function sameNames(a: ModelSpec["names"], b: ModelSpec["names"]): boolean {
  return a.modulePath === b.modulePath && a.typeName === b.typeName;
}

/**
 * A spec with the stored keys in their order: the `HEAD` ones as plain values, the others as getters that deserialise
 * the whole stored spec the first time one is read (or normalise the file again if those bytes are damaged). Spreading,
 * cloning or serialising it reads every key, so it behaves as the spec it stands for.
 */
function lazySpec(stored: Stored, normalize: () => ModelSpec): ModelSpec {
  let full: ModelSpec | undefined;
  const load = (): ModelSpec => {
    if (full === undefined) {
      try {
        const parsed = deserialize(stored.v8) as unknown;
        full = parsed !== null && typeof parsed === "object" ? (parsed as ModelSpec) : normalize();
      } catch {
        full = normalize();
      }
    }
    return full;
  };
  const spec: Record<string, unknown> = {};
  for (const name of stored.keys) {
    if (HEAD.has(name)) spec[name] = stored.head[name];
    else
      Object.defineProperty(spec, name, {
        enumerable: true,
        configurable: true,
        get: () => load()[name as keyof ModelSpec],
      });
  }
  return spec as unknown as ModelSpec;
}

/**
 * The cache stored in `file` for this generator `fingerprint` (empty when missing, corrupt or another generator's;
 * empty too unless `read`: the run then only records).
 */
export async function openSpecCache(file: string, fingerprint: string, read = true): Promise<SpecCache> {
  let known = new Map<string, Stored>();
  if (read) {
    try {
      const stored = deserialize(await readFile(file)) as Partial<StoredCache>;
      if (stored.version === 4 && stored.fingerprint === fingerprint && stored.entries instanceof Map)
        known = stored.entries;
    } catch {
      // No cache yet, or not one this generator can read.
    }
  }
  const used = new Map<string, Entry>();
  const bySpec = new WeakMap<ModelSpec, Entry>();
  let changed = false;
  const storedEntry = (id: string): Stored | undefined => {
    const stored = known.get(id);
    return stored &&
      typeof stored === "object" &&
      typeof stored.modelId === "string" &&
      stored.v8 instanceof Uint8Array &&
      Array.isArray(stored.keys) &&
      stored.keys.every((key) => typeof key === "string") &&
      stored.head !== null &&
      typeof stored.head === "object" &&
      [...HEAD].every((key) => Object.hasOwn(stored.head, key))
      ? stored
      : undefined;
  };
  return {
    modelId(file, sourceHash, rules) {
      return storedEntry(key(file, sourceHash, rules))?.modelId;
    },
    spec(file, sourceHash, rules, names, normalize) {
      const id = key(file, sourceHash, rules);
      const stored = storedEntry(id);
      const head = stored?.head as Partial<ModelSpec> | undefined;
      if (!stored || !head?.names || !sameNames(head.names, names) || head.sourceHash !== sourceHash) return undefined;
      // Damaged stored bytes: the spec is normalised again, and stored again.
      const spec = lazySpec(stored, () => {
        const made = normalize();
        entry.stored = { ...stored, v8: serialize(made) };
        changed = true;
        return made;
      });
      const entry: Entry = { stored, spec, ...(typeof stored.section === "string" ? { section: stored.section } : {}) };
      used.set(id, entry);
      bySpec.set(spec, entry);
      return spec;
    },
    set(spec, rules) {
      const keys = Object.keys(spec);
      const head = Object.fromEntries(
        keys.filter((name) => HEAD.has(name)).map((name) => [name, spec[name as keyof ModelSpec]]),
      );
      const entry: Entry = { stored: { modelId: spec.id, v8: serialize(spec), keys, head }, spec };
      used.set(key(spec.schemaFile, spec.sourceHash, rules), entry);
      bySpec.set(spec, entry);
      changed = true;
    },
    section(spec) {
      return bySpec.get(spec)?.section;
    },
    setSection(spec, section) {
      const entry = bySpec.get(spec);
      if (!entry || entry.section === section) return;
      entry.section = section;
      changed = true;
    },
    async save() {
      if (!changed && used.size === known.size) return;
      const entries = new Map<string, Stored>();
      for (const [id, entry] of used) {
        const { section: _, ...stored } = entry.stored;
        entries.set(id, entry.section === undefined ? stored : { ...stored, section: entry.section });
      }
      try {
        await writeFileAtomic(file, serialize({ version: 4, fingerprint, entries } satisfies StoredCache));
      } catch {
        // An optimisation only.
      }
    },
  };
}
