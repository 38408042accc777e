/**
 * Keyword-level differ: two normalised values (or property lists) at one
 * place of a model → findings named after the rule catalogue.
 *
 * It reads `ValueSpec`, never raw schemas, so key order, whitespace and
 * `"type": "float"` versus `"number"` cannot show up as changes. Each keyword
 * family has one small function; anything that changes a keyword none of
 * them classifies becomes `<side>-property-schema-changed` (WARN), so no
 * drift goes unreported.
 */
import { canonicalJson, preview } from "../lib/json.ts";
import type { MediaKind, PropertySpec, ValueSpec } from "../model/types.ts";
import type { JsonValue } from "../lib/json.ts";
import { BOUNDS, boundRuleId, type BoundAction } from "./rules.ts";
import type { Finding, Side } from "./types.ts";

/** Where a value sits: the model, the top-level field it belongs to and the path down to it. */
export interface Site {
  readonly model: string;
  readonly side: Side;
  readonly key: string | null;
  readonly previousKey: string | null;
  readonly alias: string | null;
  readonly previousAlias: string | null;
  /** Path of the value: `inputSchema/properties/149_steps`, `…/items`. */
  readonly path: string;
  /** Place inside the top-level field for the text (`items`, `items.width`); empty at the field itself. */
  readonly where: string;
}

export type Sink = (finding: Finding) => void;

/** A value without constraints (an array without `items` has items of any type). */
const ANY: ValueSpec = { types: [] };

/** Keywords no rule family classifies; a change to one of them is reported as unclassified. */
const UNCLASSIFIED = ["const", "multipleOf", "uniqueItems", "additionalProperties", "validations"] as const;

/** A value in a finding's text; an absent one reads "none". */
export function show(value: JsonValue | undefined): string {
  return value === undefined ? "none" : preview(value, 60);
}

/** Equal JSON values, whatever their key order. */
export function same(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return canonicalJson(a) === canonicalJson(b);
}

export function emit(sink: Sink, site: Site, rule: string, text: string, keyword?: string): void {
  sink({
    rule,
    model: site.model,
    key: site.key,
    previousKey: site.previousKey,
    alias: site.alias,
    previousAlias: site.previousAlias,
    path: keyword === undefined ? site.path : site.path ? `${site.path}/${keyword}` : keyword,
    text: site.where ? `at ${site.where}: ${text}` : text,
  });
}

function property(site: Site, rest: string): string {
  return `${site.side}-property-${rest}`;
}

function child(site: Site, segment: string, label: string): Site {
  return { ...site, path: `${site.path}/${segment}`, where: site.where ? `${site.where}.${label}` : label };
}

// ── Types ───────────────────────────────────────────────────────────────────

type Effect = "none" | "widened" | "narrowed" | "changed";

/** Whether every value of `inner`'s types is also valid for `outer`'s (integer ⊂ number; no types = any). */
function typesCover(outer: ValueSpec, inner: ValueSpec): boolean {
  if (outer.types.length === 0) return true;
  if (inner.types.length === 0) return false;
  return inner.types.every(
    (type) => outer.types.includes(type) || (type === "integer" && outer.types.includes("number")),
  );
}

function compare(newCoversOld: boolean, oldCoversNew: boolean): Effect {
  if (newCoversOld && oldCoversNew) return "none";
  if (newCoversOld) return "widened";
  if (oldCoversNew) return "narrowed";
  return "changed";
}

function combine(a: Effect, b: Effect): Effect {
  if (a === "none") return b;
  if (b === "none" || a === b) return a;
  return "changed";
}

/** Like oasdiff, a non-media `format` counts as part of the type: dropping it widens, adding or changing it does not. */
function formatEffect(before: string | undefined, after: string | undefined): Effect {
  if (before === after) return "none";
  if (after === undefined) return "widened";
  if (before === undefined) return "narrowed";
  return "changed";
}

function typeLabel(value: ValueSpec): string {
  const types = value.types.length === 0 ? "any" : value.types.join(" | ");
  return value.format === undefined ? types : `${types} (format ${value.format})`;
}

function diffType(before: ValueSpec, after: ValueSpec, site: Site, sink: Sink): void {
  const effect = combine(
    compare(typesCover(after, before), typesCover(before, after)),
    formatEffect(before.format, after.format),
  );
  if (effect === "none") return;
  const text = `type changed from ${typeLabel(before)} to ${typeLabel(after)}`;
  const rule =
    effect === "widened"
      ? "type-generalized"
      : effect === "narrowed" && site.side === "response"
        ? "type-specialized"
        : "type-changed";
  emit(sink, site, property(site, rule), text, "type");
}

// ── Enums ───────────────────────────────────────────────────────────────────

function diffEnum(before: ValueSpec, after: ValueSpec, site: Site, sink: Sink): void {
  if (before.enum === undefined && after.enum === undefined) return;
  if (before.enum === undefined) {
    emit(sink, site, property(site, "became-enum"), `now limited to ${after.enum!.map(show).join(", ")}`, "enum");
    return;
  }
  if (after.enum === undefined) {
    emit(sink, site, property(site, "enum-unset"), `no longer limited to ${before.enum.map(show).join(", ")}`, "enum");
    return;
  }
  const had = new Set(before.enum.map(canonicalJson));
  const has = new Set(after.enum.map(canonicalJson));
  for (const value of before.enum) {
    if (!has.has(canonicalJson(value)))
      emit(sink, site, property(site, "enum-value-removed"), `allowed value ${show(value)} removed`, "enum");
  }
  for (const value of after.enum) {
    if (!had.has(canonicalJson(value)))
      emit(sink, site, property(site, "enum-value-added"), `allowed value ${show(value)} added`, "enum");
  }
}

// ── Bounds, pattern, media ──────────────────────────────────────────────────

function diffBounds(before: ValueSpec, after: ValueSpec, site: Site, sink: Sink): void {
  for (const bound of BOUNDS) {
    const from = before[bound.keyword];
    const to = after[bound.keyword];
    if (from === to) continue;
    let action: BoundAction;
    let text: string;
    if (from === undefined) {
      action = "set";
      text = `${bound.keyword} set to ${to}`;
    } else if (to === undefined) {
      action = "unset";
      text = `${bound.keyword} ${from} removed`;
    } else {
      action = to < from === bound.upper ? "narrowed" : "widened";
      text = `${bound.keyword} ${to < from ? "decreased" : "increased"} from ${from} to ${to}`;
    }
    emit(sink, site, boundRuleId(site.side, bound.stem, bound.upper, action), text, bound.keyword);
  }
}

function diffPattern(before: ValueSpec, after: ValueSpec, site: Site, sink: Sink): void {
  if (before.pattern === after.pattern) return;
  if (before.pattern === undefined)
    emit(sink, site, property(site, "pattern-added"), `pattern ${show(after.pattern)} added`, "pattern");
  else if (after.pattern === undefined)
    emit(sink, site, property(site, "pattern-removed"), `pattern ${show(before.pattern)} removed`, "pattern");
  else
    emit(
      sink,
      site,
      property(site, "pattern-changed"),
      `pattern changed from ${show(before.pattern)} to ${show(after.pattern)}`,
      "pattern",
    );
}

const MEDIA_NOUN: Readonly<Record<MediaKind, string>> = { image: "an image", video: "a video", audio: "an audio file" };

function diffMedia(before: ValueSpec, after: ValueSpec, site: Site, sink: Sink): void {
  if (before.media === after.media) return;
  if (before.media === undefined)
    emit(sink, site, property(site, "media-kind-set"), `now ${MEDIA_NOUN[after.media!]} reference`, "format");
  else if (after.media === undefined)
    emit(sink, site, property(site, "media-kind-unset"), `no longer ${MEDIA_NOUN[before.media]} reference`, "format");
  else
    emit(
      sink,
      site,
      property(site, "media-kind-changed"),
      `media kind changed from ${before.media} to ${after.media}`,
      "format",
    );
}

// ── Defaults and documentation ──────────────────────────────────────────────

function diffDefault(before: ValueSpec, after: ValueSpec, site: Site, sink: Sink): void {
  if (same(before.default, after.default)) return;
  if (before.default === undefined)
    emit(sink, site, property(site, "default-value-added"), `default ${show(after.default)} added`, "default");
  else if (after.default === undefined)
    emit(sink, site, property(site, "default-value-removed"), `default ${show(before.default)} removed`, "default");
  else
    emit(
      sink,
      site,
      property(site, "default-value-changed"),
      `default changed from ${show(before.default)} to ${show(after.default)}`,
      "default",
    );
}

function diffDocs(before: ValueSpec, after: ValueSpec, site: Site, sink: Sink): void {
  if (before.title !== after.title) {
    emit(
      sink,
      site,
      property(site, "title-changed"),
      `title changed from ${show(before.title)} to ${show(after.title)}`,
      "title",
    );
  }
  if (before.description !== after.description) {
    const text =
      after.description === undefined ? "description removed" : `description changed to ${show(after.description)}`;
    emit(sink, site, property(site, "description-changed"), text, "description");
  }
}

function diffUnclassified(before: ValueSpec, after: ValueSpec, site: Site, sink: Sink): void {
  for (const keyword of UNCLASSIFIED) {
    const from = before[keyword] as JsonValue | undefined;
    const to = after[keyword] as JsonValue | undefined;
    if (same(from, to)) continue;
    emit(
      sink,
      site,
      property(site, "schema-changed"),
      `${keyword} changed from ${show(from)} to ${show(to)}; not classified, review by hand`,
      keyword,
    );
  }
}

// ── Values and properties ───────────────────────────────────────────────────

function mayBe(value: ValueSpec, type: "array" | "object"): boolean {
  return value.types.length === 0 || value.types.includes(type);
}

/** Every change between two values at `site`, nested items and properties included. */
export function diffValue(before: ValueSpec, after: ValueSpec, site: Site, sink: Sink): void {
  diffDocs(before, after, site, sink);
  diffType(before, after, site, sink);
  diffEnum(before, after, site, sink);
  diffMedia(before, after, site, sink);
  diffBounds(before, after, site, sink);
  diffPattern(before, after, site, sink);
  diffDefault(before, after, site, sink);
  diffUnclassified(before, after, site, sink);
  // Recurse only where both sides can hold items or properties; otherwise the type change says it all.
  if ((before.items || after.items) && mayBe(before, "array") && mayBe(after, "array")) {
    diffValue(before.items ?? ANY, after.items ?? ANY, child(site, "items", "items"), sink);
  }
  if ((before.properties || after.properties) && mayBe(before, "object") && mayBe(after, "object")) {
    diffPropertyLists(
      before.properties ?? [],
      after.properties ?? [],
      (key) => child(site, `properties/${key}`, key),
      sink,
    );
  }
}

/** A property present on both sides: requiredness, then its value. */
export function diffProperty(before: PropertySpec, after: PropertySpec, site: Site, sink: Sink): void {
  if (site.side === "request") {
    // Requiredness as the generated types and validators use it (`PropertySpec.required`). A snapshot built under
    // rules 1 read a listed field with a default as optional, so regenerating it under rules 2 makes it required.
    const was = before.required;
    const is = after.required;
    if (!was && is) {
      const text =
        before.listedRequired && after.listedRequired
          ? `became required (listed as required upstream): leaving it out no longer runs its sample default ${show(after.value.default)}`
          : "became required";
      emit(sink, site, "request-property-became-required", text, "required");
    } else if (was && !is) {
      emit(sink, site, "request-property-became-optional", "became optional", "required");
    } else if (before.listedRequired !== after.listedRequired) {
      // Listed upstream or not, the field was optional all along: a rules-1 field with a server default.
      const text = after.listedRequired
        ? `now listed as required upstream; still optional because the server fills in ${show(after.value.default)}`
        : "no longer listed as required upstream; it was optional already (server default)";
      emit(sink, site, "request-property-listed-required-changed", text, "required");
    }
  } else if (before.required !== after.required) {
    emit(
      sink,
      site,
      after.required ? "response-property-became-required" : "response-property-became-optional",
      after.required ? "became required" : "became optional",
      "required",
    );
  }
  diffValue(before.value, after.value, site, sink);
}

export function propertyRemoved(property: PropertySpec, site: Site, sink: Sink): void {
  if (site.side === "request") emit(sink, site, "request-property-removed", "property removed");
  else
    emit(
      sink,
      site,
      property.required ? "response-required-property-removed" : "response-optional-property-removed",
      `${property.required ? "required" : "optional"} property removed`,
    );
}

export function propertyAdded(property: PropertySpec, site: Site, sink: Sink): void {
  if (site.side === "response") {
    emit(
      sink,
      site,
      property.required ? "response-required-property-added" : "response-optional-property-added",
      `new ${property.required ? "required" : "optional"} property`,
    );
  } else if (property.required) {
    emit(sink, site, "new-required-request-property", "new required property");
  } else {
    const fallback = property.value.default === undefined ? "" : ` (server default ${show(property.value.default)})`;
    emit(sink, site, "new-optional-request-property", `new optional property${fallback}`);
  }
}

/** Two property lists matched by key; `siteFor` places each property (nested, or a top-level output). */
export function diffPropertyLists(
  before: readonly PropertySpec[],
  after: readonly PropertySpec[],
  siteFor: (key: string) => Site,
  sink: Sink,
): void {
  const next = new Map(after.map((property) => [property.key, property]));
  const previous = new Map(before.map((property) => [property.key, property]));
  for (const property of before) {
    const counterpart = next.get(property.key);
    if (counterpart) diffProperty(property, counterpart, siteFor(property.key), sink);
    else propertyRemoved(property, siteFor(property.key), sink);
  }
  for (const property of after) {
    if (!previous.has(property.key)) propertyAdded(property, siteFor(property.key), sink);
  }
}
