/**
 * `pull [model ids...]`: refresh checked-in schema files from the Model API
 * catalog (`GET /v1/models/{model_id}`), then regenerate.
 *
 * The catalog publishes the input schema and an English display name, but
 * no output schema and no example, so pull refreshes an existing file and
 * never creates one. Calls go through the generated client's own runtime
 * (one HTTP engine: auth, retries, error mapping). All entries are fetched
 * and checked before anything is written.
 */
import { mapLimit } from "../lib/concurrency.ts";
import { GeneratorError, generatorProblems } from "../lib/diagnostics.ts";
import { generate, type GenerateReport } from "../package/generate.ts";
import { isJsonObject } from "../lib/json.ts";
import type { DriftReport } from "../drift/types.ts";
import type { SchemaFile } from "../schemas/schema-file.ts";
import { commitSchemaFiles, nothingWritten, type SchemaUpdate } from "./commit.ts";
import { readStoredSchema, storedModelIds } from "../schemas/store.ts";
import { withCatalogEntry } from "../schemas/to-schema-file.ts";
import { checkModelId } from "../lib/model-id.ts";
import type { JsonObject } from "../lib/json.ts";
import type { CatalogEntry } from "../../templates/runtime/catalog.ts";
import { createClient, type Client } from "../../templates/runtime/client.ts";
import { RunComfyError } from "../../templates/runtime/errors.ts";
import { BASE_URL_ENV_VAR, TOKEN_ENV_VARS } from "../../templates/runtime/protocol.ts";

export interface PullOptions {
  /** Project root (holds schemas/ and generated/). */
  readonly root: string;
  /** Models to refresh. @default every checked-in model */
  readonly modelIds?: readonly string[];
  /** API origin. @default `RUNCOMFY_MODEL_API_BASE`, then https://model-api.runcomfy.net */
  readonly baseUrl?: string;
  /** API token. @default `RUNCOMFY_API_TOKEN`, then `RUNCOMFY_TOKEN` */
  readonly token?: string;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Regenerate generated/ afterwards. @default true */
  readonly generate?: boolean;
}

export interface PullReport {
  /** The base URL the catalog was read from. */
  readonly baseUrl: string;
  readonly models: readonly SchemaUpdate[];
  /** What changed for users of the generated package (see `generator/drift/`). */
  readonly drift?: DriftReport;
  readonly generate?: GenerateReport;
}

const CONCURRENCY = 4;

function envValue(name: string): string | undefined {
  const value = process.env[name]?.trim();
  return value ? value : undefined;
}

function catalogClient(options: PullOptions): Client {
  const token = options.token ?? TOKEN_ENV_VARS.map(envValue).find((value) => value !== undefined);
  if (token === undefined)
    throw new GeneratorError(
      "pull-token",
      `no API token: pass --token or set ${TOKEN_ENV_VARS.join(" or ")} (nothing was sent)`,
    );
  try {
    return createClient({
      token,
      baseUrl: options.baseUrl ?? envValue(BASE_URL_ENV_VAR),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  } catch (error) {
    if (error instanceof RunComfyError) throw new GeneratorError("pull-config", error.message);
    throw error;
  }
}

/** The stored file of every requested model; a model without one cannot be pulled. */
async function storedFiles(root: string, modelIds: readonly string[]): Promise<SchemaFile[]> {
  const problems: GeneratorError[] = [];
  const files: SchemaFile[] = [];
  for (const modelId of modelIds) {
    try {
      checkModelId(modelId);
      const stored = await readStoredSchema(root, modelId);
      if (stored.file) files.push(stored.file);
      else
        problems.push(
          new GeneratorError(
            "pull-unknown-model",
            `no schema file ${stored.path}; pull refreshes checked-in models (the catalog has no output schema or example): add the model from its doc page first`,
            { model: modelId },
          ),
        );
    } catch (error) {
      problems.push(...generatorProblems(error)); // an invalid id, or a stored file that does not parse: each names itself
    }
  }
  if (problems.length > 0) throw nothingWritten(problems);
  return files;
}

/** The runtime's message, plus what it wraps (`fetch failed` alone does not say ECONNREFUSED or "bad port"). */
function failureText(error: RunComfyError): string {
  let innermost: string | undefined;
  for (
    let cause: unknown = error.cause;
    typeof cause === "object" && cause !== null;
    cause = (cause as { cause?: unknown }).cause
  ) {
    const { code, message } = cause as { code?: unknown; message?: unknown };
    if (typeof code === "string") return `${error.message} (${code})`;
    if (typeof message === "string") innermost = message;
  }
  return innermost === undefined || error.message.includes(innermost)
    ? error.message
    : `${error.message} (${innermost})`;
}

/** Checks the catalog's answer for `modelId` and returns the refreshed file. */
function refreshed(existing: SchemaFile, entry: CatalogEntry): SchemaFile {
  const fail = (message: string): never => {
    throw new GeneratorError("catalog-entry", message, { model: existing.modelId });
  };
  if (entry.model_id !== undefined && entry.model_id !== existing.modelId)
    fail(`the catalog answered with model ${JSON.stringify(entry.model_id)}`);
  const inputSchema = entry.input_schema;
  if (!isJsonObject(inputSchema) || !isJsonObject(inputSchema["properties"]))
    fail('the catalog entry has no input_schema with "properties"');
  return withCatalogEntry(existing, { display_name: entry.display_name, input_schema: inputSchema as JsonObject });
}

export async function pullSchemas(options: PullOptions): Promise<PullReport> {
  const requested = options.modelIds?.length ? [...new Set(options.modelIds)] : await storedModelIds(options.root);
  if (requested.length === 0)
    throw new GeneratorError(
      "pull-nothing",
      "no checked-in schema files to refresh (schemas/ is empty); add models from their doc pages first",
    );
  const existing = await storedFiles(options.root, requested);
  const client = catalogClient(options);

  const results = await mapLimit(existing, CONCURRENCY, async (file) => {
    let entry: CatalogEntry;
    try {
      entry = await client.catalog.get(file.modelId);
    } catch (error) {
      if (error instanceof RunComfyError)
        throw new GeneratorError("catalog", `catalog call failed: ${failureText(error)}`, { model: file.modelId });
      throw error;
    }
    return refreshed(file, entry);
  });
  const problems: GeneratorError[] = [];
  const files: SchemaFile[] = [];
  for (const result of results) {
    if (result.status === "rejected") problems.push(...generatorProblems(result.reason));
    else files.push(result.value);
  }
  if (problems.length > 0) throw nothingWritten(problems);

  const { updates, drift } = await commitSchemaFiles(options.root, files, {
    base: "schemas/",
    head: `catalog ${client.baseUrl}`,
  });
  const report = { baseUrl: client.baseUrl, models: updates, ...(drift === undefined ? {} : { drift }) };
  if (options.generate === false) return report;
  return { ...report, generate: await generate({ root: options.root }) };
}
