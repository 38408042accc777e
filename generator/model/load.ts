/**
 * Schema files → normalised models: parses every file, assigns model names
 * over the whole set, normalises each model, and reports every problem of
 * every file together.
 */
import { GeneratorError, GeneratorErrors, generatorProblems, type Warning } from "../lib/diagnostics.ts";
import { sha256 } from "../lib/json.ts";
import type { SchemaEntry } from "../schemas/entries.ts";
import { parseSchemaFile, schemaFilePath, type SchemaFile } from "../schemas/schema-file.ts";
import { assignModelNames, checkTypeNames } from "./naming.ts";
import { normalizeModel } from "./normalize.ts";
import type { ModelSpec } from "./types.ts";

export interface LoadedModels {
  readonly specs: readonly ModelSpec[];
  readonly warnings: readonly Warning[];
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
export function loadModels(
  entries: readonly SchemaEntry[],
  schemasPrefix: string,
  options: LoadOptions = {},
): LoadedModels {
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
        throw new GeneratorError(
          "schema-file-path",
          `holds model ${JSON.stringify(file.modelId)}, whose schema file must be ${expected}`,
          { file: entry.file },
        );
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
