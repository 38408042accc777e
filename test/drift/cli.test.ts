/** `drift <old> <new>`: files and folders, formats, `--fail-on` exit codes, argument errors. */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDrift, type DriftArgs } from "../../generator/cli/drift.ts";
import { stringifyPretty } from "../../generator/lib/json.ts";
import { ROOT } from "../helpers/project.ts";
import { fakeTerminal, SEED_FILE, seedDoc } from "./helpers.ts";

let dir: string;

async function writeDoc(name: string, edit: (doc: ReturnType<typeof seedDoc>) => void = () => {}): Promise<string> {
  const doc = seedDoc();
  edit(doc);
  await writeFile(join(dir, name), stringifyPretty(doc));
  return name;
}

function args(old: string | undefined, next: string | undefined, extra: Partial<DriftArgs> = {}): DriftArgs {
  return { root: dir, quiet: false, old, new: next, format: "json", ...extra };
}

async function exitCode(old: string, next: string, failOn?: DriftArgs["failOn"]): Promise<number> {
  return runDrift(args(old, next, { failOn }), fakeTerminal(), { cwd: dir });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "runcomfy-drift-cli-"));
  await writeDoc("base.json");
  await writeDoc("same.json");
  await writeDoc("info.json", (doc) => (doc.inputSchema.properties["149_steps"]!["maximum"] = 30)); // max increased: INFO
  await writeDoc("warn.json", (doc) => (doc.inputSchema.properties["149_seed"]!["maximum"] = 1000)); // max set: WARN
  await writeDoc("err.json", (doc) => (doc.inputSchema.properties["149_steps"]!["maximum"] = 15)); // max decreased: ERR
  await writeDoc("removed.json", (doc) => delete doc.inputSchema.properties["150_strength"]); // raw WARN, friendly ERR
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("--fail-on", () => {
  it("exits 0 without --fail-on, whatever changed", async () => {
    expect(await exitCode("base.json", "err.json")).toBe(0);
  });

  it("ERR fails on an ERR change only", async () => {
    expect(await exitCode("base.json", "err.json", "ERR")).toBe(1);
    expect(await exitCode("base.json", "warn.json", "ERR")).toBe(0);
    expect(await exitCode("base.json", "info.json", "ERR")).toBe(0);
    expect(await exitCode("base.json", "same.json", "ERR")).toBe(0);
  });

  it("WARN fails on WARN and ERR", async () => {
    expect(await exitCode("base.json", "warn.json", "WARN")).toBe(1);
    expect(await exitCode("base.json", "err.json", "WARN")).toBe(1);
    expect(await exitCode("base.json", "info.json", "WARN")).toBe(0);
  });

  it("INFO fails on any change", async () => {
    expect(await exitCode("base.json", "info.json", "INFO")).toBe(1);
    expect(await exitCode("base.json", "same.json", "INFO")).toBe(0);
  });

  it("counts a change at its worst API: a removed input is ERR for the friendly types", async () => {
    const terminal = fakeTerminal();
    expect(await runDrift(args("base.json", "removed.json", { failOn: "ERR" }), terminal, { cwd: dir })).toBe(1);
    expect(terminal.stderr.join("\n")).toContain("1 change at ERR or above (--fail-on ERR)");
  });
});

describe("inputs", () => {
  it("compares two files and prints the chosen format on stdout", async () => {
    const terminal = fakeTerminal();
    await runDrift(args("base.json", "err.json", { format: "md" }), terminal, { cwd: dir });
    expect(terminal.stdout.join("\n")).toContain("## Schema drift: `base.json` → `err.json`");
    expect(terminal.stdout.join("\n")).toContain("`request-property-max-decreased`");
  });

  it("compares two folders laid out like schemas/", async () => {
    for (const [folder, file] of [
      ["old", "base.json"],
      ["new", "err.json"],
    ] as const) {
      await mkdir(join(dir, folder, "community", "fantasy-portrait"), { recursive: true });
      await writeFile(join(dir, folder, SEED_FILE.replace(/^schemas\//, "")), await readFile(join(dir, file), "utf8"));
    }
    const terminal = fakeTerminal();
    expect(await runDrift(args("old", "new", { failOn: "ERR" }), terminal, { cwd: dir })).toBe(1);
    const parsed = JSON.parse(terminal.stdout.join("\n")) as {
      base: string;
      head: string;
      changes: { rule: string }[];
    };
    expect(parsed).toMatchObject({ base: "old", head: "new" });
    expect(parsed.changes.map((change) => change.rule)).toEqual(["request-property-max-decreased"]);
  });

  it("names the file and place of a schema it cannot load", async () => {
    await writeFile(
      join(dir, "broken.json"),
      '{ "modelId": "a/b", "inputSchema": { "properties": { "x": { "type": "float4" } } } }',
    );
    await expect(runDrift(args("base.json", "broken.json"), fakeTerminal(), { cwd: dir })).rejects.toThrow(
      /broken\.json › inputSchema\/properties\/x\/type: field "x": unknown type "float4"/,
    );
  });

  it("rejects a file compared with a folder, a single path, a missing path and --base with paths", async () => {
    await expect(runDrift(args("base.json", "old"), fakeTerminal(), { cwd: dir })).rejects.toThrow(
      "base.json is a file but old is a folder",
    );
    await expect(runDrift(args("base.json", undefined), fakeTerminal(), { cwd: dir })).rejects.toThrow(
      "give two paths",
    );
    await expect(runDrift(args("base.json", "nope.json"), fakeTerminal(), { cwd: dir })).rejects.toThrow(
      "cannot read nope.json: ENOENT",
    );
    await expect(
      runDrift(args("base.json", "err.json", { base: "HEAD" }), fakeTerminal(), { cwd: dir }),
    ).rejects.toThrow("--base chooses the git revision");
  });
});

describe("command line", () => {
  it("is wired as `drift` with --format and --fail-on", async () => {
    const run = promisify(execFile);
    const cli = join(ROOT, "generator", "cli", "main.ts");
    const tsx = join(ROOT, "node_modules", ".bin", "tsx");
    const failed = await run(tsx, [cli, "drift", "base.json", "err.json", "--format", "text", "--fail-on", "ERR"], {
      cwd: dir,
    }).then(
      () => undefined,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stdout).toContain("ERR  steps (149_steps): maximum decreased from 20 to 15");
    expect(failed?.stderr).toContain("--fail-on ERR");
    const passed = await run(tsx, [cli, "drift", "base.json", "same.json", "--format", "text", "--fail-on", "ERR"], {
      cwd: dir,
    });
    expect(passed.stdout).toContain("No schema drift between base.json and same.json.");
  });
});
