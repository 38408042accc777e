/**
 * Documentation text for fields, shared by the TSDoc in `.d.ts` files and the
 * generated README, so both always say the same thing.
 */
import type { FieldSpec, MediaKind, PropertySpec, ValueSpec } from "../model/types.ts";
import type { JsonValue } from "../lib/json.ts";

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

/** `6 to 20`, `≥ 0`, `> 0 and ≤ 1`; undefined when unbounded. */
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
  if (spec.minLength !== undefined || spec.maxLength !== undefined) {
    lines.push(`Length: ${spec.minLength ?? 0} to ${spec.maxLength ?? "any"} characters.`);
  }
  if (spec.pattern !== undefined) lines.push(`Pattern: \`${spec.pattern}\`.`);
  if (spec.minItems !== undefined || spec.maxItems !== undefined)
    lines.push(`Items: ${spec.minItems ?? 0} to ${spec.maxItems ?? "any"}.`);
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
  return `Media: ${what} as a public https URL (or a data: URI); local paths and file:// URLs are rejected before sending.`;
}

function nodesText(field: FieldSpec): string {
  return field.nodes.map((node) => `node ${node.id}, input \`${node.input}\``).join(" and ");
}

export function nodeLine(field: FieldSpec): string {
  const nodes = nodesText(field);
  return `Raw key: \`${field.key}\`${nodes ? ` (ComfyUI ${nodes})` : ""}.`;
}

/** Makes text safe inside a `/** … *\/` block. */
export function commentSafe(text: string): string {
  return text.replace(/\*\//g, "*\\/").replace(/\r\n?/g, "\n");
}

/** One-line TSDoc of a raw-key field: the full documentation lives on the friendly field. */
export function rawFieldDoc(field: FieldSpec): string {
  const spec = field.value;
  const parts = [
    `${spec.title ?? field.alias}: friendly name \`${field.alias}\`${field.nodes.length ? `; ComfyUI ${nodesText(field)}` : ""}.`,
  ];
  if (field.sizes) parts.push("Exact size label.");
  else parts.push(...constraintLines(spec, { allowed: false }));
  if (spec.default !== undefined) parts.push(`@default ${showDefault(spec.default, 60)}`);
  return commentSafe(parts.join(" "));
}

/** Full TSDoc body of a friendly input field. */
export function fieldDoc(field: FieldSpec): string {
  const spec = field.value;
  const lines: string[] = [];
  const heading = [spec.title, spec.description].filter(Boolean).join(" — ");
  if (heading) lines.push(heading, "");
  if (field.sizes) {
    lines.push(
      `Size as \`"WxH"\`, the exact label, or \`{ width, height }\`; the body always carries the exact label.`,
      `Sizes: ${field.sizes.map((size) => size.label).join(", ")}.`,
    );
  } else {
    lines.push(...constraintLines(spec));
  }
  const media = spec.media ?? spec.items?.media;
  if (media) lines.push(mediaLine(media, spec.media === undefined));
  if (spec.items && !spec.items.media) {
    const itemLines = constraintLines(spec.items);
    if (itemLines.length > 0) lines.push(`Each item: ${itemLines.join(" ")}`);
  }
  if (spec.validations)
    lines.push(`Server-side checks: ${spec.validations.map((rule) => describeValidation(rule)).join("; ")}.`);
  lines.push(nodeLine(field));
  if (field.listedRequired && spec.default !== undefined)
    lines.push("Listed as required upstream; optional here because the server fills in the default.");
  if (spec.default !== undefined) lines.push(`@default ${showDefault(spec.default)}`);
  return commentSafe(
    lines
      .join("\n")
      .replace(/\n{3,}/g, "\n\n")
      .trim(),
  );
}

function describeValidation(rule: JsonValue): string {
  if (rule && typeof rule === "object" && !Array.isArray(rule)) {
    const message = rule["validation_error"];
    if (typeof message === "string") return message.replace(/\.$/, "");
  }
  return show(rule);
}

/** TSDoc of an output property. */
export function outputDoc(property: PropertySpec): string {
  const spec = property.value;
  const media = spec.media ?? spec.items?.media;
  const lines: string[] = [];
  if (spec.description) lines.push(spec.description);
  if (media)
    lines.push(
      spec.media
        ? `URL of the generated ${mediaNoun(media, false)}.`
        : `URLs of the generated ${mediaNoun(media, true)}.`,
    );
  return commentSafe(lines.join("\n"));
}
