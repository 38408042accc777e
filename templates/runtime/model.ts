/**
 * The model core under every generated model module: friendly ↔ wire name
 * mapping, compound size values, media checks, and one validation call that
 * reports every problem. Generated modules only supply data (`ModelDefinition`)
 * and the ajv validator compiled at generate time.
 */
import { ValidationError, type ValidationIssue } from "./errors.js";
import { mediaProblem, type MediaKind } from "./media.js";

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

/** Runtime description of one top-level input field. */
export interface FieldDefinition {
  readonly alias: string;
  readonly key: string;
  /** ComfyUI node ids the key addresses, for messages (`"143"`, `"169+170"`). */
  readonly nodes?: string;
  /** The value is a media reference (string) … */
  readonly media?: MediaKind;
  /** … or an array of media references. */
  readonly mediaItems?: MediaKind;
  /** Compound width×height field: the allowed sizes. */
  readonly sizes?: readonly SizeChoice[];
  /** Numeric bounds, repeated here so a range error can show the whole range. */
  readonly range?: Readonly<Record<string, number>>;
}

export interface ModelDefinition<Id extends string> {
  readonly id: Id;
  /** camelCase member name (`client.<name>`), unique in its package. */
  readonly name: string;
  readonly fields: readonly FieldDefinition[];
  readonly validate: CompiledValidator;
}

/**
 * A model's annotated JSON Schema (`inputSchema`/`outputSchema` of each model
 * module): standard JSON Schema plus `x-` annotations, ready for form builders.
 */
export interface AnnotatedSchema {
  readonly type?: string | readonly string[];
  readonly title?: string;
  readonly description?: string;
  readonly default?: unknown;
  readonly enum?: readonly unknown[];
  readonly properties?: Readonly<Record<string, AnnotatedSchema>>;
  readonly required?: readonly string[];
  readonly items?: AnnotatedSchema;
  /** Friendly name of a top-level input field. */
  readonly "x-alias"?: string;
  /** ComfyUI nodes a node-ID key addresses. */
  readonly "x-nodes"?: readonly { readonly id: string; readonly input: string }[];
  /** The value is a media reference of this kind. */
  readonly "x-media"?: MediaKind;
  /** Compound width×height field: its exact labels. */
  readonly "x-sizes"?: readonly string[];
  /** Listed as required upstream although it has a default (so optional here). */
  readonly "x-listed-required"?: boolean;
  readonly [keyword: string]: unknown;
}

/**
 * The values a compound size field accepts, from its size table: each exact
 * label, its `"WxH"` short form (when unambiguous) and `{ width, height }`.
 */
export type SizeValue<T extends readonly SizeChoice[]> = {
  [K in keyof T]: T[K] extends readonly [infer Label, infer Width extends number, infer Height extends number, ...infer Short]
    ? Label | Short[number] | { readonly width: Width; readonly height: Height }
    : never;
}[number];

/** Friendly width×height value accepted by compound size fields. */
export interface Size {
  readonly width: number;
  readonly height: number;
}

/** A generated model: typed builders over one model id. */
export interface Model<Id extends string, Input, RawInput, Output> {
  readonly id: Id;
  /** camelCase member name: `client.<name>.run(input)`. */
  readonly name: string;
  readonly fields: readonly FieldDefinition[];
  /**
   * Friendly (or raw) input → the exact wire body, carrying only what was set.
   * Throws `ValidationError` listing every problem; nothing is sent.
   */
  build(input: Input | RawInput): RawInput;
  /** Every problem of a friendly or raw input; an empty array means valid. */
  validate(input: unknown): readonly ValidationIssue[];
  /** Wire body → friendly names (validated; throws `ValidationError`). */
  toFriendly(raw: RawInput): Input;
  /** Lenient output parsing: keeps unknown keys, never throws on extra data. */
  parseOutput(output: unknown): Output;
  /** Type carrier for inference (`InputOf<typeof model>`); never set at run time. */
  readonly "~types"?: { readonly input: Input; readonly rawInput: RawInput; readonly output: Output };
}

export type InputOf<M> = M extends Model<string, infer Input, unknown, unknown> ? Input : never;
export type RawInputOf<M> = M extends Model<string, unknown, infer RawInput, unknown> ? RawInput : never;
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

function show(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function label(field: FieldDefinition | undefined, key: string): string {
  if (!field) return JSON.stringify(key);
  const where = field.nodes ? `, node ${field.nodes}` : "";
  return field.alias === field.key ? `${field.alias}${where ? ` (${where.slice(2)})` : ""}` : `${field.alias} ("${field.key}"${where})`;
}

function rangeText(range: Readonly<Record<string, number>> | undefined): string {
  if (!range) return "";
  const low = range["minimum"] ?? range["exclusiveMinimum"];
  const high = range["maximum"] ?? range["exclusiveMaximum"];
  if (low !== undefined && high !== undefined) return `; allowed ${low} to ${high}`;
  return "";
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

function describeRule(error: CompiledValidatorError, field: FieldDefinition | undefined): Pick<ValidationIssue, "message" | "allowed" | "range"> {
  const params = error.params;
  switch (error.keyword) {
    case "type":
      return { message: `must be ${/^[aeiou]/.test(String(params["type"])) ? "an" : "a"} ${String(params["type"]).replace(/,/g, " or ")}` };
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
      const top = error.instancePath.split("/").length === 2;
      const range = top ? field?.range : undefined;
      return { message: `must be ${String(params["comparison"])} ${String(params["limit"])}${rangeText(range)}`, range: range ?? { [error.keyword]: Number(params["limit"]) } };
    }
    case "multipleOf":
      return { message: `must be a multiple of ${String(params["multipleOf"])}` };
    case "minLength":
      return { message: `must be at least ${String(params["limit"])} characters long` };
    case "maxLength":
      return { message: `must be at most ${String(params["limit"])} characters long` };
    case "minItems":
      return { message: `must have at least ${String(params["limit"])} items` };
    case "maxItems":
      return { message: `must have at most ${String(params["limit"])} items` };
    case "uniqueItems":
      return { message: `must not repeat items (items ${String(params["j"])} and ${String(params["i"])} are equal)` };
    case "pattern":
      return { message: `must match the pattern /${String(params["pattern"])}/` };
    case "required":
      return { message: `is required` };
    case "additionalProperties":
      return { message: `is not allowed here` };
    default:
      return { message: `fails the "${error.keyword}" rule` };
  }
}

function decodePointer(segment: string): string {
  return segment.replace(/~1/g, "/").replace(/~0/g, "~");
}

/** Builds the model object a generated module exports. */
export function defineModel<Id extends string, Input, RawInput, Output>(definition: ModelDefinition<Id>): Model<Id, Input, RawInput, Output> {
  const { id, name, fields, validate: compiled } = definition;
  const byAlias = new Map(fields.map((field) => [field.alias, field]));
  const byKey = new Map(fields.map((field) => [field.key, field]));

  const unknownIssue = (name: string, path: string): ValidationIssue => {
    let best: string | undefined;
    let bestDistance = 3;
    for (const field of fields) {
      const distance = editDistance(name, field.alias);
      if (distance < bestDistance) {
        best = field.alias;
        bestDistance = distance;
      }
    }
    const hint = best === undefined ? `; known fields: ${fields.map((field) => field.alias).join(", ")}` : `; did you mean "${best}"?`;
    return { alias: name, key: name, path, rule: "unknown", message: `${JSON.stringify(name)} is not an input of ${id}${hint}` };
  };

  /** Checks a wire body: the compiled schema first, then media references. */
  const checkBody = (body: Body, skip: ReadonlySet<string>): ValidationIssue[] => {
    const issues: ValidationIssue[] = [];
    if (!compiled(body)) {
      for (const error of compiled.errors ?? []) {
        const segments = error.instancePath.split("/").slice(1).map(decodePointer);
        let key = segments[0] ?? "";
        if (error.keyword === "required" && segments.length === 0) key = String(error.params["missingProperty"]);
        if (error.keyword === "additionalProperties" && segments.length === 0) {
          const name = String(error.params["additionalProperty"]);
          issues.push(unknownIssue(name, `/${name}`));
          continue;
        }
        if (skip.has(key)) continue;
        const field = byKey.get(key);
        const path = segments.length === 0 ? `/${key}` : error.instancePath;
        const nested = segments.length > 1 ? ` at ${segments.slice(1).join(".")}` : "";
        const rule = describeRule(error, field);
        const got = error.keyword === "required" || segments.length === 0 ? "" : `, got ${show(segments.reduce<unknown>((value, segment) => (value as Body | undefined)?.[segment], body))}`;
        issues.push({
          alias: field?.alias ?? key,
          key,
          path,
          rule: error.keyword,
          ...rule,
          message: `${label(field, key)}${nested}: ${rule.message}${got}`,
        });
      }
    }
    for (const field of fields) {
      const kind = field.media ?? field.mediaItems;
      if (!kind || skip.has(field.key) || !Object.prototype.hasOwnProperty.call(body, field.key)) continue;
      const value = body[field.key];
      const values = field.mediaItems ? (Array.isArray(value) ? value : []) : [value];
      values.forEach((item, index) => {
        if (typeof item !== "string") return;
        const problem = mediaProblem(item, kind);
        if (problem === undefined) return;
        const at = field.mediaItems ? `[${index}]` : "";
        issues.push({
          alias: field.alias,
          key: field.key,
          path: `/${field.key}${field.mediaItems ? `/${index}` : ""}`,
          rule: "media",
          message: `${label(field, field.key)}${at}: ${show(item)} ${problem}`,
        });
      });
    }
    return issues;
  };

  /** Friendly size value → exact label, or an issue listing the allowed sizes. */
  const sizeLabel = (field: FieldDefinition, value: unknown): { label: string } | ValidationIssue => {
    const sizes = field.sizes!;
    for (const [exact, width, height, short] of sizes) {
      if (value === exact || (short !== undefined && typeof value === "string" && value.trim() === short)) return { label: exact };
      if (isPlainObject(value) && value["width"] === width && value["height"] === height && Object.keys(value).length === 2) return { label: exact };
    }
    const allowed = sizes.map(([exact, , , short]) => short ?? exact);
    return {
      alias: field.alias,
      key: field.key,
      path: `/${field.key}`,
      rule: "size",
      allowed: sizes.map(([exact]) => exact),
      message: `${label(field, field.key)}: ${show(value)} is not an allowed size; allowed: ${allowed.join(", ")} (as "WxH", the exact label, or { width, height })`,
    };
  };

  /** Friendly or raw input → wire body plus the problems found while mapping names. */
  const toBody = (input: unknown): { body: Body; issues: ValidationIssue[]; skip: Set<string> } => {
    const body: Body = {};
    const issues: ValidationIssue[] = [];
    const skip = new Set<string>();
    if (!isPlainObject(input)) {
      issues.push({ alias: "(input)", key: "", path: "", rule: "type", message: `input for ${id} must be a plain object, got ${show(input)}` });
      return { body, issues, skip };
    }
    const setBy = new Map<FieldDefinition, string>();
    for (const name of Object.keys(input)) {
      let value = input[name];
      if (value === undefined) continue;
      const field = byAlias.get(name) ?? byKey.get(name);
      if (!field) {
        issues.push(unknownIssue(name, `/${name}`));
        continue;
      }
      const previous = setBy.get(field);
      if (previous !== undefined) {
        issues.push({ alias: field.alias, key: field.key, path: `/${field.key}`, rule: "duplicate", message: `${label(field, field.key)}: set twice (as "${previous}" and as "${name}"); use one of them` });
        skip.add(field.key);
        continue;
      }
      setBy.set(field, name);
      if (field.sizes) {
        const result = sizeLabel(field, value);
        if ("rule" in result) {
          issues.push(result);
          skip.add(field.key);
          value = null;
        } else {
          value = result.label;
        }
      }
      setOwn(body, field.key, value);
    }
    return { body, issues, skip };
  };

  const problems = (input: unknown): { body: Body; issues: ValidationIssue[] } => {
    const mapped = toBody(input);
    if (mapped.issues.some((issue) => issue.rule === "type" && issue.path === "")) return mapped;
    return { body: mapped.body, issues: [...mapped.issues, ...checkBody(mapped.body, mapped.skip)] };
  };

  return {
    id,
    name,
    fields,
    build(input: Input | RawInput): RawInput {
      const { body, issues } = problems(input);
      if (issues.length > 0) throw new ValidationError(id, issues);
      return body as RawInput;
    },
    validate(input: unknown): readonly ValidationIssue[] {
      return problems(input).issues;
    },
    toFriendly(raw: RawInput): Input {
      const issues: ValidationIssue[] = [];
      const friendly: Body = {};
      if (!isPlainObject(raw)) throw new ValidationError(id, [{ alias: "(input)", key: "", path: "", rule: "type", message: `raw input for ${id} must be a plain object` }]);
      for (const key of Object.keys(raw)) {
        const field = byKey.get(key);
        if (!field) issues.push(unknownIssue(key, `/${key}`));
        else setOwn(friendly, field.alias, raw[key]);
      }
      issues.push(...checkBody(raw, new Set()).filter((issue) => issue.rule !== "unknown"));
      if (issues.length > 0) throw new ValidationError(id, issues);
      return friendly as Input;
    },
    parseOutput(output: unknown): Output {
      return (isPlainObject(output) ? { ...output } : {}) as Output;
    },
  };
}
