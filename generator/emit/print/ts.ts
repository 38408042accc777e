/**
 * TypeScript declarations as Prettier documents. Each builder produces the
 * document Prettier's own TypeScript printer produces for the same construct
 * (seen with `prettier.__debug.printToDoc`), so laying it out gives
 * Prettier's formatting without parsing or formatting anything.
 *
 * Only the constructs the emitters use are covered: type references,
 * literals, unions, arrays, tuples, inline object types, interfaces, type
 * aliases, `import type`/`export type … from`, `declare const`/`function`.
 */
import {
  align,
  group,
  hardline,
  ifBreak,
  indent,
  indentIfBreak,
  join,
  line,
  lineSuffixBoundary,
  softline,
  type Doc,
} from "./layout.ts";
import { docComment, numberLiteral, propertyKey, stringLiteral } from "./text.ts";

export type TypeNode =
  /** A keyword or a name without type arguments, printed as is (`string`, `unknown`, `Foo`). */
  | { readonly kind: "name"; readonly name: string }
  | { readonly kind: "literal"; readonly value: string | number | boolean | null }
  | { readonly kind: "ref"; readonly name: string; readonly args: readonly TypeNode[] }
  | { readonly kind: "union"; readonly members: readonly TypeNode[] }
  | { readonly kind: "array"; readonly element: TypeNode; readonly readonly?: boolean }
  | { readonly kind: "tuple"; readonly elements: readonly TypeNode[] }
  | {
      readonly kind: "object";
      readonly members: readonly Member[];
      /** An index signature `[k: string]: <type>` after the members. */
      readonly index?: TypeNode | undefined;
    };

export interface Member {
  readonly doc?: string | undefined;
  readonly key: string;
  readonly optional?: boolean | undefined;
  readonly readonly?: boolean | undefined;
  readonly type: TypeNode;
}

export const t = {
  name: (name: string): TypeNode => ({ kind: "name", name }),
  literal: (value: string | number | boolean | null): TypeNode => ({ kind: "literal", value }),
  ref: (name: string, args: readonly TypeNode[] = []): TypeNode =>
    args.length === 0 ? { kind: "name", name } : { kind: "ref", name, args },
  /** A union; one member is that member, none is `never`. */
  union: (members: readonly TypeNode[]): TypeNode => {
    const flat = members.flatMap((member) => (member.kind === "union" ? member.members : [member]));
    return flat.length === 0
      ? { kind: "name", name: "never" }
      : flat.length === 1
        ? flat[0]!
        : { kind: "union", members: flat };
  },
  array: (element: TypeNode): TypeNode => ({ kind: "array", element }),
  /** `readonly T[]`; a union or a readonly array element is parenthesised, `readonly (A | B)[]`. */
  readonlyArray: (element: TypeNode): TypeNode => ({ kind: "array", element, readonly: true }),
  tuple: (elements: readonly TypeNode[]): TypeNode => ({ kind: "tuple", elements }),
  /** An inline object type; its members' docs are printed (which breaks it onto one member per line). */
  object: (members: readonly Member[], index?: TypeNode): TypeNode =>
    index === undefined ? { kind: "object", members } : { kind: "object", members, index },
};

function literal(value: string | number | boolean | null): Doc {
  if (typeof value === "string") return stringLiteral(value);
  if (typeof value === "number") return value < 0 ? ["-", numberLiteral(-value)] : numberLiteral(value);
  return String(value);
}

/** The members of a union as Prettier joins them: `| ` before each when the group breaks. */
function unionBody(members: readonly TypeNode[]): Doc {
  return group([
    ifBreak("| "),
    join(
      [line, "| "],
      members.map((member) => align(2, typeDoc(member))),
    ),
  ]);
}

/** A union standing alone in a type position (a type argument, a tuple element). */
function unionDoc(members: readonly TypeNode[]): Doc {
  return unionBody(members);
}

function typeArgs(args: readonly TypeNode[]): Doc {
  // A lone simple argument (a name, a keyword, a literal) is never broken out (Prettier's `shouldHugType`).
  const only = args.length === 1 ? args[0]! : undefined;
  if (only && (only.kind === "name" || only.kind === "literal")) return ["<", typeDoc(only), ">"];
  return group(["<", indent([softline, join([",", line], args.map(typeDoc))]), softline, ">"]);
}

function tupleDoc(elements: readonly TypeNode[]): Doc {
  if (elements.length === 0) return "[]";
  return group([
    "[",
    indent([
      softline,
      join(
        [",", line],
        elements.map((element) => group(typeDoc(element))),
      ),
      ifBreak(","),
    ]),
    softline,
    "]",
  ]);
}

function memberSignature(member: Member): Doc {
  return group([
    member.readonly ? "readonly " : "",
    propertyKey(member.key),
    member.optional ? "?" : "",
    ":",
    " ",
    annotation(member.type),
  ]);
}

/** `[k: string]: <type>`, as Prettier prints an index signature. */
function indexSignature(type: TypeNode): Doc {
  return group(["[", group([indent([softline, "k", ":", " ", "string"]), softline]), "]", ":", " ", annotation(type)]);
}

function objectDoc(members: readonly Member[], index: TypeNode | undefined): Doc {
  const parts: Doc[] = members.map((member) => withDoc(member.doc, memberSignature(member)));
  if (index) parts.push(indexSignature(index));
  if (parts.length === 0) return "{}";
  return group(["{", indent([line, join([";", line], parts), ifBreak(";")]), line, "}"]);
}

/** A type in any position but a property's or alias's own type. */
export function typeDoc(node: TypeNode): Doc {
  switch (node.kind) {
    case "name":
      return node.name;
    case "literal":
      return literal(node.value);
    case "ref":
      return [node.name, typeArgs(node.args)];
    case "union":
      return unionDoc(node.members);
    case "array": {
      const prefix = node.readonly ? "readonly " : "";
      if (node.element.kind === "union")
        return [prefix, "(", group([indent([softline, unionBody(node.element.members)]), softline]), ")", "[]"];
      // `readonly string[][]` would make only the outer array readonly.
      if (node.element.kind === "array" && node.element.readonly)
        return [prefix, "(", typeDoc(node.element), ")", "[]"];
      return [prefix, typeDoc(node.element), "[]"];
    }
    case "tuple":
      return tupleDoc(node.elements);
    case "object":
      return objectDoc(node.members, node.index);
  }
}

/** A type annotation (`key: <type>`): a union there gets its own indented group, so it breaks onto `| ` lines below the key. */
function annotation(node: TypeNode): Doc {
  if (node.kind === "union") return group(indent([softline, unionBody(node.members)]));
  return typeDoc(node);
}

function withDoc(doc: string | undefined, body: Doc): Doc {
  const comment = doc === undefined ? "" : docComment(doc);
  return comment === "" ? body : [comment, hardline, body];
}

export interface InterfaceDeclaration {
  readonly doc?: string | undefined;
  readonly name: string;
  readonly members: readonly Member[];
  /** An index signature `[key: string]: <type>` after the members. */
  readonly index?: TypeNode | undefined;
}

/** `export interface Name { … }`, one member per line, each with its doc comment. */
export function interfaceDeclaration(declaration: InterfaceDeclaration): Doc {
  const members: Doc[] = declaration.members.map((member) => withDoc(member.doc, [memberSignature(member), ";"]));
  if (declaration.index) members.push([indexSignature(declaration.index), ";"]);
  const body = members.length === 0 ? " {}" : [" {", indent([hardline, join(hardline, members)]), hardline, "}"];
  return withDoc(declaration.doc, ["export interface ", declaration.name, body]);
}

/** `export type Name = <type>;` */
export function typeAlias(doc: string | undefined, name: string, type: TypeNode): Doc {
  const head = group(["type ", name]);
  if (type.kind === "union")
    return withDoc(doc, ["export ", group([head, " =", group(indent([line, unionBody(type.members)]))]), ";"]);
  const id = Symbol("assignment");
  return withDoc(doc, [
    "export ",
    group([head, " =", group(indent(line), { id }), lineSuffixBoundary, indentIfBreak(typeDoc(type), { groupId: id })]),
    ";",
  ]);
}

function namedList(names: readonly string[]): Doc {
  if (names.length === 0) return "{}";
  return group(["{", indent([line, join([",", line], [...names])]), ifBreak(","), line, "}"]);
}

/** `import type { A, B } from "spec";` */
export function importType(names: readonly string[], specifier: string): Doc {
  return ["import type ", namedList(names), " from ", stringLiteral(specifier), ";"];
}

/** `export type { A, B } from "spec";` */
export function exportTypeFrom(names: readonly string[], specifier: string): Doc {
  return ["export type ", namedList(names), " from ", stringLiteral(specifier), ";"];
}

/** `export declare const name: <type>;` */
export function declareConst(doc: string | undefined, name: string, type: TypeNode): Doc {
  return withDoc(doc, [
    "export ",
    group(["declare ", "const", " ", name, ":", " ", annotation(type), indent([]), ";"]),
  ]);
}

export interface Parameter {
  readonly name: string;
  readonly type: TypeNode;
  readonly optional?: boolean | undefined;
}

/** `export declare function name(params): <returns>;` */
export function declareFunction(
  doc: string | undefined,
  name: string,
  params: readonly Parameter[],
  returns: TypeNode,
): Doc {
  const list = params.map((param) => [param.name, param.optional ? "?" : "", ":", " ", annotation(param.type)]);
  const signature =
    params.length === 0
      ? ["(", ")", ":", " ", annotation(returns)]
      : group([
          "(",
          indent([softline, join([",", line], list)]),
          ifBreak(","),
          softline,
          ")",
          ":",
          " ",
          annotation(returns),
        ]);
  return withDoc(doc, ["export ", "declare ", "function", " ", name, signature, ";"]);
}

/** Top-level statements, each on its own lines; `null` entries are blank lines between groups. */
export function statements(parts: readonly (Doc | null)[]): Doc {
  const out: Doc[] = [];
  for (const part of parts) {
    if (part === null) {
      if (out.length > 0 && out[out.length - 1] !== "") out.push("");
      continue;
    }
    out.push(part);
  }
  while (out[out.length - 1] === "") out.pop();
  return [join(hardline, out), hardline];
}
