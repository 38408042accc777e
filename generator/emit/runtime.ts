/**
 * The hand-written runtime (`templates/runtime/**.ts`) compiled into the
 * generated package as `runtime/**.js` + `.d.ts`.
 *
 * Each file is transpiled on its own (with the TypeScript that ts-morph bundles) (`transpileModule`, `transpileDeclaration`):
 * the templates are written for `isolatedDeclarations`, which `npm run typecheck`
 * enforces, so no whole-program type check is needed here.
 */
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { GeneratorError } from "../diagnostics.ts";

export interface RuntimeSource {
  /** Path below `templates/runtime/`, `/`-separated, `.ts` extension. */
  readonly path: string;
  readonly text: string;
}

export async function readRuntimeSources(dir: string): Promise<RuntimeSource[]> {
  const found: RuntimeSource[] = [];
  const walk = async (current: string): Promise<void> => {
    const entries = await readdir(current, { withFileTypes: true });
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") && !entry.name.endsWith(".test.ts")) {
        found.push({ path: relative(dir, full).split("\\").join("/"), text: await readFile(full, "utf8") });
      }
    }
  };
  await walk(dir);
  return found;
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
      const text = diagnostics.map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")).join("; ");
      throw new GeneratorError("runtime-compile", `cannot compile the runtime template: ${text}`, { file: `templates/runtime/${source.path}` });
    }
    out.set(`${base}.js`, js.outputText);
    out.set(`${base}.d.ts`, dts.outputText);
  }
  return out;
}
