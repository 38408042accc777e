/**
 * Realistic catalog entries (test/fixtures/catalog/, shaped like RunComfy's
 * `GET /v1/models?include_schema=true` entries: plain keys, media by format,
 * title or key, nested objects and arrays of objects, a `required` entry that
 * names no property) and the schema files `pull` makes of them.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { catalogModel } from "../../generator/commands/pull.ts";
import { listFiles } from "../../generator/lib/files.ts";
import { schemaFilePath, serializeSchemaFile, type SchemaFile } from "../../generator/schemas/schema-file.ts";
import { catalogFile } from "../../generator/schemas/to-schema-file.ts";
import { ROOT } from "./project.ts";

export const CATALOG_FIXTURES = join(ROOT, "test/fixtures/catalog");

export type CatalogEntryJson = { model_id: string; input_schema: Record<string, unknown> } & Record<string, unknown>;

/** The fixture entries, by model id. */
export async function catalogEntries(): Promise<Map<string, CatalogEntryJson>> {
  const names = (await listFiles(CATALOG_FIXTURES)).filter((name) => name.endsWith(".json"));
  const entries = await Promise.all(
    names.map(async (name) => JSON.parse(await readFile(join(CATALOG_FIXTURES, name), "utf8")) as CatalogEntryJson),
  );
  return new Map(entries.map((entry) => [entry.model_id, entry]));
}

/** The schema file `pull --all` creates from a catalog entry. */
export function schemaFileOf(entry: unknown): SchemaFile {
  return catalogFile(catalogModel(entry, "fixture"));
}

/** The fixture entries as schema files, as text (what `generatedPackage` takes). */
export async function catalogSchemaTexts(): Promise<string[]> {
  return [...(await catalogEntries()).values()].map((entry) => serializeSchemaFile(schemaFileOf(entry)));
}

/**
 * `count` schema files below `dir` (a folder the emulator serves): the
 * fixture entries again and again under distinct ids
 * (`<vendor>/<family>-<n>/<task>`), with categories and prices kept.
 */
export async function writeCatalogFolder(
  dir: string,
  count: number,
  rename = (id: string, n: number) => variantId(id, n),
): Promise<string[]> {
  const templates = [...(await catalogEntries()).values()];
  const ids: string[] = [];
  for (let n = 0; n < count; n++) {
    const template = templates[n % templates.length]!;
    const entry = { ...template, model_id: rename(template.model_id, n) };
    const file = schemaFileOf(entry);
    const path = join(dir, schemaFilePath(file.modelId));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, serializeSchemaFile(file));
    ids.push(file.modelId);
  }
  return ids;
}

/** `kling/kling-3.0/4k/image-to-video`, 12 → `kling/kling-3.0-v12/4k/image-to-video`. */
export function variantId(id: string, n: number): string {
  const segments = id.split("/");
  segments[1] = `${segments[1]}-v${n}`;
  return segments.join("/");
}
