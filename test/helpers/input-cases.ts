/**
 * Input cases read from a model's published input schema (not from the
 * generator): values just inside and just outside every range and length,
 * every allowed value and one that is not, wrong types, unknown keys and
 * missing required fields, at every depth of nested objects and arrays of
 * objects, each with the verdict the documented contract gives it (`"type":
 * "float"` is a number; a field listed in `required` is required, also with a
 * default; a `required` entry naming no property is ignored; unknown keys
 * are rejected, also inside nested objects). Media fields, whose
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
  /** Raw key of the top-level field the case is about. */
  readonly key: string;
  /** Where below that field, as raw keys and item indexes (`["0", "duration"]`); empty for the field itself. */
  readonly below: readonly string[];
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

const MEDIA = "(image|img|video|audio)s?";
/** A media phrase: a media word last (a frame or mask only before "URL"), at most four words, none of them a property word. */
function mediaPhrase(text: string): MediaKind | undefined {
  const words = text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  let url = false;
  while (words.length > 1 && /^(url|uri|link)s?$/.test(words[words.length - 1]!)) {
    words.pop();
    url = true;
  }
  const property =
    /^(of|sizes?|count|number|num|format|type|ratio|strength|scale|weight|resolution|quality|width|height|length|duration|mode|name)$/;
  if (words.length === 0 || words.length > 4 || words.some((word) => property.test(word))) return undefined;
  const last = new RegExp(`^${MEDIA}$`).exec(words[words.length - 1]!)?.[1];
  if (last) return (last === "img" ? "image" : last) as MediaKind;
  return url && /^(frames?|mask)$/.test(words[words.length - 1]!) ? "image" : undefined;
}

/**
 * The documented media rule (docs/schemas.md), read independently: a string (or an array of
 * strings) without `enum` is media when its `format` starts with a media
 * kind (`image_uri`, `video_uris`, `image_uri_with_mask_image_ideogramv3`), or
 * its title or its key is a media phrase ("Image", "Video URL", "Reference
 * Image URL", `start_image_url`, `image_urls`, `first_frame_url`).
 */
export function mediaKind(schema: PublishedSchema, key = ""): { kind: MediaKind; array: boolean } | undefined {
  const array = typesOf(schema).includes("array");
  const format = new RegExp(`^${MEDIA}(?:$|[_\\-.\\s])`, "i").exec(String(schema["format"] ?? ""));
  if (format)
    return { kind: (format[1]!.toLowerCase() === "img" ? "image" : format[1]!.toLowerCase()) as MediaKind, array };
  const item = array ? ((schema["items"] ?? {}) as PublishedSchema) : schema;
  const itemTypes = typesOf(item);
  if (itemTypes.length !== 1 || itemTypes[0] !== "string" || item["enum"] !== undefined) return undefined;
  if (array && typeof item["format"] === "string") {
    const itemFormat = new RegExp(`^${MEDIA}(?:$|[_\\-.\\s])`, "i").exec(item["format"]);
    if (itemFormat) return { kind: itemFormat[1]!.toLowerCase() as MediaKind, array };
  }
  const kind = mediaPhrase(String(schema["title"] ?? "")) ?? mediaPhrase(key);
  return kind ? { kind, array } : undefined;
}

/** Fields a body without them is invalid for: listed as required (defaults do not count) and published as properties. */
export function trulyRequired(input: PublishedInput): string[] {
  return (input.required ?? []).filter((key) => input.properties[key] !== undefined);
}

/** `count` distinct valid items of an array field. */
function validItems(schema: PublishedSchema, count: number, key = ""): Json[] {
  const items = (schema["items"] ?? {}) as PublishedSchema;
  const media = mediaKind(schema, key);
  return Array.from({ length: count }, (_, index) => {
    if (media)
      return `https://example.com/input-${index}.${media.kind === "image" ? "png" : media.kind === "video" ? "mp4" : "mp3"}`;
    const allowed = items["enum"] as Json[] | undefined;
    return allowed ? allowed[index % allowed.length]! : validValue(items);
  });
}

/** A value the field accepts, whatever it is. */
export function validValue(schema: PublishedSchema, key = ""): Json {
  const allowed = schema["enum"] as Json[] | undefined;
  if (allowed) return allowed[0]!;
  const types = typesOf(schema);
  const media = mediaKind(schema, key);
  if (media && !media.array)
    return `https://example.com/input.${media.kind === "image" ? "png" : media.kind === "video" ? "mp4" : "mp3"}`;
  if (types.includes("array")) return validItems(schema, Math.max(1, num(schema, "minItems") ?? 0), key);
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
  if (types.includes("object")) return nestedInput(schema) ? baseBody(nestedInput(schema)!) : {};
  return "x".repeat(Math.max(1, num(schema, "minLength") ?? 1));
}

/** The members of an object schema, as an input of their own. */
function nestedInput(schema: PublishedSchema): PublishedInput | undefined {
  const properties = schema["properties"];
  if (typeof properties !== "object" || properties === null) return undefined;
  const required = schema["required"];
  return {
    properties: properties as Record<string, PublishedSchema>,
    ...(Array.isArray(required) ? { required: required as string[] } : {}),
  };
}

/** The smallest valid body: every truly required field with a valid value. */
export function baseBody(input: PublishedInput): Body {
  return Object.fromEntries(trulyRequired(input).map((key) => [key, validValue(input.properties[key]!, key)]));
}

/** One case below a field: where (raw keys and indexes), what, the whole field value, valid or not. */
type Case = [below: string[], what: string, value: Json, valid: boolean];

/** Cases for one field, at every depth of its nested objects, as (below, what, field value, valid). */
function fieldCases(schema: PublishedSchema, key = ""): Case[] {
  const cases: Case[] = valueCases(schema, key).map(([what, value, valid]) => [[], what, value, valid]);
  const types = typesOf(schema);
  const members = nestedInput(schema);
  if (members && types.includes("object")) {
    // An object: each member varied inside the smallest valid object.
    const base = baseBody(members);
    for (const [below, what, value, valid] of memberCases(members))
      cases.push([below, what, { ...base, [below[0]!]: value } as Json, valid]);
  }
  const items = (schema["items"] ?? {}) as PublishedSchema;
  const itemMembers = nestedInput(items);
  if (types.includes("array") && itemMembers && typesOf(items).includes("object")) {
    // An array of objects: the smallest valid array, its first item varied.
    const array = validItems(schema, Math.max(1, num(schema, "minItems") ?? 0), key);
    for (const [below, what, value, valid] of memberCases(itemMembers)) {
      const item = { ...(array[0] as Body), [below[0]!]: value } as Json;
      cases.push([["0", ...below], what, [item, ...array.slice(1)], valid]);
    }
  }
  return cases;
}

/** Cases of the members of a nested object (required ones missing, unknown ones added, each varied at any depth). */
function memberCases(members: PublishedInput): Case[] {
  const cases: Case[] = [];
  for (const [key, schema] of Object.entries(members.properties))
    for (const [below, what, value, valid] of fieldCases(schema, key))
      cases.push([[key, ...below], what, value, valid]);
  return cases;
}

/** Cases of one value itself (not its members), as (what, value, valid). */
function valueCases(schema: PublishedSchema, key: string): [string, Json, boolean][] {
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
    const bound = (name: string, inside: number, outside: number): void => {
      if (num(schema, name) === undefined) return;
      cases.push([`just inside ${name}`, inside, true], [`just outside ${name}`, outside, false]);
    };
    const [min, max, xmin, xmax] = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"].map(
      (name) => num(schema, name) ?? 0,
    ) as [number, number, number, number];
    bound("minimum", min, min - step);
    bound("maximum", max, max + step);
    bound("exclusiveMinimum", xmin + step, xmin);
    bound("exclusiveMaximum", xmax - step, xmax);
    const low = validValue(schema, key) as number;
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
        ["at minItems", validItems(schema, minItems, key), true],
        ...(minItems > 0
          ? [["below minItems", validItems(schema, minItems - 1, key), false] as [string, Json, boolean]]
          : []),
      );
    if (maxItems !== undefined)
      cases.push(
        ["at maxItems", validItems(schema, maxItems, key), true],
        ["above maxItems", validItems(schema, maxItems + 1, key), false],
      );
    const itemTypes = typesOf((schema["items"] ?? {}) as PublishedSchema);
    if (itemTypes.length > 0 && !acceptsType(itemTypes, 42))
      cases.push(["with an item of the wrong type", [42], false]);
    const itemEnum = ((schema["items"] ?? {}) as PublishedSchema)["enum"];
    if (Array.isArray(itemEnum)) cases.push(["with an item outside the allowed values", ["not-an-option"], false]);
    if (schema["uniqueItems"] === true)
      cases.push(["with a repeated item", [...validItems(schema, 1, key), ...validItems(schema, 1, key)], false]);
  }
  if (types.includes("boolean")) cases.push(["true", true, true], ["false", false, true]);
  return cases;
}

/** Every case of one model's published input. */
export function inputCases(input: PublishedInput): InputCase[] {
  const base = baseBody(input);
  const cases: InputCase[] = [{ key: "", below: [], what: "the smallest valid input", body: base, valid: true }];
  for (const [key, schema] of Object.entries(input.properties)) {
    for (const [below, what, value, valid] of fieldCases(schema, key))
      cases.push({ key, below, what, body: { ...base, [key]: value }, valid });
    // Inside nested objects: a required member missing, and an unknown member (nested objects are closed too).
    for (const [below, object] of nestedObjects(schema, validValue(schema, key), [])) {
      const replace = (next: Json): Body => ({ ...base, [key]: replaceAt(validValue(schema, key), below, next) });
      for (const member of trulyRequired(object.input)) {
        const { [member]: _, ...rest } = object.value;
        cases.push({
          key,
          below: [...below, member],
          what: "missing (required member)",
          body: replace(rest),
          valid: false,
        });
      }
      cases.push({
        key,
        below: [...below, "not_a_member"],
        what: "an unknown key (member)",
        body: replace({ ...object.value, not_a_member: 1 }),
        valid: false,
      });
    }
  }
  for (const key of trulyRequired(input)) {
    const { [key]: _, ...rest } = base;
    cases.push({ key, below: [], what: "missing (required)", body: rest, valid: false });
  }
  const first = Object.keys(input.properties)[0] ?? "field";
  for (const unknown of ["not_an_input", `${first}_typo`])
    cases.push({ key: unknown, below: [], what: "an unknown key", body: { ...base, [unknown]: 1 }, valid: false });
  return cases;
}

/** Every nested object of a valid value, with where it sits (raw keys and indexes) and its members' schema. */
function nestedObjects(
  schema: PublishedSchema,
  value: Json,
  below: string[],
): [string[], { input: PublishedInput; value: Body }][] {
  const found: [string[], { input: PublishedInput; value: Body }][] = [];
  const members = nestedInput(schema);
  if (members && typeof value === "object" && value !== null && !Array.isArray(value)) {
    found.push([below, { input: members, value }]);
    for (const [key, child] of Object.entries(members.properties))
      if (value[key] !== undefined) found.push(...nestedObjects(child, value[key]!, [...below, key]));
  }
  if (Array.isArray(value) && value.length > 0)
    found.push(...nestedObjects((schema["items"] ?? {}) as PublishedSchema, value[0]!, [...below, "0"]));
  return found;
}

/** `value` with the value at `below` replaced. */
export function replaceAt(value: Json, below: readonly string[], next: Json): Json {
  if (below.length === 0) return next;
  const [head, ...rest] = below;
  if (Array.isArray(value))
    return value.map((item, index) => (String(index) === head ? replaceAt(item, rest, next) : item));
  const object = value as Body;
  return { ...object, [head!]: replaceAt(object[head!]!, rest, next) };
}

/** Every media field at any depth: the top-level key, where below it, the kind, and whether it is an array. */
export function mediaSites(input: PublishedInput): { key: string; below: string[]; kind: MediaKind; array: boolean }[] {
  const sites: { key: string; below: string[]; kind: MediaKind; array: boolean }[] = [];
  const visit = (schema: PublishedSchema, key: string, top: string, below: string[]): void => {
    const media = mediaKind(schema, key);
    if (media) sites.push({ key: top, below, ...media });
    const members = nestedInput(schema);
    if (members && typesOf(schema).includes("object"))
      for (const [name, child] of Object.entries(members.properties)) visit(child, name, top, [...below, name]);
    const items = (schema["items"] ?? {}) as PublishedSchema;
    if (typesOf(schema).includes("array") && nestedInput(items) && typesOf(items).includes("object"))
      for (const [name, child] of Object.entries(nestedInput(items)!.properties))
        visit(child, name, top, [...below, "0", name]);
  };
  for (const [key, schema] of Object.entries(input.properties)) visit(schema, key, key, []);
  return sites;
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
