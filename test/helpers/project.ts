/**
 * Temporary copies of this project for tests that run the generator: each
 * gets its own schemas/ and generated/ (templates/ and generator/ are linked,
 * node_modules is linked so tools resolve).
 */
import { execFile } from "node:child_process";
import { cp, lstat, mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { listFiles } from "../../generator/lib/files.ts";
import { assignModelPaths } from "../../generator/lib/model-id.ts";
import { dropProjectCaches } from "../../generator/package/generate.ts";
import { storedModelIds } from "../../generator/schemas/store.ts";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const SEEDS = resolve(ROOT, "../shared/seeds");

export interface TempProject {
  readonly root: string;
  cleanup(): Promise<void>;
}

/** A scratch project with a copy of schemas/ (and generated/ when asked). */
export async function tempProject(
  options: { withGenerated?: boolean; withSchemas?: boolean } = {},
): Promise<TempProject> {
  const root = await mkdtemp(join(tmpdir(), "runcomfy-codegen-"));
  await symlink(join(ROOT, "node_modules"), join(root, "node_modules"), "dir");
  await symlink(join(ROOT, "generator"), join(root, "generator"), "dir");
  await symlink(join(ROOT, "templates"), join(root, "templates"), "dir");
  await cp(join(ROOT, "package.json"), join(root, "package.json"));
  await cp(join(ROOT, "package-lock.json"), join(root, "package-lock.json"));
  if (options.withSchemas ?? true) await cp(join(ROOT, "schemas"), join(root, "schemas"), { recursive: true });
  if (options.withGenerated) await cp(join(ROOT, "generated"), join(root, "generated"), { recursive: true });
  // The generator keeps this root's caches in the shared node_modules/.cache: removed with the project.
  const cleanup = async () => {
    await dropProjectCaches(root);
    await rm(root, { recursive: true, force: true });
  };
  return { root, cleanup };
}

/**
 * Writes schema file texts where the generator expects them (`schemas/<model path>.json`, the paths assigned over
 * these files and the ones already there, so ids that differ only in case get their suffix); returns their paths.
 */
export async function placeSchemaFiles(root: string, texts: readonly string[]): Promise<string[]> {
  const placed: string[] = [];
  const ids = texts.map((text) => (JSON.parse(text) as { modelId: string }).modelId);
  const existing = await storedModelIds(root).catch(() => []);
  const paths = assignModelPaths([...existing, ...ids]);
  for (const [index, text] of texts.entries()) {
    const target = join(root, "schemas", `${paths.get(ids[index]!)!.path}.json`);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text);
    placed.push(target);
  }
  return placed;
}

/** The text of every `*.json` file directly in `dir` (a fixture corpus), sorted by name. */
export async function fixtureTexts(dir: string): Promise<string[]> {
  const names = (await listFiles(dir)).filter((name) => name.endsWith(".json") && !name.includes("/"));
  return Promise.all(names.map((name) => readFile(join(dir, name), "utf8")));
}

export interface TreeEntry {
  /** File bytes as UTF-8; `symlink → target` for a link, `(fifo)`/`(other)` for special files (never read: a FIFO blocks). */
  readonly text: string;
  readonly mtimeMs: number;
}

/** Every entry below `dir` (node_modules skipped) with its content and mtime, for before/after comparisons. */
export async function fileTree(dir: string): Promise<Map<string, TreeEntry>> {
  const result = new Map<string, TreeEntry>();
  for (const path of await listFiles(dir)) {
    const full = join(dir, path);
    const info = await lstat(full);
    const text = info.isSymbolicLink()
      ? `symlink → ${await readlink(full)}`
      : info.isFile()
        ? await readFile(full, "utf8")
        : info.isFIFO()
          ? "(fifo)"
          : "(other)";
    result.set(path, { text, mtimeMs: info.mtimeMs });
  }
  return result;
}

export interface ProcessResult {
  /** Exit code; null when the process was killed by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program to its end (killed after `timeoutMs`) and never throws for a non-zero exit. */
export function runProcess(
  file: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<ProcessResult> {
  return new Promise((resolveRun) => {
    execFile(
      file,
      args,
      {
        cwd: options.cwd ?? ROOT,
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const failed = error as (Error & { code?: unknown; signal?: NodeJS.Signals | null }) | null;
        resolveRun({
          code: failed ? (typeof failed.code === "number" ? failed.code : null) : 0,
          signal: failed?.signal ?? null,
          stdout,
          stderr,
        });
      },
    );
  });
}

/** Runs the codegen CLI (`generator/cli/main.ts`) on a project root. */
export function codegenCli(root: string, ...args: string[]): Promise<ProcessResult> {
  return runProcess(
    process.execPath,
    ["--import", "tsx", join(ROOT, "generator/cli/main.ts"), ...args, "--root", root],
    { cwd: root, env: { ...process.env, NO_COLOR: "1" } },
  );
}
