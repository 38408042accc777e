/**
 * generate after a schema change: version bump and changelog entry from the
 * drift report; idempotent afterwards; --check green. Runs the real generator
 * in scratch projects.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { format } from "prettier";
import { GENERATOR_CHANGES, GENERATOR_REVISION } from "../../generator/emit/generator-changes.ts";
import { PACKAGE_FORMAT } from "../../generator/emit/print/layout.ts";
import { generate } from "../../generator/package/generate.ts";
import { tempProject, type TempProject } from "../helpers/project.ts";
import { fakeTerminal, SEED_FILE } from "./helpers.ts";
import { printGenerated } from "../../generator/cli/print.ts";

/** The seed's snapshot, relative to generated/ (the snapshot folder mirrors schemas/). */
const SEED_SNAPSHOT = `schemas/${SEED_FILE.slice("schemas/".length)}`;

async function version(root: string): Promise<string> {
  return (JSON.parse(await readFile(join(root, "generated", "package.json"), "utf8")) as { version: string }).version;
}

async function changelog(root: string): Promise<string> {
  return readFile(join(root, "generated", "CHANGELOG.md"), "utf8");
}

async function editSeed(root: string, edit: (text: string) => string): Promise<void> {
  const file = join(root, SEED_FILE);
  const before = await readFile(file, "utf8");
  const after = edit(before);
  expect(after).not.toBe(before);
  await writeFile(file, after);
}

async function expectUpToDate(root: string): Promise<void> {
  const again = await generate({ root });
  expect(again.write).toMatchObject({ written: [], removed: [] });
  const check = await generate({ root, check: true });
  expect(check.check).toMatchObject({ stale: [], missing: [], extra: [] });
}

describe("generate with a committed package", () => {
  let project: TempProject;
  let startVersion: string;
  let startChangelog: string;

  beforeAll(async () => {
    project = await tempProject({ withGenerated: true });
    startVersion = await version(project.root);
    startChangelog = await changelog(project.root);
  });
  afterAll(() => project.cleanup());

  it("keeps version and changelog when only whitespace changes", async () => {
    await editSeed(project.root, (text) => JSON.stringify(JSON.parse(text), null, 4));
    const report = await generate({ root: project.root });
    expect(report.write?.written).toContain(SEED_SNAPSHOT);
    expect(report.write?.written).not.toContain("package.json");
    expect(report.write?.written).not.toContain("CHANGELOG.md");
    expect(await version(project.root)).toBe(startVersion);
    expect(await changelog(project.root)).toBe(startChangelog);
    await expectUpToDate(project.root);
  });

  it("bumps the major version and adds a changelog entry on a breaking change", async () => {
    await editSeed(project.root, (text) =>
      text.replace('"maximum": 20', '"maximum": 15').replace(/\[\s*81,\s*141\s*\]/, "[81]"),
    );
    const report = await generate({ root: project.root });
    const [major] = startVersion.split(".").map(Number);
    expect(report.release).toMatchObject({ previousVersion: startVersion, version: `${major! + 1}.0.0` });
    expect(await version(project.root)).toBe(`${major! + 1}.0.0`);
    const text = await changelog(project.root);
    const entry = text.slice(text.indexOf(`## ${major! + 1}.0.0`), text.indexOf(`## ${startVersion}`));
    expect(entry).toContain(`Major release after ${startVersion}: 2 breaking changes in 1 model.`);
    expect(entry).toContain("#### `community/fantasy-portrait/image-to-video`");
    expect(entry).toContain(
      "- `steps` (`149_steps`): maximum decreased from 20 to 15 (raw ERR, friendly ERR; `request-property-max-decreased`)",
    );
    expect(entry).toContain(
      "- `frames` (`174_value`): allowed value 141 removed (raw ERR, friendly ERR; `request-property-enum-value-removed`)",
    );
    expect(text.indexOf(`## ${major! + 1}.0.0`)).toBeLessThan(text.indexOf(`## ${startVersion}`));
    expect(text).toContain(startChangelog.slice(startChangelog.indexOf(`## ${startVersion}`)));
    expect(await readFile(join(project.root, "generated", SEED_SNAPSHOT), "utf8")).toBe(
      await readFile(join(project.root, SEED_FILE), "utf8"),
    );
  });

  it("changes nothing on a second run, and --check is green", async () => {
    await expectUpToDate(project.root);
  });

  it("bumps the patch version for a description edit", async () => {
    const before = await version(project.root);
    await editSeed(project.root, (text) =>
      text.replace("Number of denoising iterations", "How many denoising iterations"),
    );
    await generate({ root: project.root });
    const [major, minor, patch] = before.split(".").map(Number);
    expect(await version(project.root)).toBe(`${major}.${minor}.${patch! + 1}`);
    expect(await changelog(project.root)).toMatch(
      new RegExp(
        `^# Changelog[\\s\\S]*?\\n## ${major}\\.${minor}\\.${patch! + 1}\\n\\nPatch release after ${before.replace(/\./g, "\\.")}: 1 non-breaking change in 1 model\\.`,
      ),
    );
    await expectUpToDate(project.root);
  });
});

describe("a package built with an earlier generator", () => {
  let project: TempProject;
  beforeAll(async () => {
    project = await tempProject({ withGenerated: true });
  });
  afterAll(() => project.cleanup());

  /** Rewrites generated/package.json as a package built at `revision` would have it (no field before revision 1). */
  async function builtAt(revision: number): Promise<void> {
    const file = join(project.root, "generated", "package.json");
    const pkg = JSON.parse(await readFile(file, "utf8")) as { "runcomfy-codegen": Record<string, unknown> };
    if (revision === 0) delete pkg["runcomfy-codegen"]["generatorRevision"];
    else pkg["runcomfy-codegen"]["generatorRevision"] = revision;
    await writeFile(file, `${JSON.stringify(pkg, null, 2)}\n`);
  }

  it("lists the generator's changes since then in the changelog, bumped by the worst, with a schema change too", async () => {
    expect(GENERATOR_REVISION).toBeGreaterThan(0);
    await builtAt(0);
    const start = await version(project.root);
    await editSeed(project.root, (text) =>
      text.replace("Number of denoising iterations", "How many denoising iterations"),
    );
    await generate({ root: project.root });
    const worst = GENERATOR_CHANGES.some((change) => change.level === "major") ? "major" : "minor";
    const [major, minor] = start.split(".").map(Number);
    const next = worst === "major" ? `${major! + 1}.0.0` : `${major}.${minor! + 1}.0`;
    expect(await version(project.root)).toBe(next);
    const text = await changelog(project.root);
    const entry = text.slice(text.indexOf(`## ${next}`), text.indexOf(`## ${start}`));
    expect(entry).toContain(
      `Major release after ${start}: 1 non-breaking change in 1 model; ${GENERATOR_CHANGES.length} generator changes (see below).`,
    );
    expect(entry).toContain("### Generator changes");
    for (const change of GENERATOR_CHANGES) expect(entry).toContain(`- ${change.text} (${change.level})`);
    // The schema change is listed as ever.
    expect(entry).toContain("denoising iterations");
    const pkg = JSON.parse(await readFile(join(project.root, "generated", "package.json"), "utf8")) as {
      "runcomfy-codegen": { generatorRevision: number };
    };
    expect(pkg["runcomfy-codegen"].generatorRevision).toBe(GENERATOR_REVISION);
    // The changelog is Markdown Prettier leaves as it is.
    expect(await format(text, { parser: "markdown", ...PACKAGE_FORMAT })).toBe(text);
    await expectUpToDate(project.root);
  });

  it("adds nothing when the recorded revision is the current one", async () => {
    await builtAt(GENERATOR_REVISION);
    const start = await version(project.root);
    await generate({ root: project.root });
    expect(await version(project.root)).toBe(start);
    await expectUpToDate(project.root);
  });
});

describe("the release plan reads generated/package.json strictly", () => {
  let project: TempProject;
  let pristine: string;
  const pkgFile = () => join(project.root, "generated", "package.json");
  beforeAll(async () => {
    project = await tempProject({ withGenerated: true });
    pristine = await readFile(pkgFile(), "utf8");
  });
  afterAll(() => project.cleanup());

  async function edited(edit: (pkg: Record<string, unknown>) => void): Promise<void> {
    const pkg = JSON.parse(pristine) as Record<string, unknown>;
    edit(pkg);
    await writeFile(pkgFile(), `${JSON.stringify(pkg, null, 2)}\n`);
  }

  it("plans anew when only package.json's recorded revision changed (a hand edit or a merge), whatever the manifest says", async () => {
    await generate({ root: project.root });
    const start = await version(project.root);
    await edited((pkg) => {
      (pkg["runcomfy-codegen"] as Record<string, unknown>)["generatorRevision"] = GENERATOR_REVISION - 1;
    });
    const report = await generate({ root: project.root });
    const later = GENERATOR_CHANGES.filter((change) => change.revision === GENERATOR_REVISION);
    expect(report.release.generatorChanges).toEqual(later);
    expect(report.release.version).not.toBe(start);
    expect(await changelog(project.root)).toContain(`- ${later[0]!.text}`);
    await expectUpToDate(project.root);
    // The console line says why, with the level of the bump.
    const terminal = fakeTerminal();
    printGenerated(terminal, report, "0.1");
    expect(terminal.stdout[0]).toMatch(
      new RegExp(
        `^version ${start.replace(/\./g, "\\.")} → .* \\((major|minor|patch): ${later.length} generator changes?; see generated/CHANGELOG\\.md\\)$`,
      ),
    );
    // The package as this run left it is the one the next tests edit.
    pristine = await readFile(pkgFile(), "utf8");
  });

  it.each([
    [
      "a merge conflict",
      (text: string) => text.replace(/^(\s*"version": .*)$/m, "<<<<<<< HEAD\n$1\n=======\n$1\n>>>>>>> other"),
      /does not parse as JSON .*a merge conflict\?/,
    ],
    ["null", () => "null\n", /is not a JSON object/],
    [
      "an empty version",
      (text: string) => text.replace(/"version": "[^"]*"/, '"version": ""'),
      /"version" must be a semantic version such as "1\.2\.0", got ""/,
    ],
    [
      "a version npm would refuse",
      (text: string) => text.replace(/"version": "[^"]*"/, '"version": "02.0.0"'),
      /must be a semantic version/,
    ],
    [
      "a numeric version",
      (text: string) => text.replace(/"version": "[^"]*"/, '"version": 2'),
      /"version" must be a semantic version/,
    ],
    [
      "a revision from a newer generator",
      (text: string) => text.replace(/"generatorRevision": \d+/, '"generatorRevision": 99'),
      /built by a newer generator \("runcomfy-codegen.generatorRevision" 99; this one is at \d+\)/,
    ],
    [
      "a negative revision",
      (text: string) => text.replace(/"generatorRevision": \d+/, '"generatorRevision": -1'),
      /must be an integer of at least 0, got -1/,
    ],
  ] as const)("refuses a package.json with %s, naming the file, and writes nothing", async (_name, edit, message) => {
    const before = await changelog(project.root);
    await writeFile(pkgFile(), edit(await readFile(pkgFile(), "utf8")));
    const broken = await readFile(pkgFile(), "utf8");
    await expect(generate({ root: project.root })).rejects.toThrow(message);
    await expect(generate({ root: project.root })).rejects.toThrow(/generated\/package\.json/);
    expect(await readFile(pkgFile(), "utf8")).toBe(broken);
    expect(await changelog(project.root)).toBe(before);
    await writeFile(pkgFile(), pristine);
  });

  it("refuses a version behind the changelog's newest entry, and a runcomfy-codegen block that is not an object", async () => {
    const newest = /^## (\d+\.\d+\.\d+)$/m.exec(await changelog(project.root))![1]!;
    await edited((pkg) => {
      pkg["version"] = "0.0.1";
    });
    await expect(generate({ root: project.root })).rejects.toThrow(
      new RegExp(
        `"version" "0\\.0\\.1" is behind the newest entry of generated/CHANGELOG\\.md \\(${newest.replace(/\./g, "\\.")}\\)`,
      ),
    );
    await edited((pkg) => {
      pkg["runcomfy-codegen"] = null;
    });
    await expect(generate({ root: project.root })).rejects.toThrow(/"runcomfy-codegen" must be an object/);
    // A byte-order mark is read past.
    await writeFile(pkgFile(), `\uFEFF${pristine}`);
    await expect(generate({ root: project.root })).resolves.toBeDefined();
    await writeFile(pkgFile(), pristine);
  });

  it("refuses a package.json that is a folder, naming it, with no stack", async () => {
    const { mkdir, rm } = await import("node:fs/promises");
    await rm(pkgFile());
    await mkdir(pkgFile());
    await expect(generate({ root: project.root })).rejects.toThrow(
      /generated\/package\.json.*cannot be read \(EISDIR\)/s,
    );
    await rm(pkgFile(), { recursive: true });
    await writeFile(pkgFile(), pristine);
  });

  it("a deleted package.json keeps the changelog's newest version (it does not fall back to 0.1.0)", async () => {
    const { rm } = await import("node:fs/promises");
    await rm(pkgFile());
    await generate({ root: project.root });
    const newest = /^## (\d+\.\d+\.\d+)$/m.exec(await changelog(project.root))![1];
    expect(newest).not.toBe("0.1.0");
    expect(await version(project.root)).toBe(newest);
    await expectUpToDate(project.root);
  });
});

describe("the very first generation", () => {
  let project: TempProject;
  beforeAll(async () => {
    project = await tempProject({ withGenerated: false });
  });
  afterAll(() => project.cleanup());

  it("keeps the default version, snapshots the schemas and starts the changelog", async () => {
    const report = await generate({ root: project.root });
    expect(report.release).toMatchObject({ previousVersion: "0.1.0", version: "0.1.0" });
    expect(report.release.report).toBeUndefined();
    expect(await version(project.root)).toBe("0.1.0");
    const text = await changelog(project.root);
    expect(text).toMatch(/^# Changelog\n/);
    expect(text).toContain(
      "## 0.1.0\n\nFirst generated version: 4 models.\n\n- `community/fantasy-portrait/image-to-video`: 11 inputs, 4 outputs",
    );
    expect(report.write?.written).toContain(SEED_SNAPSHOT);
    await expectUpToDate(project.root);
  });
});

describe("the release plan on a larger catalog", () => {
  it("reads back only the changed models' snapshot files, and reports exactly what a full comparison reports", async () => {
    const { writeSyntheticCatalog } = await import("../../bench/catalog.ts");
    const { compareModels } = await import("../../generator/drift/report.ts");
    const { loadModels } = await import("../../generator/model/load.ts");
    const { readSchemaEntries } = await import("../../generator/schemas/entries.ts");
    const { ROOT } = await import("../helpers/project.ts");
    const project = await tempProject({ withSchemas: false });
    try {
      const ids = await writeSyntheticCatalog(ROOT, project.root, 30);
      await generate({ root: project.root });
      // One model narrowed, one removed, one added.
      const files = (await readSchemaEntries(join(project.root, "schemas"), project.root)).map((entry) => entry.file);
      const edited = join(project.root, files[3]!);
      const text = await readFile(edited, "utf8");
      expect(text).toMatch(/"maximum": \d+/);
      await writeFile(
        edited,
        text.replace(/"maximum": (\d+)/, (_, max: string) => `"maximum": ${Number(max) - 1}`),
      );
      const { cp, mkdir, rm } = await import("node:fs/promises");
      await rm(join(project.root, files[7]!));
      await mkdir(join(project.root, "schemas/community/wan-2-2"), { recursive: true });
      await cp(
        join(ROOT, "schemas/community/wan-2-2/vace-fun.json"),
        join(project.root, "schemas/community/wan-2-2/vace-fun.json"),
      );
      const before = loadModels(
        await readSchemaEntries(join(project.root, "generated/schemas"), project.root),
        "generated/schemas/",
      ).specs;
      const after = loadModels(await readSchemaEntries(join(project.root, "schemas"), project.root), "schemas/").specs;
      const full = compareModels(before, after, "generated/schemas", "schemas");
      const report = await generate({ root: project.root });
      expect(report.release.report?.changes).toEqual(full.changes);
      expect(new Set(full.changes.map((change) => change.model)).size).toBe(3);
      expect(ids).toHaveLength(30);
    } finally {
      await project.cleanup();
    }
  }, 120_000);
});
