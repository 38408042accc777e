/** Reading the schema files of a folder (`schemas/`, a snapshot, a scratch copy) as text. */
import { readFileSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { mapLimit } from "../lib/concurrency.ts";
import { GeneratorError } from "../lib/diagnostics.ts";
import { folderError, listFilesSync } from "../lib/files.ts";
import { sha256 } from "../lib/json.ts";

export interface SchemaEntry {
  /** Path relative to the project root, `/`-separated (`schemas/community/x.json`). */
  readonly file: string;
  readonly text: string;
  /** Set when the file could not be read (`text` is then empty); reported with every other problem. */
  readonly error?: GeneratorError;
  /**
   * SHA-256 of `text`, when it was known before the file was read (`lazySchemaEntry`); readers that need only the
   * hash take it from here and never read the file.
   */
  readonly sourceHash?: string;
}

/**
 * An entry whose hash is known (`FileHashes.hash`, proven by the file's stat) and whose text is read only when
 * something asks for it. A file found changed by then (its bytes no longer hash to `sourceHash`) fails the run
 * rather than mix two versions of it in one output.
 */
export function lazySchemaEntry(path: string, file: string, sourceHash: string): SchemaEntry {
  let text: string | undefined;
  return {
    file,
    sourceHash,
    get text(): string {
      if (text === undefined) {
        let read: string;
        try {
          read = readFileSync(path, "utf8");
        } catch (error) {
          throw new GeneratorError(
            "schema-file-unreadable",
            `cannot read schema file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
            { file },
          );
        }
        if (sha256(read) !== sourceHash)
          throw new GeneratorError("schema-file-changed", "changed while generate ran: run generate again", { file });
        text = read;
      }
      return text;
    },
  };
}

/** Lists `*.json` below `dir`, sorted, as project-relative paths. */
export async function listJsonFiles(dir: string, root: string): Promise<string[]> {
  const files = listFilesSync(dir, folderError("schemas-unreadable", root));
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
    throw new GeneratorError(
      "schema-file-unreadable",
      `cannot read schema file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      { file },
    );
  }
  if (!regular)
    throw new GeneratorError(
      "schema-file-unreadable",
      "not a regular file (a FIFO, socket, device or folder); a schema file must be a plain file",
      { file },
    );
  return { file, text };
}

/**
 * Every schema file below `schemasDir` (or the given `listed` files, as `listJsonFiles` returned them in this run);
 * one that cannot be read carries its error, reported with all other problems by `loadModels`.
 */
export async function readSchemaEntries(
  schemasDir: string,
  root: string,
  listed?: readonly string[],
): Promise<SchemaEntry[]> {
  const files = listed ?? (await listJsonFiles(schemasDir, root));
  // Many small files: read them concurrently (in file order in the result).
  const settled = await mapLimit(files, 64, (file) => readSchemaEntry(join(root, file), file));
  return settled.map((result, index): SchemaEntry => {
    if (result.status === "fulfilled") return result.value;
    if (result.reason instanceof GeneratorError) return { file: files[index]!, text: "", error: result.reason };
    throw result.reason;
  });
}
