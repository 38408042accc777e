/**
 * The hand-written runtime (`templates/runtime/**.ts`) compiled into the
 * generated package as `runtime/**.js` + `.d.ts`.
 *
 * Each file is transpiled on its own (`transpileModule`, `transpileDeclaration`,
 * with the TypeScript that ts-morph bundles): the templates are written for
 * `isolatedDeclarations`, which `npm run typecheck` enforces, so no
 * whole-program type check is needed here.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { GeneratorError } from "../lib/diagnostics.ts";
import { listFiles } from "../lib/files.ts";

export interface RuntimeSource {
  /** Path below `templates/runtime/`, `/`-separated, `.ts` extension. */
  readonly path: string;
  readonly text: string;
}

export async function readRuntimeSources(dir: string): Promise<RuntimeSource[]> {
  const files = (await listFiles(dir)).filter(
    (file) => file.endsWith(".ts") && !file.endsWith(".d.ts") && !file.endsWith(".test.ts"),
  );
  return Promise.all(files.map(async (path) => ({ path, text: await readFile(join(dir, path), "utf8") })));
}

/** Transpiles the runtime sources; returns package-relative paths (`runtime/x.js`, `runtime/x.d.ts`) → text. */
export async function compileRuntime(sources: readonly RuntimeSource[]): Promise<Map<string, string>> {
  // ts-morph bundles TypeScript; using its copy avoids loading a second compiler (~1.4 s).
  const { ts } = await import("ts-morph");
  const compilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    removeComments: false,
    verbatimModuleSyntax: true,
    useDefineForClassFields: true,
    strict: true,
  };
  const out = new Map<string, string>();
  for (const source of sources) {
    const base = `runtime/${source.path.replace(/\.ts$/, "")}`;
    const js = ts.transpileModule(source.text, { compilerOptions, fileName: source.path, reportDiagnostics: true });
    const dts = ts.transpileDeclaration(source.text, {
      compilerOptions: { ...compilerOptions, declaration: true, isolatedDeclarations: true },
      fileName: source.path,
      reportDiagnostics: true,
    });
    const diagnostics = [...(js.diagnostics ?? []), ...(dts.diagnostics ?? [])];
    if (diagnostics.length > 0) {
      const text = diagnostics
        .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"))
        .join("; ");
      throw new GeneratorError("runtime-compile", `cannot compile the runtime template: ${text}`, {
        file: `templates/runtime/${source.path}`,
      });
    }
    out.set(`${base}.js`, js.outputText);
    out.set(`${base}.d.ts`, dts.outputText);
  }
  return out;
}
