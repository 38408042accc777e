/**
 * The command users run (`generator/cli/bin.js`, behind `npm run generate`
 * and `runcomfy-codegen`): the generator from its esbuild bundle, worker
 * threads included, writes exactly what the TypeScript sources write.
 */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeSyntheticCatalog } from "../../bench/catalog.ts";
import { generate } from "../../generator/package/generate.ts";
import { fileTree, ROOT, runProcess, tempProject, type TempProject } from "../helpers/project.ts";

const projects: TempProject[] = [];
afterAll(() => Promise.all(projects.map((project) => project.cleanup())));

const BIN = join(ROOT, "generator/cli/bin.js");

describe("the runcomfy-codegen command (bundled)", () => {
  it("prints its usage", async () => {
    const help = await runProcess(process.execPath, [BIN, "--help"], { cwd: ROOT });
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain("runcomfy-codegen <command> [options]");
  });

  it("generates on worker threads byte for byte what the sources generate, and --check agrees", async () => {
    const bundled = await tempProject({ withSchemas: false });
    const sources = await tempProject({ withSchemas: false });
    projects.push(bundled, sources);
    // Enough models for worker threads (emit/pool.ts PARALLEL_THRESHOLD).
    for (const project of [bundled, sources]) await writeSyntheticCatalog(ROOT, project.root, 40);
    const run = await runProcess(process.execPath, [BIN, "generate", "--root", bundled.root, "--no-cache", "-q"], {
      cwd: bundled.root,
    });
    expect(run.code, run.stderr).toBe(0);
    await generate({ root: sources.root, cache: false, threads: 1 });
    const [a, b] = await Promise.all([
      fileTree(join(bundled.root, "generated")),
      fileTree(join(sources.root, "generated")),
    ]);
    expect([...a.keys()]).toEqual([...b.keys()]);
    for (const [path, entry] of a) expect(entry.text, path).toBe(b.get(path)!.text);
    const check = await runProcess(process.execPath, [BIN, "generate", "--check", "--root", bundled.root], {
      cwd: bundled.root,
    });
    expect(check.code, check.stderr).toBe(0);
  }, 120_000);
});
