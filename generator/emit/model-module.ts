/**
 * The per-model module (`models/<id>.js`): ajv's compiled validator (as ajv
 * prints it, between markers), then, printed directly (see `print/`), the
 * annotated JSON Schemas (machine-readable metadata), the data the runtime
 * needs (`id`, the field table, in `definition`), the model object
 * (`defineModel`) and one-liners that call the runtime's operations on the
 * definition directly (`buildInput`, `inputProblems`, `friendlyInput`), so a
 * bundle that imports only `build` leaves out the model object's other
 * methods. It imports one module, `runtime/model.js`, which imports nothing:
 * a model's cold start is two module loads. Its declarations are
 * `declarations.ts`.
 */
import type { FieldDefinition, ValueDefinition } from "../../templates/runtime/model.ts";
import type { FieldSpec, ModelSpec, PropertySpec, ValueSpec } from "../model/types.ts";
import { EXPORT_DOCS, modelDoc, rootPrefix } from "./declarations.ts";
import { annotatedInputSchema, annotatedOutputSchema } from "./json-schema.ts";
import { constDeclaration, exportDefault, importDeclaration, js, type Expression } from "./print/js.ts";
import { hardline, join, layout, type Doc } from "./print/layout.ts";
import { docComment } from "./print/text.ts";
import { VALIDATOR_END, VALIDATOR_START, type CompiledValidatorCode } from "./validator.ts";

function rangeOf(value: ValueSpec): Record<string, number> | undefined {
  const range: Record<string, number> = {};
  for (const key of ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] as const) {
    if (value[key] !== undefined) range[key] = value[key];
  }
  return Object.keys(range).length ? range : undefined;
}

/** What the runtime needs of a value: media, ranges, and the members of nested objects at any depth. */
function valueDefinition(value: ValueSpec): ValueDefinition {
  const range = rangeOf(value);
  const items = value.items && (value.items.properties || value.items.items) ? valueDefinition(value.items) : undefined;
  return {
    ...(value.media ? { media: value.media } : {}),
    ...(value.items?.media ? { mediaItems: value.items.media } : {}),
    ...(value.properties ? { members: value.properties.map(memberDefinition) } : {}),
    ...(value.properties && value.additionalProperties === true ? { open: true } : {}),
    ...(items && Object.keys(items).length > 0 ? { items } : {}),
    ...(range ? { range } : {}),
  };
}

function memberDefinition(property: PropertySpec): FieldDefinition {
  return { alias: property.alias ?? property.key, key: property.key, ...valueDefinition(property.value) };
}

function fieldDefinition(field: FieldSpec): FieldDefinition {
  const { range, ...value } = valueDefinition(field.value);
  return {
    alias: field.alias,
    key: field.key,
    ...(field.nodes.length ? { nodes: field.nodes.map((node) => node.id).join("+") } : {}),
    ...value,
    ...(field.sizes
      ? {
          sizes: field.sizes.map((size) =>
            size.short ? [size.label, size.width, size.height, size.short] : [size.label, size.width, size.height],
          ),
        }
      : {}),
    ...(range ? { range } : {}),
  };
}

/** Plain data (what `JSON.stringify` would write) as an expression. */
export function dataExpression(value: unknown): Expression {
  if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean")
    return value;
  if (Array.isArray(value)) return value.map(dataExpression);
  const record = value as Record<string, unknown>;
  return js.object(
    Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .map((key) => ({ key, value: dataExpression(record[key]) })),
  );
}

function documented(doc: string, statement: Doc): Doc {
  return [docComment(doc), hardline, statement];
}

export function emitModelModule(spec: ModelSpec, header: string, validator: CompiledValidatorCode): string {
  const root = rootPrefix(spec.names.modulePath);
  // `definition` cannot clash with ajv's names (`validate0`, `schema0`, `func0`, `formats0`, …).
  const call = (operation: string, param: string) =>
    js.arrow([param], js.call(operation, [js.name("definition"), js.name(param)]));
  const helpers = validator.helpers.map((helper) => `${helper.name} as ${helper.local}`);
  const operations = ["defineModel", "buildInput", "inputProblems", "friendlyInput"];
  const head: Doc[] = [header, importDeclaration([...operations, ...helpers], `${root}runtime/model.js`)];
  const tail: Doc[] = [
    documented(
      "Input schema (raw keys) with titles, defaults, ranges and `x-alias`/`x-media`/`x-nodes` annotations, for forms and docs.",
      constDeclaration("inputSchema", dataExpression(annotatedInputSchema(spec.fields)), true),
    ),
    documented(
      "Output schema (the result's `output` object), annotated.",
      constDeclaration("outputSchema", dataExpression(annotatedOutputSchema(spec.output)), true),
    ),
    documented(EXPORT_DOCS.id, constDeclaration("id", spec.id, true)),
    constDeclaration(
      "definition",
      js.object([
        { key: "id", value: js.name("id"), shorthand: true },
        { key: "fields", value: dataExpression(spec.fields.map(fieldDefinition)) },
        { key: "validate", value: js.name(validator.name) },
        { key: "output", value: dataExpression(spec.output.map((property) => property.key)) },
      ]),
    ),
    documented(modelDoc(spec), constDeclaration("model", js.call("defineModel", [js.name("definition")], true), true)),
    documented(EXPORT_DOCS.build, constDeclaration("build", call("buildInput", "input"), true)),
    documented(EXPORT_DOCS.buildRaw, constDeclaration("buildRaw", call("buildInput", "input"), true)),
    documented(EXPORT_DOCS.validateInput, constDeclaration("validateInput", call("inputProblems", "input"), true)),
    documented(EXPORT_DOCS.toFriendly, constDeclaration("toFriendly", call("friendlyInput", "raw"), true)),
    exportDefault("model"),
  ];
  return [
    layout([join(hardline, head), hardline]),
    VALIDATOR_START,
    validator.code,
    layout([join(hardline, [VALIDATOR_END, ...tail]), hardline]),
  ].join("\n");
}
