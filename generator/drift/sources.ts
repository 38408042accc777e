/**
 * The two sides of a drift comparison, each a set of normalised models: a
 * schema folder (the working tree's `schemas/`, any folder laid out like it,
 * or the snapshot in `generated/schemas/`), a git revision of a folder, or
 * single schema files.
 */
import { stat } from "node:fs/promises";
import { join, posix, relative, resolve, sep } from "node:path";
import { GeneratorError } from "../lib/diagnostics.ts";
import { loadModels } from "../model/load.ts";
import { readSchemaEntries, readSchemaEntry, type SchemaEntry } from "../schemas/entries.ts";
import type { ModelSpec } from "../model/types.ts";
import { gitTopLevel, listFilesAt, readFileAt, resolveCommit } from "./git.ts";

export interface SchemaSet {
  /** How the report names this side: `schemas`, `HEAD:schemas`, `old.json`. */
  readonly label: string;
  readonly entries: readonly SchemaEntry[];
  readonly specs: readonly ModelSpec[];
}

function toPosix(path: string): string {
  return path.split(sep).join("/");
}

/** A folder laid out like `schemas/` (each model at `<folder>/<model id>.json`); paths are shown relative to `cwd`. */
export async function folderSet(dir: string, cwd: string): Promise<SchemaSet> {
  const label = toPosix(relative(cwd, dir)) || ".";
  const entries = await readSchemaEntries(dir, cwd);
  return { label, entries, specs: loadModels(entries, `${label}/`).specs };
}

/** One schema file per side (`drift old.json new.json`): its location need not match its model id. */
export async function fileSet(file: string, cwd: string): Promise<SchemaSet> {
  const label = toPosix(relative(cwd, file));
  const entry = await readSchemaEntry(file, label);
  return { label, entries: [entry], specs: loadModels([entry], "", { checkPaths: false }).specs };
}

/**
 * `<root>/<schemasDir>` as committed at `rev`. Files are named `<rev>:<path>`
 * in errors and in the report, so a broken base says where it comes from.
 */
export async function gitSet(root: string, rev: string, schemasDir: string): Promise<SchemaSet> {
  const top = await gitTopLevel(root);
  const commit = await resolveCommit(top, rev);
  const folder = toPosix(relative(top, resolve(root, schemasDir)));
  const inRoot = toPosix(relative(root, resolve(root, schemasDir)));
  const files = (await listFilesAt(top, commit, folder)).filter((file) => file.endsWith(".json"));
  const entries: SchemaEntry[] = [];
  // A few git processes at a time: hundreds of schema files must not fork hundreds of processes at once.
  for (let start = 0; start < files.length; start += 8) {
    const batch = files.slice(start, start + 8);
    const texts = await Promise.all(batch.map((file) => readFileAt(top, commit, file)));
    batch.forEach((file, index) =>
      entries.push({ file: `${rev}:${posix.join(inRoot, posix.relative(folder, file))}`, text: texts[index]! }),
    );
  }
  const label = `${rev}:${inRoot}`;
  return { label, entries, specs: loadModels(entries, `${label}/`).specs };
}

/** What a path argument is: a schema folder or a single schema file. */
export async function pathKind(path: string, shown: string): Promise<"folder" | "file"> {
  try {
    return (await stat(path)).isDirectory() ? "folder" : "file";
  } catch (error) {
    throw new GeneratorError(
      "drift-path",
      `cannot read ${shown}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

/** The working tree's schema folder of a project. */
export function workingTreeSet(root: string, schemasDir: string): Promise<SchemaSet> {
  return folderSet(join(root, schemasDir), root);
}
