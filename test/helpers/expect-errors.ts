/**
 * Holds each `@ts-expect-error` of a consumer file to the error it names. `tsc` alone only checks that the line
 * after the directive has some error: a misspelled field would still "pass" if it failed because a required field is
 * missing, or with TS2353 on a union instead of TS2561's "Did you mean 'prompt'?". So each directive names the error
 * it expects, `// @ts-expect-error TS2561 "'prompt'" -- why`: the code, optionally a fragment of the message.
 * `expectedErrors` compiles the file with its directives turned into plain comments (through the TypeScript API,
 * with the given tsconfig) and reports every line that does not fail as its directive says.
 */
import { dirname } from "node:path";
import ts from "typescript";

const DIRECTIVE = /\/\/ @ts-expect-error(?: TS(\d+)(?: "([^"]*)")?)?(?: --.*)?$/;

export interface ExpectedErrorsReport {
  /** The compiler options the file was checked with. */
  readonly options: ts.CompilerOptions;
  /** How many directives the file has. */
  readonly directives: number;
  /** Lines (1-based) of directives that name no error code. */
  readonly unnamed: readonly number[];
  /** Errors no directive expects, or not the error their directive names (`file:line TScode message`). */
  readonly unexpected: readonly string[];
  /** Lines (1-based) of directives whose next line has no error at all. */
  readonly silent: readonly number[];
}

export function expectedErrors(tsconfig: string, file: string): ExpectedErrorsReport {
  const config = ts.readConfigFile(tsconfig, (path) => ts.sys.readFile(path));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, dirname(tsconfig));
  const original = ts.sys.readFile(file);
  if (original === undefined) throw new Error(`cannot read ${file}`);
  /** Directive, by the 1-based line of the code it covers (the next line). */
  const expected = new Map<number, { code: number | undefined; fragment: string | undefined }>();
  original.split("\n").forEach((text, index) => {
    const match = DIRECTIVE.exec(text.trim());
    if (match) expected.set(index + 2, { code: match[1] ? Number(match[1]) : undefined, fragment: match[2] });
  });
  const host = ts.createCompilerHost(parsed.options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) =>
    name === file
      ? ts.createSourceFile(name, original.replaceAll("@ts-expect-error", "(expect-error)"), language)
      : getSourceFile(name, language, ...rest);
  const program = ts.createProgram(parsed.fileNames, parsed.options, host);
  const unexpected: string[] = [];
  const failing = new Set<number>();
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const line = diagnostic.file ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start!).line + 1 : 0;
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, " ");
    const directive = diagnostic.file?.fileName === file ? expected.get(line) : undefined;
    if (diagnostic.file?.fileName === file) failing.add(line);
    const matches =
      directive !== undefined &&
      directive.code === diagnostic.code &&
      (directive.fragment === undefined || message.includes(directive.fragment));
    if (!matches) unexpected.push(`${diagnostic.file?.fileName ?? "(global)"}:${line} TS${diagnostic.code} ${message}`);
  }
  return {
    options: parsed.options,
    directives: expected.size,
    unnamed: [...expected].filter(([, directive]) => directive.code === undefined).map(([line]) => line - 1),
    unexpected,
    silent: [...expected.keys()].filter((line) => !failing.has(line)).map((line) => line - 1),
  };
}
