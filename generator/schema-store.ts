/**
 * Reading and replacing checked-in schema files for `add` and `pull`.
 *
 * Writing is all or nothing: the new files are checked together with every
 * other schema file (exactly as `generate` will load them) before the first
 * byte is written, and only files whose bytes change are rewritten.
 */
import { join } from "node:path";
import { GeneratorError, GeneratorErrors } from "./diagnostics.ts";
import { readIfExists, writeFileAtomic } from "./output.ts";
import { loadModels, readSchemaEntries, type SchemaEntry } from "./pipeline.ts";
import { parseSchemaFile, schemaFilePath, serializeSchemaFile, type SchemaFile } from "./schema-file.ts";

const SCHEMAS_DIR = "schemas";

export interface StoredSchema {
  /** Project-relative path, `schemas/<module path>.json`. */
  readonly path: string;
  /** Absent when the model has no schema file yet. */
  readonly file?: SchemaFile;
}

export interface SchemaUpdate {
  readonly modelId: string;
  readonly path: string;
  readonly status: "created" | "updated" | "unchanged";
  readonly before?: SchemaFile;
  readonly after: SchemaFile;
}

/** The problems that stopped a run before its first write, saying so. */
export function nothingWritten(problems: readonly GeneratorError[]): GeneratorErrors {
  const error = new GeneratorErrors(problems);
  error.message += "\nNothing was written.";
  return error;
}

export function storedSchemaPath(modelId: string): string {
  return `${SCHEMAS_DIR}/${schemaFilePath(modelId)}`;
}

/**
 * The checked-in file of `modelId`, if any. A file there that does not parse
 * or holds another model is an error: it is never replaced silently.
 */
export async function readStoredSchema(root: string, modelId: string): Promise<StoredSchema> {
  const path = storedSchemaPath(modelId);
  const text = await readIfExists(join(root, path));
  if (text === undefined) return { path };
  const file = parseSchemaFile(text, path);
  if (file.modelId !== modelId) {
    throw new GeneratorError("schema-file-model", `holds model ${JSON.stringify(file.modelId)}, not ${JSON.stringify(modelId)}; refusing to replace it (move or fix that file first)`, { file: path });
  }
  return { path, file };
}

/** Model ids of every checked-in schema file, in path order. */
export async function storedModelIds(root: string): Promise<string[]> {
  const entries = await readSchemaEntries(join(root, SCHEMAS_DIR), root);
  return entries.map((entry) => parseSchemaFile(entry.text, entry.file).modelId);
}

/**
 * Writes `files` (one per model) to schemas/. Every schema file of the
 * project, with these in place, must load and normalise first; otherwise
 * this throws and nothing is written.
 */
export async function commitSchemaFiles(root: string, files: readonly SchemaFile[]): Promise<SchemaUpdate[]> {
  const entries = new Map<string, SchemaEntry>((await readSchemaEntries(join(root, SCHEMAS_DIR), root)).map((entry) => [entry.file, entry]));
  const updates: SchemaUpdate[] = [];
  const pending: [string, string][] = [];
  for (const after of files) {
    const path = storedSchemaPath(after.modelId);
    const text = serializeSchemaFile(after);
    const previous = entries.get(path);
    const before = previous === undefined ? undefined : parseSchemaFile(previous.text, path);
    const status = previous === undefined ? "created" : previous.text === text ? "unchanged" : "updated";
    updates.push({ modelId: after.modelId, path, status, ...(before === undefined ? {} : { before }), after });
    if (status !== "unchanged") pending.push([path, text]);
    entries.set(path, { file: path, text });
  }
  try {
    loadModels([...entries.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)), `${SCHEMAS_DIR}/`);
  } catch (error) {
    if (error instanceof GeneratorErrors) throw nothingWritten(error.errors);
    throw error;
  }
  for (const [path, text] of pending) await writeFileAtomic(join(root, path), text);
  return updates;
}
