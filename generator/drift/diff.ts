/**
 * Model-level differ: two sets of normalised models → findings.
 *
 * Models are matched by id; inputs by raw key, then leftover node-ID keys are
 * paired across a node renumbering (`pairing.ts`); outputs by key. What a
 * generator adds on top of oasdiff lives here: a renamed raw key and a
 * changed alias are findings of their own, so the raw and the friendly API
 * can be judged separately. Keyword-level work is in `values.ts`.
 */
import { fieldProperty } from "../model/fields.ts";
import type { FieldSpec, ModelSpec } from "../model/types.ts";
import { pairRenumbered } from "./pairing.ts";
import type { Finding } from "./types.ts";
import {
  diffProperty,
  diffPropertyLists,
  emit,
  propertyAdded,
  propertyRemoved,
  same,
  show,
  type Sink,
  type Site,
} from "./values.ts";

/** A whole model. Model findings name their rules explicitly, so the side is only a placeholder. */
function modelSite(model: string): Site {
  return {
    model,
    side: "request",
    key: null,
    previousKey: null,
    alias: null,
    previousAlias: null,
    path: "",
    where: "",
  };
}

function inputSite(model: string, field: FieldSpec, previous?: FieldSpec): Site {
  return {
    model,
    side: "request",
    key: field.key,
    previousKey: previous && previous.key !== field.key ? previous.key : null,
    alias: field.alias,
    previousAlias: previous && previous.alias !== field.alias ? previous.alias : null,
    path: `inputSchema/properties/${field.key}`,
    where: "",
  };
}

function outputSite(model: string, key: string): Site {
  return {
    model,
    side: "response",
    key,
    previousKey: null,
    alias: null,
    previousAlias: null,
    path: `outputSchema/properties/${key}`,
    where: "",
  };
}

function nodeIds(field: FieldSpec): string {
  return field.nodes.map((node) => node.id).join(" and ");
}

/** A field present on both sides (same key, or paired across a renumbering). */
function diffField(before: FieldSpec, after: FieldSpec, model: string, sink: Sink): void {
  const site = inputSite(model, after, before);
  if (before.key !== after.key) {
    const alias =
      before.alias === after.alias
        ? `friendly name ${after.alias} unchanged`
        : `friendly name changed too, from ${before.alias} to ${after.alias}`;
    emit(
      sink,
      site,
      "request-property-key-renamed",
      `raw key renamed from ${before.key} to ${after.key} (ComfyUI node ${nodeIds(before)} → ${nodeIds(after)}); ${alias}`,
    );
  }
  if (before.alias !== after.alias) {
    emit(
      sink,
      site,
      "request-property-alias-changed",
      `friendly name changed from ${before.alias} to ${after.alias}; code using ${before.alias} no longer compiles`,
    );
  }
  diffProperty(fieldProperty(before), fieldProperty(after), site, sink);
}

function diffInputs(before: readonly FieldSpec[], after: readonly FieldSpec[], model: string, sink: Sink): void {
  const next = new Map(after.map((field) => [field.key, field]));
  const previous = new Map(before.map((field) => [field.key, field]));
  for (const field of before) {
    const counterpart = next.get(field.key);
    if (counterpart) diffField(field, counterpart, model, sink);
  }
  const { pairs, removed, added } = pairRenumbered(
    before.filter((field) => !next.has(field.key)),
    after.filter((field) => !previous.has(field.key)),
  );
  for (const pair of pairs) diffField(pair.before, pair.after, model, sink);
  for (const field of removed) propertyRemoved(fieldProperty(field), inputSite(model, field), sink);
  for (const field of added) propertyAdded(fieldProperty(field), inputSite(model, field), sink);
}

/** Display name, description and example body: they feed the generated docs only. */
function diffModelDocs(before: ModelSpec, after: ModelSpec, sink: Sink): void {
  const site = modelSite(after.id);
  if (before.displayName !== after.displayName) {
    emit(
      sink,
      site,
      "model-docs-changed",
      `display name changed from ${show(before.displayName)} to ${show(after.displayName)}`,
      "displayName",
    );
  }
  if (before.description !== after.description) {
    emit(
      sink,
      site,
      "model-docs-changed",
      after.description === undefined ? "description removed" : `description changed to ${show(after.description)}`,
      "description",
    );
  }
  if (!same(before.example, after.example))
    emit(sink, site, "model-docs-changed", "example request body changed", "example");
}

/** Every finding between two model sets, in no particular order (the report sorts). */
export function diffModels(before: readonly ModelSpec[], after: readonly ModelSpec[]): Finding[] {
  const findings: Finding[] = [];
  const sink: Sink = (finding) => findings.push(finding);
  const next = new Map(after.map((spec) => [spec.id, spec]));
  const previous = new Map(before.map((spec) => [spec.id, spec]));
  for (const spec of before) {
    const counterpart = next.get(spec.id);
    if (!counterpart) {
      emit(sink, modelSite(spec.id), "model-removed", "model removed");
      continue;
    }
    diffModelDocs(spec, counterpart, sink);
    diffInputs(spec.fields, counterpart.fields, spec.id, sink);
    diffPropertyLists(spec.output, counterpart.output, (key) => outputSite(spec.id, key), sink);
  }
  for (const spec of after) {
    if (!previous.has(spec.id))
      emit(
        sink,
        modelSite(spec.id),
        "model-added",
        `new model with ${spec.fields.length} inputs and ${spec.output.length} outputs`,
      );
  }
  return findings;
}
