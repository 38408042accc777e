/**
 * The rule catalogue: every change the drift report can name, with its level.
 *
 * Ids and default levels follow oasdiff (`checker/rules.go`) where oasdiff
 * has the rule: a model's input schema is a request body, its output schema
 * a response body. Ids oasdiff lacks are ours and follow its naming; their
 * levels follow oasdiff's principle: a change that narrows what a request may
 * carry, or widens what a response may return, breaks old clients.
 * The levels of the `-set` rules are those of the oasdiff release our research
 * read (WARN); newer oasdiff releases raise them to ERR. Either way they make
 * a major bump (see `semver.ts`).
 *
 * `raw` and `friendly` say what a change does to each API of the generated
 * package (see `types.ts`); both default to `level`. The exceptions:
 * - a removed input is WARN on the wire (a server may ignore unknown keys)
 *   but ERR for the friendly API, whose input types are closed;
 * - a renumbered node breaks raw keys but keeps the alias;
 * - a changed alias breaks only the friendly API.
 */
import type { Impact, Level, Side } from "./types.ts";

export type Origin = "oasdiff" | "runcomfy-codegen";

export interface Rule {
  readonly id: string;
  readonly level: Level;
  readonly raw: Impact;
  readonly friendly: Impact;
  /** An INFO rule that only changes documentation: a patch release rather than a minor one. */
  readonly docs: boolean;
  readonly origin: Origin;
}

interface Row {
  readonly id: string;
  readonly level: Level;
  readonly origin: Origin;
  readonly raw?: Impact;
  readonly friendly?: Impact;
  readonly docs?: true;
}

const OWN: Origin = "runcomfy-codegen";
const OASDIFF: Origin = "oasdiff";

const ROWS: readonly Row[] = [
  // Whole models (oasdiff's closest: endpoint-added INFO, api-removed-without-deprecation ERR).
  { id: "model-added", level: "INFO", origin: OWN },
  { id: "model-removed", level: "ERR", origin: OWN },
  { id: "model-docs-changed", level: "INFO", origin: OWN, docs: true },

  // Inputs: presence and requiredness ("required" is effective: listed and without a server default).
  { id: "new-required-request-property", level: "ERR", origin: OASDIFF },
  { id: "new-optional-request-property", level: "INFO", origin: OASDIFF },
  { id: "request-property-removed", level: "WARN", origin: OASDIFF, friendly: "ERR" },
  { id: "request-property-became-required", level: "ERR", origin: OASDIFF },
  { id: "request-property-became-optional", level: "INFO", origin: OASDIFF },
  { id: "request-property-listed-required-changed", level: "INFO", origin: OWN, docs: true },
  // Inputs: what a generator adds on top of oasdiff.
  { id: "request-property-key-renamed", level: "ERR", origin: OWN, friendly: "none" },
  { id: "request-property-alias-changed", level: "ERR", origin: OWN, raw: "none" },
  // Inputs: values.
  { id: "request-property-type-changed", level: "ERR", origin: OASDIFF },
  { id: "request-property-type-generalized", level: "INFO", origin: OASDIFF },
  { id: "request-property-became-enum", level: "ERR", origin: OASDIFF },
  { id: "request-property-enum-unset", level: "INFO", origin: OWN },
  { id: "request-property-enum-value-removed", level: "ERR", origin: OASDIFF },
  { id: "request-property-enum-value-added", level: "INFO", origin: OASDIFF },
  { id: "request-property-pattern-added", level: "ERR", origin: OASDIFF },
  { id: "request-property-pattern-changed", level: "WARN", origin: OASDIFF },
  { id: "request-property-pattern-removed", level: "INFO", origin: OASDIFF },
  { id: "request-property-default-value-added", level: "INFO", origin: OASDIFF },
  { id: "request-property-default-value-changed", level: "INFO", origin: OASDIFF },
  { id: "request-property-default-value-removed", level: "INFO", origin: OASDIFF },
  { id: "request-property-media-kind-set", level: "ERR", origin: OWN },
  { id: "request-property-media-kind-changed", level: "ERR", origin: OWN },
  { id: "request-property-media-kind-unset", level: "INFO", origin: OWN },
  { id: "request-property-title-changed", level: "INFO", origin: OWN, docs: true },
  { id: "request-property-description-changed", level: "INFO", origin: OWN, docs: true },
  // A keyword this report does not classify (const, multipleOf, uniqueItems, …): never silent.
  { id: "request-property-schema-changed", level: "WARN", origin: OWN },

  // Outputs.
  { id: "response-required-property-added", level: "INFO", origin: OASDIFF },
  { id: "response-optional-property-added", level: "INFO", origin: OASDIFF },
  { id: "response-required-property-removed", level: "ERR", origin: OASDIFF },
  { id: "response-optional-property-removed", level: "WARN", origin: OASDIFF },
  { id: "response-property-became-optional", level: "ERR", origin: OASDIFF },
  { id: "response-property-became-required", level: "INFO", origin: OASDIFF },
  { id: "response-property-type-changed", level: "ERR", origin: OASDIFF },
  { id: "response-property-type-generalized", level: "ERR", origin: OASDIFF },
  { id: "response-property-type-specialized", level: "INFO", origin: OASDIFF },
  { id: "response-property-became-enum", level: "INFO", origin: OWN },
  { id: "response-property-enum-unset", level: "ERR", origin: OWN },
  { id: "response-property-enum-value-added", level: "WARN", origin: OASDIFF },
  { id: "response-property-enum-value-removed", level: "INFO", origin: OASDIFF },
  { id: "response-property-pattern-added", level: "INFO", origin: OWN },
  { id: "response-property-pattern-changed", level: "WARN", origin: OWN },
  { id: "response-property-pattern-removed", level: "ERR", origin: OWN },
  { id: "response-property-default-value-added", level: "INFO", origin: OASDIFF },
  { id: "response-property-default-value-changed", level: "INFO", origin: OASDIFF },
  { id: "response-property-default-value-removed", level: "INFO", origin: OASDIFF },
  { id: "response-property-media-kind-set", level: "INFO", origin: OWN },
  { id: "response-property-media-kind-changed", level: "ERR", origin: OWN },
  { id: "response-property-media-kind-unset", level: "ERR", origin: OWN },
  { id: "response-property-title-changed", level: "INFO", origin: OWN, docs: true },
  { id: "response-property-description-changed", level: "INFO", origin: OWN, docs: true },
  { id: "response-property-schema-changed", level: "WARN", origin: OWN },
];

/**
 * Range and size keywords. Each has four rules per side, named
 * `<side>-property-<stem>-<action>`: the action that narrows the accepted
 * values (`decreased` for an upper bound, `increased` for a lower one), the
 * one that widens them, `set` (a new bound) and `unset` (a bound removed).
 */
export const BOUNDS = [
  { keyword: "maximum", stem: "max", upper: true },
  { keyword: "exclusiveMaximum", stem: "exclusive-max", upper: true },
  { keyword: "minimum", stem: "min", upper: false },
  { keyword: "exclusiveMinimum", stem: "exclusive-min", upper: false },
  { keyword: "maxLength", stem: "max-length", upper: true },
  { keyword: "minLength", stem: "min-length", upper: false },
  { keyword: "maxItems", stem: "max-items", upper: true },
  { keyword: "minItems", stem: "min-items", upper: false },
] as const;

export type BoundAction = "narrowed" | "widened" | "set" | "unset";

/** Request: narrowing breaks, a new bound may. Response: widening or dropping a bound breaks. */
const BOUND_LEVELS: Readonly<Record<Side, Readonly<Record<BoundAction, Level>>>> = {
  request: { narrowed: "ERR", widened: "INFO", set: "WARN", unset: "INFO" },
  response: { narrowed: "INFO", widened: "ERR", set: "INFO", unset: "ERR" },
};

/** The bound rule ids oasdiff has (the others are ours). */
const OASDIFF_BOUND_IDS: ReadonlySet<string> = new Set([
  ...["max", "exclusive-max", "max-length", "max-items"].flatMap((stem) => [
    `request-property-${stem}-decreased`,
    `request-property-${stem}-increased`,
  ]),
  ...["min", "exclusive-min", "min-length"].flatMap((stem) => [
    `request-property-${stem}-increased`,
    `request-property-${stem}-decreased`,
  ]),
  "request-property-min-items-increased",
  ...["max", "exclusive-max", "min", "exclusive-min", "max-length", "max-items", "min-items"].map(
    (stem) => `request-property-${stem}-set`,
  ),
  "response-property-max-increased",
  "response-property-exclusive-max-increased",
  "response-property-min-decreased",
  "response-property-exclusive-min-decreased",
  "response-property-max-length-increased",
  "response-property-max-length-unset",
  "response-property-min-length-decreased",
  "response-property-min-items-decreased",
  "response-property-min-items-unset",
]);

export function boundRuleId(side: Side, stem: string, upper: boolean, action: BoundAction): string {
  const verb =
    action === "narrowed"
      ? upper
        ? "decreased"
        : "increased"
      : action === "widened"
        ? upper
          ? "increased"
          : "decreased"
        : action;
  return `${side}-property-${stem}-${verb}`;
}

function boundRows(): Row[] {
  const rows: Row[] = [];
  for (const side of ["request", "response"] as const) {
    for (const bound of BOUNDS) {
      for (const action of ["narrowed", "widened", "set", "unset"] as const) {
        const id = boundRuleId(side, bound.stem, bound.upper, action);
        rows.push({ id, level: BOUND_LEVELS[side][action], origin: OASDIFF_BOUND_IDS.has(id) ? OASDIFF : OWN });
      }
    }
  }
  return rows;
}

/** Every rule, keyed by id. */
export const RULES: ReadonlyMap<string, Rule> = new Map(
  [...ROWS, ...boundRows()].map((row) => [
    row.id,
    {
      id: row.id,
      level: row.level,
      raw: row.raw ?? row.level,
      friendly: row.friendly ?? row.level,
      docs: row.docs ?? false,
      origin: row.origin,
    },
  ]),
);

/** The catalogue entry of `id`; an unknown id is a bug in the differ, not in the user's input. */
export function ruleFor(id: string): Rule {
  const rule = RULES.get(id);
  if (!rule) throw new Error(`drift: rule ${JSON.stringify(id)} is not in the catalogue (generator/drift/rules.ts)`);
  return rule;
}
