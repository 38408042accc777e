/**
 * The public API of the generated package, read with the TypeScript compiler from its declarations as a consumer
 * gets them (every entry point of `package.json` `exports`):
 *
 * - what each entry point exports (a snapshot, so an export added by accident shows up in review), and that the
 *   internals are exported from `runcomfy-models/internal` only;
 * - every public export, and every member of a public interface or class, carries TSDoc, and every optional member
 *   of an options object says its default (`@default`);
 * - every optional member of an options object or a model's input takes `undefined` (`?: T | undefined`), so a
 *   `T | undefined` value passes under `exactOptionalPropertyTypes` (the runtime leaves `undefined` out);
 * - every type that a public declaration names is itself exported from a public entry point (so a hover never
 *   names a type the consumer cannot import).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { listFilesSync } from "../../generator/lib/files.ts";
import { ROOT } from "../helpers/project.ts";

const PACKAGE = join(ROOT, "generated");
const manifest = JSON.parse(readFileSync(join(PACKAGE, "package.json"), "utf8")) as {
  exports: Record<string, string | { types: string }>;
};
/**
 * Entry point → its declaration file, for every entry with types (`./schemas/*` is JSON); a pattern entry (`./*`, the
 * models) as each of the declaration files it matches, so every model's entry point is read as a consumer imports it.
 */
const ENTRIES = new Map(
  Object.entries(manifest.exports).flatMap(([entry, target]) => {
    if (typeof target !== "object") return [];
    if (!entry.includes("*")) return [[entry, join(PACKAGE, target.types)] as const];
    const [prefix, suffix] = target.types.slice(2).split("*") as [string, string];
    return listFilesSync(PACKAGE)
      .filter((path) => path.startsWith(prefix) && path.endsWith(suffix) && path.length > prefix.length + suffix.length)
      .sort()
      .map((path) => [entry.replace("*", path.slice(prefix.length, -suffix.length)), join(PACKAGE, path)] as const);
  }),
);
const PUBLIC = [...ENTRIES].filter(([entry]) => entry !== "./internal");

/** Options objects a caller passes: each optional member documents its default. */
const OPTIONS = new Set([
  "ClientOptions",
  "RuntimeClientOptions",
  "CallOptions",
  "WaitOptions",
  "RunOptions",
  "RetryOptions",
  "PollOptions",
  "CatalogQuery",
  "DownloadOptions",
]);

/** What issue #12 found public by accident: internals, exported from `runcomfy-models/internal` only. */
const INTERNALS = [
  "backoffDelay",
  "provablyNotSent",
  "nextPollDelay",
  "retryDelay",
  "parseRetryAfter",
  "apiErrorClass",
  "defineModel",
  "systemClock",
  "normalizeBaseUrl",
  "DEFAULT_RETRY_POLICY",
  "DEFAULT_POLL_POLICY",
  "downloadRefusal",
  "fileNameFor",
  "fitFileName",
  "truncateUtf8",
];

const program = ts.createProgram([...ENTRIES.values()], {
  strict: true,
  exactOptionalPropertyTypes: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ["lib.es2023.d.ts", "lib.dom.d.ts"],
  types: [],
  noEmit: true,
});
const checker = program.getTypeChecker();
const resolved = (symbol: ts.Symbol): ts.Symbol =>
  symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
const inPackage = (node: ts.Node): boolean => node.getSourceFile().fileName.startsWith(`${PACKAGE}/`);
const documentation = (symbol: ts.Symbol): string =>
  ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
const where = (node: ts.Node): string => {
  const file = node.getSourceFile();
  return `${file.fileName.slice(PACKAGE.length + 1)}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
};

function exportsOf(file: string): ts.Symbol[] {
  const source = program.getSourceFile(file);
  const module = source && checker.getSymbolAtLocation(source);
  if (!module) throw new Error(`no module for ${file}`);
  return checker.getExportsOfModule(module);
}

const publicSymbols = new Set(PUBLIC.flatMap(([, file]) => exportsOf(file).map(resolved)));

/** Members that need no TSDoc of their own: an error class's `name` is the class name. */
function exempt(owner: ts.Symbol, member: ts.Symbol): boolean {
  if (member.name === "name" && owner.flags & ts.SymbolFlags.Class) return true;
  // `ModelMap`'s members are the model ids, typed by their model; its parts (`Models` of each types/NN.d.ts) are how
  // it is put together (one per registry bucket), not types a consumer names.
  return owner.name === "Models" || owner.name === "ModelMap";
}

describe("the public API of the generated package", () => {
  it("exports these names from each entry point (model types of the four seeds included)", async () => {
    const text = [...ENTRIES]
      .map(([entry, file]) => {
        const names = exportsOf(file)
          .map((symbol) => symbol.name)
          .sort();
        return `## ${entry}\n\n${names.join("\n")}\n`;
      })
      .join("\n");
    await expect(text).toMatchFileSnapshot("../__snapshots__/types/public-api.md");
  });

  it("keeps internals out of every public entry point: they are exported from runcomfy-models/internal only", () => {
    for (const [entry, file] of PUBLIC) {
      const names = new Set(exportsOf(file).map((symbol) => symbol.name));
      expect(
        INTERNALS.filter((name) => names.has(name)),
        entry,
      ).toEqual([]);
    }
    const internal = new Set(exportsOf(ENTRIES.get("./internal")!).map((symbol) => symbol.name));
    expect(INTERNALS.filter((name) => !internal.has(name))).toEqual([]);
  });

  it("documents every export and every member, and the default of every optional option", () => {
    const problems: string[] = [];
    for (const symbol of publicSymbols) {
      const declarations = (symbol.declarations ?? []).filter(inPackage);
      if (declarations.length === 0) continue;
      if (documentation(symbol) === "") problems.push(`${where(declarations[0]!)} ${symbol.name}: no TSDoc`);
      if (!(symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias))) continue;
      const type = checker.getDeclaredTypeOfSymbol(symbol);
      if (type.isUnion() || !(type.flags & ts.TypeFlags.Object)) continue;
      for (const member of checker.getPropertiesOfType(type)) {
        const declared = (member.declarations ?? []).filter(inPackage);
        if (declared.length === 0 || exempt(symbol, member)) continue;
        const place = `${where(declared[0]!)} ${symbol.name}.${member.name}`;
        if (documentation(member) === "") problems.push(`${place}: no TSDoc`);
        const optional = (member.flags & ts.SymbolFlags.Optional) !== 0;
        if (OPTIONS.has(symbol.name) && optional && !member.getJsDocTags(checker).some((tag) => tag.name === "default"))
          problems.push(`${place}: no @default`);
      }
    }
    expect([...new Set(problems)].sort()).toEqual([]);
    // The check reads what it should: the client's options and methods are among the members it saw.
    expect([...publicSymbols].map((symbol) => symbol.name)).toEqual(
      expect.arrayContaining(["ClientOptions", "WaitOptions", "Client", "DownloadOptions", "StatusUpdate"]),
    );
  });

  it("lets every optional option and input field take undefined (exactOptionalPropertyTypes)", () => {
    const strict: string[] = [];
    let checked = 0;
    for (const symbol of publicSymbols) {
      if (!OPTIONS.has(symbol.name) && !symbol.name.endsWith("Input")) continue;
      for (const declaration of (symbol.declarations ?? []).filter(inPackage)) {
        if (!ts.isInterfaceDeclaration(declaration)) continue;
        for (const member of declaration.members) {
          if (!ts.isPropertySignature(member) || !member.questionToken || !member.type) continue;
          checked++;
          const type = member.type;
          const takesUndefined =
            type.kind === ts.SyntaxKind.UnknownKeyword ||
            (ts.isUnionTypeNode(type) && type.types.some((part) => part.kind === ts.SyntaxKind.UndefinedKeyword));
          if (!takesUndefined) strict.push(`${where(member)} ${symbol.name}.${member.name.getText()}`);
        }
      }
    }
    expect(strict).toEqual([]);
    expect(checked).toBeGreaterThan(50);
  });

  it("exports every type a public declaration names", () => {
    const unexported = new Set<string>();
    const visit = (node: ts.Node): void => {
      const name = ts.isTypeReferenceNode(node)
        ? node.typeName
        : ts.isExpressionWithTypeArguments(node)
          ? node.expression
          : ts.isTypeQueryNode(node)
            ? node.exprName
            : undefined;
      const symbol = name && checker.getSymbolAtLocation(name);
      if (symbol) {
        const target = resolved(symbol);
        const ours = (target.declarations ?? []).some(inPackage);
        if (ours && !(target.flags & ts.SymbolFlags.TypeParameter) && !publicSymbols.has(target))
          unexported.add(`${where(node)} names ${target.name}`);
      }
      ts.forEachChild(node, visit);
    };
    for (const symbol of publicSymbols)
      for (const declaration of (symbol.declarations ?? []).filter(inPackage)) {
        // ModelMap is the merge of one `Models` part per registry bucket (see `exempt`).
        if (symbol.name !== "ModelMap") visit(declaration);
      }
    expect([...unexported].sort()).toEqual([]);
  });
});
