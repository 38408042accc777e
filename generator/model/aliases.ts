/**
 * Friendly aliases: the one place that decides what each input field is called.
 *
 * Rules, in order:
 * 1. An override from the schema file's `aliases` block wins. Keys are a raw
 *    key (`"150_image"`) or a node-agnostic pattern (`"*_image"`), so an
 *    override survives upstream renumbering too.
 * 2. Node-ID keys (`143_image`, `169_valuex170_value`) are named from the
 *    field's title through a small canonical vocabulary, so one concept has
 *    one name in every model; an unknown title is camelCased; without a usable
 *    title the node input name (`positive_prompt`) is used. The node number
 *    never takes part, so renumbering a node does not change its alias.
 * 3. Plain keys are camelCased: `image_url` → `imageUrl`; a key that is
 *    camelCase already stays as it is (`promptImage`, `imageURL`).
 *
 * Members of nested objects (`multi_prompt[].duration`, `settings.mode`) are
 * named by the same rules, each object's members on their own; an override
 * names them by their path of raw keys (`"elements[].frontal_image_url"`:
 * `[]` steps into array items, `.` into an object's members).
 *
 * There are no numeric suffixes: two fields with one alias (or an alias equal
 * to another field's raw key) stop generation with a message that says how
 * to override it.
 */
import { GeneratorError } from "../lib/diagnostics.ts";
import type { AliasOrigin, NodeRef, SizeOption } from "./types.ts";
import type { JsonValue } from "../lib/json.ts";

/** Canonical name → normalised titles (and node input names) that mean it. */
const VOCABULARY: Readonly<Record<string, readonly string[]>> = {
  prompt: ["prompt", "positive prompt", "text", "text prompt", "positive"],
  negativePrompt: ["negative prompt", "negative"],
  image: ["image", "input image"],
  video: ["video", "input video"],
  audio: ["audio", "input audio"],
  resolution: ["resolution", "resolution w h", "size", "width x height"],
  width: ["width"],
  height: ["height"],
  frames: ["number of frames", "frames", "frame count", "num frames", "length", "video length"],
  fps: ["frames per second", "fps", "frame rate"],
  steps: ["steps", "sampling steps", "inference steps", "num inference steps"],
  cfg: ["guidance scale", "cfg", "cfg scale", "guidance"],
  shift: ["shift"],
  seed: ["seed", "noise seed"],
  strength: ["strength"],
  denoise: ["denoise", "denoising strength", "denoise strength"],
  duration: ["duration"],
};

const LOOKUP: ReadonlyMap<string, string> = new Map(
  Object.entries(VOCABULARY).flatMap(([canonical, phrases]) => phrases.map((phrase) => [phrase, canonical] as const)),
);

const NODE_KEY = /^(\d+)_(.+)$/;
const COMPOUND_KEY = /^(\d+)_([A-Za-z0-9_]+?)x(\d+)_([A-Za-z0-9_]+)$/;
const SIZE_LABEL = /^\s*(\d+)\s*[x×]\s*(\d+)(?:\s+\(.*\))?\s*$/;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `"Resolution (W:H)"` → `"resolution"`; `"Frames Per Second"` → `"frames per second"`. */
export function normalizePhrase(text: string): string {
  return text
    .replace(/\([^)]*\)/g, " ")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

export function vocabularyName(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  return LOOKUP.get(normalizePhrase(text)) ?? LOOKUP.get(normalizePhrase(text.replace(/_/g, " ")));
}

/** camelCase from ASCII words; keeps inner capitals (`promptImage` stays). Undefined when no usable word. */
export function camelCase(text: string): string | undefined {
  const parts = text
    .normalize("NFKD")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  if (parts.length === 0) return undefined;
  const name = parts
    .map((part, index) => {
      const lower = /^[A-Z0-9]+$/.test(part) && part.length > 1 ? part.toLowerCase() : part;
      return index === 0
        ? lower.charAt(0).toLowerCase() + lower.slice(1)
        : lower.charAt(0).toUpperCase() + lower.slice(1);
    })
    .join("");
  return /^[0-9]/.test(name) ? undefined : name;
}

/** Title usable as a name source: plain ASCII letters, digits, spaces and light punctuation. */
function isAsciiTitle(title: string | undefined): title is string {
  return title !== undefined && /[A-Za-z]/.test(title) && /^[\x20-\x7e]+$/.test(title);
}

export interface KeyShape {
  readonly node?: NodeRef;
  readonly compound?: readonly NodeRef[];
}

/** Parses the node structure of a raw key. */
export function keyShape(key: string): KeyShape {
  const compound = COMPOUND_KEY.exec(key);
  if (compound) {
    return {
      compound: [
        { id: compound[1]!, input: compound[2]! },
        { id: compound[3]!, input: compound[4]! },
      ],
    };
  }
  const node = NODE_KEY.exec(key);
  return node ? { node: { id: node[1]!, input: node[2]! } } : {};
}

/**
 * Size options of a compound key's enum, or undefined when the labels are not
 * all `WxH` sizes. A short form (`720x720`) is offered only when unambiguous.
 */
export function sizeOptions(values: readonly JsonValue[] | undefined): SizeOption[] | undefined {
  if (!values || values.length === 0) return undefined;
  const parsed: { label: string; width: number; height: number }[] = [];
  for (const value of values) {
    if (typeof value !== "string") return undefined;
    const match = SIZE_LABEL.exec(value);
    if (!match) return undefined;
    parsed.push({ label: value, width: Number(match[1]), height: Number(match[2]) });
  }
  const counts = new Map<string, number>();
  for (const option of parsed)
    counts.set(`${option.width}x${option.height}`, (counts.get(`${option.width}x${option.height}`) ?? 0) + 1);
  return parsed.map((option) => {
    const short = `${option.width}x${option.height}`;
    return counts.get(short) === 1 ? { ...option, short } : option;
  });
}

export interface AliasInput {
  readonly key: string;
  /** `keyShape(key)`, parsed once by the caller. */
  readonly shape: KeyShape;
  readonly title?: string;
  /** True when the field is a compound size (labels parsed as sizes). */
  readonly isSize: boolean;
}

export interface AliasDecision {
  readonly alias: string;
  readonly origin: AliasOrigin;
}

/**
 * Names every object already has (`constructor`, `toString`, `valueOf`, …).
 * TypeScript checks an object literal's inherited members against optional
 * properties of the same name, so an optional `valueOf?: number` field would
 * reject every input that leaves it out; such aliases get a `field` prefix.
 */
const OBJECT_MEMBERS: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

function derive(field: AliasInput): AliasDecision {
  const decision = deriveName(field);
  if (!OBJECT_MEMBERS.has(decision.alias)) return decision;
  return { ...decision, alias: `field${decision.alias.charAt(0).toUpperCase()}${decision.alias.slice(1)}` };
}

const CAMEL_CASE = /^[a-z][A-Za-z0-9]*$/;

function deriveName(field: AliasInput): AliasDecision {
  const shape = field.shape;
  if (!shape.node && !shape.compound) {
    if (CAMEL_CASE.test(field.key)) return { alias: field.key, origin: "key" };
    const name = camelCase(field.key);
    return { alias: name ?? `field${camelCase(`x ${field.key}`)?.slice(1) ?? ""}`, origin: "key" };
  }
  const fromVocabulary = vocabularyName(field.title);
  if (fromVocabulary) return { alias: fromVocabulary, origin: "vocabulary" };
  if (field.isSize) return { alias: "resolution", origin: "vocabulary" };
  const fromTitle = isAsciiTitle(field.title) ? camelCase(field.title) : undefined;
  if (fromTitle) return { alias: fromTitle, origin: "title" };
  const input = shape.node?.input ?? shape.compound!.map((part) => part.input).join("_x_");
  const fromInput = vocabularyName(input) ?? camelCase(input);
  if (fromInput) return { alias: fromInput, origin: "input-name" };
  return { alias: `node${shape.node?.id ?? shape.compound![0]!.id}`, origin: "key" };
}

/** Where a list of fields sits: the top level (`""`), or a nested path of raw keys (`elements[]`, `settings`). */
export type AliasScope = string;

/** The override key of `key` in `scope`: the raw key at the top level, `<scope>.<key>` below it. */
export function overrideKey(scope: AliasScope, key: string): string {
  return scope === "" ? key : `${scope}.${key}`;
}

function overrideFor(
  { key, shape }: AliasInput,
  overrides: Readonly<Record<string, string>>,
  scope: AliasScope,
): { pattern: string; alias: string } | undefined {
  const exact = overrideKey(scope, key);
  if (Object.prototype.hasOwnProperty.call(overrides, exact)) return { pattern: exact, alias: overrides[exact]! };
  if (scope !== "") return undefined;
  const input =
    shape.node?.input ?? (shape.compound ? `${shape.compound[0]!.input}x${shape.compound[1]!.input}` : undefined);
  if (input === undefined) return undefined;
  const pattern = `*_${input}`;
  return Object.prototype.hasOwnProperty.call(overrides, pattern) ? { pattern, alias: overrides[pattern]! } : undefined;
}

export interface AliasContext {
  readonly model: string;
  readonly schemaFile: string;
  readonly overrides: Readonly<Record<string, string>>;
  /** Where the fields sit. @default "" (the top level) */
  readonly scope?: AliasScope;
  /** Collects, per override key, the raw keys it matched (checked once per model by `checkOverrides`). */
  readonly used: Map<string, string[]>;
}

/** Decides every alias of one list of sibling fields; throws a `GeneratorError` on any collision. */
export function assignAliases(fields: readonly AliasInput[], context: AliasContext): AliasDecision[] {
  const location = { file: context.schemaFile, model: context.model };
  const scope = context.scope ?? "";
  const decisions = fields.map((field): AliasDecision => {
    const override = overrideFor(field, context.overrides, scope);
    if (!override) return derive(field);
    context.used.set(override.pattern, [...(context.used.get(override.pattern) ?? []), overrideKey(scope, field.key)]);
    return { alias: override.alias, origin: "override" };
  });

  const applied = new Map<string, string[]>();
  fields.forEach((field) => {
    const override = overrideFor(field, context.overrides, scope);
    if (override) applied.set(override.pattern, [...(applied.get(override.pattern) ?? []), field.key]);
  });
  for (const [pattern, keys] of applied) {
    checkOverride(pattern, context.overrides[pattern]!, location);
    if (keys.length > 1) {
      throw new GeneratorError(
        "alias-override-ambiguous",
        `alias override ${JSON.stringify(pattern)} matches ${keys.map((key) => JSON.stringify(key)).join(" and ")}; name each raw key instead`,
        { ...location, path: `aliases/${pattern}` },
      );
    }
  }

  const byAlias = new Map<string, string[]>();
  fields.forEach((field, index) => {
    const alias = decisions[index]!.alias;
    byAlias.set(alias, [...(byAlias.get(alias) ?? []), field.key]);
  });
  const rawKeys = new Set(fields.map((field) => field.key));
  const problems: string[] = [];
  let sampleKey: string | undefined;
  const what = scope === "" ? "fields" : `members of "${scope}"`;
  for (const [alias, keys] of byAlias) {
    if (keys.length > 1) {
      problems.push(`${what} ${keys.map((key) => JSON.stringify(key)).join(" and ")} would all be called "${alias}"`);
      sampleKey ??= keys[keys.length - 1];
    } else if (rawKeys.has(alias) && keys[0] !== alias) {
      problems.push(
        `${scope === "" ? "field" : `member of "${scope}"`} ${JSON.stringify(keys[0])} would be called "${alias}", which is the raw key of another ${scope === "" ? "field" : "member"}`,
      );
      sampleKey ??= keys[0];
    }
  }
  if (problems.length > 0) {
    throw new GeneratorError(
      "alias-collision",
      `${problems.join("; ")}. Give one of them its own name in ${context.schemaFile}, e.g.\n` +
        `  "aliases": { ${JSON.stringify(overrideKey(scope, sampleKey!))}: "anotherName" }\n` +
        (scope === ""
          ? `(a key may also be a node-agnostic pattern such as "*_image", which survives node renumbering)`
          : `(a nested member is named by its path of raw keys: "[]" steps into array items, "." into an object's members)`),
      location,
    );
  }
  return decisions;
}

function checkOverride(pattern: string, alias: string, location: { file: string; model: string }): void {
  if (IDENTIFIER.test(alias) && !OBJECT_MEMBERS.has(alias)) return;
  const why = OBJECT_MEMBERS.has(alias) ? "is a name every object already has" : "is not a valid identifier";
  throw new GeneratorError(
    "alias-invalid",
    `alias override ${JSON.stringify(pattern)}: ${JSON.stringify(alias)} ${why}`,
    {
      ...location,
      path: `aliases/${pattern}`,
    },
  );
}

/**
 * After every list of a model got its aliases: each override must be a
 * valid name, and one that matched nothing is worth a warning.
 */
export function checkOverrides(
  context: Pick<AliasContext, "model" | "schemaFile" | "overrides" | "used">,
  warn: (code: string, message: string, path?: string) => void,
): void {
  const location = { file: context.schemaFile, model: context.model };
  for (const [pattern, alias] of Object.entries(context.overrides)) {
    checkOverride(pattern, alias, location);
    if (!context.used.has(pattern))
      warn(
        "alias-override-unused",
        `alias override ${JSON.stringify(pattern)} matches no input field; it is ignored`,
        `aliases/${pattern}`,
      );
  }
}
