/**
 * The checked-in schema files of a project (`schemas/<model path>.json`):
 * where a model's file lives, reading them back, and which models exist.
 *
 * A model's path is its id (`lib/model-id.ts`); only when two ids differ in
 * case alone does one of them get a hashed segment, so the path of an id
 * depends on the other ids of the folder (`storedSchemaPath`).
 */
import { join } from "node:path";
import { GeneratorError, generatorProblems } from "../lib/diagnostics.ts";
import { assignModelPaths } from "../lib/model-id.ts";
import { readSchemaEntries, type SchemaEntry } from "./entries.ts";
import { parseSchemaFile, type SchemaFile } from "./schema-file.ts";

/** The project folder of checked-in schema files. */
export const SCHEMAS_DIR = "schemas";

export interface StoredSchema {
  /** Project-relative path, `schemas/<model path>.json`. */
  readonly path: string;
  /** Absent when the model has no schema file yet. */
  readonly file?: SchemaFile;
}

export interface StoredSchemas {
  /** Every file below schemas/, as read. */
  readonly entries: readonly SchemaEntry[];
  /** The files that parse, by model id (the first one in path order when two hold one model). */
  readonly byId: ReadonlyMap<string, { readonly path: string; readonly file: SchemaFile }>;
  /** Paths of files that do not parse, with their problem: never replaced silently. */
  readonly broken: ReadonlyMap<string, GeneratorError>;
}

/** `schemas/<model path>.json` of `modelId` in a folder that also holds `others` (they decide case collisions). */
export function storedSchemaPath(modelId: string, others: Iterable<string> = []): string {
  return `${SCHEMAS_DIR}/${assignModelPaths([modelId, ...others]).get(modelId)!.path}.json`;
}

/** Every checked-in schema file, parsed where it parses. */
export async function readStoredSchemas(root: string): Promise<StoredSchemas> {
  const entries = await readSchemaEntries(join(root, SCHEMAS_DIR), root);
  const byId = new Map<string, { path: string; file: SchemaFile }>();
  const broken = new Map<string, GeneratorError>();
  for (const entry of entries) {
    if (entry.error) {
      broken.set(entry.file, entry.error);
      continue;
    }
    try {
      const file = parseSchemaFile(entry.text, entry.file);
      if (!byId.has(file.modelId)) byId.set(file.modelId, { path: entry.file, file });
    } catch (error) {
      broken.set(entry.file, generatorProblems(error)[0]!);
    }
  }
  return { entries, byId, broken };
}

/**
 * The checked-in file of `modelId`, if any, from `stored`. When there is
 * none, the path it would get; a file there that does not parse or holds
 * another model is an error: it is never replaced silently.
 */
export function storedSchemaOf(stored: StoredSchemas, modelId: string, others: Iterable<string> = []): StoredSchema {
  const found = stored.byId.get(modelId);
  if (found) return found;
  const path = storedSchemaPath(modelId, [...stored.byId.keys(), ...others]);
  const problem = stored.broken.get(path);
  if (problem) throw problem;
  const holder = [...stored.byId.entries()].find(([, value]) => value.path.toLowerCase() === path.toLowerCase());
  if (holder) {
    throw new GeneratorError(
      "schema-file-model",
      `holds model ${JSON.stringify(holder[0])}, not ${JSON.stringify(modelId)}; refusing to replace it (move or fix that file first)`,
      { file: holder[1].path },
    );
  }
  return { path };
}

/** The checked-in file of `modelId`, if any (see `storedSchemaOf`). */
export async function readStoredSchema(root: string, modelId: string): Promise<StoredSchema> {
  return storedSchemaOf(await readStoredSchemas(root), modelId);
}

/** Model ids of every checked-in schema file, in path order; a file that does not parse is an error. */
export async function storedModelIds(root: string): Promise<string[]> {
  const stored = await readStoredSchemas(root);
  const [first] = stored.broken.values();
  if (first) throw first;
  return [...stored.byId.keys()];
}
