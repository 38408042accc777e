/**
 * The command users run (`generator/cli/bin.js`, behind `npm run generate`
 * and `runcomfy-codegen`): the generator from its esbuild bundle, worker
 * threads included, writes exactly what the TypeScript sources write.
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeSyntheticCatalog } from "../../bench/catalog.ts";
import { cacheFile } from "../../generator/lib/files.ts";
import { sha256 } from "../../generator/lib/json.ts";
import { generate } from "../../generator/package/generate.ts";
import { fileTree, ROOT, runProcess, tempProject, type TempProject } from "../helpers/project.ts";

const projects: TempProject[] = [];
afterAll(() => Promise.all(projects.map((project) => project.cleanup())));

const BIN = join(ROOT, "generator/cli/bin.js");

/** A copy of the generator with a node_modules of its own (its entries linked), so the bundle cache is this copy's. */
async function generatorCopy(name: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), `runcomfy-codegen-${name}-`));
  await cp(join(ROOT, "generator"), join(root, "generator"), { recursive: true });
  await symlink(join(ROOT, "templates"), join(root, "templates"), "dir");
  await mkdir(join(root, "node_modules"));
  for (const entry of await readdir(join(ROOT, "node_modules")))
    if (entry !== ".cache") await symlink(join(ROOT, "node_modules", entry), join(root, "node_modules", entry));
  return root;
}

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

  it("prunes old bundles and compiled runtimes when it builds a new bundle, keeping the newest few and any less than a day old", async () => {
    const root = await generatorCopy("prune");
    try {
      const cache = join(root, "node_modules/.cache/runcomfy-codegen");
      await mkdir(cache, { recursive: true });
      const DAY_S = 24 * 60 * 60;
      const now = Date.now() / 1000;
      // Six old runtimes (2–7 days) and one an hour old, five old bundles, and a project's cache (not the prune's).
      const planted = new Map<string, number>([
        ...[2, 3, 4, 5, 6, 7].map((days): [string, number] => [`runtime-old${days}.json`, now - days * DAY_S]),
        ["runtime-recent.json", now - 3600],
        ...[5, 6, 7, 8, 9].map((days): [string, number] => [`cli-old${days}`, now - days * DAY_S]),
        ["hashes-0000000000000000.json", now - 30 * DAY_S],
      ]);
      for (const [name, time] of planted) {
        if (name.startsWith("cli-")) await mkdir(join(cache, name));
        else await writeFile(join(cache, name), "{}");
        await utimes(join(cache, name), time, time);
      }
      const help = await runProcess(process.execPath, [join(root, "generator/cli/bin.js"), "--help"], { cwd: root });
      expect(help.code, help.stderr).toBe(0);
      const left = (await readdir(cache)).sort();
      // Runtimes: the newest three kept (an hour, 2 and 3 days), the older removed.
      expect(left.filter((name) => name.startsWith("runtime-"))).toEqual([
        "runtime-old2.json",
        "runtime-old3.json",
        "runtime-recent.json",
      ]);
      // Bundles: the one just built and the three newest others.
      const bundles = left.filter((name) => name.startsWith("cli-"));
      expect(bundles.filter((name) => name.startsWith("cli-old"))).toEqual(["cli-old5", "cli-old6", "cli-old7"]);
      expect(bundles).toHaveLength(4);
      expect(left).toContain("hashes-0000000000000000.json");
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }, 120_000);

  it("builds a new bundle after an edit that keeps a source's size and sets its modification time back", async () => {
    const root = await generatorCopy("stale");
    try {
      const help = () => runProcess(process.execPath, [join(root, "generator/cli/bin.js"), "--help"], { cwd: root });
      // A whole second, which `utimes` sets exactly (a time with nanoseconds it would round).
      const wiring = join(root, "generator/cli/wiring.ts");
      const fixed = 1_700_000_000;
      await utimes(wiring, fixed, fixed);
      expect((await help()).stdout).toContain("<command> [options]");
      // `touch -r`, `cp -p` or an archive's fixed times: same size, same modification time, other bytes.
      const before = await stat(wiring);
      await writeFile(wiring, (await readFile(wiring, "utf8")).replace("<command> [options]", "<command> [OPTIONS]"));
      await utimes(wiring, fixed, fixed);
      expect((await stat(wiring)).size).toBe(before.size);
      expect((await stat(wiring)).mtimeMs).toBe(before.mtimeMs);
      const after = await help();
      expect(after.code, after.stderr).toBe(0);
      expect(after.stdout).toContain("<command> [OPTIONS]");
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }, 120_000);

  it("a scratch project's cleanup removes the hash and spec caches its runs left in the shared cache", async () => {
    const project = await tempProject();
    const key = sha256(project.root).slice(0, 16);
    // The project's node_modules is a link to this one's: its caches are here, named by its root.
    const files = [`hashes-${key}.json`, `specs-${key}.index`, `specs-${key}.data`].map((name) =>
      cacheFile(ROOT, name),
    );

    try {
      await generate({ root: project.root, threads: 1 });
      for (const file of files) await expect(readdir(join(file, ".."))).resolves.toContain(file.split("/").pop());
    } finally {
      await project.cleanup();
    }
    const left = await readdir(join(files[0]!, ".."));
    for (const file of files) expect(left).not.toContain(file.split("/").pop());
  }, 120_000);
});
