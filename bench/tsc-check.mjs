/**
 * Type-check cost of one TypeScript project, in a fresh process: what
 * `tsc --extendedDiagnostics` prints as "Check time" and "Memory used",
 * read from the same counters (`ts.performance`, heap in use) with
 * millisecond resolution instead of tsc's two decimals of a second. The
 * program is built the way the tsc command builds it, including its
 * `jsDocParsingMode` (`ParseForTypeErrors`: tsc parses a `.ts`/`.d.ts`
 * file's JSDoc only where it has `@see` or `@link`; `ts.createProgram`'s
 * default host parses all of it, which tsc itself never does).
 * Prints `{ checkMs, memoryMb }`; exits 1 (printing the errors) when the
 * project does not type-check.
 *
 * Usage: node bench/tsc-check.mjs <tsconfig.json>
 */
import ts from "typescript";

const [configPath] = process.argv.slice(2);
ts.performance.enable();
const config = ts.getParsedCommandLineOfConfigFile(
  configPath,
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
    },
  },
);
const host = ts.createCompilerHost(config.options);
host.jsDocParsingMode = ts.JSDocParsingMode.ParseForTypeErrors;
const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, host });
const diagnostics = ts.getPreEmitDiagnostics(program);
if (diagnostics.length > 0) {
  process.stderr.write(
    ts.formatDiagnostics(diagnostics, {
      getCanonicalFileName: (name) => name,
      getCurrentDirectory: () => process.cwd(),
      getNewLine: () => "\n",
    }),
  );
  process.exit(1);
}
process.stdout.write(
  JSON.stringify({
    checkMs: ts.performance.getDuration("Check"),
    memoryMb: process.memoryUsage().heapUsed / 1024 / 1024,
  }),
);
