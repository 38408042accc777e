/**
 * The checked-in schema files of a project (`schemas/<module path>.json`):
 * where a model's file lives, reading it back, and which models exist.
 */
import { join } from "node:path";
import { GeneratorError } from "../lib/diagnostics.ts";
import { readIfExists } from "../lib/files.ts";
import { readSchemaEntries } from "./entries.ts";
import { parseSchemaFile, schemaFilePath, type SchemaFile } from "./schema-file.ts";

/** The project folder of checked-in schema files. */
export const SCHEMAS_DIR = "schemas";

export interface StoredSchema {
  /** Project-relative path, `schemas/<module path>.json`. */
  readonly path: string;
  /** Absent when the model has no schema file yet. */
  readonly file?: SchemaFile;
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
    throw new GeneratorError(
      "schema-file-model",
      `holds model ${JSON.stringify(file.modelId)}, not ${JSON.stringify(modelId)}; refusing to replace it (move or fix that file first)`,
      { file: path },
    );
  }
  return { path, file };
}

/** Model ids of every checked-in schema file, in path order. */
export async function storedModelIds(root: string): Promise<string[]> {
  const entries = await readSchemaEntries(join(root, SCHEMAS_DIR), root);
  return entries.map((entry) => parseSchemaFile(entry.text, entry.file).modelId);
}
