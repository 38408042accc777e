/** The default comparison: schemas/ committed at HEAD (or --base) against the working tree. */
import { execFileSync } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDrift, type DriftArgs } from "../../generator/cli/drift.ts";
import { ROOT } from "../helpers/project.ts";
import { fakeTerminal, SEED_FILE } from "./helpers.ts";

let repo: string;
let outside: string;

function git(cwd: string, ...args: string[]): string {
  return execFileSync(
    "git",
    ["-c", "user.name=drift test", "-c", "user.email=drift@example.invalid", "-c", "commit.gpgsign=false", ...args],
    { cwd, encoding: "utf8" },
  );
}

async function editSeed(edit: (text: string) => string): Promise<void> {
  const file = join(repo, SEED_FILE);
  await writeFile(file, edit(await readFile(file, "utf8")));
}

async function drift(
  extra: Partial<DriftArgs> = {},
  root = repo,
): Promise<{ code: number; report: { base: string; head: string; changes: { rule: string; key: string }[] } }> {
  const terminal = fakeTerminal();
  const code = await runDrift({ root, quiet: false, format: "json", ...extra }, terminal, { cwd: root });
  return { code, report: JSON.parse(terminal.stdout.join("\n")) as never };
}

beforeAll(async () => {
  repo = await mkdtemp(join(tmpdir(), "runcomfy-drift-git-"));
  outside = await mkdtemp(join(tmpdir(), "runcomfy-drift-nogit-"));
  await cp(join(ROOT, "schemas"), join(repo, "schemas"), { recursive: true });
  git(repo, "init", "-q");
  git(repo, "add", "schemas");
  git(repo, "commit", "-q", "-m", "seed schemas");
});

afterAll(async () => {
  await rm(repo, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

describe("drift against git", () => {
  it("reports nothing when the working tree matches HEAD", async () => {
    const { code, report } = await drift({ failOn: "INFO" });
    expect(code).toBe(0);
    expect(report).toMatchObject({ base: "HEAD:schemas", head: "schemas", changes: [] });
  });

  it("compares the committed schemas/ with the working tree by default", async () => {
    await editSeed((text) => text.replace('"maximum": 20', '"maximum": 15'));
    const { code, report } = await drift({ failOn: "ERR" });
    expect(code).toBe(1);
    expect(report.changes.map((change) => [change.rule, change.key])).toEqual([
      ["request-property-max-decreased", "149_steps"],
    ]);
  });

  it("takes the base from --base", async () => {
    git(repo, "commit", "-q", "-am", "narrow steps");
    expect((await drift()).report.changes).toEqual([]);
    const { report } = await drift({ base: "HEAD~1" });
    expect(report.base).toBe("HEAD~1:schemas");
    expect(report.changes.map((change) => change.rule)).toEqual(["request-property-max-decreased"]);
  });

  it("says clearly when the revision is unknown", async () => {
    await expect(drift({ base: "no-such-branch" })).rejects.toThrow('unknown git revision "no-such-branch"');
  });

  it("says clearly when the project is not in a git repository", async () => {
    await cp(join(ROOT, "schemas"), join(outside, "schemas"), { recursive: true });
    await expect(drift({}, outside)).rejects.toThrow(/is not inside a git work tree.*drift <old dir> <new dir>/);
  });

  it("names the revision and file of a broken committed schema", async () => {
    await editSeed((text) => text.replace('"type": "integer"', '"type": "int"'));
    git(repo, "commit", "-q", "-am", "break a schema");
    await editSeed((text) => text.replace('"type": "int"', '"type": "integer"'));
    await expect(drift()).rejects.toThrow(
      `HEAD:${SEED_FILE} › inputSchema/properties/149_shift/type: field "149_shift": unknown type "int"`,
    );
  });
});
