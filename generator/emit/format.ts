/**
 * Prettier, pinned to an exact version in package.json, run once per emitted
 * file (the parser chosen by extension). Its version is part of the output
 * contract: bumping it is a reviewed change that regenerates everything.
 */
import type { Options } from "prettier";
import { measureAsync } from "../profile.ts";

export const PRETTIER_OPTIONS: Readonly<Options> = {
  printWidth: 120,
  endOfLine: "lf",
  trailingComma: "all",
};

function parserFor(path: string): string | undefined {
  if (path.endsWith(".d.ts") || path.endsWith(".ts")) return "typescript";
  if (path.endsWith(".js")) return "babel";
  if (path.endsWith(".json")) return "json-stringify";
  if (path.endsWith(".md")) return "markdown";
  return undefined;
}

let prettier: typeof import("prettier") | undefined;

export async function formatFile(path: string, text: string): Promise<string> {
  const parser = parserFor(path);
  if (!parser) return text;
  prettier ??= await measureAsync("import prettier", () => import("prettier"));
  const formatter = prettier;
  return measureAsync("prettier", () => formatter.format(text, { ...PRETTIER_OPTIONS, parser, filepath: path }));
}

export async function prettierVersion(): Promise<string> {
  prettier ??= await import("prettier");
  return prettier.version;
}
