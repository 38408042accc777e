/**
 * Documentation text for fields, shared by the TSDoc in `.d.ts` files and the
 * generated README, so both always say the same thing.
 */
import type { FieldSpec, MediaKind, ModelSpec, PropertySpec, ValueSpec } from "../model/types.ts";
import type { JsonValue } from "../lib/json.ts";
import { commentSafe } from "./print/text.ts";

export function show(value: JsonValue): string {
  return JSON.stringify(value);
}

/** A default as documentation shows it: long texts (example prompts) are cut, with their length. */
export function showDefault(value: JsonValue, max = 160): string {
  const text = show(value);
  if (typeof value !== "string" || text.length <= max) return text;
  const kept = value.slice(0, Math.max(12, max - 28)).trimEnd();
  return `${JSON.stringify(kept).slice(0, -1)}…" (${value.length} characters)`;
}

/** Type of a value as a reader would say it: `integer`, `image URL`, `string[]`. */
export function typeLabel(spec: ValueSpec): string {
  if (spec.media) return `${spec.media} URL`;
  if (spec.types.includes("array") && spec.items) return `${typeLabel(spec.items)}[]`;
  if (spec.types.length === 0) return "any";
  return spec.types.join(" | ");
}

/** `6 to 20`, `≥ 0`, `> 0 and ≤ 1`; undefined when unbounded (a spec has one bound a side: `normalizeValue`). */
export function rangeLabel(spec: ValueSpec): string | undefined {
  const low =
    spec.minimum !== undefined
      ? `≥ ${spec.minimum}`
      : spec.exclusiveMinimum !== undefined
        ? `> ${spec.exclusiveMinimum}`
        : undefined;
  const high =
    spec.maximum !== undefined
      ? `≤ ${spec.maximum}`
      : spec.exclusiveMaximum !== undefined
        ? `< ${spec.exclusiveMaximum}`
        : undefined;
  if (spec.minimum !== undefined && spec.maximum !== undefined) return `${spec.minimum} to ${spec.maximum}`;
  if (low && high) return `${low} and ${high}`;
  return low ?? high;
}

/**
 * A length or item count bound as a sentence: `Length: 1 to 5 characters.`, `Items: 1 to 4.`, `At least 1 character.`, `At most 3 items.`,
 * `Exactly 4 items.`; undefined when unbounded (a minimum of 0 bounds nothing).
 */
export function countLine(
  min: number | undefined,
  max: number | undefined,
  what: { readonly label: string; readonly one: string; readonly many: string; readonly unit?: string },
): string | undefined {
  const { label, one, many, unit } = what;
  const low = min !== undefined && min > 0 ? min : undefined;
  const noun = (count: number) => (count === 1 ? one : many);
  if (max !== undefined && low === max) return `Exactly ${max} ${noun(max)}.`;
  if (low !== undefined && max !== undefined) return `${label}: ${low} to ${max}${unit ? ` ${unit}` : ""}.`;
  if (low !== undefined) return `At least ${low} ${noun(low)}.`;
  if (max !== undefined) return `At most ${max} ${noun(max)}.`;
  return undefined;
}

export interface ConstraintOptions {
  /** Include the `Allowed: …` line of an enum. @default true */
  readonly allowed?: boolean;
  /** Say `Integer.` for an unbounded integer. @default true */
  readonly integer?: boolean;
}

/** Every constraint on one line each (ranges, lengths, items, allowed values). */
export function constraintLines(spec: ValueSpec, options: ConstraintOptions = {}): string[] {
  const lines: string[] = [];
  const range = rangeLabel(spec);
  const integer = spec.types.length === 1 && spec.types[0] === "integer";
  if (range) lines.push(`Range: ${range}${integer ? " (integer)" : ""}.`);
  else if (integer && !spec.enum && options.integer !== false) lines.push("Integer.");
  if (spec.multipleOf !== undefined) lines.push(`Multiple of ${spec.multipleOf}.`);
  const length = countLine(spec.minLength, spec.maxLength, {
    label: "Length",
    one: "character",
    many: "characters",
    unit: "characters",
  });
  if (length) lines.push(length);
  if (spec.pattern !== undefined) lines.push(`Pattern: \`${spec.pattern}\`.`);
  const items = countLine(spec.minItems, spec.maxItems, { label: "Items", one: "item", many: "items" });
  if (items) lines.push(items);
  if (spec.uniqueItems) lines.push("Items must be unique.");
  if (spec.enum && options.allowed !== false) lines.push(`Allowed: ${spec.enum.map(show).join(", ")}.`);
  if (spec.const !== undefined) lines.push(`Must be ${show(spec.const)}.`);
  if (spec.format) lines.push(`Format: ${spec.format}.`);
  return lines;
}

/** `image`, `images`, `audio file`, `audio files`. */
function mediaNoun(kind: MediaKind, many: boolean): string {
  const noun = kind === "audio" ? "audio file" : kind;
  return many ? `${noun}s` : noun;
}

export function mediaLine(kind: MediaKind, many: boolean): string {
  const what = many ? mediaNoun(kind, true) : `${kind === "video" ? "a" : "an"} ${mediaNoun(kind, false)}`;
  return `Media: ${what} as a public http(s) URL (or a data: URI); local paths and file:// URLs are rejected before sending.`;
}

function nodesText(field: FieldSpec): string {
  return field.nodes.map((node) => `node ${node.id}, input \`${node.input}\``).join(" and ");
}

export function nodeLine(field: FieldSpec): string {
  const nodes = nodesText(field);
  return `Raw key: \`${field.key}\`${nodes ? ` (ComfyUI ${nodes})` : ""}.`;
}

/** Makes text safe inside a `
/**
 * How a default is documented. A required field's default is RunComfy's
 * sample input (`"woman acting"`, an example image): it is never sent in the
 * field's place, so it is shown as an example value; an optional field's
 * default is what the server uses when the field is left out.
 */
export function defaultLine(spec: ValueSpec, required: boolean, max?: number): string | undefined {
  if (spec.default === undefined) return undefined;
  return required ? `Example: ${showDefault(spec.default, max)}.` : `@default ${showDefault(spec.default, max)}`;
}

/** One-line TSDoc of a raw-key field: the full documentation lives on the friendly field. */
export function rawFieldDoc(field: FieldSpec): string {
  const spec = field.value;
  const parts = [
    `${spec.title ?? field.alias}: friendly name \`${field.alias}\`${field.nodes.length ? `; ComfyUI ${nodesText(field)}` : ""}.`,
  ];
  if (field.sizes) parts.push("Exact size label.");
  else parts.push(...constraintLines(spec, { allowed: false }));
  const fallback = defaultLine(spec, field.required, 60);
  if (fallback) parts.push(fallback);
  return commentSafe(parts.join(" "));
}

/** The lines shared by a field and a nested member: constraints, media, item constraints, server-side checks. */
function valueLines(spec: ValueSpec): string[] {
  const lines = [...constraintLines(spec)];
  const media = spec.media ?? spec.items?.media;
  if (media) lines.push(mediaLine(media, spec.media === undefined));
  if (spec.items && !spec.items.media && !spec.items.properties) {
    const itemLines = constraintLines(spec.items);
    if (itemLines.length > 0) lines.push(`Each item: ${itemLines.join(" ")}`);
  }
  if (spec.validations)
    lines.push(`Server-side checks: ${spec.validations.map((rule) => describeValidation(rule)).join("; ")}.`);
  return lines;
}

function heading(spec: ValueSpec): string[] {
  const text = [spec.title, spec.description].filter(Boolean).join(" — ");
  return text ? [text, ""] : [];
}

function finish(lines: readonly string[]): string {
  return commentSafe(
    lines
      .join("\n")
      .replace(/\n{3,}/g, "\n\n")
      .trim(),
  );
}

/** Full TSDoc body of a friendly input field. */
export function fieldDoc(field: FieldSpec): string {
  const spec = field.value;
  const lines: string[] = [...heading(spec)];
  if (field.sizes) {
    lines.push(
      `Size as \`"WxH"\`, the exact label, or \`{ width, height }\`; the body always carries the exact label.`,
      `Sizes: ${field.sizes.map((size) => size.label).join(", ")}.`,
    );
  } else {
    lines.push(...valueLines(spec));
  }
  lines.push(nodeLine(field));
  const fallback = defaultLine(spec, field.required);
  if (fallback) lines.push(fallback);
  return finish(lines);
}

/** TSDoc of a member of a nested input object (friendly type). */
export function memberDoc(property: PropertySpec): string | undefined {
  const lines = [...heading(property.value), ...valueLines(property.value)];
  if (property.alias !== undefined && property.alias !== property.key) lines.push(`Wire key: \`${property.key}\`.`);
  const fallback = defaultLine(property.value, property.required);
  if (fallback) lines.push(fallback);
  return lines.length > 0 ? finish(lines) : undefined;
}

/** One-line TSDoc of a member of a nested input object (wire type); never empty. */
export function rawMemberDoc(property: PropertySpec): string {
  const parts = [
    ...(property.value.title ? [`${property.value.title}.`] : []),
    ...(property.alias !== undefined && property.alias !== property.key
      ? [`Friendly name \`${property.alias}\`.`]
      : []),
    ...constraintLines(property.value, { allowed: false }),
  ];
  const fallback = defaultLine(property.value, property.required, 60);
  if (fallback) parts.push(fallback);
  // A member with nothing else to say (no title, no constraint) is named by its key and type.
  if (parts.length === 0) parts.push(`\`${property.key}\`: ${typeLabel(property.value)}.`);
  return commentSafe(parts.join(" "));
}

function describeValidation(rule: JsonValue): string {
  if (rule && typeof rule === "object" && !Array.isArray(rule)) {
    const message = rule["validation_error"];
    if (typeof message === "string") return message.replace(/\.$/, "");
  }
  return show(rule);
}

/**
 * TSDoc of an output property, at the top level or nested: title and description, what a media URL is, constraints
 * (of the value and of its items); never empty, so every output member is documented.
 */
export function outputDoc(property: PropertySpec): string {
  const spec = property.value;
  const media = spec.media ?? spec.items?.media;
  const lines: string[] = [...heading(spec)];
  if (media)
    lines.push(
      spec.media
        ? `URL of the generated ${mediaNoun(media, false)}.`
        : `URLs of the generated ${mediaNoun(media, true)}.`,
    );
  // A media URL's `format` (`uri`) says nothing the line above does not.
  lines.push(...constraintLines(spec).filter((line) => !(spec.media && line.startsWith("Format: "))));
  if (spec.items && !spec.items.properties) {
    const itemLines = constraintLines(spec.items).filter((line) => !(media && line.startsWith("Format: ")));
    if (itemLines.length > 0) lines.push(`Each item: ${itemLines.join(" ")}`);
  }
  if (lines.length === 0) lines.push(`Output key \`${property.key}\` (${typeLabel(spec)}).`);
  return finish(lines);
}

/** `0.35 USD per second`; the catalog's own unit words are kept. */
export function priceText(spec: ModelSpec): string | undefined {
  const price = spec.catalog.basePriceUsd;
  if (price === undefined) return undefined;
  return `${price} USD${spec.catalog.priceUnit ? ` per ${spec.catalog.priceUnit}` : ""}`;
}

/**
 * What the catalog says about a model, for its TSDoc and README section:
 * display name, categories, kind, price (information, not a promise), and
 * whether its output schema is RunComfy's documented default.
 */
export function catalogLines(spec: ModelSpec): string[] {
  const lines: string[] = [];
  if (spec.displayName) lines.push(`${spec.displayName}.`);
  const facts = [
    ...(spec.catalog.categories?.length ? [`Categories: ${spec.catalog.categories.join(", ")}.`] : []),
    ...(spec.catalog.kind ? [`Kind: ${spec.catalog.kind}.`] : []),
  ];
  if (facts.length) lines.push(facts.join(" "));
  const price = priceText(spec);
  if (price) lines.push(`Base price: ${price}, as the catalog listed it (information, not a promise).`);
  if (spec.outputDefault)
    lines.push("Output schema: RunComfy's documented output contract (none was published for this model).");
  return lines;
}
