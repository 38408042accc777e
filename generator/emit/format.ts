/**
 * Prettier, pinned to an exact version in package.json, run once per emitted
 * file (the parser chosen by extension). Its version is part of the output
 * contract: bumping it is a reviewed change that regenerates everything.
 *
 * Results are memoised by content (in memory, and on disk under the build
 * cache when `useFormatCache` is given a folder): text that did not change is
 * never formatted twice, which keeps partial regenerations fast.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Options } from "prettier";
import { sha256 } from "../lib/json.ts";
import { writeFileAtomic } from "../lib/files.ts";
import { measureAsync } from "../lib/profile.ts";
import { PACKAGE_FORMAT } from "./print/layout.ts";

export const PRETTIER_OPTIONS: Readonly<Options> = PACKAGE_FORMAT;

function parserFor(path: string): string | undefined {
  if (path.endsWith(".d.ts") || path.endsWith(".ts")) return "typescript";
  if (path.endsWith(".js")) return "babel";
  if (path.endsWith(".json")) return "json-stringify";
  if (path.endsWith(".md")) return "markdown";
  return undefined;
}

const PRETTIER_VERSION = (createRequire(import.meta.url)("prettier/package.json") as { version: string }).version;
const memo = new Map<string, string>();
let cacheDir: string | undefined;

/** Keeps formatted results in `dir` (created on first write); `undefined` turns the disk cache off. */
export function useFormatCache(dir: string | undefined): void {
  cacheDir = dir === undefined ? undefined : join(dir, `prettier-${PRETTIER_VERSION}`);
}

let prettier: typeof import("prettier") | undefined;

export async function formatFile(path: string, text: string): Promise<string> {
  const parser = parserFor(path);
  if (!parser) return text;
  const key = sha256(`${parser}\u0000${JSON.stringify(PRETTIER_OPTIONS)}\u0000${text}`);
  const known = memo.get(key);
  if (known !== undefined) return known;
  const file = cacheDir === undefined ? undefined : join(cacheDir, key.slice(0, 2), key.slice(2));
  if (file) {
    try {
      const cached = await readFile(file, "utf8");
      memo.set(key, cached);
      return cached;
    } catch {
      // Not cached yet.
    }
  }
  prettier ??= await measureAsync("import prettier", () => import("prettier"));
  const formatter = prettier;
  const formatted = await measureAsync("prettier", () => formatter.format(text, { ...PRETTIER_OPTIONS, parser }));
  memo.set(key, formatted);
  if (file) {
    try {
      await writeFileAtomic(file, formatted);
    } catch {
      // The cache is an optimisation only.
    }
  }
  return formatted;
}
