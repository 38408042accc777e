/**
 * The per-model module (`models/<id>.js` + `.d.ts`), built with ts-morph
 * structures (one `createSourceFile` per file: no per-node manipulation).
 *
 * The module is thin: data (`id`, field table, metadata) plus one-liners over
 * the hand-written runtime (`defineModel`). The ajv validator sits in
 * `validators/<id>.js` and is imported here.
 */
import { Project, StructureKind, VariableDeclarationKind, type StatementStructures } from "ts-morph";
import type { FieldDefinition } from "../../templates/runtime/model.ts";
import type { FieldSpec, ModelSpec, ValueSpec } from "../spec/types.ts";
import { typeLabel } from "./docs.ts";
import type { ModelTypeNames } from "./types.ts";

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

function fieldDefinition(field: FieldSpec): FieldDefinition {
  const value = field.value;
  const range: Record<string, number> = {};
  for (const key of ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] as const) {
    if (value[key] !== undefined) range[key] = value[key];
  }
  return {
    alias: field.alias,
    key: field.key,
    ...(field.nodes.length ? { nodes: field.nodes.map((node) => node.id).join("+") } : {}),
    ...(value.media ? { media: value.media } : {}),
    ...(value.items?.media ? { mediaItems: value.items.media } : {}),
    ...(field.sizes ? { sizes: field.sizes.map((size) => (size.short ? [size.label, size.width, size.height, size.short] : [size.label, size.width, size.height])) } : {}),
    ...(Object.keys(range).length ? { range } : {}),
  };
}

function valueMetadata(value: ValueSpec): Record<string, unknown> {
  const { title: _title, description: _description, properties, items, ...rest } = value;
  return {
    type: typeLabel(value),
    ...rest,
    ...(items ? { items: valueMetadata(items) } : {}),
    ...(properties ? { properties: properties.map((property) => ({ key: property.key, required: property.required, ...valueMetadata(property.value) })) } : {}),
  };
}

function metadata(spec: ModelSpec): Record<string, unknown> {
  return {
    id: spec.id,
    ...(spec.displayName ? { displayName: spec.displayName } : {}),
    ...(spec.description ? { description: spec.description } : {}),
    fields: spec.fields.map((field) => ({
      alias: field.alias,
      key: field.key,
      nodes: field.nodes,
      ...(field.value.title ? { title: field.value.title } : {}),
      ...(field.value.description ? { description: field.value.description } : {}),
      required: field.required,
      ...valueMetadata(field.value),
      ...(field.sizes ? { sizes: field.sizes.map((size) => size.label) } : {}),
    })),
    outputs: spec.output.map((property) => ({ key: property.key, ...valueMetadata(property.value) })),
  };
}

const literal = (value: unknown): string => JSON.stringify(value);

export function emitModelModule(spec: ModelSpec, header: string): string {
  const root = rootPrefix(spec.names.modulePath);
  return sourceText("/model.js", [
    header,
    { kind: StructureKind.ImportDeclaration, moduleSpecifier: `${root}runtime/model.js`, namedImports: ["defineModel"] },
    { kind: StructureKind.ImportDeclaration, moduleSpecifier: `${root}validators/${spec.names.modulePath}.js`, defaultImport: "validate" },
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: ["Model id, as RunComfy's API expects it."],
      declarations: [{ name: "id", initializer: literal(spec.id) }],
    },
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: ["The model: `build()`, `validate()`, `toFriendly()`, `parseOutput()`; pass it to `client.run()`."],
      declarations: [{ name: "model", initializer: `/* @__PURE__ */ defineModel({ id, name: ${literal(spec.names.memberName)}, fields: ${literal(spec.fields.map(fieldDefinition))}, validate })` }],
    },
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: ["Friendly (or raw) input → the exact wire body; throws `ValidationError` listing every problem, and sends nothing."],
      declarations: [{ name: "build", initializer: "(input) => model.build(input)" }],
    },
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: ["Every problem of an input (friendly or raw); an empty array means valid."],
      declarations: [{ name: "validateInput", initializer: "(input) => model.validate(input)" }],
    },
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: ["Wire body → friendly field names."],
      declarations: [{ name: "toFriendly", initializer: "(raw) => model.toFriendly(raw)" }],
    },
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: ["Field and output metadata (titles, defaults, ranges, allowed values) for forms and docs."],
      declarations: [{ name: "metadata", initializer: literal(metadata(spec)) }],
    },
    { kind: StructureKind.ExportAssignment, isExportEquals: false, expression: "model" },
  ]);
}

export function emitModelDeclarations(spec: ModelSpec, names: ModelTypeNames, typeDeclarations: string, header: string): string {
  const root = rootPrefix(spec.names.modulePath);
  return sourceText("/model.d.ts", [
    header,
    { kind: StructureKind.ImportDeclaration, isTypeOnly: true, moduleSpecifier: `${root}runtime/model.js`, namedImports: ["Model", "ModelMetadata"] },
    { kind: StructureKind.ImportDeclaration, isTypeOnly: true, moduleSpecifier: `${root}runtime/errors.js`, namedImports: ["ValidationIssue"] },
    typeDeclarations,
    { kind: StructureKind.TypeAlias, isExported: true, name: "Input", type: names.input, docs: [`Friendly input (alias of \`${names.input}\`).`] },
    { kind: StructureKind.TypeAlias, isExported: true, name: "RawInput", type: names.rawInput, docs: [`Wire body (alias of \`${names.rawInput}\`).`] },
    { kind: StructureKind.TypeAlias, isExported: true, name: "Output", type: names.output, docs: [`Output (alias of \`${names.output}\`).`] },
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      hasDeclareKeyword: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: ["Model id, as RunComfy's API expects it."],
      declarations: [{ name: "id", type: literal(spec.id) }],
    },
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      hasDeclareKeyword: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: ["The model: `build()`, `validate()`, `toFriendly()`, `parseOutput()`; pass it to `client.run()`."],
      declarations: [{ name: "model", type: `Model<${literal(spec.id)}, Input, RawInput, Output>` }],
    },
    {
      kind: StructureKind.Function,
      isExported: true,
      hasDeclareKeyword: true,
      name: "build",
      parameters: [{ name: "input", type: "Input | RawInput" }],
      returnType: "RawInput",
      docs: ["Friendly (or raw) input → the exact wire body; throws `ValidationError` listing every problem, and sends nothing."],
    },
    {
      kind: StructureKind.Function,
      isExported: true,
      hasDeclareKeyword: true,
      name: "validateInput",
      parameters: [{ name: "input", type: "unknown" }],
      returnType: "readonly ValidationIssue[]",
      docs: ["Every problem of an input (friendly or raw); an empty array means valid."],
    },
    {
      kind: StructureKind.Function,
      isExported: true,
      hasDeclareKeyword: true,
      name: "toFriendly",
      parameters: [{ name: "raw", type: "RawInput" }],
      returnType: "Input",
      docs: ["Wire body → friendly field names."],
    },
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      hasDeclareKeyword: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: ["Field and output metadata (titles, defaults, ranges, allowed values) for forms and docs."],
      declarations: [{ name: "metadata", type: "ModelMetadata" }],
    },
    { kind: StructureKind.ExportAssignment, isExportEquals: false, expression: "model" },
  ]);
}
