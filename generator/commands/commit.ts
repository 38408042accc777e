/**
 * Replacing checked-in schema files for `add` and `pull`.
 *
 * Writing is all or nothing: the new files are checked together with every
 * other schema file (exactly as `generate` will load them) before the first
 * byte is written or deleted, and only files whose bytes change are
 * rewritten. A file whose path changes (a new id that differs from it only
 * in case, see `lib/model-id.ts`) is moved.
 */
import { rm, rmdir } from "node:fs/promises";
import { join } from "node:path";
import { type GeneratorError, GeneratorErrors } from "../lib/diagnostics.ts";
import { compareModels } from "../drift/report.ts";
import type { DriftReport } from "../drift/types.ts";
import { writeFileAtomic } from "../lib/files.ts";
import { loadModels } from "../model/load.ts";
import { readSchemaEntries, type SchemaEntry } from "../schemas/entries.ts";
import { assignModelPaths } from "../lib/model-id.ts";
import { SCHEMAS_DIR } from "../schemas/store.ts";
import { parseSchemaFile, SCHEMA_FILE_FIELDS, serializeSchemaFile, type SchemaFile } from "../schemas/schema-file.ts";
import type { ModelSpec } from "../model/types.ts";

export interface SchemaUpdate {
  readonly modelId: string;
  readonly path: string;
  readonly status: "created" | "updated" | "unchanged" | "removed";
  /** Top-level fields of the file whose bytes changed (`inputSchema`, `displayName`, `sources`, …); empty unless updated. */
  readonly parts: readonly string[];
  /** The file as written (for a removed model: as it was). */
  readonly after: SchemaFile;
  /** Set when the file moved (its path changed because of a case collision). */
  readonly previousPath?: string;
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
 * Writes `files` (one per model) to schemas/ and deletes the files of the
 * models in `remove`. Every schema file of the project, with these changes
 * made, must load and normalise first; otherwise this throws and nothing is
 * written or deleted.
 * @param labels how the drift report names the two sides, e.g. `schemas/` → `catalog`
 */
export async function commitSchemaFiles(
  root: string,
  files: readonly SchemaFile[],
  labels: { readonly base: string; readonly head: string },
  remove: readonly string[] = [],
): Promise<CommitResult> {
  const original = await readSchemaEntries(join(root, SCHEMAS_DIR), root);
  // Which model each file holds; a file that does not parse stays as it is (and makes the check below fail).
  const holders = new Map<string, { path: string; file: SchemaFile }>();
  for (const entry of original) {
    if (entry.error) continue;
    try {
      const file = parseSchemaFile(entry.text, entry.file);
      if (!holders.has(file.modelId)) holders.set(file.modelId, { path: entry.file, file });
    } catch {
      // Reported by loadModels below.
    }
  }
  const removed = new Set(remove.filter((id) => holders.has(id)));
  const ids = [...new Set([...holders.keys(), ...files.map((file) => file.modelId)])].filter((id) => !removed.has(id));
  const paths = assignModelPaths(ids);
  const pathOf = (id: string): string => `${SCHEMAS_DIR}/${paths.get(id)!.path}.json`;

  const entries = new Map<string, SchemaEntry>(original.map((entry) => [entry.file, entry]));
  const updates: SchemaUpdate[] = [];
  const writes = new Map<string, string>();
  const deletions = new Set<string>();
  const move = (from: string, to: string, text: string): void => {
    entries.delete(from);
    deletions.add(from);
    entries.set(to, { file: to, text });
    writes.set(to, text);
  };
  for (const id of removed) {
    const holder = holders.get(id)!;
    entries.delete(holder.path);
    deletions.add(holder.path);
    updates.push({ modelId: id, path: holder.path, status: "removed", parts: [], after: holder.file });
  }
  const given = new Set(files.map((file) => file.modelId));
  for (const after of files) {
    const path = pathOf(after.modelId);
    const text = serializeSchemaFile(after);
    const holder = holders.get(after.modelId);
    const previous = holder ? entries.get(holder.path) : entries.get(path);
    const status = previous === undefined ? "created" : previous.text === text ? "unchanged" : "updated";
    const parts = status === "updated" ? changedParts(parseSchemaFile(previous!.text, previous!.file), after) : [];
    const moved = holder !== undefined && holder.path !== path;
    updates.push({
      modelId: after.modelId,
      path,
      status: moved && status === "unchanged" ? "updated" : status,
      parts,
      after,
      ...(moved ? { previousPath: holder.path } : {}),
    });
    if (moved) move(holder.path, path, text);
    else if (status !== "unchanged") {
      entries.set(path, { file: path, text });
      writes.set(path, text);
    }
  }
  // Files nobody asked about move too when a new id takes their path's case.
  for (const [id, holder] of holders) {
    if (given.has(id) || removed.has(id) || pathOf(id) === holder.path) continue;
    const text = entries.get(holder.path)!.text;
    move(holder.path, pathOf(id), text);
    updates.push({
      modelId: id,
      path: pathOf(id),
      status: "updated",
      parts: [],
      after: holder.file,
      previousPath: holder.path,
    });
  }
  for (const path of writes.keys()) deletions.delete(path);

  let specs: readonly ModelSpec[];
  try {
    specs = loadModels([...entries.values()].sort(byFile), `${SCHEMAS_DIR}/`).specs;
  } catch (error) {
    if (error instanceof GeneratorErrors) throw nothingWritten(error.errors);
    throw error;
  }
  const unchanged = writes.size === 0 && deletions.size === 0;
  const before = unchanged ? specs : specsOf(original);
  for (const [path, text] of writes) await writeFileAtomic(join(root, path), text);
  for (const path of deletions) {
    await rm(join(root, path), { force: true });
    await removeEmptyFolders(root, path);
  }
  return {
    updates,
    ...(before === undefined ? {} : { drift: compareModels(before, specs, labels.base, labels.head) }),
  };
}

/** Removes the folders of a deleted schema file that are now empty, up to schemas/. */
async function removeEmptyFolders(root: string, file: string): Promise<void> {
  const parts = file.split("/").slice(0, -1);
  while (parts.length > 1) {
    try {
      await rmdir(join(root, ...parts));
    } catch {
      return; // not empty (or already gone)
    }
    parts.pop();
  }
}
