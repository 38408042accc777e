/**
 * Build cache for `generate`: lets a no-op run skip every emitter.
 *
 * Stored outside the repository (`node_modules/.cache/runcomfy-codegen/`).
 * A unit (the runtime, one model, the package files, the release files) is
 * reused when its key (a hash of everything it is computed from, including
 * the generator's own sources and the pinned tool versions) is unchanged and
 * each of its files on disk still has the size and mtime recorded right
 * after it was written.
 * Anything else (an edited, deleted or touched file) re-emits the unit.
 * `generate --check` never uses the cache.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Warning } from "../lib/diagnostics.ts";
import { sha256 } from "../lib/json.ts";
import { fileStat, listFiles, writeFileAtomic } from "../lib/files.ts";

export interface UnitRecord {
  readonly key: string;
  readonly files: Readonly<Record<string, { readonly size: number; readonly mtimeMs: number }>>;
}

export interface CacheManifest {
  readonly version: 3;
  readonly units: Readonly<Record<string, UnitRecord>>;
  /** Hash of the generator and every schema file of the last complete run, with that run's warnings. */
  readonly inputs?: { readonly key: string; readonly warnings: readonly Warning[]; readonly models: number };
}

const TOOLS = ["ajv", "json-schema-to-typescript", "prettier", "ts-morph", "typescript"];

/** One manifest per project root (node_modules may be shared through a link). */
export function cachePath(root: string): string {
  return join(root, "node_modules", ".cache", "runcomfy-codegen", `manifest-${sha256(root).slice(0, 16)}.json`);
}

/** Hash of the generator's own code, the runtime templates and the pinned tool versions. */
export async function generatorFingerprint(root: string): Promise<string> {
  const parts: string[] = [];
  for (const dir of ["generator", "templates"]) {
    const files = (await listFiles(join(root, dir))).filter((file) => file.endsWith(".ts"));
    for (const file of files) parts.push(`${dir}/${file}`, await readFile(join(root, dir, file), "utf8"));
  }
  const require = createRequire(join(root, "package.json"));
  for (const tool of TOOLS) {
    try {
      parts.push(
        tool,
        (JSON.parse(await readFile(require.resolve(`${tool}/package.json`), "utf8")) as { version: string }).version,
      );
    } catch {
      parts.push(tool, "unresolved");
    }
  }
  return sha256(parts.join("\u0000"));
}

export function emptyManifest(): CacheManifest {
  return { version: 3, units: {} };
}

export async function readManifest(root: string): Promise<CacheManifest> {
  try {
    const parsed = JSON.parse(await readFile(cachePath(root), "utf8")) as CacheManifest;
    if (parsed.version === 3 && parsed.units && typeof parsed.units === "object") return parsed;
  } catch {
    // Missing or unreadable cache: start empty.
  }
  return emptyManifest();
}

export async function writeManifest(root: string, manifest: CacheManifest): Promise<void> {
  const path = cachePath(root);
  try {
    await writeFileAtomic(path, JSON.stringify(manifest));
  } catch {
    // The cache is an optimisation; failing to store it never fails generate.
  }
}

/** True when every file of `record` is on disk with the recorded size and mtime. */
export async function unitIsCurrent(record: UnitRecord | undefined, key: string, outDir: string): Promise<boolean> {
  if (!record || record.key !== key) return false;
  const checks = await Promise.all(
    Object.entries(record.files).map(async ([path, expected]) => {
      const actual = await fileStat(join(outDir, path));
      return actual !== undefined && actual.size === expected.size && actual.mtimeMs === expected.mtimeMs;
    }),
  );
  return checks.every(Boolean);
}

/** True when every recorded unit is current and `outDir` holds no file outside them. */
export async function everythingCurrent(manifest: CacheManifest, outDir: string): Promise<boolean> {
  const units = Object.entries(manifest.units);
  if (units.length === 0) return false;
  const checks = await Promise.all(units.map(([, record]) => unitIsCurrent(record, record.key, outDir)));
  if (!checks.every(Boolean)) return false;
  const recorded = new Set(units.flatMap(([, record]) => Object.keys(record.files)));
  const present = await listFiles(outDir);
  return present.length === recorded.size && present.every((path) => recorded.has(path));
}

export async function recordUnit(key: string, paths: Iterable<string>, outDir: string): Promise<UnitRecord> {
  const list = [...paths];
  const stats = await Promise.all(list.map((path) => fileStat(join(outDir, path))));
  const files: Record<string, { size: number; mtimeMs: number }> = {};
  list.forEach((path, index) => {
    const info = stats[index];
    if (info) files[path] = info;
  });
  return { key, files };
}
