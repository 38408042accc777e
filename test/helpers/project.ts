/**
 * Temporary copies of this project for tests that run the generator: each
 * gets its own schemas/ and generated/ (templates/ and generator/ are linked,
 * node_modules is linked so tools resolve).
 */
import { cp, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const SEEDS = resolve(ROOT, "../shared/seeds");

export interface TempProject {
  readonly root: string;
  cleanup(): Promise<void>;
}

/** A scratch project with a copy of schemas/ (and generated/ when asked). */
export async function tempProject(options: { withGenerated?: boolean; withSchemas?: boolean } = {}): Promise<TempProject> {
  const root = await mkdtemp(join(tmpdir(), "runcomfy-codegen-"));
  await symlink(join(ROOT, "node_modules"), join(root, "node_modules"), "dir");
  await symlink(join(ROOT, "generator"), join(root, "generator"), "dir");
  await symlink(join(ROOT, "templates"), join(root, "templates"), "dir");
  await cp(join(ROOT, "package.json"), join(root, "package.json"));
  if (options.withSchemas ?? true) await cp(join(ROOT, "schemas"), join(root, "schemas"), { recursive: true });
  if (options.withGenerated) await cp(join(ROOT, "generated"), join(root, "generated"), { recursive: true });
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) };
}
