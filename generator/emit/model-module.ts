/**
 * The per-model module: the builder (`models/<id>.js`, built with ts-morph
 * structures, one `createSourceFile` per file: no per-node manipulation) and
 * its declarations (`models/<id>.d.ts`).
 *
 * The module is thin: data (`id`, field table) plus one-liners over the
 * hand-written runtime (`defineModel`). The ajv validator and the annotated
 * JSON Schemas (machine-readable metadata) sit in `validators/<id>.js` and
 * are imported (and re-exported) here.
 */
import { Project, StructureKind, VariableDeclarationKind, type StatementStructures } from "ts-morph";
import type { FieldDefinition, ValueDefinition } from "../../templates/runtime/model.ts";
import type { FieldSpec, ModelSpec, PropertySpec, ValueSpec } from "../model/types.ts";
import { catalogLines, commentSafe } from "./docs.ts";

/** TSDoc of each export, shared by `models/<id>.js` and `models/<id>.d.ts` so the two never disagree. */
const DOCS = {
  id: "Model id, as RunComfy's API expects it.",
  model: "The model: `build()`, `validate()`, `toFriendly()`, `parseOutput()`; pass it to `client.run()`.",
  build:
    "Friendly (or raw) input → the exact wire body; throws `ValidationError` listing every problem, and sends nothing.",
  validateInput: "Every problem of an input (friendly or raw); an empty array means valid.",
  toFriendly: "Wire body → friendly field names.",
} as const;

let project: Project | undefined;

function sourceText(path: string, statements: (string | StatementStructures)[]): string {
  project ??= new Project({ useInMemoryFileSystem: true, compilerOptions: { allowJs: true } });
  const file = project.createSourceFile(path, { statements }, { overwrite: true });
  const text = file.getFullText();
  project.removeSourceFile(file);
  return text;
}

/** `../../../` from `models/<modulePath>.js` (or `validators/…`) back to the package root. */
export function rootPrefix(modulePath: string): string {
  return "../".repeat(modulePath.split("/").length);
}

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

const literal = (value: unknown): string => JSON.stringify(value);

/** The model export's TSDoc: what it is, then what the catalog says about the model. */
function modelDoc(spec: ModelSpec): string {
  return commentSafe([DOCS.model, ...catalogLines(spec)].join("\n"));
}

function docBlock(text: string): string {
  const lines = text.split("\n");
  return lines.length === 1
    ? `/** ${lines[0]} */`
    : `/**\n${lines.map((line) => ` * ${line}`.trimEnd()).join("\n")}\n */`;
}

export function emitModelModule(spec: ModelSpec, header: string): string {
  const root = rootPrefix(spec.names.modulePath);
  return sourceText("/model.js", [
    header,
    {
      kind: StructureKind.ImportDeclaration,
      moduleSpecifier: `${root}runtime/model.js`,
      namedImports: ["defineModel"],
    },
    {
      kind: StructureKind.ImportDeclaration,
      moduleSpecifier: `${root}validators/${spec.names.modulePath}.js`,
      defaultImport: "validate",
    },
    {
      kind: StructureKind.ExportDeclaration,
      moduleSpecifier: `${root}validators/${spec.names.modulePath}.js`,
      namedExports: ["inputSchema", "outputSchema"],
    },
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: [DOCS.id],
      declarations: [{ name: "id", initializer: literal(spec.id) }],
    },
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: [modelDoc(spec)],
      declarations: [
        {
          name: "model",
          initializer: `/* @__PURE__ */ defineModel({ id, fields: ${literal(spec.fields.map(fieldDefinition))}, validate })`,
        },
      ],
    },
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: [DOCS.build],
      declarations: [{ name: "build", initializer: "(input) => model.build(input)" }],
    },
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: [DOCS.validateInput],
      declarations: [{ name: "validateInput", initializer: "(input) => model.validate(input)" }],
    },
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: [DOCS.toFriendly],
      declarations: [{ name: "toFriendly", initializer: "(raw) => model.toFriendly(raw)" }],
    },
    { kind: StructureKind.ExportAssignment, isExportEquals: false, expression: "model" },
  ]);
}

/**
 * The model's `.d.ts`: json-schema-to-typescript's declarations plus the
 * module's own. Assembled as text: declarations are fixed lines around the
 * compiled types, and building them through ts-morph cost more than all the
 * rest of the file (it re-parses what it prints).
 */
export function emitModelDeclarations(spec: ModelSpec, typeDeclarations: string, header: string): string {
  const root = rootPrefix(spec.names.modulePath);
  const names = spec.types;
  const id = literal(spec.id);
  const modelTypes = names.sizes.size > 0 ? "AnnotatedSchema, Model, SizeValue" : "AnnotatedSchema, Model";
  return [
    header,
    `import type { ${modelTypes} } from "${root}runtime/model.js";`,
    `import type { ValidationIssue } from "${root}runtime/errors.js";`,
    "",
    typeDeclarations.trim(),
    "",
    `/** Friendly input (alias of \`${names.input}\`). */`,
    `export type Input = ${names.input};`,
    `/** Wire body (alias of \`${names.rawInput}\`). */`,
    `export type RawInput = ${names.rawInput};`,
    `/** Output (alias of \`${names.output}\`). */`,
    `export type Output = ${names.output};`,
    `/** ${DOCS.id} */`,
    `export declare const id: ${id};`,
    docBlock(modelDoc(spec)),
    `export declare const model: Model<${id}, Input, RawInput, Output>;`,
    `/** ${DOCS.build} */`,
    "export declare function build(input: Input | RawInput): RawInput;",
    `/** ${DOCS.validateInput} */`,
    "export declare function validateInput(input: unknown): readonly ValidationIssue[];",
    `/** ${DOCS.toFriendly} */`,
    "export declare function toFriendly(raw: RawInput): Input;",
    "/** Input schema (raw keys) with titles, defaults, ranges and `x-alias`/`x-media`/`x-nodes` annotations, for forms and docs. */",
    "export declare const inputSchema: AnnotatedSchema;",
    "/** Output schema (the result's `output` object), annotated. */",
    "export declare const outputSchema: AnnotatedSchema;",
    "export default model;",
    "",
  ].join("\n");
}
