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
    // V8 gives no position for some errors ("Unexpected end of JSON input", "Unexpected token 'N', …"): find it ourselves.
    const position = Number(/position (\d+)/.exec(message)?.[1] ?? syntaxErrorOffset(body));
    const reason = message.replace(/^JSON\.parse: /, "").replace(/, ".*" is not valid JSON$/s, "");
    throw new GeneratorError("json-syntax", `invalid JSON at ${lineColumn(body, position)}: ${reason}`, { file });
  }
}

/**
 * Offset of the first JSON syntax error in `text` (its length when the text
 * ends too early), from a small scanner of the JSON grammar.
 */
export function syntaxErrorOffset(text: string): number {
  let at = 0;
  const stop = (): never => {
    throw new RangeError(String(at));
  };
  const space = (): void => {
    while (at < text.length && " \t\n\r".includes(text[at]!)) at++;
  };
  const expect = (char: string): void => {
    space();
    if (text[at] !== char) stop();
    at++;
  };
  const string = (): void => {
    expect('"');
    for (;;) {
      const char = text[at];
      if (char === undefined || char < " ") stop();
      at++;
      if (char === '"') return;
      if (char === "\\") {
        if (text[at] === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(at + 1, at + 5))) at += 5;
        else if (text[at] !== undefined && '"\\/bfnrt'.includes(text[at]!)) at++;
        else stop();
      }
    }
  };
  const list = (close: string, item: () => void): void => {
    at++;
    space();
    if (text[at] === close) {
      at++;
      return;
    }
    for (;;) {
      item();
      space();
      if (text[at] === close) {
        at++;
        return;
      }
      expect(",");
    }
  };
  const value = (): void => {
    space();
    const char = text[at];
    if (char === "{") list("}", () => (string(), expect(":"), value()));
    else if (char === "[") list("]", value);
    else if (char === '"') string();
    else {
      const token = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(at))?.[0];
      if (!token) stop();
      at += token!.length;
    }
  };
  try {
    value();
    space();
    if (at < text.length) stop();
    return text.length;
  } catch (error) {
    if (error instanceof RangeError) return Number(error.message);
    throw error;
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
