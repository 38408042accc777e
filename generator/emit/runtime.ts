/**
 * The hand-written runtime (`templates/runtime/**.ts`) compiled into the
 * generated package as `runtime/**.js` + `.d.ts`.
 *
 * Each file is transpiled on its own (`transpileModule`, `transpileDeclaration`,
 * with the TypeScript that ts-morph bundles): the templates are written for
 * `isolatedDeclarations`, which `npm run typecheck` enforces, so no
 * whole-program type check is needed here.
 */
import { readdir, readFile, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { GeneratorError } from "../lib/diagnostics.ts";
import { cacheFile, listFiles, writeFileAtomic } from "../lib/files.ts";
import { sha256 } from "../lib/json.ts";

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

/**
 * The compiled runtime, kept per version of the generator: the runtime unit
 * depends on no schema, only on the templates, the generator's own code and
 * the tools (TypeScript, Prettier), which is exactly what the generator
 * fingerprint hashes (`package/manifest.ts`). So it is transpiled and
 * formatted once per fingerprint and stored here, like the CLI's bundle
 * (`cli/bin.js`); every later run of the same generator, `--no-cache` runs
 * and other projects sharing the same node_modules included, reads it back.
 */
export function runtimeCachePath(root: string, fingerprint: string): string {
  return cacheFile(root, `runtime-${fingerprint.slice(0, 16)}.json`);
}

interface StoredRuntime {
  readonly version: 1;
  /** Hash of the templates the files were compiled from (paths and bytes). */
  readonly sources: string;
  readonly files: [string, string][];
  /** Hash of `files`: a truncated or edited cache file is never used. */
  readonly hash: string;
}

function sourcesHash(sources: readonly RuntimeSource[]): string {
  return sha256(sources.map((source) => `${source.path}\u0000${source.text}`).join("\u0001"));
}

function filesHash(files: readonly [string, string][]): string {
  return sha256(files.map(([path, text]) => `${path}\u0000${text}`).join("\u0001"));
}

/** The runtime stored at `path` for exactly these sources, or undefined (none, another version, damaged). */
export async function readStoredRuntime(
  path: string,
  sources: readonly RuntimeSource[],
): Promise<Map<string, string> | undefined> {
  let stored: StoredRuntime;
  try {
    stored = JSON.parse(await readFile(path, "utf8")) as StoredRuntime;
  } catch {
    return undefined;
  }
  if (
    stored?.version !== 1 ||
    !Array.isArray(stored.files) ||
    stored.sources !== sourcesHash(sources) ||
    stored.hash !== filesHash(stored.files)
  )
    return undefined;
  return new Map(stored.files);
}

/** Stores the runtime compiled from `sources` at `path` (atomically), and prunes old ones. Never fails the run. */
export async function storeRuntime(
  path: string,
  sources: readonly RuntimeSource[],
  files: ReadonlyMap<string, string>,
): Promise<void> {
  const entries = [...files];
  const stored: StoredRuntime = { version: 1, sources: sourcesHash(sources), files: entries, hash: filesHash(entries) };
  try {
    await writeFileAtomic(path, JSON.stringify(stored));
    await pruneStoredRuntimes(dirname(path), basename(path));
  } catch {
    // A cache: a read-only or full disk only means the next run compiles the runtime again.
  }
}

/** Keeps the newest few stored runtimes (other checkouts sharing node_modules may use them), the rest once a day old. */
async function pruneStoredRuntimes(dir: string, keep: string): Promise<void> {
  const KEEP_NEWEST = 4;
  const DAY_MS = 24 * 60 * 60 * 1000;
  const names = (await readdir(dir)).filter((name) => name.startsWith("runtime-") && name !== keep);
  const entries = await Promise.all(
    names.map(async (name) => ({ path: join(dir, name), mtimeMs: (await stat(join(dir, name))).mtimeMs })),
  );
  const old = entries
    .sort((a, b) => b.mtimeMs - a.mtimeMs)
    .slice(KEEP_NEWEST - 1)
    .filter((entry) => Date.now() - entry.mtimeMs > DAY_MS || entry.path.includes(".tmp-"));
  for (const entry of old) await rm(entry.path, { force: true });
}
