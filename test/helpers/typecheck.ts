/**
 * `tsc -p <tsconfig>` as the package's own tests need it: the declaration files that grow with the catalog
 * (`types/NN.d.ts`, `index.d.ts`) carry `NO_CHECK_PRAGMA`, so a consumer's tsc resolves only what the consumer uses
 * and never checks them. The package's tests must check them: this reads every file with that line blanked (the
 * line, not its number, so diagnostics point where tsc would) and otherwise builds the program as the tsc command
 * does (`jsDocParsingMode` included).
 *
 * As a command (`npm run typecheck`): `tsx test/helpers/typecheck.ts <tsconfig.json | dir> ...`, printing tsc's
 * diagnostics and exiting 1 when there are any.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { NO_CHECK_PRAGMA } from "../../generator/emit/declarations.ts";

/** The compiler options of a strict consumer project (NodeNext, `exactOptionalPropertyTypes`, `skipLibCheck: false`). */
export const STRICT_CONSUMER_OPTIONS = {
  target: "ES2022",
  module: "NodeNext",
  moduleResolution: "NodeNext",
  lib: ["ES2023", "DOM"],
  types: [],
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  skipLibCheck: false,
  noEmit: true,
} as const;

export interface TypecheckResult {
  /** The diagnostics, formatted as tsc prints them; empty when the project type-checks. */
  readonly output: string;
  /** How many files of the program carried `NO_CHECK_PRAGMA` (checked here with it blanked). */
  readonly noCheckFiles: number;
}

/** Type-checks the project of `config` (a tsconfig.json, or a folder holding one) with the pragma blanked. */
export function typecheck(config: string): TypecheckResult {
  const path = config.endsWith(".json") ? config : resolve(config, "tsconfig.json");
  const parsed = ts.getParsedCommandLineOfConfigFile(
    path,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
      },
    },
  );
  if (parsed === undefined) throw new Error(`typecheck: cannot read ${path}`);
  const host = ts.createCompilerHost(parsed.options);
  host.jsDocParsingMode = ts.JSDocParsingMode.ParseForTypeErrors;
  let noCheckFiles = 0;
  host.readFile = (fileName) => {
    const text = ts.sys.readFile(fileName);
    if (text === undefined) return undefined;
    const first = text.indexOf("\n");
    if (!text.startsWith(`${NO_CHECK_PRAGMA}\n`, first + 1)) return text;
    noCheckFiles++;
    return `${text.slice(0, first + 1)}//${text.slice(first + 1 + NO_CHECK_PRAGMA.length)}`;
  };
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options, host });
  const diagnostics = [...parsed.errors, ...ts.getPreEmitDiagnostics(program)];
  const output = ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (name) => name,
    getCurrentDirectory: () => process.cwd(),
    getNewLine: () => "\n",
  });
  return { output, noCheckFiles };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const configs = process.argv.slice(2);
  if (configs.length === 0) {
    process.stderr.write("usage: tsx test/helpers/typecheck.ts <tsconfig.json | dir> ...\n");
    process.exit(64);
  }
  let failed = false;
  for (const config of configs) {
    const { output } = typecheck(config);
    if (output !== "") {
      process.stderr.write(output);
      failed = true;
    }
  }
  process.exit(failed ? 1 : 0);
}
