/**
 * Finds the JSON objects in the text of a doc page.
 *
 * Doc pages run prose, curl calls and JSON together: compact pages glue text
 * to the braces (`…URL。{`, `}'将 YOUR_API…`) and put two objects back to back
 * (`}{`). `JSON.parse` cannot say where an object ends, so this is a small
 * strict JSON parser that starts at every `{` that opens an object (`{`
 * followed by `"` or `}`, so `{request_id}` in a URL template is prose) and
 * returns each top-level object with its offsets. Whitespace between tokens
 * may also be a non-breaking space, which browsers put into copied code;
 * inside strings every character is kept as published.
 */
import type { JsonObject, JsonValue } from "./json.ts";

export interface JsonBlock {
  readonly value: JsonObject;
  /** Offset of the opening `{` in the scanned text. */
  readonly start: number;
  /** Offset just after the closing `}`. */
  readonly end: number;
}

/** Broken JSON: `offset` is where parsing failed, `start` where the object began. */
export class JsonScanError extends Error {
  override readonly name = "JsonScanError";
  constructor(
    message: string,
    readonly offset: number,
    readonly start: number,
  ) {
    super(message);
  }
}

/** JSON whitespace. */
function isJsonSpace(char: string | undefined): boolean {
  return char === " " || char === "\n" || char === "\r" || char === "\t";
}

/** JSON whitespace plus the no-break spaces (U+00A0, U+2007, U+202F) and U+FEFF that copied pages carry. */
function isPageSpace(char: string | undefined): boolean {
  return isJsonSpace(char) || char === "\u00a0" || char === "\u2007" || char === "\u202f" || char === "\ufeff";
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES = new Set(['"', "\\", "/", "b", "f", "n", "r", "t"]);

class Parser {
  private pos: number;

  constructor(
    private readonly text: string,
    private readonly start: number,
    /** `page`: doc-page text (no-break spaces between tokens, duplicate keys rejected); `document`: a plain JSON file, as `JSON.parse` reads it. */
    private readonly mode: "page" | "document" = "page",
  ) {
    this.pos = start;
  }

  get offset(): number {
    return this.pos;
  }

  private fail(message: string, at = this.pos): never {
    throw new JsonScanError(message, at, this.start);
  }

  private describe(at: number): string {
    const char = this.text[at];
    if (char === undefined) return "the end of the page";
    if (char === "\n") return "a line break";
    return char === "'" ? `"'"` : `'${char}'`;
  }

  private skipSpace(): void {
    const isSpace = this.mode === "page" ? isPageSpace : isJsonSpace;
    while (isSpace(this.text[this.pos])) this.pos++;
  }

  private expect(char: string, what: string): void {
    this.skipSpace();
    if (this.text[this.pos] !== char) this.fail(`expected ${what}, found ${this.describe(this.pos)}`);
    this.pos++;
  }

  object(): JsonObject {
    this.expect("{", '"{"');
    const result: JsonObject = {};
    this.skipSpace();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return result;
    }
    for (;;) {
      this.skipSpace();
      const keyAt = this.pos;
      if (this.text[this.pos] !== '"')
        this.fail(`expected a property name in double quotes, found ${this.describe(this.pos)}`);
      const key = this.string();
      if (this.mode === "page" && Object.prototype.hasOwnProperty.call(result, key))
        this.fail(`duplicate property ${JSON.stringify(key)}`, keyAt);
      this.expect(":", '":" after the property name');
      // defineProperty, not assignment: a key "__proto__" must stay an own property.
      Object.defineProperty(result, key, { value: this.value(), enumerable: true, writable: true, configurable: true });
      this.skipSpace();
      const next = this.text[this.pos];
      if (next === ",") {
        this.pos++;
        continue;
      }
      if (next === "}") {
        this.pos++;
        return result;
      }
      this.fail(`expected "," or "}" after a property value, found ${this.describe(this.pos)}`);
    }
  }

  private array(): JsonValue[] {
    this.pos++; // "["
    const result: JsonValue[] = [];
    this.skipSpace();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return result;
    }
    for (;;) {
      result.push(this.value());
      this.skipSpace();
      const next = this.text[this.pos];
      if (next === ",") {
        this.pos++;
        continue;
      }
      if (next === "]") {
        this.pos++;
        return result;
      }
      this.fail(`expected "," or "]" after an array item, found ${this.describe(this.pos)}`);
    }
  }

  private string(): string {
    const from = this.pos;
    this.pos++; // opening quote
    for (;;) {
      const char = this.text[this.pos];
      if (char === undefined) this.fail("unterminated string", from);
      if (char === '"') break;
      if (char < " ") this.fail(`${this.describe(this.pos)} inside a string (write it as an escape such as \\n)`);
      if (char === "\\") {
        const escape = this.text[this.pos + 1];
        if (escape === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6)))
            this.fail("invalid \\u escape: expected four hex digits");
          this.pos += 6;
          continue;
        }
        if (escape === undefined || !ESCAPES.has(escape)) this.fail(`invalid escape \\${escape ?? ""}`);
        this.pos += 2;
        continue;
      }
      this.pos++;
    }
    this.pos++; // closing quote
    // The lexeme is valid JSON by now; JSON.parse decodes the escapes exactly as the spec says.
    return JSON.parse(this.text.slice(from, this.pos)) as string;
  }

  private literal(word: string, value: JsonValue): JsonValue {
    if (!this.text.startsWith(word, this.pos)) this.fail(`expected a JSON value, found ${this.describe(this.pos)}`);
    this.pos += word.length;
    return value;
  }

  /** One JSON value filling the whole text (a JSON document). */
  document(): JsonValue {
    const value = this.value();
    this.skipSpace();
    if (this.pos < this.text.length) this.fail(`unexpected ${this.describe(this.pos)} after the JSON value`);
    return value;
  }

  private value(): JsonValue {
    this.skipSpace();
    const char = this.text[this.pos];
    switch (char) {
      case "{":
        return this.object();
      case "[":
        return this.array();
      case '"':
        return this.string();
      case "t":
        return this.literal("true", true);
      case "f":
        return this.literal("false", false);
      case "n":
        return this.literal("null", null);
      default: {
        NUMBER.lastIndex = this.pos;
        const match = NUMBER.exec(this.text);
        if (!match) this.fail(`expected a JSON value, found ${this.describe(this.pos)}`);
        this.pos += match[0].length;
        return JSON.parse(match[0]) as number;
      }
    }
  }
}

/** Whether the `{` at `index` opens a JSON object (next token is a string or `}`) rather than prose such as `{request_id}`. */
function opensObject(text: string, index: number): boolean {
  let next = index + 1;
  while (isPageSpace(text[next])) next++;
  return text[next] === '"' || text[next] === "}";
}

/**
 * Every top-level JSON object of `text`, in page order. Objects nested in a
 * found object are part of it, not separate results.
 * @throws JsonScanError for the first object that starts but does not parse
 */
export function scanJsonObjects(text: string): JsonBlock[] {
  const blocks: JsonBlock[] = [];
  let index = text.indexOf("{");
  while (index !== -1) {
    if (opensObject(text, index)) {
      const parser = new Parser(text, index);
      const value = parser.object();
      blocks.push({ value, start: index, end: parser.offset });
      index = text.indexOf("{", parser.offset);
    } else {
      index = text.indexOf("{", index + 1);
    }
  }
  return blocks;
}

/**
 * Offset of the first syntax error in a JSON document (strict JSON
 * whitespace), or `undefined` when it parses. Used for errors `JSON.parse`
 * reports without a position.
 */
export function jsonSyntaxErrorOffset(text: string): number | undefined {
  try {
    new Parser(text, 0, "document").document();
    return undefined;
  } catch (error) {
    if (error instanceof JsonScanError) return error.offset;
    throw error;
  }
}
