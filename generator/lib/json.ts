/** Small JSON helpers shared by the stages: strict parsing with locations, canonical hashing. */
import { hash } from "node:crypto";
import { GeneratorError } from "./diagnostics.ts";
import { jsonSyntaxErrorOffset } from "./json-scan.ts";

/** Any JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
/** A JSON object (keys are own properties; `__proto__` included). */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Parses JSON and turns a syntax error into a `GeneratorError` with line and column. */
export function parseJson(text: string, file: string): JsonValue {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body) as JsonValue;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // V8 gives no position for some errors ("Unexpected end of JSON input", "Unexpected token 'N', …"): find it ourselves.
    const position = Number(/position (\d+)/.exec(message)?.[1] ?? jsonSyntaxErrorOffset(body) ?? body.length);
    const reason = message.replace(/^JSON\.parse: /, "").replace(/, ".*" is not valid JSON$/s, "");
    throw new GeneratorError("json-syntax", `invalid JSON at ${lineColumn(body, position)}: ${reason}`, { file });
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

/** A value as short text for messages: its JSON, cut to `max` characters (`undefined` reads "undefined"). */
export function preview(value: JsonValue | undefined, max = 80): string {
  const text = JSON.stringify(value);
  if (text === undefined) return "undefined";
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/**
 * SHA-256 (hex) of a text's UTF-8 bytes, or of bytes. Node's one-shot `hash` (Node 20.12+) is about three times as
 * fast as a `createHash` object for the short texts most keys are: a run hashes thousands of them.
 */
export function sha256(text: string | Uint8Array): string {
  return hash("sha256", text, "hex");
}

/** Pretty JSON as every checked-in file uses it: two spaces, trailing newline. */
export function stringifyPretty(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Reads own property `key` without touching the prototype chain (`__proto__` safe). */
export function own(object: JsonObject, key: string): JsonValue | undefined {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}
