/**
 * JavaScript modules as Prettier documents (see `layout.ts`): the data and
 * the few statement shapes the emitted model modules and registries use,
 * each built as Prettier's babel printer builds it.
 *
 * Property values follow Prettier's assignment layouts: after a short key
 * (narrower than 5 columns) a value never moves to its own line; after a
 * longer key a string moves below the key when the line is too long
 * ("break-after-operator"), numbers and booleans never move, and arrays,
 * objects, names and calls use the "fluid" layout.
 */
import {
  conditionalGroup,
  fill,
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
import { numberLiteral, propertyKey, stringLiteral, stringWidth } from "./text.ts";

/** A JavaScript expression the printer knows. */
export type Expression =
  | string
  | number
  | boolean
  | null
  | readonly Expression[]
  | { readonly kind: "object"; readonly properties: readonly Property[] }
  /** A name or a member chain (`id`, `model.build`), printed as is. */
  | { readonly kind: "name"; readonly name: string }
  /** `callee(args)`, the callee a name; a lone object or array argument is hugged as Prettier does. */
  | { readonly kind: "call"; readonly callee: string; readonly args: readonly Expression[]; readonly pure?: boolean }
  /** `(params) => body` with a call body. */
  | { readonly kind: "arrow"; readonly params: readonly string[]; readonly body: Expression }
  /** `import("specifier")`. */
  | { readonly kind: "import"; readonly specifier: string };

export interface Property {
  readonly key: string;
  readonly value: Expression;
  /** `{ id }` instead of `{ id: id }` (the value must be the name `key`). */
  readonly shorthand?: boolean;
}

export const js = {
  name: (name: string): Expression => ({ kind: "name", name }),
  object: (properties: readonly Property[]): Expression => ({ kind: "object", properties }),
  /** An object from a record of values (insertion order). */
  record: (values: Readonly<Record<string, Expression>>): Expression => ({
    kind: "object",
    properties: Object.keys(values).map((key) => ({ key, value: values[key]! })),
  }),
  call: (callee: string, args: readonly Expression[], pure = false): Expression => ({
    kind: "call",
    callee,
    args,
    pure,
  }),
  arrow: (params: readonly string[], body: Expression): Expression => ({ kind: "arrow", params, body }),
  dynamicImport: (specifier: string): Expression => ({ kind: "import", specifier }),
};

type Kind = "string" | "number" | "boolean" | "null" | "array" | "object" | "name" | "call" | "arrow" | "import";

function kindOf(value: Expression): Kind {
  if (value === null) return "null";
  if (typeof value === "string") return "string";
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "boolean";
  if (Array.isArray(value)) return "array";
  return (value as Exclude<Expression, readonly Expression[] | string | number | boolean | null>).kind;
}

function isNumber(value: Expression): value is number {
  return typeof value === "number";
}

function numberDoc(value: number): Doc {
  return value < 0 || Object.is(value, -0) ? ["-", numberLiteral(Math.abs(value))] : numberLiteral(value);
}

/** Prettier breaks an array of several objects (or arrays), each with more than one entry, one element per line. */
function breaksArray(elements: readonly Expression[]): boolean {
  if (elements.length < 2) return false;
  const first = kindOf(elements[0]!);
  if (first !== "object" && first !== "array") return false;
  return elements.every((element) => {
    if (kindOf(element) !== first) return false;
    return Array.isArray(element)
      ? element.length > 1
      : (element as { readonly properties: readonly Property[] }).properties.length > 1;
  });
}

function arrayDoc(elements: readonly Expression[]): Doc {
  if (elements.length === 0) return "[]";
  if (elements.every(isNumber)) {
    // Prettier's "concisely printed" array: all numbers, filled onto as few lines as fit.
    const id = Symbol("array");
    const parts: Doc[] = [];
    elements.forEach((element, index) => {
      const last = index === elements.length - 1;
      parts.push([numberDoc(element), last ? ifBreak(",", "", { groupId: id }) : ","]);
      if (!last) parts.push(line);
    });
    return group(["[", indent([softline, fill(parts)]), softline, "]"], { id });
  }
  return group(
    [
      "[",
      indent([
        softline,
        join(
          [",", line],
          elements.map((element) => group(expressionDoc(element))),
        ),
        ifBreak(","),
      ]),
      softline,
      "]",
    ],
    { shouldBreak: breaksArray(elements) },
  );
}

function objectDoc(properties: readonly Property[]): Doc {
  if (properties.length === 0) return "{}";
  return group(["{", indent([line, join([",", line], properties.map(propertyDoc))]), ifBreak(","), line, "}"]);
}

/** The value after `key:` or `name =`, laid out as Prettier's assignment layouts do. */
function assignedValue(value: Expression, shortLeft: boolean): Doc {
  const kind = kindOf(value);
  const doc = expressionDoc(value);
  if (shortLeft || kind === "number" || kind === "boolean") return [" ", doc];
  if (kind === "string") return group(indent([line, doc]));
  const id = Symbol("assignment");
  return [group(indent(line), { id }), lineSuffixBoundary, indentIfBreak(doc, { groupId: id })];
}

function propertyDoc(property: Property): Doc {
  if (property.shorthand) return propertyKey(property.key);
  // A `__proto__` key in an object literal sets the prototype; computed, it is an ordinary own key.
  const key = property.key === "__proto__" ? '["__proto__"]' : propertyKey(property.key);
  return group([group(key), ":", assignedValue(property.value, stringWidth(key) < 5)]);
}

function argumentsDoc(args: readonly Expression[]): Doc {
  if (args.length === 0) return "()";
  const only = args.length === 1 ? args[0]! : undefined;
  if (only !== undefined && (kindOf(only) === "object" || kindOf(only) === "array")) {
    // A lone object or array argument hugs the parentheses (Prettier's last-argument expansion).
    const hugged = expressionDoc(only);
    return conditionalGroup([
      ["(", hugged, ")"],
      ["(", group(hugged, { shouldBreak: true }), ")"],
      group(["(", indent([line, hugged]), ifBreak(","), line, ")"], { shouldBreak: true }),
    ]);
  }
  return group(["(", indent([softline, join([",", line], args.map(expressionDoc))]), ifBreak(","), softline, ")"]);
}

export function expressionDoc(value: Expression): Doc {
  if (value === null) return "null";
  if (typeof value === "string") return stringLiteral(value);
  if (typeof value === "number") return numberDoc(value);
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return arrayDoc(value);
  const node = value as Exclude<Expression, readonly Expression[] | string | number | boolean | null>;
  switch (node.kind) {
    case "object":
      return objectDoc(node.properties);
    case "name":
      return node.name;
    case "call":
      return [node.pure ? "/* @__PURE__ */ " : "", node.callee, lineSuffixBoundary, argumentsDoc(node.args)];
    case "arrow":
      return group([
        node.params.length === 0
          ? "()"
          : group(group(["(", indent([softline, join([",", line], [...node.params])]), ifBreak(","), softline, ")"])),
        " =>",
        group(indent([line, expressionDoc(node.body)])),
      ]);
    case "import":
      // Prettier never breaks the one string argument of a dynamic import.
      return ["import", "(", stringLiteral(node.specifier), ")"];
  }
}

/** `[export ]const name = value;` */
export function constDeclaration(name: string, value: Expression, exported = false): Doc {
  return [
    exported ? "export " : "",
    group(["const", " ", group([group(name), " =", assignedValue(value, false)]), indent([]), ";"]),
  ];
}

/** `import { a, b } from "specifier";` (`default` names become a default import). */
export function importDeclaration(names: readonly string[], specifier: string, defaultName?: string): Doc {
  const list =
    names.length === 0 ? "" : group(["{", indent([line, join([",", line], [...names])]), ifBreak(","), line, "}"]);
  const bindings = [defaultName ?? "", defaultName !== undefined && names.length > 0 ? ", " : "", list];
  return ["import ", ...bindings, " from ", stringLiteral(specifier), ";"];
}

/** `export { a, b } from "specifier";` */
export function exportFrom(names: readonly string[], specifier: string): Doc {
  return [
    "export ",
    group(["{", indent([line, join([",", line], [...names])]), ifBreak(","), line, "}"]),
    " from ",
    stringLiteral(specifier),
    ";",
  ];
}

/** `export default name;` */
export function exportDefault(name: string): Doc {
  return ["export default ", name, ";"];
}

export { hardline };
