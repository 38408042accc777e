/**
 * A model's declarations (`models/<id>.d.ts`), printed directly from its
 * `ModelSpec` (see `print/`): the friendly and raw input interfaces, one
 * interface per nested object at any depth (`<Model><Path>` with friendly
 * member names, `<Model>Raw<Path>` with wire keys), a named type per size
 * field, the output interface, and the module's own exports.
 *
 * Names come from the model id, never from titles; titles and descriptions
 * go into TSDoc. Inputs are closed and their arrays readonly at every depth; a field or member is optional unless
 * listed in `required` (an optional one also takes `undefined`); outputs are closed at the top level: the keys their
 * schema lists, and `extra` for any other key the server sends (`parseOutput`); their nested objects are inline and
 * open, as sent. The types mean
 * what json-schema-to-typescript would make of the same schemas (a test
 * holds the two to mutual assignability).
 */
import type { JsonValue } from "../lib/json.ts";
import type { FieldSpec, ModelSpec, PropertySpec, ValueSpec } from "../model/types.ts";
import { catalogLines, fieldDoc, memberDoc, outputDoc, rawFieldDoc, rawMemberDoc } from "./docs.ts";
import { extraKey } from "../../templates/runtime/model.ts";
import { scopeOf } from "./json-schema.ts";
import { layout, type Doc } from "./print/layout.ts";
import { bucketOf } from "../../templates/runtime/buckets.ts";
import { bucketName, typesModule } from "./registry.ts";
import {
  declareConst,
  declareFunction,
  exportTypeFrom,
  importType,
  interfaceDeclaration,
  statements,
  t,
  typeAlias,
  type Member,
  type TypeNode,
} from "./print/ts.ts";

/** TSDoc of the exports a model module has in both `.js` and `.d.ts`, so the two never disagree. */
export const EXPORT_DOCS = {
  id: "Model id, as RunComfy's API expects it.",
  model: "The model: `build()`, `buildRaw()`, `validate()`, `toFriendly()`, `parseOutput()`.",
  build:
    "Friendly input → the exact wire body (only what was set); throws `ValidationError` listing every problem, and sends nothing.",
  buildRaw:
    "A wire body (raw keys, as in RunComfy's curl examples) → the same body, validated like `build()`; throws `ValidationError` listing every problem.",
  validateInput: "Every problem of an input (friendly or raw); an empty array means valid.",
  toFriendly: "Wire body → friendly field names.",
} as const;

/** The model export's TSDoc: what it is, then what the catalog says about the model. */
export function modelDoc(spec: ModelSpec): string {
  return [EXPORT_DOCS.model, ...catalogLines(spec)].join("\n");
}

/** `../../../` from `models/<modulePath>.js` back to the package root. */
export function rootPrefix(modulePath: string): string {
  return "../".repeat(modulePath.split("/").length);
}

function scalar(value: JsonValue): TypeNode {
  return value === null || typeof value !== "object" ? t.literal(value) : t.name("unknown");
}

/** Names nested object types by their path of raw keys, for one side (friendly or wire). */
type Namer = (path: readonly string[]) => string | undefined;

/**
 * How a value is typed on one side. Inputs take readonly arrays at every depth (a `readonly string[]` or an input
 * declared `as const` is accepted; `build()` never writes to its input) and name their nested objects (`named`).
 * Outputs are what `parseOutput` returns: nested values as the server sent them, so a nested object is an inline type
 * of the members its schema lists, each with its TSDoc, and open (`[k: string]: unknown`), since nothing removes
 * other keys below the top level; their arrays are plain arrays.
 */
type Side = { readonly output: false; readonly named: Namer } | { readonly output: true };

const OUTPUT: Side = { output: true };

/** A value's type: enums and consts as literals, nested objects by name (inputs) or inline (outputs), arrays of their items. */
function valueType(value: ValueSpec, side: Side, path: readonly string[]): TypeNode {
  if (value.enum) return t.union(value.enum.map(scalar));
  if (value.const !== undefined) return scalar(value.const);
  if (value.types.length === 0) return t.name("unknown");
  const seen = new Set<string>();
  const members: TypeNode[] = [];
  for (const type of value.types) {
    const member =
      type === "integer" || type === "number"
        ? t.name("number")
        : type === "array"
          ? arrayType(value.items ? valueType(value.items, side, [...path, "[]"]) : t.name("unknown"), side)
          : type === "object"
            ? objectType(value, side, path)
            : t.name(type);
    const key = JSON.stringify(member);
    if (!seen.has(key)) members.push(member);
    seen.add(key);
  }
  return t.union(members);
}

function arrayType(element: TypeNode, side: Side): TypeNode {
  return side.output ? t.array(element) : t.readonlyArray(element);
}

function objectType(value: ValueSpec, side: Side, path: readonly string[]): TypeNode {
  if (side.output)
    return value.properties && value.properties.length > 0
      ? t.object(outputMembers(value.properties, path), t.name("unknown"))
      : t.ref("Record", [t.name("string"), t.name("unknown")]);
  const name = value.properties ? side.named(path) : undefined;
  // An object schema without properties: any keys, or none when it is closed (`{}` only).
  return name !== undefined
    ? t.name(name)
    : t.ref("Record", [t.name("string"), t.name(value.additionalProperties === false ? "never" : "unknown")]);
}

/** Members of an output object (the top level or nested): optional unless required, each with its TSDoc. */
function outputMembers(properties: readonly PropertySpec[], path: readonly string[]): Member[] {
  return properties.map((property) => ({
    key: property.key,
    optional: !property.required,
    type: valueType(property.value, OUTPUT, [...path, property.key]),
    doc: outputDoc(property),
  }));
}

/**
 * An input member's type: an optional one also takes `undefined` (the runtime skips it), so a value of type
 * `T | undefined` can be passed under `exactOptionalPropertyTypes`.
 */
function optionalType(type: TypeNode, required: boolean): TypeNode {
  return required ? type : t.union([type, t.name("undefined")]);
}

/** Members of an object: friendly names (or wire keys), optional unless required, each with its TSDoc. */
function members(
  properties: readonly PropertySpec[],
  path: readonly string[],
  side: {
    readonly friendly: boolean;
    readonly named: Namer;
    readonly doc: (property: PropertySpec) => string | undefined;
  },
): Member[] {
  return properties.map((property) => ({
    key: side.friendly ? (property.alias ?? property.key) : property.key,
    optional: !property.required,
    type: optionalType(
      valueType(property.value, { output: false, named: side.named }, [...path, property.key]),
      property.required,
    ),
    doc: side.doc(property),
  }));
}

/** Every nested object value of the inputs, with its path of raw keys (`["elements", "[]"]`), outermost first. */
function nestedObjects(fields: readonly FieldSpec[]): { path: readonly string[]; value: ValueSpec }[] {
  const found: { path: readonly string[]; value: ValueSpec }[] = [];
  const visit = (value: ValueSpec, path: readonly string[]): void => {
    if (value.properties) {
      found.push({ path, value });
      for (const property of value.properties) visit(property.value, [...path, property.key]);
    }
    if (value.items) visit(value.items, [...path, "[]"]);
  };
  for (const field of fields) visit(field.value, [field.key]);
  return found;
}

/** A size field's values: each exact label, its `"WxH"` short form and `{ width, height }`. */
function sizeUnion(field: FieldSpec): TypeNode {
  return t.union(
    // As `build()` reads them (`sizeLabel` in the runtime): a size another label shares is named by its label only,
    // neither as "WxH" (`short` is then absent) nor as { width, height }.
    field.sizes!.flatMap((size) => [
      t.literal(size.label),
      ...(size.short && size.short !== size.label ? [t.literal(size.short)] : []),
      ...(size.short
        ? [
            t.object([
              { key: "width", readonly: true, type: t.literal(size.width) },
              { key: "height", readonly: true, type: t.literal(size.height) },
            ]),
          ]
        : []),
    ]),
  );
}

/** The type declarations of one model (interfaces and aliases, no imports). */
function typeDeclarations(spec: ModelSpec): (Doc | null)[] {
  const names = spec.types;
  const byKey = new Map(spec.fields.map((field) => [field.key, field]));
  const friendlyName: Namer = (path) => names.nested.get(scopeOf(path))?.friendly;
  const rawName: Namer = (path) => names.nested.get(scopeOf(path))?.raw;
  const friendly = { friendly: true, named: friendlyName, doc: memberDoc };
  const raw = { friendly: false, named: rawName, doc: rawMemberDoc };

  const parts: (Doc | null)[] = [];
  const add = (doc: Doc) => parts.push(doc, null);
  for (const field of spec.fields.filter((candidate) => candidate.sizes)) {
    add(
      typeAlias(
        `Allowed values of \`${field.alias}\`: the exact label, \`"WxH"\`, or \`{ width, height }\`.`,
        names.sizes.get(field.alias)!,
        sizeUnion(field),
      ),
    );
    add(
      typeAlias(
        `Exact size labels of \`${field.alias}\` (raw key \`${field.key}\`): what the wire body carries.`,
        names.labels.get(field.alias)!,
        valueType(field.value, { output: false, named: () => undefined }, [field.key]),
      ),
    );
  }
  for (const field of spec.fields.filter((candidate) => names.enums.has(candidate.alias))) {
    add(
      typeAlias(
        `Allowed values of \`${field.alias}\` (raw key \`${field.key}\`).`,
        names.enums.get(field.alias)!,
        valueType(field.value, { output: false, named: () => undefined }, [field.key]),
      ),
    );
  }
  const fieldMembers = (side: typeof friendly | typeof raw): Member[] =>
    spec.fields.map((field) => ({
      key: side.friendly ? field.alias : field.key,
      optional: !field.required,
      type: optionalType(
        side.friendly && field.sizes
          ? t.name(names.sizes.get(field.alias)!)
          : field.sizes
            ? t.name(names.labels.get(field.alias)!)
            : names.enums.has(field.alias)
              ? t.name(names.enums.get(field.alias)!)
              : valueType(field.value, { output: false, named: side.named }, [field.key]),
        field.required,
      ),
      doc: side.friendly ? fieldDoc(byKey.get(field.key)!) : rawFieldDoc(byKey.get(field.key)!),
    }));
  add(
    interfaceDeclaration({
      doc: [
        `Input of \`${spec.id}\`, with friendly field names. Pass it to \`build()\` or \`client.run()\`.`,
        ...catalogLines(spec),
      ].join("\n"),
      name: names.input,
      members: fieldMembers(friendly),
    }),
  );
  add(
    interfaceDeclaration({
      doc: `Wire body of \`${spec.id}\`: the exact JSON RunComfy receives (raw keys).`,
      name: names.rawInput,
      members: fieldMembers(raw),
    }),
  );
  for (const { path, value } of nestedObjects(spec.fields)) {
    const scope = scopeOf(path);
    const name = names.nested.get(scope)!;
    const where =
      path[path.length - 1] === "[]" ? `An item of \`${scopeOf(path.slice(0, -1))}\`` : `The value of \`${scope}\``;
    const title = value.title ? ` (${value.title})` : "";
    // A closed object without members takes only `{}`: an empty interface would take any value but null and undefined.
    const open =
      value.additionalProperties === true
        ? { index: t.name("unknown") }
        : value.properties!.length === 0
          ? { index: t.name("never") }
          : {};
    add(
      interfaceDeclaration({
        doc: `${where}${title} in \`${spec.id}\`, with friendly member names.`,
        name: name.friendly,
        members: members(value.properties!, path, friendly),
        ...open,
      }),
    );
    add(
      interfaceDeclaration({
        doc: `${where}${title} in \`${spec.id}\`, as sent (wire keys).`,
        name: name.raw,
        members: members(value.properties!, path, raw),
        ...open,
      }),
    );
  }
  const extra = extraKey(spec.output.map((property) => property.key));
  add(
    interfaceDeclaration({
      doc: [
        `Output of \`${spec.id}\` (the result's \`output\` object): the keys its output schema lists, and \`${extra}\`.`,
        "Not validated (the server is the authority): a key typed as required is missing if the server leaves it out, and a nested object keeps the other keys it was sent.",
      ].join("\n"),
      name: names.output,
      members: [
        ...outputMembers(spec.output, []),
        {
          key: extra,
          optional: true,
          readonly: true,
          type: t.ref("Readonly", [t.ref("Record", [t.name("string"), t.name("unknown")])]),
          doc: "Keys the server sent that the output schema does not list, as sent (only present when there are any).",
        },
      ],
    }),
  );
  return parts;
}

/**
 * The names a model's types are exported under (its `types/NN.d.ts`, re-exported by `models/<id>.d.ts` and by the
 * root entry): inputs, output, size and enum types, nested objects (friendly and raw).
 */
export function typeNamesOf(spec: ModelSpec): string[] {
  const names = spec.types;
  return [
    names.input,
    names.rawInput,
    names.output,
    ...names.sizes.values(),
    ...names.labels.values(),
    ...names.enums.values(),
    ...[...names.nested.values()].flatMap((name) => [name.friendly, name.raw]),
  ];
}

/**
 * One model's type declarations (interfaces and aliases), self-contained: no imports. Printed in the model's unit and
 * joined, with the others of its registry bucket, into `types/NN.d.ts` (`emitTypesBucket`).
 */
export function emitModelTypes(spec: ModelSpec): string {
  return layout(statements(typeDeclarations(spec)));
}

/**
 * The second line of the declaration files that grow with the catalog (`types/NN.d.ts`, `index.d.ts`). A consumer's
 * `tsc` with `skipLibCheck: false` checks every declaration file its program reads, and the root entry reads the
 * types of every model: without this line, 1,000 models' declarations are checked in every build of every consumer.
 * With it, tsc resolves only the types the consumer's code uses (and checks that code as always). The package's own
 * tests check these files with the line removed (`test/helpers/typecheck.ts`), under strict settings, before they ship.
 */
export const NO_CHECK_PRAGMA =
  "// @ts-nocheck: generated and type-checked by runcomfy-codegen's tests before release; a consumer's tsc need not check it again (your code's use of it is checked as usual).";

/**
 * `types/NN.d.ts`: the type declarations of every model of registry bucket `bucket` (`texts`: `emitModelTypes` of
 * each, in model order) and `Models`, that bucket's part of the root `ModelMap`. The root entry reads its types from
 * these 64 files, never from a model's own declaration file, so type-checking a consumer of the root entry reads one
 * declaration file per bucket, not one per model.
 */
export function emitTypesBucket(members: readonly ModelSpec[], bucket: number, texts: readonly string[]): string {
  const header = `// Generated by runcomfy-codegen from schemas/: the types of the models of registry bucket ${bucketName(bucket)} (${members.length}). Do not edit: change schemas/ and run \`npm run generate\`.`;
  const map = interfaceDeclaration({
    doc: "The models of this bucket, keyed by model id: its part of the root entry's `ModelMap`.",
    name: "Models",
    members: members.map((spec) => ({
      key: spec.id,
      type: t.ref("Model", [
        t.literal(spec.id),
        t.name(spec.types.input),
        t.name(spec.types.rawInput),
        t.name(spec.types.output),
      ]),
    })),
  });
  const head = layout(
    statements(
      members.length === 0
        ? [header, NO_CHECK_PRAGMA]
        : [header, NO_CHECK_PRAGMA, importType(["Model"], "../runtime/model.js")],
    ),
  );
  return [head, ...texts.map((text) => `\n${text}`), "\n", layout(statements([map]))].join("");
}

/** `types/07.d.ts` from `models/<modulePath>.d.ts`. */
function typesSpecifier(spec: ModelSpec): string {
  return `${rootPrefix(spec.names.modulePath)}${typesModule(bucketOf(spec.id))}`;
}

/** The whole `models/<id>.d.ts`: its types, imported from its bucket's `types/NN.d.ts` and re-exported, and its API. */
export function emitModelDeclarations(spec: ModelSpec, header: string): string {
  const root = rootPrefix(spec.names.modulePath);
  const names = spec.types;
  const id = t.literal(spec.id);
  const input = t.name("Input");
  const rawInput = t.name("RawInput");
  const types = typesSpecifier(spec);
  const declarations: (Doc | null)[] = [
    header,
    importType(["AnnotatedSchema", "Model"], `${root}runtime/model.js`),
    importType(["ValidationIssue"], `${root}runtime/errors.js`),
    importType([names.input, names.rawInput, names.output], types),
    exportTypeFrom(typeNamesOf(spec), types),
    null,
  ];
  declarations.push(
    typeAlias(`Friendly input (alias of \`${names.input}\`).`, "Input", t.name(names.input)),
    typeAlias(`Wire body (alias of \`${names.rawInput}\`).`, "RawInput", t.name(names.rawInput)),
    typeAlias(`Output (alias of \`${names.output}\`).`, "Output", t.name(names.output)),
    declareConst(EXPORT_DOCS.id, "id", id),
    declareConst(modelDoc(spec), "model", t.ref("Model", [id, input, rawInput, t.name("Output")])),
    declareFunction(EXPORT_DOCS.build, "build", [{ name: "input", type: input }], rawInput),
    declareFunction(EXPORT_DOCS.buildRaw, "buildRaw", [{ name: "input", type: rawInput }], rawInput),
    declareFunction(
      EXPORT_DOCS.validateInput,
      "validateInput",
      [{ name: "input", type: t.name("unknown") }],
      t.readonlyArray(t.name("ValidationIssue")),
    ),
    declareFunction(EXPORT_DOCS.toFriendly, "toFriendly", [{ name: "raw", type: rawInput }], input),
    declareConst(
      "Input schema (raw keys) with titles, defaults, ranges and `x-alias`/`x-media`/`x-nodes` annotations, for forms and docs.",
      "inputSchema",
      t.name("AnnotatedSchema"),
    ),
    declareConst("Output schema (the result's `output` object), annotated.", "outputSchema", t.name("AnnotatedSchema")),
    "export default model;",
  );
  return layout(statements(declarations));
}
