/**
 * What a consumer's tsconfig needs (Using the package › Requirements): the declarations name the global `fetch` and
 * `AbortSignal`, so a project needs `"lib": ["DOM"]` or Node's types. With neither (and `skipLibCheck: false`), tsc
 * reports exactly those names missing; with `"types": ["node"]` and no DOM lib, the consumer files compile (with
 * `"lib": ["DOM"]` and no Node types is `tsc -p test/types`, run by `npm run typecheck`).
 */
import { dirname, join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/project.ts";

const TSCONFIG = join(ROOT, "test/types/tsconfig.json");

/** The diagnostics of this folder's consumer files with `lib` and `types` replaced. */
function diagnostics(lib: string[], types: string[]): string[] {
  const config = ts.readConfigFile(TSCONFIG, (path) => ts.sys.readFile(path));
  const parsed = ts.parseJsonConfigFileContent(
    { ...config.config, compilerOptions: { ...config.config.compilerOptions, lib, types } },
    ts.sys,
    dirname(TSCONFIG),
  );
  const options = { ...parsed.options, typeRoots: [join(ROOT, "node_modules/@types")] };
  const program = ts.createProgram(parsed.fileNames, options);
  return ts
    .getPreEmitDiagnostics(program)
    .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, " "));
}

describe("a consumer's lib and types", () => {
  it("without DOM or Node's types: the declarations' fetch and AbortSignal are missing, nothing else", () => {
    const found = diagnostics(["ES2023"], []);
    expect(found.length).toBeGreaterThan(0);
    expect([...new Set(found)].sort()).toEqual(["Cannot find name 'AbortSignal'.", "Cannot find name 'fetch'."]);
  });

  it('with "types": ["node"] and no DOM lib: compiles', () => {
    expect(diagnostics(["ES2023"], ["node"])).toEqual([]);
  });
});
