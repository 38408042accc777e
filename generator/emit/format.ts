/**
 * The full Prettier formatter (pinned to an exact version in package.json),
 * for the one unit the printers do not build: the runtime, transpiled from
 * `templates/runtime/` by TypeScript, whose emitter has its own layout.
 * Every other emitted file is printed already formatted (`print/`).
 */
import { measureAsync } from "../lib/profile.ts";
import { PACKAGE_FORMAT } from "./print/layout.ts";

function parserFor(path: string): string | undefined {
  if (path.endsWith(".d.ts") || path.endsWith(".ts")) return "typescript";
  if (path.endsWith(".js")) return "babel";
  return undefined;
}

let prettier: typeof import("prettier") | undefined;

/** `text` as Prettier prints it with the package's options (the parser chosen by extension). */
export async function formatFile(path: string, text: string): Promise<string> {
  const parser = parserFor(path);
  if (!parser) return text;
  prettier ??= await measureAsync("import prettier", () => import("prettier"));
  const formatter = prettier;
  return measureAsync("prettier (runtime)", () => formatter.format(text, { ...PACKAGE_FORMAT, parser }));
}
