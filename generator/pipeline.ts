/**
 * `generate`: schemas/ → one spec per model → every file of generated/.
 *
 * Output discipline:
 * - everything is computed in memory first; a failure anywhere (one bad
 *   schema among hundreds) leaves generated/ untouched;
 * - files are written only when their bytes change (temp file + rename), and
 *   files generate no longer produces are removed, so a second run rewrites
 *   nothing;
 * - order is deterministic (sorted schema paths, published property order);
 * - a build cache (see `cache.ts`) lets a no-op run skip the emitters.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { mapLimit } from "./concurrency.ts";
import { listFiles } from "./output.ts";
import { GeneratorError, GeneratorErrors, generatorProblems, type Warning } from "./diagnostics.ts";
import { sha256 } from "./json.ts";
import { parseSchemaFile, schemaFilePath, type SchemaFile } from "./schema-file.ts";
import { assignModelNames, checkTypeNames } from "./spec/naming.ts";
import { normalizeModel } from "./spec/normalize.ts";
import type { ModelSpec } from "./spec/types.ts";

export interface LoadedModels {
  readonly specs: readonly ModelSpec[];
  readonly warnings: readonly Warning[];
}

export interface SchemaEntry {
  /** Path relative to the project root, `/`-separated (`schemas/community/x.json`). */
  readonly file: string;
  readonly text: string;
  /** Set when the file could not be read (`text` is then empty); reported with every other problem. */
  readonly error?: GeneratorError;
}

/** Lists `*.json` below `dir`, sorted, as project-relative paths. */
export async function listJsonFiles(dir: string, root: string): Promise<string[]> {
  const files = await listFiles(dir, (folder, error) =>
    new GeneratorError("schemas-unreadable", `cannot read directory: ${error.code ?? error.message}`, { file: relative(root, folder).split(sep).join("/") || "." }),
  );
  const prefix = relative(root, dir).split(sep).join("/");
  return files.filter((file) => file.endsWith(".json")).map((file) => (prefix ? `${prefix}/${file}` : file));
}

/** Reads one schema file at `path`; `file` is the project-relative name errors and specs use. */
export async function readSchemaEntry(path: string, file: string): Promise<SchemaEntry> {
  let regular: boolean;
  let text: string;
  try {
    // Reading a FIFO (or a device) would block forever: only plain files (or links to them) are read.
    regular = (await stat(path)).isFile();
    text = regular ? await readFile(path, "utf8") : "";
  } catch (error) {
    throw new GeneratorError("schema-file-unreadable", `cannot read schema file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { file });
  }
  if (!regular) throw new GeneratorError("schema-file-unreadable", "not a regular file (a FIFO, socket, device or folder); a schema file must be a plain file", { file });
  return { file, text };
}

/** Every schema file below `schemasDir`; one that cannot be read carries its error, reported with all other problems by `loadModels`. */
export async function readSchemaEntries(schemasDir: string, root: string): Promise<SchemaEntry[]> {
  const files = await listJsonFiles(schemasDir, root);
  // Many small files: read them concurrently (in file order in the result).
  const settled = await mapLimit(files, 64, (file) => readSchemaEntry(join(root, file), file));
  return settled.map((result, index): SchemaEntry => {
    if (result.status === "fulfilled") return result.value;
    if (result.reason instanceof GeneratorError) return { file: files[index]!, text: "", error: result.reason };
    throw result.reason;
  });
}

export interface LoadOptions {
  /**
   * Require each file to sit at `<schemasPrefix><model path>.json`. On for
   * schema folders; off when single files are compared (`drift a.json b.json`).
   * @default true
   */
  readonly checkPaths?: boolean;
}

/**
 * Parses and normalises every schema file. All problems of all files are
 * collected and thrown together, so one run shows everything to fix.
 */
export function loadModels(entries: readonly SchemaEntry[], schemasPrefix: string, options: LoadOptions = {}): LoadedModels {
  const errors: GeneratorError[] = [];
  const parsed: { entry: SchemaEntry; file: SchemaFile }[] = [];
  for (const entry of entries) {
    if (entry.error) {
      errors.push(entry.error);
      continue;
    }
    try {
      const file = parseSchemaFile(entry.text, entry.file);
      const expected = `${schemasPrefix}${schemaFilePath(file.modelId)}`;
      if ((options.checkPaths ?? true) && expected !== entry.file) {
        throw new GeneratorError("schema-file-path", `holds model ${JSON.stringify(file.modelId)}, whose schema file must be ${expected}`, { file: entry.file });
      }
      parsed.push({ entry, file });
    } catch (error) {
      errors.push(...generatorProblems(error));
    }
  }
  let names: ReturnType<typeof assignModelNames> = new Map();
  try {
    names = assignModelNames(parsed.map(({ file }) => file.modelId));
  } catch (error) {
    errors.push(...generatorProblems(error));
  }
  const specs: ModelSpec[] = [];
  for (const { entry, file } of parsed) {
    const modelNames = names.get(file.modelId);
    if (!modelNames) continue;
    try {
      specs.push(normalizeModel(file, modelNames, sha256(entry.text), entry.file));
    } catch (error) {
      errors.push(...generatorProblems(error));
    }
  }
  errors.push(...checkTypeNames(specs));
  if (errors.length > 0) throw new GeneratorErrors(errors);
  return { specs, warnings: specs.flatMap((spec) => spec.warnings) };
}
