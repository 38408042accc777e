/**
 * Schema files → normalised models: parses every file, assigns model names
 * over the whole set, normalises each model, and reports every problem of
 * every file together.
 */
import { GeneratorError, GeneratorErrors, generatorProblems, type Warning } from "../lib/diagnostics.ts";
import { parseJson, sha256 } from "../lib/json.ts";
import type { SchemaEntry } from "../schemas/entries.ts";
import type { ModelPath } from "../lib/model-id.ts";
import { inspectSchemaFile, parseSchemaFile, type SchemaFile } from "../schemas/schema-file.ts";
import { checkTypeNames, namesFor } from "./naming.ts";
import { normalizeModel } from "./normalize.ts";
import { NORMALIZATION_RULES, type ModelSpec } from "./types.ts";
import type { SpecCache } from "./spec-cache.ts";

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
  /** Version of the normalisation rules (a snapshot is read with the rules it was built with). @default NORMALIZATION_RULES */
  readonly rules?: number;
  /**
   * Models normalised by earlier runs of the same generator (`model/spec-cache.ts`): a file whose bytes it knows is
   * neither parsed nor normalised again. The result is the same with or without it.
   */
  readonly cache?: SpecCache;
}

/** How many ids may come or go since the stored names memo before a run stores this run's memo instead. */
const MEMO_SLACK = 32;

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
  const cache = options.cache;
  const rules = options.rules ?? NORMALIZATION_RULES;
  const parsed: { entry: SchemaEntry; sourceHash: string; modelId: string; file?: SchemaFile; broken?: boolean }[] = [];
  for (const entry of entries) {
    if (entry.error) {
      errors.push(entry.error);
      continue;
    }
    const sourceHash = entry.sourceHash ?? sha256(entry.text);
    const cachedId = cache?.modelId(entry.file, sourceHash, rules);
    if (cachedId !== undefined) {
      parsed.push({ entry, sourceHash, modelId: cachedId });
      continue;
    }
    try {
      const { file, problems } = inspectSchemaFile(parseJson(entry.text, entry.file), entry.file);
      errors.push(...problems);
      // A file with problems is still normalised when it can be, so its input schema's problems show in this run too.
      if (file) parsed.push({ entry, sourceHash, modelId: file.modelId, file, broken: problems.length > 0 });
    } catch (error) {
      errors.push(...generatorProblems(error));
    }
  }
  // Names over the whole set; from the cache's memo of the last set when only a few ids came or went.
  const previous = cache?.naming();
  const { names, memo, changes } = namesFor([...new Set(parsed.map(({ modelId }) => modelId))], previous);
  // A memo a few changes old names this set just as exactly (`namesFor` looks at the ids that came or went since it),
  // so the stored one is replaced only when names were assigned anew or those changes pile up: an add or a removal
  // among a thousand models does not rewrite it.
  if (memo !== previous && (previous === undefined || changes === undefined || changes > MEMO_SLACK))
    cache?.setNaming(memo);
  const specs: ModelSpec[] = [];
  for (const { entry, sourceHash, modelId, file: parsedFile, broken } of parsed) {
    const modelNames = names.get(modelId);
    if (!modelNames) continue;
    if (broken) {
      // Its problems are reported already: only those of its input schema are looked for (nothing is kept).
      try {
        normalizeModel(
          parsedFile!,
          { modulePath: modelNames.modulePath, typeName: modelNames.typeName },
          sourceHash,
          entry.file,
        );
      } catch (error) {
        errors.push(...generatorProblems(error));
      }
      continue;
    }
    try {
      const expected = `${schemasPrefix}${modelNames.modulePath}.json`;
      if ((options.checkPaths ?? true) && expected !== entry.file) {
        throw new GeneratorError(
          "schema-file-path",
          `holds model ${JSON.stringify(modelId)}, whose schema file must be ${expected}`,
          { file: entry.file },
        );
      }
      const specNames = { modulePath: modelNames.modulePath, typeName: modelNames.typeName };
      const normalize = () =>
        normalizeModel(
          parsedFile ?? parseSchemaFile(entry.text, entry.file),
          specNames,
          sourceHash,
          entry.file,
          options.rules === undefined ? {} : { rules: options.rules },
        );
      let spec = cache?.spec(entry.file, sourceHash, rules, specNames, normalize);
      if (!spec) {
        spec = normalize();
        cache?.set(spec, rules);
      }
      specs.push(
        modelNames.path.suffixed
          ? { ...spec, warnings: [...spec.warnings, collisionWarning(spec, modelNames.path)] }
          : spec,
      );
    } catch (error) {
      errors.push(...generatorProblems(error));
    }
  }
  errors.push(...checkTypeNames(specs));
  if (errors.length > 0) throw new GeneratorErrors(errors);
  return { specs, warnings: specs.flatMap((spec) => spec.warnings) };
}

/** Two ids that differ only in case would share a folder or file on macOS and Windows: say which path each got. */
function collisionWarning(spec: ModelSpec, path: ModelPath): Warning {
  return {
    code: "model-path-case",
    file: spec.schemaFile,
    model: spec.id,
    message: `model id ${JSON.stringify(spec.id)} differs only in case from ${path.collidesWith.map((id) => JSON.stringify(id)).join(" and ")}, which would share a file on case-insensitive file systems; its modules and schema file are at ${path.path} (import "runcomfy-models/${path.path}")`,
  };
}
