/**
 * Input cases read from a model's published input schema (not from the
 * generator): values just inside and just outside every range and length,
 * every allowed value and one that is not, wrong types, unknown keys and
 * missing required fields, each with the verdict the documented contract
 * gives it (`"type": "float"` is a number; a required field with a non-null
 * default may be left out; unknown keys are rejected). Media fields, whose
 * fetchability no JSON Schema can express, get their own cases.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Body = Record<string, Json>;

/** One property schema as published (loose: `float`, custom keywords). */
export type PublishedSchema = Readonly<Record<string, unknown>>;

export interface PublishedInput {
  readonly required?: readonly string[];
  readonly properties: Readonly<Record<string, PublishedSchema>>;
}

export interface InputCase {
  /** Raw key the case is about. */
  readonly key: string;
  readonly what: string;
  /** The whole wire body: a valid base (every required field) with one change. */
  readonly body: Body;
  readonly valid: boolean;
}

export type MediaKind = "image" | "video" | "audio";

const NUMBER = 1e-6;
const WRONG_TYPE_SAMPLES: Readonly<Record<string, Json>> = {
  string: "text",
  integer: 7,
  number: 7.25,
  boolean: true,
  null: null,
  array: [],
  object: {},
};

function typesOf(schema: PublishedSchema): string[] {
  const raw = schema["type"];
  const list = Array.isArray(raw) ? (raw as string[]) : typeof raw === "string" ? [raw] : [];
  return list.map((type) => (type === "float" ? "number" : type));
}

function acceptsType(types: readonly string[], value: Json): boolean {
  if (types.length === 0) return true;
  const actual = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
  return types.some(
    (type) =>
      type === actual ||
      (type === "integer" && typeof value === "number" && Number.isInteger(value)) ||
      (type === "number" && typeof value === "number"),
  );
}

const num = (schema: PublishedSchema, key: string): number | undefined =>
  typeof schema[key] === "number" ? (schema[key] as number) : undefined;

/**
 * The media rule (docs/schemas.md), read independently: `format` `image_uri`/`video_uri`/`audio_uri`
 * (`_uris` on arrays), or a string (array) field whose title ends in Image, Video or Audio.
 */
export function mediaKind(schema: PublishedSchema): { kind: MediaKind; array: boolean } | undefined {
  const array = typesOf(schema).includes("array");
  const format = /^(image|video|audio)_uris?$/.exec(String(schema["format"] ?? ""));
  if (format) return { kind: format[1] as MediaKind, array };
  const itemTypes = array ? typesOf((schema["items"] ?? {}) as PublishedSchema) : typesOf(schema);
  const title = /(?:^|\s)(image|video|audio)s?$/i.exec(String(schema["title"] ?? "").trim());
  if (title && itemTypes.length === 1 && itemTypes[0] === "string" && schema["enum"] === undefined)
    return { kind: title[1]!.toLowerCase() as MediaKind, array };
  return undefined;
}

/** Fields a body without them is invalid for: listed as required and without a (non-null) default. */
export function trulyRequired(input: PublishedInput): string[] {
  return (input.required ?? []).filter(
    (key) => input.properties[key] !== undefined && input.properties[key]!["default"] == null,
  );
}

/** `count` distinct valid items of an array field. */
function validItems(schema: PublishedSchema, count: number): Json[] {
  const items = (schema["items"] ?? {}) as PublishedSchema;
  const media = mediaKind(schema);
  return Array.from({ length: count }, (_, index) => {
    if (media)
      return `https://example.com/input-${index}.${media.kind === "image" ? "png" : media.kind === "video" ? "mp4" : "mp3"}`;
    const allowed = items["enum"] as Json[] | undefined;
    return allowed ? allowed[index % allowed.length]! : validValue(items);
  });
}

/** A value the field accepts, whatever it is. */
export function validValue(schema: PublishedSchema): Json {
  const allowed = schema["enum"] as Json[] | undefined;
  if (allowed) return allowed[0]!;
  const types = typesOf(schema);
  const media = mediaKind(schema);
  if (media && !media.array)
    return `https://example.com/input.${media.kind === "image" ? "png" : media.kind === "video" ? "mp4" : "mp3"}`;
  if (types.includes("array")) return validItems(schema, Math.max(1, num(schema, "minItems") ?? 0));
  if (types.includes("integer") || types.includes("number")) {
    const step = types.includes("integer") ? 1 : (num(schema, "multipleOf") ?? 0.5);
    const low =
      num(schema, "minimum") ??
      (num(schema, "exclusiveMinimum") === undefined ? undefined : num(schema, "exclusiveMinimum")! + step);
    const high =
      num(schema, "maximum") ??
      (num(schema, "exclusiveMaximum") === undefined ? undefined : num(schema, "exclusiveMaximum")! - step);
    return low ?? high ?? step;
  }
  if (types.includes("boolean")) return true;
  if (types.includes("object")) return {};
  return "x".repeat(Math.max(1, num(schema, "minLength") ?? 1));
}

/** The smallest valid body: every truly required field with a valid value. */
export function baseBody(input: PublishedInput): Body {
  return Object.fromEntries(trulyRequired(input).map((key) => [key, validValue(input.properties[key]!)]));
}

/** Cases for one field, as (what, value, valid). */
function fieldCases(schema: PublishedSchema): [string, Json, boolean][] {
  const cases: [string, Json, boolean][] = [];
  const types = typesOf(schema);
  const integer = types.includes("integer") && !types.includes("number");
  for (const [type, sample] of Object.entries(WRONG_TYPE_SAMPLES)) {
    if (!acceptsType(types, sample)) cases.push([`of the wrong type (${type})`, sample, false]);
  }
  const allowed = schema["enum"] as Json[] | undefined;
  if (allowed) {
    for (const value of allowed) cases.push(["an allowed value", value, true]);
    const numbers = allowed.filter((value): value is number => typeof value === "number");
    cases.push(["outside the allowed values", numbers.length > 0 ? Math.max(...numbers) + 1 : "not-an-option", false]);
    return cases;
  }
  if (types.includes("integer") || types.includes("number")) {
    const multiple = num(schema, "multipleOf");
    const step = integer ? 1 : (multiple ?? NUMBER);
    const bound = (key: string, inside: number, outside: number): void => {
      if (num(schema, key) === undefined) return;
      cases.push([`just inside ${key}`, inside, true], [`just outside ${key}`, outside, false]);
    };
    const [min, max, xmin, xmax] = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"].map(
      (key) => num(schema, key) ?? 0,
    ) as [number, number, number, number];
    bound("minimum", min, min - step);
    bound("maximum", max, max + step);
    bound("exclusiveMinimum", xmin + step, xmin);
    bound("exclusiveMaximum", xmax - step, xmax);
    const low = validValue(schema) as number;
    if (integer) cases.push(["not an integer", low + 0.5, false]);
    if (multiple !== undefined)
      cases.push(
        ["a multiple of multipleOf", low + multiple, true],
        ["not a multiple of multipleOf", low + multiple / 2, false],
      );
  }
  const minLength = num(schema, "minLength");
  const maxLength = num(schema, "maxLength");
  if (minLength !== undefined)
    cases.push(
      ["at minLength", "x".repeat(minLength), true],
      ...(minLength > 0 ? [["below minLength", "x".repeat(minLength - 1), false] as [string, Json, boolean]] : []),
    );
  if (maxLength !== undefined)
    cases.push(["at maxLength", "x".repeat(maxLength), true], ["above maxLength", "x".repeat(maxLength + 1), false]);
  if (types.includes("array")) {
    const minItems = num(schema, "minItems");
    const maxItems = num(schema, "maxItems");
    if (minItems !== undefined)
      cases.push(
        ["at minItems", validItems(schema, minItems), true],
        ...(minItems > 0
          ? [["below minItems", validItems(schema, minItems - 1), false] as [string, Json, boolean]]
          : []),
      );
    if (maxItems !== undefined)
      cases.push(
        ["at maxItems", validItems(schema, maxItems), true],
        ["above maxItems", validItems(schema, maxItems + 1), false],
      );
    const itemTypes = typesOf((schema["items"] ?? {}) as PublishedSchema);
    if (itemTypes.length > 0 && !acceptsType(itemTypes, 42))
      cases.push(["with an item of the wrong type", [42], false]);
    const itemEnum = ((schema["items"] ?? {}) as PublishedSchema)["enum"];
    if (Array.isArray(itemEnum)) cases.push(["with an item outside the allowed values", ["not-an-option"], false]);
    if (schema["uniqueItems"] === true)
      cases.push(["with a repeated item", [...validItems(schema, 1), ...validItems(schema, 1)], false]);
  }
  if (types.includes("boolean")) cases.push(["true", true, true], ["false", false, true]);
  return cases;
}

/** Every case of one model's published input. */
export function inputCases(input: PublishedInput): InputCase[] {
  const base = baseBody(input);
  const cases: InputCase[] = [{ key: "", what: "the smallest valid input", body: base, valid: true }];
  for (const [key, schema] of Object.entries(input.properties)) {
    for (const [what, value, valid] of fieldCases(schema))
      cases.push({ key, what, body: { ...base, [key]: value }, valid });
  }
  for (const key of trulyRequired(input)) {
    const { [key]: _, ...rest } = base;
    cases.push({ key, what: "missing (required)", body: rest, valid: false });
  }
  const first = Object.keys(input.properties)[0] ?? "field";
  for (const unknown of ["not_an_input", `${first}_typo`])
    cases.push({ key: unknown, what: "an unknown key", body: { ...base, [unknown]: 1 }, valid: false });
  return cases;
}

const EXTENSIONS: Readonly<Record<MediaKind, string>> = { image: "png", video: "mp4", audio: "mp3" };

/** Values a RunComfy server can never fetch (our verdict alone: every one is a valid JSON string). */
export function unfetchableMedia(kind: MediaKind): string[] {
  const file = `cat.${EXTENSIONS[kind]}`;
  const other: MediaKind = kind === "image" ? "video" : "image";
  return [
    "",
    `file:///Users/me/${file}`,
    `/Users/me/${file}`,
    `C:\\Users\\me\\${file}`,
    `\\\\server\\share\\${file}`,
    `~/${file}`,
    `./media/${file}`,
    `http://localhost:8080/${file}`,
    `http://127.0.0.1/${file}`,
    `https://192.168.1.20/${file}`,
    `https://10.0.0.5/${file}`,
    `http://[::1]/${file}`,
    `https://printer.local/${file}`,
    "blob:https://example.com/2f1e6a2c-9f8e-4c1b-8a55-0c7e5f1d2b3a",
    `ftp://example.com/${file}`,
    "data:text/plain;base64,aGVsbG8=",
    `data:${kind}/${EXTENSIONS[kind]},not-base64`,
    `data:${other}/${EXTENSIONS[other]};base64,AAAA`,
  ];
}

/** Media values a server can fetch: public URLs, RunComfy's hosted example names, base64 data URIs of the right kind. */
export function fetchableMedia(kind: MediaKind): string[] {
  return [
    `https://example.com/in/${kind}.${EXTENSIONS[kind]}`,
    `http://cdn.example.org/${kind}`,
    `Runcomfy_example_1268_1.${EXTENSIONS[kind]}`,
    `data:${kind}/${EXTENSIONS[kind]};base64,AAAA`,
    "data:application/octet-stream;base64,AAAA",
  ];
}
