/**
 * A short summary of what changed in a schema file, printed by `add` and
 * `pull` per model: input fields added, removed and changed (with the
 * keywords that changed), and which other parts of the file changed.
 * (A full drift report is a separate job; this only says where to look.)
 */
import { canonicalJson, isJsonObject, own } from "./json.ts";
import type { SchemaFile } from "./schema-file.ts";
import type { JsonObject, JsonValue } from "./spec/types.ts";

export interface FieldChange {
  readonly key: string;
  /** Schema keywords of the field whose value changed, added or went away. */
  readonly keywords: readonly string[];
}

export interface SchemaChanges {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly FieldChange[];
  /** Input schema keywords other than `properties` that changed (e.g. `required`). */
  readonly inputKeywords: readonly string[];
  /** Other parts of the file that changed (`displayName`, `outputSchema`, `example`, `sources`, …). */
  readonly parts: readonly string[];
}

function same(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  return (a === undefined ? "" : canonicalJson(a)) === (b === undefined ? "" : canonicalJson(b));
}

function changedKeys(before: JsonObject, after: JsonObject): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((key) => !same(own(before, key), own(after, key)));
}

function propertiesOf(schema: JsonObject | undefined): JsonObject {
  const properties = schema === undefined ? undefined : own(schema, "properties");
  return isJsonObject(properties) ? properties : {};
}

/** Whether the properties both schemas have come in the same order (the order fields are generated in). */
function sameOrder(before: JsonObject, after: JsonObject): boolean {
  const common = (object: JsonObject, other: JsonObject): string[] => Object.keys(object).filter((key) => own(other, key) !== undefined);
  return common(before, after).join("\u0000") === common(after, before).join("\u0000");
}

export function schemaChanges(before: SchemaFile | undefined, after: SchemaFile): SchemaChanges {
  const old = propertiesOf(before?.inputSchema);
  const now = propertiesOf(after.inputSchema);
  const changed: FieldChange[] = [];
  for (const key of Object.keys(now)) {
    const a = own(old, key);
    const b = own(now, key);
    if (a === undefined || b === undefined || same(a, b)) continue;
    changed.push({ key, keywords: isJsonObject(a) && isJsonObject(b) ? changedKeys(a, b) : ["(schema)"] });
  }
  const rootBefore: JsonObject = { ...before?.inputSchema, properties: null };
  const rootAfter: JsonObject = { ...after.inputSchema, properties: null };
  const parts = (["displayName", "description", "aliases", "example", "outputSchema", "sources"] as const).filter(
    (part) => before !== undefined && !same(before[part] as JsonValue | undefined, after[part] as JsonValue | undefined),
  );
  return {
    added: Object.keys(now).filter((key) => own(old, key) === undefined),
    removed: Object.keys(old).filter((key) => own(now, key) === undefined),
    changed,
    inputKeywords: before === undefined ? [] : [...changedKeys(rootBefore, rootAfter), ...(sameOrder(old, now) ? [] : ["property order"])],
    parts,
  };
}

/** One line per kind of change, e.g. `+ 149_denoise`, `~ 149_steps (maximum, default)`, `required changed`. */
export function describeChanges(changes: SchemaChanges): string[] {
  return [
    ...changes.added.map((key) => `+ ${key}`),
    ...changes.removed.map((key) => `- ${key}`),
    ...changes.changed.map((change) => `~ ${change.key} (${change.keywords.join(", ")})`),
    ...changes.inputKeywords.map((keyword) => `~ input schema ${keyword}`),
    ...changes.parts.map((part) => `~ ${part}`),
  ];
}
