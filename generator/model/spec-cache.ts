/**
 * Normalised models and their type declarations, kept between runs so that one
 * edited schema among a thousand is the only one parsed, normalised and
 * printed again. An entry is keyed by the schema file's path, the SHA-256 of
 * its bytes and the normalisation rules, and the whole cache by the
 * generator fingerprint (generator sources, templates, lockfile, tools): a
 * model is taken from it only when the same generator built it from the same
 * bytes, so its spec is the one normalising would return. Kept outside the
 * repository (`node_modules/.cache/`); a missing, foreign or unreadable cache
 * only costs the work it would have saved.
 *
 * Two files, so that adding one model among a thousand neither reads nor
 * rewrites megabytes:
 * - `<base>.index`: a text file, one line of JSON per model (model id, the
 *   spec's head, where its spec and its printed declarations lie in the data file),
 *   a line for the last run's model names, and a first line with the
 *   generator fingerprint and the SHA-256 of the rest (a damaged index is a
 *   miss as a whole). JSON because V8 parses it several times faster than
 *   it deserialises the same objects; the head's maps (type names) are
 *   written as lists of entries, and a head that JSON would not give back
 *   exactly (a property set to undefined) is not stored. A record a run does
 *   not change is written back as the line it was read as, so a record is
 *   parsed only when it is used. Rewritten whole (through a rename) by a run
 *   that changes anything: it is about a tenth of the cache.
 * - `<base>.data`: the specs and declarations themselves, appended to and never
 *   rewritten in place. Each is found by its offset and checked by its length
 *   and SHA-256 before it is used, so a truncated, overwritten or foreign data
 *   file gives a cache miss (the model is normalised again), never a wrong
 *   spec. When more than half of it is no longer referenced, a save writes it
 *   anew with the live entries only.
 */
import { appendFileSync, closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { deserialize, serialize } from "node:v8";
import type { NamingMemo } from "./naming.ts";
import type { ModelSpec } from "./types.ts";
import { writeFileAtomic } from "../lib/files.ts";
import { sha256 } from "../lib/json.ts";
import { measure } from "../lib/profile.ts";

/** Where a blob (a spec's bytes, printed declarations' UTF-8) lies in the data file: offset, length, SHA-256 of its bytes. */
type BlobRef = readonly [offset: number, length: number, sha: string];

/** One model's index record. */
interface IndexRecord {
  readonly modelId: string;
  /** The spec's keys in order, and the values of the `HEAD` keys: a spec whose other keys nobody reads is not loaded. */
  readonly keys: readonly string[];
  readonly head: Readonly<{ [key: string]: unknown }>;
  readonly spec: BlobRef;
  readonly printed?: BlobRef;
}

/** What the index file starts with (then a tab, the fingerprint, a tab and the SHA-256 of the lines that follow). */
const INDEX_MAGIC = "runcomfy-codegen spec index 8";

/** The head's values as JSON: the maps of `types` as lists of entries. */
function encodeHead(head: Readonly<{ [key: string]: unknown }>): { [key: string]: unknown } {
  const types = head["types"] as { [key: string]: unknown } | undefined;
  if (types === null || typeof types !== "object") return { ...head };
  const encoded: { [key: string]: unknown } = {};
  for (const [name, value] of Object.entries(types)) encoded[name] = value instanceof Map ? [...value] : value;
  return { ...head, types: encoded };
}

/** `encodeHead` undone; undefined when the maps of `types` are not lists of pairs. */
function decodeHead(head: { [key: string]: unknown }): { [key: string]: unknown } | undefined {
  const types = head["types"] as { [key: string]: unknown } | undefined;
  if (types === null || typeof types !== "object") return undefined;
  for (const name of TYPE_MAPS) {
    const entries = types[name];
    if (!Array.isArray(entries) || !entries.every((entry) => Array.isArray(entry) && entry.length === 2))
      return undefined;
    types[name] = new Map(entries as [unknown, unknown][]);
  }
  return head;
}

/** The maps of `ModelTypeNames`. */
const TYPE_MAPS = ["sizes", "labels", "enums", "nested"] as const;

/** A record's line of the index, or undefined when JSON would not give its head back exactly. */
function recordLine(id: string, record: IndexRecord): string | undefined {
  const json = JSON.stringify({ ...record, head: encodeHead(record.head) });
  const back = decodeHead((JSON.parse(json) as IndexRecord & { head: { [key: string]: unknown } }).head);
  if (!isDeepStrictEqual(back, record.head)) return undefined;
  return `${JSON.stringify(id)}\t${json}`;
}

/** The naming memo as JSON (its maps as lists of entries), and back. */
function encodeNaming(memo: NamingMemo): string {
  return JSON.stringify([[...memo.names], [...memo.readable], [...memo.keys]]);
}
function decodeNaming(text: string): NamingMemo | undefined {
  const parsed = JSON.parse(text) as unknown;
  const pairs = (value: unknown): value is [unknown, unknown][] =>
    Array.isArray(value) && value.every((entry) => Array.isArray(entry) && entry.length === 2);
  if (!Array.isArray(parsed) || parsed.length !== 3 || !parsed.every(pairs)) return undefined;
  const [names, readable, keys] = parsed as [
    [string, NamingMemo["names"] extends ReadonlyMap<string, infer V> ? V : never][],
    [string, number][],
    [string, readonly [string, number]][],
  ];
  return { names: new Map(names), readable: new Map(readable), keys: new Map(keys) };
}

/**
 * What a run reads of every model, also of those it does not emit: names and type names (the package files, the
 * type-name check), warnings (the manifest and the report), provenance (the release plan and the unit keys), the
 * display name (the README's list of models). `displayName` is optional: a head holds it when the spec does.
 */
const HEAD = new Set(["id", "names", "types", "warnings", "sourceHash", "schemaFile", "displayName"]);
const OPTIONAL_HEAD = new Set(["displayName"]);

/** One model of this run: the record it was read as (kept as its bytes when nothing changes), or what replaces it. */
interface Entry {
  /** The record as read, and its line of the index; undefined for a spec normalised now. */
  read?: { record: IndexRecord; line: string };
  modelId: string;
  keys: readonly string[];
  head: Readonly<{ [key: string]: unknown }>;
  /** Where the spec lies, or its bytes still to be appended. */
  spec: BlobRef | Uint8Array;
  /**
   * Where the model's printed texts lie, or what to append: its type declarations, as JSON after its `printedOwner`
   * line.
   */
  printed?: BlobRef | string;
  /** SHA-256 of the stored texts (known without reading them). */
  printedSha?: string;
  /** The texts, once read or set. */
  texts?: PrintedTexts;
  changed: boolean;
  /** The spec object handed out (for `types`/`setTypes`). */
  made?: ModelSpec;
}

/** What the emitters printed for a model, kept beside its spec: its type declarations. */
interface PrintedTexts {
  types?: string | undefined;
}

export interface SpecCache {
  /** The model id of a schema file that parsed before (same path, bytes and rules). */
  modelId(file: string, sourceHash: string, rules: number): string | undefined;
  /**
   * The spec normalised before from the same file, bytes and rules, under the same names; undefined otherwise. Its
   * `HEAD` properties are there at once, the others are read from the data file when first read (`normalize` makes
   * the spec instead should the stored bytes turn out to be missing or damaged).
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
  /** The type declarations (`emitModelTypes`) printed before for exactly this (cached) spec. */
  types(spec: ModelSpec): string | undefined;
  /** Records the type declarations of a spec of this run. */
  setTypes(spec: ModelSpec, types: string): void;
  /** The model names of the last run that stored them (`namesFor` checks they fit before using them). */
  naming(): NamingMemo | undefined;
  /** Records this run's model names. */
  setNaming(memo: NamingMemo): void;
  /** Stores the entries of this run's models (best effort); entries of files no longer used are dropped. */
  save(): Promise<void>;
}

const key = (file: string, sourceHash: string, rules: number) => `${rules}\u0000${file}\u0000${sourceHash}`;

function sameNames(a: ModelSpec["names"], b: ModelSpec["names"]): boolean {
  return a.modulePath === b.modulePath && a.typeName === b.typeName;
}

function isBlobRef(value: unknown): value is BlobRef {
  return (
    Array.isArray(value) &&
    value.length === 3 &&
    Number.isSafeInteger(value[0]) &&
    value[0] >= 0 &&
    Number.isSafeInteger(value[1]) &&
    value[1] >= 0 &&
    typeof value[2] === "string"
  );
}

/** A record as read from the index, or undefined when it is not one this code wrote. */
function validRecord(value: unknown): IndexRecord | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const record = value as Partial<IndexRecord>;
  return typeof record.modelId === "string" &&
    Array.isArray(record.keys) &&
    record.keys.every((name) => typeof name === "string") &&
    record.head !== null &&
    typeof record.head === "object" &&
    [...HEAD].every(
      (name) => Object.hasOwn(record.head!, name) || (OPTIONAL_HEAD.has(name) && !record.keys!.includes(name)),
    ) &&
    isBlobRef(record.spec) &&
    (record.printed === undefined || isBlobRef(record.printed))
    ? (record as IndexRecord)
    : undefined;
}

/**
 * A spec with the stored keys in their order: the `HEAD` ones as plain values, the others as getters that load the
 * whole stored spec the first time one is read (or normalise the file again if those bytes are missing or damaged).
 * Spreading, cloning or serialising it reads every key, so it behaves as the spec it stands for.
 */
function lazySpec(
  keys: readonly string[],
  head: Readonly<{ [key: string]: unknown }>,
  load: () => ModelSpec,
): ModelSpec {
  let full: ModelSpec | undefined;
  const spec: { [key: string]: unknown } = {};
  for (const name of keys) {
    if (HEAD.has(name)) spec[name] = head[name];
    else
      Object.defineProperty(spec, name, {
        enumerable: true,
        configurable: true,
        get: () => (full ??= load())[name as keyof ModelSpec],
      });
  }
  return spec as unknown as ModelSpec;
}

/** What stored texts start with: the model and schema bytes they were printed for (checked when they are read). */
function printedOwner(entry: Entry): string {
  return `${String(entry.head["id"])}\u0000${String(entry.head["sourceHash"])}\n`;
}

/** The files of the cache at `base` (`specCachePath` of the generate job). */
export function specCacheFiles(base: string): {
  readonly index: string;
  readonly data: string;
  readonly legacy: string;
} {
  // `legacy`: the one-file cache of earlier versions (read and rewritten whole), removed by the first save.
  return { index: `${base}.index`, data: `${base}.data`, legacy: `${base}.bin` };
}

/**
 * The cache stored at `base` for this generator `fingerprint` (empty when missing, corrupt or another generator's;
 * empty too unless `read`: the run then only records).
 */
export async function openSpecCache(base: string, fingerprint: string, read = true): Promise<SpecCache> {
  const files = specCacheFiles(base);
  /** Each record's line of the index, by key: parsed only when the record is used. */
  const known = new Map<string, string>();
  let storedNaming: string | undefined;
  if (read) {
    try {
      // Read in one call (megabytes at 1,000 models): a promise read decodes it chunk by chunk.
      const text = readFileSync(files.index, "utf8");
      const end = text.indexOf("\n");
      const [magic, storedFingerprint, sha] = text.slice(0, end).split("\t");
      const body = text.slice(end + 1);
      if (end > 0 && magic === INDEX_MAGIC && storedFingerprint === fingerprint && sha === sha256(body)) {
        const lines = body.split("\n");
        storedNaming = lines[0] || undefined;
        for (let index = 1; index < lines.length; index++) {
          const line = lines[index]!;
          const tab = line.indexOf("\t");
          if (tab > 0) known.set(JSON.parse(line.slice(0, tab)) as string, line);
        }
      }
    } catch {
      // No cache yet, or not one this generator can read.
      known.clear();
      storedNaming = undefined;
    }
  }

  // The data file, opened the first time a blob is needed and read where each blob lies (a run reads the declarations
  // of every model but the specs of a few: most of the file is never read); closed by `save`.
  let fd: number | undefined | null = null;
  /** A blob's bytes when they are in the data file as recorded (length and hash), else undefined. */
  const blob = (ref: BlobRef): Buffer | undefined => {
    if (fd === null) {
      try {
        fd = openSync(files.data, "r");
      } catch {
        fd = undefined;
      }
    }
    if (fd === undefined) return undefined;
    const [offset, length, sha] = ref;
    const bytes = Buffer.allocUnsafe(length);
    try {
      if (readSync(fd, bytes, 0, length, offset) !== length) return undefined;
    } catch {
      return undefined;
    }
    return sha256(bytes) === sha ? bytes : undefined;
  };
  const close = () => {
    if (typeof fd === "number") {
      try {
        closeSync(fd);
      } catch {
        // Already closed.
      }
    }
    fd = null;
  };

  const records = new Map<string, IndexRecord | undefined>();
  const recordOf = (id: string): IndexRecord | undefined => {
    if (records.has(id)) return records.get(id);
    const line = known.get(id);
    let record: IndexRecord | undefined;
    if (line !== undefined) {
      try {
        const parsed = JSON.parse(line.slice(line.indexOf("\t") + 1)) as { head?: unknown };
        const head =
          parsed !== null && typeof parsed === "object" && parsed.head !== null && typeof parsed.head === "object"
            ? decodeHead(parsed.head as { [key: string]: unknown })
            : undefined;
        record = head ? validRecord(parsed) : undefined;
      } catch {
        record = undefined;
      }
    }
    records.set(id, record);
    return record;
  };

  const used = new Map<string, Entry>();
  const bySpec = new WeakMap<ModelSpec, Entry>();

  /** A model's stored texts, read and checked once; a missing, damaged or another model's blob is dropped (a miss). */
  const textsOf = (entry: Entry): PrintedTexts | undefined => {
    if (entry.texts !== undefined || entry.printed === undefined) return entry.texts;
    const bytes = typeof entry.printed === "string" ? undefined : blob(entry.printed);
    const text = typeof entry.printed === "string" ? entry.printed : bytes?.toString("utf8");
    const owner = printedOwner(entry);
    let texts: PrintedTexts | undefined;
    if (text?.startsWith(owner)) {
      try {
        const parsed = JSON.parse(text.slice(owner.length)) as unknown;
        if (
          Array.isArray(parsed) &&
          parsed.length === 1 &&
          parsed.every((part) => part === null || typeof part === "string")
        )
          texts = { types: parsed[0] ?? undefined };
      } catch {
        // Not what this code stores: a miss.
      }
    }
    if (texts === undefined) {
      // Printed again (and stored again) by the caller.
      delete entry.printed;
      delete entry.printedSha;
      entry.changed = true;
      return undefined;
    }
    return (entry.texts = texts);
  };
  const setText = (entry: Entry, name: keyof PrintedTexts, text: string): void => {
    const texts = { ...textsOf(entry), [name]: text };
    const stored = `${printedOwner(entry)}${JSON.stringify([texts.types ?? null])}`;
    const sha = sha256(stored);
    entry.texts = texts;
    if (entry.printedSha === sha) return;
    entry.printed = stored;
    entry.printedSha = sha;
    entry.changed = true;
  };
  /** This run's names: set now (to be stored), or as read (stored again as the same text). */
  let naming: { memo?: NamingMemo; text?: string; changed: boolean } = { changed: false };

  return {
    modelId(file, sourceHash, rules) {
      return recordOf(key(file, sourceHash, rules))?.modelId;
    },
    spec(file, sourceHash, rules, names, normalize) {
      const id = key(file, sourceHash, rules);
      const record = recordOf(id);
      const head = record?.head as Partial<ModelSpec> | undefined;
      if (!record || !head?.names || !sameNames(head.names, names) || head.sourceHash !== sourceHash) return undefined;
      const entry: Entry = {
        read: { record, line: known.get(id)! },
        modelId: record.modelId,
        keys: record.keys,
        head: record.head,
        spec: record.spec,
        ...(record.printed ? { printed: record.printed, printedSha: record.printed[2] } : {}),
        changed: false,
      };
      const spec = lazySpec(record.keys, record.head, () => measure("read cached specs", () => stored()));
      const stored = (): ModelSpec => {
        const bytes = blob(record.spec);
        if (bytes) {
          try {
            const parsed = deserialize(bytes) as Partial<ModelSpec> | null;
            // The model the record names (a record pointing at another model's bytes is a miss too).
            if (
              parsed !== null &&
              typeof parsed === "object" &&
              parsed.id === record.head["id"] &&
              parsed.sourceHash === sourceHash &&
              parsed.schemaFile === record.head["schemaFile"]
            )
              return parsed as ModelSpec;
          } catch {
            // Damaged: normalised again below.
          }
        }
        // Missing or damaged stored bytes: the spec is normalised again, and stored again.
        const made = normalize();
        entry.spec = serialize(made);
        entry.changed = true;
        return made;
      };
      entry.made = spec;
      used.set(id, entry);
      bySpec.set(spec, entry);
      return spec;
    },
    set(spec, rules) {
      const keys = Object.keys(spec);
      const head = Object.fromEntries(
        keys.filter((name) => HEAD.has(name)).map((name) => [name, spec[name as keyof ModelSpec]]),
      );
      const entry: Entry = { modelId: spec.id, keys, head, spec: serialize(spec), changed: true, made: spec };
      used.set(key(spec.schemaFile, spec.sourceHash, rules), entry);
      bySpec.set(spec, entry);
    },
    types(spec) {
      const entry = bySpec.get(spec);
      return entry && textsOf(entry)?.types;
    },
    setTypes(spec, types) {
      const entry = bySpec.get(spec);
      if (entry) setText(entry, "types", types);
    },
    naming() {
      if (naming.memo || storedNaming === undefined) return naming.memo;
      try {
        const memo = decodeNaming(storedNaming);
        if (memo) naming = { memo, text: storedNaming, changed: false };
      } catch {
        // Not a memo: names are assigned from scratch.
      }
      return naming.memo;
    },
    setNaming(memo) {
      if (memo !== naming.memo) naming = { memo, changed: true };
    },
    async save() {
      const entries = [...used.values()];
      if (!naming.changed && !entries.some((entry) => entry.changed) && used.size === known.size) return close();
      try {
        const text = naming.text ?? (naming.memo ? encodeNaming(naming.memo) : undefined);
        await store(files, fingerprint, used, blob, text);
      } catch {
        // An optimisation only.
      } finally {
        close();
      }
    },
  };
}

/**
 * Writes the cache of this run's entries: new blobs appended to the data file (or the data file written anew with
 * the live blobs only, when more than half of it would be dead), then the index, through a rename.
 */
async function store(
  files: ReturnType<typeof specCacheFiles>,
  fingerprint: string,
  used: ReadonlyMap<string, Entry>,
  blob: (ref: BlobRef) => Buffer | undefined,
  naming: string | undefined,
): Promise<void> {
  let size: number;
  try {
    size = statSync(files.data).size;
  } catch {
    size = 0;
  }
  const bytesOf = (value: BlobRef | Uint8Array | string): Uint8Array | undefined =>
    typeof value === "string" ? Buffer.from(value, "utf8") : value instanceof Uint8Array ? value : blob(value);
  const blobsOf = (entry: Entry) => [entry.spec, ...(entry.printed === undefined ? [] : [entry.printed])];
  const live = [...used.values()].reduce(
    (total, entry) =>
      total + blobsOf(entry).reduce((sum, value) => sum + (Array.isArray(value) ? (value as BlobRef)[1] : 0), 0),
    0,
  );
  const pending = [...used.values()].reduce(
    (total, entry) =>
      total +
      blobsOf(entry).reduce(
        (sum, value) =>
          sum + (Array.isArray(value) ? 0 : typeof value === "string" ? Buffer.byteLength(value) : value.length),
        0,
      ),
    0,
  );
  // More than half of the data file dead (models removed or changed, another generator's entries): written anew.
  const compact = size > 0 && (size - live) * 2 >= size + pending;
  const chunks: Uint8Array[] = [];
  let offset = compact ? 0 : size;
  const place = (value: BlobRef | Uint8Array | string): BlobRef | undefined => {
    if (!compact && Array.isArray(value)) return value as BlobRef;
    const bytes = bytesOf(value);
    if (!bytes) return undefined;
    const ref: BlobRef = [offset, bytes.length, sha256(bytes)];
    chunks.push(bytes);
    offset += bytes.length;
    return ref;
  };
  const lines: string[] = [naming ?? ""];
  for (const [id, entry] of used) {
    const spec = place(entry.spec);
    if (!spec) continue;
    const printed = entry.printed === undefined ? undefined : place(entry.printed);
    const same =
      entry.read &&
      !entry.changed &&
      spec === entry.read.record.spec &&
      (printed ?? undefined) === (entry.read.record.printed ?? undefined);
    const record: IndexRecord = {
      modelId: entry.modelId,
      keys: entry.keys,
      head: entry.head,
      spec,
      ...(printed ? { printed } : {}),
    };
    const line = same ? entry.read!.line : recordLine(id, record);
    if (line !== undefined) lines.push(line);
  }
  if (compact) await writeFileAtomic(files.data, Buffer.concat(chunks));
  else if (chunks.length > 0) {
    await mkdir(dirname(files.data), { recursive: true });
    appendFileSync(files.data, Buffer.concat(chunks));
  }
  const body = lines.join("\n");
  await writeFileAtomic(files.index, `${INDEX_MAGIC}\t${fingerprint}\t${sha256(body)}\n${body}`);
  await rm(files.legacy, { force: true });
}
