/** Builds a ModelSpec from an in-memory schema file, as the pipeline would. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { validateSchemaFile, type SchemaFile } from "../../generator/schemas/schema-file.ts";
import { assignModelNames } from "../../generator/model/naming.ts";
import { normalizeModel } from "../../generator/model/normalize.ts";
import type { ModelSpec } from "../../generator/model/types.ts";
import { ROOT } from "./project.ts";

export const SEED_IDS = [
  "community/fantasy-portrait/image-to-video",
  "community/wan-2-1/fusionx/image-to-video",
  "community/wan-2-2/vace-fun",
  "community/infinite-talk/image-to-video",
] as const;

export function seedFile(id: string): SchemaFile {
  const path = join(ROOT, "schemas", `${id}.json`);
  return validateSchemaFile(JSON.parse(readFileSync(path, "utf8")), `schemas/${id}.json`);
}

export function specOf(file: unknown): ModelSpec {
  const parsed = validateSchemaFile(file, "schemas/test.json");
  const names = assignModelNames([parsed.modelId]).get(parsed.modelId)!;
  return normalizeModel(parsed, names, "0".repeat(64), `schemas/${parsed.modelId}.json`);
}

/** A minimal schema file around `properties`. */
export function fileWith(
  properties: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    modelId: "test/model",
    sources: [],
    inputSchema: { type: "object", properties, ...(extra["required"] ? { required: extra["required"] } : {}) },
    ...Object.fromEntries(Object.entries(extra).filter(([key]) => key !== "required")),
  };
}
