/**
 * Replacing checked-in schema files for `add` and `pull`.
 *
 * Writing is all or nothing: the new files are checked together with every
 * other schema file (exactly as `generate` will load them) before the first
 * byte is written, and only files whose bytes change are rewritten.
 */
import { join } from "node:path";
import { type GeneratorError, GeneratorErrors } from "../lib/diagnostics.ts";
import { compareModels } from "../drift/report.ts";
import type { DriftReport } from "../drift/types.ts";
import { writeFileAtomic } from "../lib/files.ts";
import { loadModels } from "../model/load.ts";
import { readSchemaEntries, type SchemaEntry } from "../schemas/entries.ts";
import { SCHEMAS_DIR, storedSchemaPath } from "../schemas/store.ts";
import { parseSchemaFile, SCHEMA_FILE_FIELDS, serializeSchemaFile, type SchemaFile } from "../schemas/schema-file.ts";
import type { ModelSpec } from "../model/types.ts";

export interface SchemaUpdate {
  readonly modelId: string;
  readonly path: string;
  readonly status: "created" | "updated" | "unchanged";
  /** Top-level fields of the file whose bytes changed (`inputSchema`, `displayName`, `sources`, …); empty unless updated. */
  readonly parts: readonly string[];
  readonly after: SchemaFile;
}

export interface CommitResult {
  readonly updates: readonly SchemaUpdate[];
  /** What the change means for users of the generated package (the drift report); absent when the old schema set did not load. */
  readonly drift?: DriftReport;
}

/** Fields whose serialised form differs (key order counts: it is the order fields are generated in). */
function changedParts(before: SchemaFile, after: SchemaFile): string[] {
  return SCHEMA_FILE_FIELDS.filter((part) => JSON.stringify(before[part]) !== JSON.stringify(after[part]));
}

/** The normalised models of a schema set, or undefined when it does not load (then there is no drift report, but nothing else is lost). */
function specsOf(entries: readonly SchemaEntry[]): readonly ModelSpec[] | undefined {
  try {
    return loadModels(entries, `${SCHEMAS_DIR}/`).specs;
  } catch (error) {
    if (error instanceof GeneratorErrors) return undefined;
    throw error;
  }
}

/** The problems that stopped a run before its first write, saying so. */
export function nothingWritten(problems: readonly GeneratorError[]): GeneratorErrors {
  const error = new GeneratorErrors(problems);
  error.message += "\nNothing was written.";
  return error;
}

function byFile(a: SchemaEntry, b: SchemaEntry): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : 0;
}

/**
 * Writes `files` (one per model) to schemas/. Every schema file of the
 * project, with these in place, must load and normalise first; otherwise
 * this throws and nothing is written.
 * @param labels how the drift report names the two sides, e.g. `schemas/` → `catalog`
 */
export async function commitSchemaFiles(
  root: string,
  files: readonly SchemaFile[],
  labels: { readonly base: string; readonly head: string },
): Promise<CommitResult> {
  const original = await readSchemaEntries(join(root, SCHEMAS_DIR), root);
  const entries = new Map<string, SchemaEntry>(original.map((entry) => [entry.file, entry]));
  const updates: SchemaUpdate[] = [];
  const pending: [string, string][] = [];
  for (const after of files) {
    const path = storedSchemaPath(after.modelId);
    const text = serializeSchemaFile(after);
    const previous = entries.get(path);
    const status = previous === undefined ? "created" : previous.text === text ? "unchanged" : "updated";
    const parts = status === "updated" ? changedParts(parseSchemaFile(previous!.text, path), after) : [];
    updates.push({ modelId: after.modelId, path, status, parts, after });
    if (status !== "unchanged") pending.push([path, text]);
    entries.set(path, { file: path, text });
  }
  let specs: readonly ModelSpec[];
  try {
    specs = loadModels([...entries.values()].sort(byFile), `${SCHEMAS_DIR}/`).specs;
  } catch (error) {
    if (error instanceof GeneratorErrors) throw nothingWritten(error.errors);
    throw error;
  }
  const before = pending.length === 0 ? specs : specsOf(original);
  for (const [path, text] of pending) await writeFileAtomic(join(root, path), text);
  return {
    updates,
    ...(before === undefined ? {} : { drift: compareModels(before, specs, labels.base, labels.head) }),
  };
}
