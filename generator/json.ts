/** Small JSON helpers shared by the stages: strict parsing with locations, canonical hashing. */
import { createHash } from "node:crypto";
import { GeneratorError } from "./diagnostics.ts";
import type { JsonObject, JsonValue } from "./spec/types.ts";

/** Parses JSON and turns a syntax error into a `GeneratorError` with line and column. */
export function parseJson(text: string, file: string): JsonValue {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body) as JsonValue;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message)?.[1];
    const where = position === undefined ? "" : ` at ${lineColumn(body, Number(position))}`;
    throw new GeneratorError("json-syntax", `invalid JSON${where}: ${message.replace(/^JSON\.parse: /, "")}`, { file });
  }
}

export function lineColumn(text: string, offset: number): string {
  let line = 1;
  let column = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      column = 1;
    } else {
      column++;
    }
  }
  return `line ${line}, column ${column}`;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** JSON with keys sorted at every level: equal for equal content, whatever the key order. */
export function canonicalJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (isJsonObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key]!)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Pretty JSON as every checked-in file uses it: two spaces, trailing newline. */
export function stringifyPretty(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Reads own property `key` without touching the prototype chain (`__proto__` safe). */
export function own(object: JsonObject, key: string): JsonValue | undefined {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}
