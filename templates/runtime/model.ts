/**
 * The model core under every generated model module: friendly ↔ wire name
 * mapping, compound size values, media checks, and one validation call that
 * reports every problem. Generated modules only supply data (`ModelDefinition`)
 * and the ajv validator compiled at generate time.
 *
 * Everything a model needs at run time lives in this one module, the errors it
 * throws included: importing a model loads two modules (the model and this
 * one), which keeps its cold start to a few milliseconds.
 */

// ---------------------------------------------------------------------------
// The errors a model can throw without the HTTP client: the base class every
// error of this package extends, `ConfigurationError` and `ValidationError`.
// They live here, not in `errors.ts`, so that a model loads and bundles none
// of the API error classes; `errors.ts` re-exports them, and is where users
// import them from (the same classes: `instanceof` holds across both).
// ---------------------------------------------------------------------------

/** What every error of this package is built from. */
export interface RunComfyErrorOptions {
  /** Model the failing call was about, when known. */
  readonly modelId?: string | undefined;
  /** RunComfy request id, when the job was submitted. */
  readonly requestId?: string | undefined;
  /** The underlying error (`error.cause`), token redacted. */
  readonly cause?: unknown;
}

/** The base class of every error this package throws: `catch (e) { if (e instanceof RunComfyError) … }`. */
export class RunComfyError extends Error {
  override name = "RunComfyError";
  /** Model the failing call was about, when known. */
  readonly modelId: string | undefined;
  /** RunComfy request id, when the job was submitted. */
  readonly requestId: string | undefined;

  constructor(message: string, options: RunComfyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.modelId = options.modelId;
    this.requestId = options.requestId;
  }

  /** A plain, secret-free object for logs: `JSON.stringify(error)` never includes a token. */
  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = { name: this.name, message: this.message };
    for (const [key, value] of Object.entries(this)) {
      if (value !== undefined && key !== "cause") json[key] = value;
    }
    return json;
  }
}

/** Missing token or a bad option: nothing was sent. */
export class ConfigurationError extends RunComfyError {
  override name = "ConfigurationError";
}

/** One problem found in an input; `alias` and `key` name the field, `rule` the broken constraint. */
export interface ValidationIssue {
  /** Friendly field name (`steps`), or the raw key when the field is unknown. */
  readonly alias: string;
  /** Wire key (`149_steps`). */
  readonly key: string;
  /** JSON pointer of the value in the wire body (`/149_steps`, `/loras/0/path`). */
  readonly path: string;
  /** The constraint: `required`, `type`, `enum`, `minimum`, `media`, `size`, `unknown`, … */
  readonly rule: string;
  /** The problem as one line, naming the friendly and the raw place (`steps ("149_steps", node 149): must be <= 20; …`). */
  readonly message: string;
  /** Allowed values for `enum`/`size` problems. */
  readonly allowed?: readonly unknown[];
  /** Allowed range for range problems, e.g. `{ minimum: 6, maximum: 20 }`. */
  readonly range?: Readonly<Record<string, number>>;
}

/** The input breaks the model's schema; nothing was sent and nothing was spent. */
export class ValidationError extends RunComfyError {
  override name = "ValidationError";
  /** Every problem found, in field order (the message lists them too). */
  readonly issues: readonly ValidationIssue[];

  constructor(modelId: string, issues: readonly ValidationIssue[]) {
    const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
    super(
      `Invalid input for ${modelId} (${count}; nothing was sent):\n${issues.map((issue) => `  - ${issue.message}`).join("\n")}`,
      { modelId },
    );
    this.issues = issues;
  }
}

// ---------------------------------------------------------------------------
// Media references: what a RunComfy server can fetch and what it never can.
//
// RunComfy fetches every media input itself ("a publicly reachable HTTPS
// URL"). A value that points at the caller's own disk or network can never
// work, and it would only fail after a paid submit, so it is rejected
// locally. Bare asset names such as `Runcomfy_example_1268_1.png` (the doc
// pages' examples, hosted by RunComfy) and `data:` URIs of the right kind
// are accepted.
// ---------------------------------------------------------------------------

/** The kind of a media input: what `mediaProblem` checks a reference against. */
export type MediaKind = "image" | "video" | "audio";

function article(kind: MediaKind): string {
  return kind === "image" ? "an image" : kind === "video" ? "a video" : "an audio file";
}

/** The private and loopback IP addresses (names are told by their ending: `isPrivateHost`). */
const PRIVATE_HOST =
  /^(127(?:\.\d{1,3}){3}|0(?:\.\d{1,3}){3}|10(?:\.\d{1,3}){3}|192\.168(?:\.\d{1,3}){2}|172\.(?:1[6-9]|2\d|3[01])(?:\.\d{1,3}){2}|169\.254(?:\.\d{1,3}){2}|\[(?:::1?|f[cd][0-9a-f]{0,2}:.*|fe[89ab][0-9a-f]:.*)\])$/i;

/** An IPv4 address inside an IPv6 one, as `URL` writes it: mapped (`[::ffff:7f00:1]`) or compatible (`[::7f00:1]`). */
const EMBEDDED_IPV4 = /^\[::(?:ffff:)?([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/i;

/**
 * A URL host name (as `URL.hostname` gives it) that names the caller's own machine or a private network
 * (`PRIVATE_HOST`). Only an IP address (`[…]`, or a host that ends in a digit) is tried against the pattern: it takes
 * a fifth of a model's first validation to compile, and a name is private by its ending alone.
 */
function isPrivateHost(name: string): boolean {
  // A fully qualified name's final dot (`localhost.`, `printer.local.`) names the same host.
  const host = name.endsWith(".") ? name.slice(0, -1) : name;
  const last = host.charCodeAt(host.length - 1);
  const embedded = host.startsWith("[::") ? EMBEDDED_IPV4.exec(host) : null;
  if (embedded) {
    const [high, low] = [parseInt(embedded[1]!, 16), parseInt(embedded[2]!, 16)];
    return PRIVATE_HOST.test(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`);
  }
  if (host.startsWith("[") || (last >= 48 && last <= 57)) return PRIVATE_HOST.test(host);
  return host === "localhost" || host.endsWith(".localhost") || host.endsWith(".local") || host.endsWith(".internal");
}

/** Why the server could never fetch `value`, or `undefined` when it might. */
export function mediaProblem(value: string, kind: MediaKind): string | undefined {
  const text = value.trim();
  if (text === "") return `must be the URL of ${article(kind)}, got an empty string`;
  // The value is sent as it is: white space around it would reach RunComfy's fetcher too.
  if (text.length !== value.length) return "has white space around it, which would be sent too; remove it";
  // The scheme first: a public https URL (the common case) is then one `URL` parse away, and no other check can match
  // a text with an http(s) scheme, so every answer is still that of the checks in `localProblem`'s order. Comparing
  // the scheme replaces four `/i` patterns; https is found without a pattern at all (compiling the pattern on its first
  // use took up to ~0.1 ms, a fifth of a model's first validation).
  const scheme =
    text.slice(0, 6).toLowerCase() === "https:"
      ? "https"
      : /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(text)?.[1]?.toLowerCase();
  if (scheme === "http" || scheme === "https") {
    // `URL` drops tabs and line breaks and reads `https:///x.png` as the host `x.png`: what it checks would not be
    // what is sent.
    const start = scheme.length + 1;
    const after = text[start + 2];
    if (text[start] !== "/" || text[start + 1] !== "/" || after === undefined || after === "/" || after === "\\")
      return `is not a valid URL (${scheme}: must be followed by // and a host)`;
    if (/[\s\u0000-\u001f\u007f]/.test(text))
      return "is not a valid URL (it contains white space or a control character)";
    let host: string;
    try {
      host = new URL(text).hostname;
    } catch {
      return `is not a valid URL`;
    }
    if (isPrivateHost(host)) return `points at ${host}, a local or private address RunComfy's servers cannot reach`;
    return undefined;
  }
  return localProblem(text, scheme, kind);
}

/** `mediaProblem` for a trimmed, non-empty reference that is not an http(s) URL. */
function localProblem(text: string, scheme: string | undefined, kind: MediaKind): string | undefined {
  if (scheme === "file")
    return `is a local file URL (file://); RunComfy's servers cannot read your disk: upload the ${kind} and pass its https URL`;
  if (scheme === "blob") return `is a browser-local blob: URL; pass a public https URL of the ${kind} instead`;
  // A drive letter: a one-letter scheme followed by a slash or a backslash.
  if ((scheme?.length === 1 && (text[2] === "\\" || text[2] === "/")) || text.startsWith("\\\\"))
    return `looks like a local Windows path; upload the ${kind} and pass its https URL`;
  if (text.startsWith("/")) return `looks like an absolute local path; upload the ${kind} and pass its https URL`;
  if (text.startsWith("~")) return `looks like a path in your home folder; upload the ${kind} and pass its https URL`;
  if (scheme === "data") {
    const mime = /^data:([^;,]*)/i.exec(text)?.[1]?.toLowerCase() ?? "";
    if (!/;base64,/i.test(text.slice(0, 200))) return "is a data: URI without base64 content";
    if (mime !== "" && mime !== "application/octet-stream" && !mime.startsWith(`${kind}/`))
      return `is a data: URI of type ${mime}, not ${article(kind)}`;
    const content = text.slice(text.indexOf(",") + 1);
    if (content === "") return `is a data: URI with no content: it holds no ${kind}`;
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(content)) return "is a data: URI whose content is not base64";
    return undefined;
  }
  // Any other scheme (ftp://, javascript:, mailto:) is nothing RunComfy's servers would fetch.
  if (scheme !== undefined) return `uses the ${scheme}: scheme; RunComfy fetches media over http(s) only`;
  if (/[\\/]/.test(text) || /^\.+$/.test(text))
    return `looks like a relative local path; upload the ${kind} and pass its https URL`;
  // A file name of RunComfy's own samples (`Runcomfy_example_1268_1.png`) is taken; what starts a query or a fragment
  // names nothing.
  if (text[0] === "?" || text[0] === "#") return `is neither a URL nor a file name; pass the https URL of the ${kind}`;
  return undefined;
}

// ---------------------------------------------------------------------------
// The two run-time helpers ajv's standalone validators call. ajv's code loads
// `ajv/dist/runtime/ucs2length` and `ajv/dist/runtime/equal` with CommonJS
// `require`; the generator rewrites those to imports of these, so the
// generated package needs no ajv, no CommonJS and no code generation.
// ---------------------------------------------------------------------------

/** String length in Unicode code points, as JSON Schema counts `minLength`/`maxLength`. */
export function ucs2length(text: string): number {
  let length = 0;
  for (let index = 0; index < text.length; index++) {
    length++;
    const code = text.charCodeAt(index);
    if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length && (text.charCodeAt(index + 1) & 0xfc00) === 0xdc00)
      index++;
  }
  return length;
}

/** Deep equality of JSON values (enum/const of objects, `uniqueItems`). */
export function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return a !== a && b !== b;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, index) => equal(item, b[index]));
  }
  if (Array.isArray(b)) return false;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every((key) => Object.prototype.hasOwnProperty.call(right, key) && equal(left[key], right[key]));
}

// ---------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------

/** The error objects an ajv standalone validator leaves in `validate.errors`. */
export interface CompiledValidatorError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Readonly<Record<string, unknown>>;
}

/** An ajv standalone validation function (compiled at generate time, never at run time). */
export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: readonly CompiledValidatorError[] | null;
}

/** A compound size choice: exact label, width, height and the unambiguous short form. */
export type SizeChoice = readonly [label: string, width: number, height: number, short?: string];

/**
 * What the runtime knows of a value: whether it is a media reference, and
 * the members of a nested object (friendly ↔ wire names, at any depth).
 */
export interface ValueDefinition {
  /** The value is a media reference (string) … */
  readonly media?: MediaKind;
  /** … or an array of media references. */
  readonly mediaItems?: MediaKind;
  /** The value is an object with these members (named like fields: `alias` ↔ `key`). */
  readonly members?: readonly FieldDefinition[];
  /** The object keeps keys it does not list (its schema allows additional properties). */
  readonly open?: boolean;
  /** The value is an array whose items are described here (objects, or arrays of them). */
  readonly items?: ValueDefinition;
  /** Numeric bounds, repeated here so a range error can show the whole range. */
  readonly range?: Readonly<Record<string, number>>;
}

/** Runtime description of one input field, or of one member of a nested object. */
export interface FieldDefinition extends ValueDefinition {
  /** Friendly name (`steps`). */
  readonly alias: string;
  /** Wire key (`149_steps`). */
  readonly key: string;
  /** ComfyUI node ids the key addresses, for messages (`"143"`, `"169+170"`). */
  readonly nodes?: string;
  /** Compound width×height field: the allowed sizes. */
  readonly sizes?: readonly SizeChoice[];
}

export interface ModelDefinition<Id extends string> {
  readonly id: Id;
  readonly fields: readonly FieldDefinition[];
  readonly validate: CompiledValidator;
  /** The keys the output schema lists; `parseOutput` keeps any other key under `extra` (see `extraKey`). */
  readonly output: readonly string[];
}

/**
 * The output property that holds the keys an output schema does not list: `extra`, or `extra_`, `extra__`, … when
 * the schema itself lists `extra` (the generator names the property in the output type by the same rule).
 */
export function extraKey(outputKeys: readonly string[]): string {
  let key = "extra";
  while (outputKeys.includes(key)) key += "_";
  return key;
}

/**
 * A model's annotated JSON Schema (`inputSchema`/`outputSchema` of each model
 * module): standard JSON Schema plus `x-` annotations, ready for form builders.
 */
export interface AnnotatedSchema {
  /** JSON Schema `type`. */
  readonly type?: string | readonly string[];
  /** JSON Schema `title` (the published field title). */
  readonly title?: string;
  /** JSON Schema `description`. */
  readonly description?: string;
  /** JSON Schema `default` (for a required field: RunComfy's sample value, not a default). */
  readonly default?: unknown;
  /** JSON Schema `enum`: the allowed values. */
  readonly enum?: readonly unknown[];
  /** JSON Schema `properties`, keyed by wire key. */
  readonly properties?: Readonly<Record<string, AnnotatedSchema>>;
  /** JSON Schema `required`: wire keys. */
  readonly required?: readonly string[];
  /** JSON Schema `items` of an array. */
  readonly items?: AnnotatedSchema;
  /** Friendly name of an input field or of a member of a nested input object. */
  readonly "x-alias"?: string;
  /** ComfyUI nodes a node-ID key addresses. */
  readonly "x-nodes"?: readonly { readonly id: string; readonly input: string }[];
  /** The value is a media reference of this kind. */
  readonly "x-media"?: MediaKind;
  /** Compound width×height field: its exact labels. */
  readonly "x-sizes"?: readonly string[];
  readonly [keyword: string]: unknown;
}

/**
 * The values a compound size field accepts, from its size table: each exact
 * label, and its `"WxH"` short form and `{ width, height }` when no other label has that size.
 */
export type SizeValue<T extends readonly SizeChoice[]> = {
  [K in keyof T]: T[K] extends readonly [
    infer Label,
    infer Width extends number,
    infer Height extends number,
    ...infer Short,
  ]
    ? // Where another label has the same size, neither "WxH" nor { width, height } names this one: the label does.
      Label | Short[number] | (Short extends [] ? never : { readonly width: Width; readonly height: Height })
    : never;
}[number];

/**
 * The shape of a size's `{ width, height }` form. A size field takes only the sizes its model lists (each typed as
 * literal numbers), so a `Size` with any `number`s is not accepted as it is: type the value by the field's own type
 * (`<Model><Field>`, e.g. `CommunityWan21FusionxImageToVideoResolution`), or write it inline.
 */
export interface Size {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
}

/**
 * A generated model: typed builders over one model id. `Input` has the
 * friendly (camelCase, aliased) names, `RawInput` the wire keys, `Output` the
 * result's `output` object.
 */
export interface Model<Id extends string, Input, RawInput, Output> {
  /** The model id, as RunComfy's API expects it (`community/wan-2-2/vace-fun`). */
  readonly id: Id;
  /** The input fields: friendly name, wire key, media and size facts (what `build()` maps and checks). */
  readonly fields: readonly FieldDefinition[];
  /**
   * Friendly input → the exact wire body, carrying only what was set (no defaults are filled in). Validates locally
   * and throws `ValidationError` listing every problem; nothing is sent.
   */
  build(input: Input): RawInput;
  /**
   * A wire body (raw keys, as RunComfy's docs and curl examples show it) → the same body, validated locally like
   * `build()`; throws `ValidationError` listing every problem.
   */
  buildRaw(input: RawInput): RawInput;
  /** Every problem of a friendly or raw input; an empty array means valid. */
  validate(input: unknown): readonly ValidationIssue[];
  /** Wire body → friendly names (validated; throws `ValidationError`). */
  toFriendly(raw: RawInput): Input;
  /**
   * Lenient output parsing, never throws on extra data: the keys the output schema lists stay where they are, any
   * other key the server sent is kept under `extra`.
   */
  parseOutput(output: unknown): Output;
  /** Type carrier for inference (`InputOf<typeof model>`); never set at run time. */
  readonly "~types"?: { readonly input: Input; readonly rawInput: RawInput; readonly output: Output };
}

/** The friendly input type of a model (`InputOf<typeof model>`). */
export type InputOf<M> = M extends Model<string, infer Input, unknown, unknown> ? Input : never;
/** The wire body type of a model. */
export type RawInputOf<M> = M extends Model<string, unknown, infer RawInput, unknown> ? RawInput : never;
/** The output type of a model (the result's `output`). */
export type OutputOf<M> = M extends Model<string, unknown, unknown, infer Output> ? Output : never;

type Body = Record<string, unknown>;

function isPlainObject(value: unknown): value is Body {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Sets an own enumerable property whatever the key (`__proto__` included). */
function setOwn(target: Body, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function hasOwn(target: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(target, key);
}

function show(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** `; allowed 0 to 20`, or `; allowed > 0 and <= 20` when a bound is exclusive; nothing for one bound (the rule said it). */
function rangeText(range: Readonly<Record<string, number>> | undefined): string {
  if (!range) return "";
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum } = range;
  if (minimum !== undefined && maximum !== undefined) return `; allowed ${minimum} to ${maximum}`;
  const low = minimum !== undefined ? `>= ${minimum}` : exclusiveMinimum !== undefined ? `> ${exclusiveMinimum}` : "";
  const high = maximum !== undefined ? `<= ${maximum}` : exclusiveMaximum !== undefined ? `< ${exclusiveMaximum}` : "";
  return low && high ? `; allowed ${low} and ${high}` : "";
}

export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(
        row[j]! + 1,
        row[j - 1]! + 1,
        previous + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1),
      );
      previous = current;
    }
  }
  return row[b.length]!;
}

/** `; did you mean "steps"?`, or the list of names when none is close. */
function suggestion(name: string, members: readonly FieldDefinition[], noun: string): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const member of members) {
    const distance = editDistance(name, member.alias);
    if (distance < bestDistance) {
      best = member.alias;
      bestDistance = distance;
    }
  }
  if (best !== undefined) return `; did you mean "${best}"?`;
  return members.length === 0
    ? `; it has no ${noun}`
    : `; known ${noun}: ${members.map((member) => member.alias).join(", ")}`;
}

/**
 * Where a value sits: its JSON pointer in the wire body, and how messages
 * name it, friendly (`multiPrompt[0].duration`) and raw
 * (`multi_prompt[0].duration`), under one top-level field.
 */
interface Place {
  readonly field: FieldDefinition;
  readonly pointer: string;
  readonly friendly: string;
  readonly raw: string;
}

function pointerSegment(segment: string): string {
  return segment.replaceAll("~", "~0").replaceAll("/", "~1");
}

function topPlace(field: FieldDefinition): Place {
  return { field, pointer: `/${pointerSegment(field.key)}`, friendly: field.alias, raw: field.key };
}

function itemPlace(place: Place, index: number): Place {
  return {
    field: place.field,
    pointer: `${place.pointer}/${index}`,
    friendly: `${place.friendly}[${index}]`,
    raw: `${place.raw}[${index}]`,
  };
}

function memberPlace(place: Place, alias: string, key: string): Place {
  return {
    field: place.field,
    pointer: `${place.pointer}/${pointerSegment(key)}`,
    friendly: `${place.friendly}.${alias}`,
    raw: `${place.raw}.${key}`,
  };
}

/** `steps ("149_steps", node 149)`, `multiPrompt[0].duration ("multi_prompt[0].duration")`, `seed`. */
function label(place: Place): string {
  const nodes = place.field.nodes;
  if (place.friendly === place.raw) return nodes ? `${place.friendly} (node ${nodes})` : place.friendly;
  return `${place.friendly} ("${place.raw}"${nodes ? `, node ${nodes}` : ""})`;
}

function describeRule(
  error: CompiledValidatorError,
  definition: ValueDefinition | undefined,
): Pick<ValidationIssue, "message" | "allowed" | "range"> {
  const params = error.params;
  switch (error.keyword) {
    case "type":
      return {
        message: `must be ${/^[aeiou]/.test(String(params["type"])) ? "an" : "a"} ${String(params["type"]).replace(/,/g, " or ")}`,
      };
    case "enum": {
      const allowed = (params["allowedValues"] as unknown[] | undefined) ?? [];
      return { message: `must be one of ${allowed.map(show).join(", ")}`, allowed };
    }
    case "const":
      return { message: `must be ${show(params["allowedValue"])}`, allowed: [params["allowedValue"]] };
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum": {
      const range = definition?.range;
      return {
        message: `must be ${params["comparison"]} ${params["limit"]}${rangeText(range)}`,
        range: range ?? { [error.keyword]: Number(params["limit"]) },
      };
    }
    case "multipleOf":
      return { message: `must be a multiple of ${params["multipleOf"]}` };
    case "minLength":
      return { message: `must be at least ${params["limit"]} characters long` };
    case "maxLength":
      return { message: `must be at most ${params["limit"]} characters long` };
    case "minItems":
      return { message: `must have at least ${params["limit"]} items` };
    case "maxItems":
      return { message: `must have at most ${params["limit"]} items` };
    case "uniqueItems":
      return { message: `must not repeat items (items ${params["j"]} and ${params["i"]} are equal)` };
    case "pattern":
      return { message: `must match the pattern /${params["pattern"]}/` };
    case "required":
      return { message: `is required` };
    case "additionalProperties":
      return { message: `is not allowed here` };
    default:
      return { message: `fails the "${error.keyword}" rule` };
  }
}

function decodePointer(segment: string): string {
  return segment.replaceAll("~1", "/").replaceAll("~0", "~");
}

/** Members by friendly name and by wire key, built once per definition. */
const memberIndex = new WeakMap<
  readonly FieldDefinition[],
  { byAlias: Map<string, FieldDefinition>; byKey: Map<string, FieldDefinition> }
>();

function indexOf(members: readonly FieldDefinition[]): {
  byAlias: Map<string, FieldDefinition>;
  byKey: Map<string, FieldDefinition>;
} {
  let index = memberIndex.get(members);
  if (!index) {
    // Plain loops: no callbacks or pair arrays to compile and allocate on a model's first validation.
    index = { byAlias: new Map(), byKey: new Map() };
    for (const member of members) {
      index.byAlias.set(member.alias, member);
      index.byKey.set(member.key, member);
    }
    memberIndex.set(members, index);
  }
  return index;
}

// The model's operations are top-level functions over its definition, not closures made by `defineModel`: a model
// module's import then compiles nothing but a small object, its first validation compiles only what validating
// uses, and a bundle that imports only `build` (the model module's exports call these directly) leaves out the rest.

type Definition = ModelDefinition<string>;

function issue(place: Place, rule: string, message: string, extra: Partial<ValidationIssue> = {}): ValidationIssue {
  return {
    alias: place.field.alias,
    key: place.field.key,
    path: place.pointer,
    rule,
    ...extra,
    message: `${label(place)}: ${message}`,
  };
}

/** A key that is not an input (no `place`) or not a member of the object at `place`. */
function unknownIssue(
  definition: Definition,
  name: string,
  place?: Place,
  members: readonly FieldDefinition[] = definition.fields,
): ValidationIssue {
  return {
    alias: place?.field.alias ?? name,
    key: place?.field.key ?? name,
    path: `${place?.pointer ?? ""}/${pointerSegment(name)}`,
    rule: "unknown",
    message: `${JSON.stringify(name)} is not ${place ? `a member of ${label(place)}` : `an input of ${definition.id}`}${suggestion(name, members, place ? "members" : "fields")}`,
  };
}

/** The definition and place of a wire-body pointer below a field (`/elements/0/frontal_image_url`). */
function resolve(
  field: FieldDefinition,
  segments: readonly string[],
): { definition: ValueDefinition | undefined; place: Place } {
  let place = topPlace(field);
  let current: ValueDefinition | undefined = field;
  for (const segment of segments) {
    if (/^\d+$/.test(segment) && !current?.members) {
      place = itemPlace(place, Number(segment));
      current = current?.items ?? (current?.mediaItems ? { media: current.mediaItems } : undefined);
    } else {
      const member: FieldDefinition | undefined = current?.members
        ? indexOf(current.members).byKey.get(segment)
        : undefined;
      place = memberPlace(place, member?.alias ?? segment, segment);
      current = member;
    }
  }
  return { definition: current, place };
}

/** Media references at any depth of a (wire) value. */
function mediaIssues(value: unknown, definition: ValueDefinition, place: Place, issues: ValidationIssue[]): void {
  if (definition.media !== undefined && typeof value === "string") {
    const problem = mediaProblem(value, definition.media);
    if (problem !== undefined) issues.push(issue(place, "media", `${show(value)} ${problem}`));
  }
  if (definition.mediaItems !== undefined && Array.isArray(value))
    value.forEach((item, index) =>
      mediaIssues(item, { media: definition.mediaItems! }, itemPlace(place, index), issues),
    );
  if (definition.items && Array.isArray(value))
    value.forEach((item, index) => mediaIssues(item, definition.items!, itemPlace(place, index), issues));
  if (definition.members && isPlainObject(value)) {
    for (const member of definition.members) {
      if (hasOwn(value, member.key))
        mediaIssues(value[member.key], member, memberPlace(place, member.alias, member.key), issues);
    }
  }
}

/**
 * Checks a wire body: the compiled schema first, then media references. What only an invalid body needs is in
 * `schemaIssues`, so a first validation of a valid body compiles none of it.
 */
function checkBody(
  definition: Definition,
  body: Body,
  skip: ReadonlySet<string>,
  issues: ValidationIssue[],
): ValidationIssue[] {
  const { fields, validate: compiled } = definition;
  if (!compiled(body)) schemaIssues(definition, body, skip, issues);
  for (const field of fields) {
    if (!(field.media || field.mediaItems || field.items || field.members)) continue;
    if (skip.has(field.key) || !hasOwn(body, field.key)) continue;
    const value = body[field.key];
    // A media string (the common case) needs no walk, and its place only when it is a problem.
    if (field.media !== undefined && typeof value === "string") {
      const problem = mediaProblem(value, field.media);
      if (problem !== undefined) issues.push(issue(topPlace(field), "media", `${show(value)} ${problem}`));
    } else mediaIssues(value, field, topPlace(field), issues);
  }
  return issues;
}

/** The issues of the errors the compiled validator reported, in its order. */
function schemaIssues(definition: Definition, body: Body, skip: ReadonlySet<string>, issues: ValidationIssue[]): void {
  const { byKey } = indexOf(definition.fields);
  for (const error of definition.validate.errors ?? []) {
    const segments = error.instancePath.split("/").slice(1).map(decodePointer);
    if (error.keyword === "additionalProperties" && segments.length === 0) {
      const name = String(error.params["additionalProperty"]);
      issues.push(unknownIssue(definition, name));
      continue;
    }
    const key = segments[0] ?? (error.keyword === "required" ? String(error.params["missingProperty"]) : "");
    if (skip.has(key)) continue;
    // Every key the schema knows is a field; a stand-in keeps the problem reported whatever happens.
    const field = byKey.get(key) ?? { alias: key, key };
    const below = segments.slice(1);
    // `required` and `additionalProperties` name the member of the object they are reported on.
    if (segments.length > 0 && error.keyword === "required") below.push(String(error.params["missingProperty"]));
    if (segments.length > 0 && error.keyword === "additionalProperties")
      below.push(String(error.params["additionalProperty"]));
    const { definition: value, place } = resolve(field, below);
    const rule = describeRule(error, value);
    const got =
      error.keyword === "required" || error.keyword === "additionalProperties" || segments.length === 0
        ? ""
        : `, got ${show(segments.reduce<unknown>((value, segment) => (value as Body | undefined)?.[segment], body))}`;
    issues.push(
      issue(place, error.keyword, `${rule.message}${got}`, {
        ...(rule.allowed === undefined ? {} : { allowed: rule.allowed }),
        ...(rule.range === undefined ? {} : { range: rule.range }),
      }),
    );
  }
}

/** Friendly size value → exact label, or an issue listing the allowed sizes. */
function sizeLabel(field: FieldDefinition, value: unknown): string | ValidationIssue {
  const sizes = field.sizes!;
  // Indexed reads, not a destructuring `for…of`, whose iterator code was half of what compiling this function took.
  for (let index = 0; index < sizes.length; index++) {
    const size = sizes[index]!;
    if (value === size[0] || (typeof value === "string" && value.trim() === size[3])) return size[0];
    // `{ width, height }` names a label only when no other label has that size (the same rule as "WxH").
    if (
      size[3] !== undefined &&
      isPlainObject(value) &&
      value["width"] === size[1] &&
      value["height"] === size[2] &&
      Object.keys(value).length === 2
    )
      return size[0];
  }
  const allowed = sizes.map(([exact, , , short]) => short ?? exact);
  // A size two labels share, as "WxH" or { width, height }: name them, so the caller can pick the label.
  const short = typeof value === "string" ? /^(\d+)x(\d+)$/.exec(value.trim()) : null;
  const wanted = short
    ? [Number(short[1]), Number(short[2])]
    : isPlainObject(value)
      ? [value["width"], value["height"]]
      : undefined;
  if (wanted) {
    const shared = sizes.filter((size) => wanted[0] === size[1] && wanted[1] === size[2]);
    if (shared.length > 1)
      return issue(
        topPlace(field),
        "size",
        `${show(value)} is the size of ${shared.length} labels (${shared.map(([exact]) => JSON.stringify(exact)).join(", ")}); pass the exact label`,
        { allowed: sizes.map(([exact]) => exact) },
      );
  }
  return issue(
    topPlace(field),
    "size",
    `${show(value)} is not an allowed size; allowed: ${allowed.join(", ")} (as "WxH", the exact label, or { width, height })`,
    { allowed: sizes.map(([exact]) => exact) },
  );
}

/**
 * A value below a field, friendly names → wire keys, at every depth. Unknown
 * and doubly set members become issues; everything else is copied as it is
 * (the validator judges it).
 */
function mapIn(
  model: Definition,
  value: unknown,
  definition: ValueDefinition,
  place: Place,
  issues: ValidationIssue[],
): unknown {
  if (definition.members && isPlainObject(value)) {
    const { byAlias: aliases, byKey: keys } = indexOf(definition.members);
    const out: Body = {};
    const setBy = new Map<FieldDefinition, string>();
    for (const name of Object.keys(value)) {
      const member: FieldDefinition | undefined = aliases.get(name) ?? keys.get(name);
      const child = value[name];
      if (child === undefined) continue;
      if (!member) {
        if (definition.open) setOwn(out, name, child);
        else issues.push(unknownIssue(model, name, place, definition.members));
        continue;
      }
      const at = memberPlace(place, member.alias, member.key);
      const previous = setBy.get(member);
      if (previous !== undefined) {
        issues.push(issue(at, "duplicate", `set twice (as "${previous}" and as "${name}"); use one of them`));
        continue;
      }
      setBy.set(member, name);
      setOwn(out, member.key, mapIn(model, child, member, at, issues));
    }
    return out;
  }
  if (definition.items && Array.isArray(value))
    return value.map((item, index) => mapIn(model, item, definition.items!, itemPlace(place, index), issues));
  return value;
}

/** The reverse of `mapIn`: wire keys → friendly names. */
function mapOut(value: unknown, definition: ValueDefinition): unknown {
  if (definition.members && isPlainObject(value)) {
    const { byKey: keys } = indexOf(definition.members);
    const out: Body = {};
    for (const key of Object.keys(value)) {
      const member = keys.get(key);
      setOwn(out, member?.alias ?? key, member ? mapOut(value[key], member) : value[key]);
    }
    return out;
  }
  if (definition.items && Array.isArray(value)) return value.map((item) => mapOut(item, definition.items!));
  return value;
}

/** Friendly or raw input (a plain object) → wire body plus the problems found while mapping names. */
function toBody(definition: Definition, input: Body): { body: Body; issues: ValidationIssue[]; skip: Set<string> } {
  const body: Body = {};
  const issues: ValidationIssue[] = [];
  const skip = new Set<string>();
  const { byAlias, byKey } = indexOf(definition.fields);
  const setBy = new Map<FieldDefinition, string>();
  for (const name of Object.keys(input)) {
    let value = input[name];
    if (value === undefined) continue;
    const field = byAlias.get(name) ?? byKey.get(name);
    if (!field) {
      issues.push(unknownIssue(definition, name));
      continue;
    }
    const previous = setBy.get(field);
    if (previous !== undefined) {
      issues.push(
        issue(topPlace(field), "duplicate", `set twice (as "${previous}" and as "${name}"); use one of them`),
      );
      skip.add(field.key);
      continue;
    }
    setBy.set(field, name);
    if (field.sizes) {
      const result = sizeLabel(field, value);
      if (typeof result === "string") value = result;
      else {
        issues.push(result);
        skip.add(field.key);
        value = null;
      }
    } else if (field.members || field.items) {
      // Only objects and arrays have names below them to map (and a place to compute).
      value = mapIn(definition, value, field, topPlace(field), issues);
    }
    setOwn(body, field.key, value);
  }
  return { body, issues, skip };
}

/** The one issue of an input that is not a plain object (nothing else is checked then). */
/** A plain object of any realm (an iframe's, a `vm` context's): its prototype is some realm's `Object.prototype`, or none. */
function isJsonObject(value: object): boolean {
  if (Object.prototype.toString.call(value) !== "[object Object]") return false;
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** What a value is, for a message: `a Date`, `a function`, `NaN`. */
function kindOf(value: unknown): string {
  if (typeof value === "number") return String(value);
  const article = (word: string) => `${/^[aeiouAEIOU]/.test(word) ? "an" : "a"} ${word}`;
  if (typeof value !== "object" || value === null) return article(typeof value);
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === "string" && name !== "" && name !== "Object" ? article(name) : "an object that is not plain";
}

/**
 * A copy of `value` that is JSON data and nothing else (plain objects of any realm, arrays, strings, finite numbers,
 * booleans, null; an `undefined` member is left out, as "not set"), each property read once. The copy is what gets
 * validated and sent: a later change to the caller's object (reused for the next call while this one waits for its
 * turn) reaches no body, and what `JSON.stringify` would make of other values (a `Date` as a string, a `Map` as `{}`,
 * a function dropped, `NaN` as null, a `toJSON` of its own) is never sent unchecked. Each other value is an issue at
 * its place (`path`: a JSON pointer in the caller's names).
 */
function jsonCopy(
  value: unknown,
  path: string,
  depth: number,
  seen: Set<object>,
  issues: [path: string, why: string][],
): unknown {
  const fail = (why: string): undefined => {
    issues.push([path, why]);
    return undefined;
  };
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : fail(`${kindOf(value)} is not a JSON number`);
  if (typeof value !== "object") return fail(`${kindOf(value)} is not a JSON value`);
  if (depth > 100) return fail("is nested more than 100 levels deep");
  try {
    if (seen.has(value)) return fail("contains itself (a cycle)");
    if (Array.isArray(value)) {
      seen.add(value);
      const copy: unknown[] = [];
      for (let index = 0; index < value.length; index++)
        copy.push(jsonCopy(value[index], `${path}/${index}`, depth + 1, seen, issues));
      seen.delete(value);
      return copy;
    }
    if (!isJsonObject(value))
      return fail(`${kindOf(value)} is not a JSON value (pass a plain object, array or primitive)`);
    seen.add(value);
    const copy: Body = {};
    for (const key of Object.keys(value)) {
      const member = (value as Body)[key];
      if (member === undefined) continue;
      setOwn(copy, key, jsonCopy(member, `${path}/${pointerSegment(key)}`, depth + 1, seen, issues));
    }
    seen.delete(value);
    return copy;
  } catch (error) {
    return fail(`cannot be read (${error instanceof Error ? error.message : String(error)})`);
  }
}

/**
 * The caller's input as JSON data, copied now (`jsonCopy`); a `ValidationError` naming each value that is not JSON
 * data. The client takes it when `submit()` or `run()` is called, before anything waits, so the call sends the input
 * as it was then.
 */
export function snapshotInput(modelId: string, input: unknown): unknown {
  const issues: [path: string, why: string][] = [];
  const copy = jsonCopy(input, "", 0, new Set(), issues);
  if (issues.length === 0) return copy;
  throw new ValidationError(
    modelId,
    issues.map(([path, why]) => {
      const parts = path
        .split("/")
        .slice(1)
        .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"));
      // `elements[0].url`, as the other problems name a place.
      const name =
        parts.length === 0
          ? "(input)"
          : parts.map((part, index) => (/^\d+$/.test(part) ? `[${part}]` : index === 0 ? part : `.${part}`)).join("");
      return { alias: parts[0] ?? "(input)", key: parts[0] ?? "", path, rule: "type", message: `${name}: ${why}` };
    }),
  );
}

function notAnObject(definition: Definition, input: unknown): ValidationIssue {
  return {
    alias: "(input)",
    key: "",
    path: "",
    rule: "type",
    message: `input for ${definition.id} must be a plain object, got ${show(input)}`,
  };
}

function problems(definition: Definition, input: unknown): { body: Body; issues: ValidationIssue[] } {
  // The copy first: it reads the input once, and a revoked Proxy or a throwing getter is an issue there, not an error.
  let data: unknown;
  try {
    data = snapshotInput(definition.id, input);
  } catch (error) {
    if (error instanceof ValidationError) return { body: {}, issues: [...error.issues] };
    throw error;
  }
  if (data === null || typeof data !== "object" || Array.isArray(data))
    return { body: {}, issues: [notAnObject(definition, input)] };
  const { body, issues, skip } = toBody(definition, data as Body);
  return { body, issues: checkBody(definition, body, skip, issues) };
}

/**
 * `build()` and `buildRaw()` of a model: friendly or raw input → the wire body, or a `ValidationError` listing every
 * problem. One function for both: at run time raw keys are mapped too (JavaScript callers), the types keep them apart.
 */
export function buildInput(definition: ModelDefinition<string>, input: unknown): unknown {
  const { body, issues } = problems(definition, input);
  if (issues.length > 0) throw new ValidationError(definition.id, issues);
  return body;
}

/** `validate()` of a model: every problem of a friendly or raw input; an empty array means valid. */
export function inputProblems(definition: ModelDefinition<string>, input: unknown): readonly ValidationIssue[] {
  return problems(definition, input).issues;
}

/** `toFriendly()` of a model: a wire body → friendly names (validated; throws `ValidationError`). */
export function friendlyInput(definition: ModelDefinition<string>, raw: unknown): unknown {
  const { id, fields } = definition;
  const issues: ValidationIssue[] = [];
  const friendly: Body = {};
  if (!isPlainObject(raw)) throw new ValidationError(id, [notAnObject(definition, raw)]);
  const { byKey, byAlias } = indexOf(fields);
  for (const key of Object.keys(raw)) {
    const field = byKey.get(key);
    const named = field ? undefined : byAlias.get(key);
    if (named)
      // A friendly name where a wire key goes: say which key, not "did you mean" the very same name.
      issues.push({
        ...unknownIssue(definition, key),
        message: `${JSON.stringify(key)} is the friendly name of ${JSON.stringify(named.key)}; toFriendly() takes a wire body (raw keys)`,
      });
    else if (!field) issues.push(unknownIssue(definition, key));
    else setOwn(friendly, field.alias, mapOut(raw[key], field));
  }
  issues.push(...checkBody(definition, raw, new Set(), []).filter((issue) => issue.rule !== "unknown"));
  if (issues.length > 0) throw new ValidationError(id, issues);
  return friendly;
}

function parseOutput(outputKeys: readonly string[], output: unknown): Body {
  const out: Body = {};
  let extra: Body | undefined;
  if (isPlainObject(output))
    for (const key of Object.keys(output)) setOwn(outputKeys.includes(key) ? out : (extra ??= {}), key, output[key]);
  if (extra) setOwn(out, extraKey(outputKeys), extra);
  return out;
}

/** Builds the model object a generated module exports. */
export function defineModel<Id extends string, Input, RawInput, Output>(
  definition: ModelDefinition<Id>,
): Model<Id, Input, RawInput, Output> {
  const build = (input: unknown): RawInput => buildInput(definition, input) as RawInput;
  return {
    id: definition.id,
    fields: definition.fields,
    build,
    buildRaw: build,
    validate: (input: unknown): readonly ValidationIssue[] => inputProblems(definition, input),
    toFriendly: (raw: RawInput): Input => friendlyInput(definition, raw) as Input,
    parseOutput: (output: unknown): Output => parseOutput(definition.output, output) as Output,
  };
}
