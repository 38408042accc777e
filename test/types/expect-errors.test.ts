/**
 * Every `@ts-expect-error` of the consumer files fails for the reason it names. `tsc` alone only checks that the
 * line after the directive has some error: a misspelled field would still "pass" if it failed because a required
 * field is missing, or (the regression this folder guards) with TS2353 on a union instead of TS2561's "Did you mean
 * 'prompt'?". So each directive names the error it expects, `// @ts-expect-error TS2561 "'prompt'" -- why`: the code,
 * optionally a fragment of the message. This test compiles the files with the directives turned into plain comments
 * (through the TypeScript API, with each folder's tsconfig) and holds every line to its named error, and every other
 * line to none.
 */
import { dirname, join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/project.ts";

const DIRECTIVE = /\/\/ @ts-expect-error(?: TS(\d+)(?: "([^"]*)")?)?(?: --.*)?$/;

interface Expectation {
  /** 1-based line of the directive (the error is on the next line). */
  readonly line: number;
  readonly code: number | undefined;
  readonly fragment: string | undefined;
}

/** The diagnostics of `file` compiled with `tsconfig`, its `@ts-expect-error` directives disabled; and what they expect. */
function compileWithoutDirectives(tsconfig: string, file: string) {
  const config = ts.readConfigFile(tsconfig, (path) => ts.sys.readFile(path));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, dirname(tsconfig));
  const original = ts.sys.readFile(file)!;
  const expectations: Expectation[] = [];
  original.split("\n").forEach((text, index) => {
    const match = DIRECTIVE.exec(text.trim());
    if (match)
      expectations.push({ line: index + 1, code: match[1] ? Number(match[1]) : undefined, fragment: match[2] });
  });
  const host = ts.createCompilerHost(parsed.options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) =>
    name === file
      ? ts.createSourceFile(name, original.replaceAll("@ts-expect-error", "(expect-error)"), language)
      : getSourceFile(name, language, ...rest);
  const program = ts.createProgram(parsed.fileNames, parsed.options, host);
  const diagnostics = ts.getPreEmitDiagnostics(program).map((diagnostic) => ({
    file: diagnostic.file?.fileName,
    line: diagnostic.file ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start!).line + 1 : 0,
    code: diagnostic.code,
    message: ts.flattenDiagnosticMessageText(diagnostic.messageText, " "),
  }));
  return { options: parsed.options, expectations, diagnostics };
}

describe.each([
  ["test/types", "consumer.ts"],
  ["test/typecheck", "consumer.ts"],
])("the @ts-expect-error lines of %s/%s", (folder, name) => {
  const file = join(ROOT, folder, name);
  const { options, expectations, diagnostics } = compileWithoutDirectives(join(ROOT, folder, "tsconfig.json"), file);

  it("are compiled as a strict consumer would (strict, exactOptionalPropertyTypes, NodeNext)", () => {
    expect(options.strict).toBe(true);
    expect(options.exactOptionalPropertyTypes).toBe(true);
    expect(options.moduleResolution).toBe(ts.ModuleResolutionKind.NodeNext);
    expect(expectations.length).toBeGreaterThan(5);
  });

  it("each name the error they expect", () => {
    expect(expectations.filter((expectation) => expectation.code === undefined).map(({ line }) => line)).toEqual([]);
  });

  it("each fail with exactly that error, and no other line fails", () => {
    const expected = new Map(expectations.map((expectation) => [expectation.line + 1, expectation]));
    const found = diagnostics.map(({ file: where, line, code, message }) => {
      const expectation = where === file ? expected.get(line) : undefined;
      const matches =
        expectation !== undefined &&
        expectation.code === code &&
        (expectation.fragment === undefined || message.includes(expectation.fragment));
      return { where: `${where ?? "(global)"}:${line}`, code, message, matches };
    });
    // Errors no directive expects, or not the error it names.
    expect(found.filter(({ matches }) => !matches)).toEqual([]);
    // A directive whose line has no error at all (tsc reports that too; here with the line named).
    const failing = new Set(found.map(({ where }) => where));
    expect([...expected.keys()].filter((line) => !failing.has(`${file}:${line}`))).toEqual([]);
  });
});
