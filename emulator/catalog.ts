/**
 * The emulator's model catalog: every schema file under `schemas/`, served by
 * the catalog routes and used to validate submitted bodies.
 *
 * Validation is deliberately independent of the generator: ajv is compiled
 * here, at start-up, straight from the published schemas, with the leniency a
 * real server shows (`"type": "float"` accepted, a required field with a
 * default may be omitted, unknown formats and custom keywords ignored).
 */
import AjvModule, { type ErrorObject, type ValidateFunction } from "ajv";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";

const Ajv = AjvModule.default;

export interface CatalogModel {
  readonly modelId: string;
  readonly displayName?: string;
  readonly inputSchema: Record<string, unknown>;
  readonly outputSchema?: Record<string, unknown>;
  readonly validate: ValidateFunction;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A lenient, ajv-compatible copy of a published schema. */
export function lenientSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(lenientSchema);
  if (!isObject(schema)) return schema;
  const copy: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "validations" || key === "title" || key === "description" || key === "format" || key === "default")
      continue;
    if (key === "type")
      copy[key] = Array.isArray(value)
        ? value.map((type) => (type === "float" ? "number" : type))
        : value === "float"
          ? "number"
          : value;
    else if (key === "properties" && isObject(value))
      copy[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, lenientSchema(sub)]));
    else copy[key] = lenientSchema(value);
  }
  const properties = isObject(schema["properties"]) ? schema["properties"] : undefined;
  if (Array.isArray(schema["required"]) && properties) {
    // The server fills in defaults: a required field that has one may be omitted ("default": null is no default).
    copy["required"] = (schema["required"] as unknown[]).filter(
      (name) =>
        typeof name === "string" && isObject(properties[name]) && (properties[name] as JsonObject)["default"] == null,
    );
  }
  return copy;
}

async function jsonFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await jsonFiles(full)));
    else if (entry.name.endsWith(".json")) found.push(full);
  }
  return found.sort();
}

export async function loadCatalog(schemasDir: string): Promise<Map<string, CatalogModel>> {
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, allowUnionTypes: true });
  const models = new Map<string, CatalogModel>();
  for (const file of await jsonFiles(schemasDir)) {
    const parsed = JSON.parse(await readFile(file, "utf8")) as JsonObject;
    const modelId = parsed["modelId"];
    const inputSchema = parsed["inputSchema"];
    if (typeof modelId !== "string" || !isObject(inputSchema))
      throw new Error(`${file}: not a schema file (needs modelId and inputSchema)`);
    const schema = { ...(lenientSchema(inputSchema) as JsonObject), additionalProperties: false };
    models.set(modelId, {
      modelId,
      ...(typeof parsed["displayName"] === "string" ? { displayName: parsed["displayName"] } : {}),
      inputSchema,
      ...(isObject(parsed["outputSchema"]) ? { outputSchema: parsed["outputSchema"] } : {}),
      validate: ajv.compile(schema),
    });
  }
  return models;
}

/** A catalog entry as `GET /v1/models/{id}` returns it. */
export function catalogEntry(model: CatalogModel): JsonObject {
  const task = model.modelId.split("/").pop() ?? "";
  return {
    model_id: model.modelId,
    ...(model.displayName === undefined ? {} : { display_name: model.displayName }),
    kind: model.modelId.startsWith("community/") ? "workflow" : "model",
    categories: /to-/.test(task) ? [task] : [],
    input_schema: { title: "Input schema", ...model.inputSchema },
  };
}

/** ajv errors → RunComfy-style `detail` items (`loc` like FastAPI, which the docs' `detail` array suggests). */
export function validationDetail(errors: readonly ErrorObject[] | null | undefined): JsonObject[] {
  return (errors ?? []).map((error) => {
    const path = error.instancePath
      .split("/")
      .slice(1)
      .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"));
    if (error.keyword === "required") path.push(String(error.params["missingProperty"]));
    if (error.keyword === "additionalProperties") path.push(String(error.params["additionalProperty"]));
    const message =
      error.keyword === "additionalProperties"
        ? "extra inputs are not permitted"
        : error.keyword === "required"
          ? "field required"
          : (error.message ?? error.keyword);
    return { loc: ["body", ...path], msg: message, type: error.keyword };
  });
}
