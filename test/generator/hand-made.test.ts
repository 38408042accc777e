/**
 * generated/ changed by hand in ways that are not a file's bytes: entries that are not plain files (links, FIFOs, a
 * name that is not UTF-8), a folder replaced by a link, and manifest fields no output proves (the model count, the
 * warnings, a unit's key, a path recorded twice). `--check` never reports such a tree clean, with or without the hash
 * cache (a fresh clone has none), and `generate` repairs it in one run without writing outside generated/.
 */
import { execFileSync } from "node:child_process";
import { lstat, mkdir, mkdtemp, readFile, readlink, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GeneratorError } from "../../generator/lib/diagnostics.ts";
import { generate } from "../../generator/package/generate.ts";
import { listFilesSync } from "../../generator/lib/files.ts";
import { tempProject, type TempProject } from "../helpers/project.ts";

/** Every entry below `dir` and what it is: a file's text, a link's target, or its kind. */
async function fileTree(dir: string): Promise<Record<string, string>> {
  const tree: Record<string, string> = {};
  for (const path of listFilesSync(dir)) {
    const info = await lstat(join(dir, path));
    tree[path] = info.isSymbolicLink()
      ? `link → ${await readlink(join(dir, path))}`
      : info.isFile()
        ? await readFile(join(dir, path), "utf8")
        : "(not a file)";
  }
  return tree;
}

let scratch: TempProject;
let generated: string;
let clean: Record<string, string>;
const outside: string[] = [];
beforeAll(async () => {
  scratch = await tempProject();
  generated = join(scratch.root, "generated");
  await generate({ root: scratch.root });
  clean = await fileTree(generated);
}, 60_000);
afterAll(async () => {
  await scratch.cleanup();
  await Promise.all(outside.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A `--check` with the hash cache and one without: neither may say clean. */
async function expectCheckFails(): Promise<void> {
  for (const cache of [true, false]) {
    const { check } = await generate({ root: scratch.root, check: true, cache });
    const problems = [...check!.stale, ...check!.missing, ...check!.extra];
    expect(problems, `--check ${cache ? "with" : "without"} the cache`).not.toEqual([]);
  }
}

/** One `generate` makes generated/ what it was, and the next `--check` is clean. */
async function expectRepaired(): Promise<void> {
  await generate({ root: scratch.root });
  expect(await fileTree(generated)).toEqual(clean);
  const { check } = await generate({ root: scratch.root, check: true });
  expect(check).toEqual({ stale: [], missing: [], extra: [], diffs: new Map() });
}

const MODEL = "models/community/wan-2-2/vace-fun.js";

describe("entries that are not plain files", () => {
  const cases: [string, () => Promise<unknown>][] = [
    ["a dangling link", () => symlink("../nowhere.js", join(generated, "models/stray.js"))],
    ["a link to a folder", () => symlink("../runtime", join(generated, "models/rt"))],
    ["a FIFO", async () => execFileSync("mkfifo", [join(generated, "models/pipe.ts")])],
    [
      "a link in place of an output, to a file with the output's very bytes",
      async () => {
        const copy = join(await mkdtemp(join(tmpdir(), "runcomfy-hand-")), "vace-fun.js");
        outside.push(join(copy, ".."));
        await writeFile(copy, clean[MODEL]!);
        await rm(join(generated, MODEL));
        await symlink(copy, join(generated, MODEL));
      },
    ],
    [
      "a dangling link in place of an output",
      async () => {
        await rm(join(generated, MODEL));
        await symlink("nowhere.js", join(generated, MODEL));
      },
    ],
  ];
  it.each(cases)("%s fails --check and is repaired by generate", async (_, make) => {
    await generate({ root: scratch.root }); // the hash cache knows the clean tree
    await make();
    await expectCheckFails();
    await expectRepaired();
  });

  it("a name that is not UTF-8 fails the run with an error naming its folder, and writes nothing", async () => {
    const folder = join(generated, "models");
    const bad = Buffer.concat([Buffer.from(`${folder}/bad`), Buffer.from([0xff]), Buffer.from(".ts")]);
    await writeFile(bad, "x");
    try {
      for (const options of [{ check: true }, { check: true, cache: false }, {}, { cache: false }]) {
        const error = await generate({ root: scratch.root, ...options }).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(GeneratorError);
        expect((error as GeneratorError).location).toEqual({ file: "generated/models" });
        expect((error as GeneratorError).message).toMatch(/not valid UTF-8 .*rename or remove it/);
      }
    } finally {
      await rm(bad);
    }
    // Nothing was written: without the name, the tree is the clean one.
    expect(await fileTree(generated)).toEqual(clean);
    await expectRepaired();
  });
});

describe("a name that is not UTF-8 in schemas/", () => {
  it("fails the run with an error naming the folder and the entry", async () => {
    const folder = join(scratch.root, "schemas/community");
    const bad = Buffer.concat([Buffer.from(`${folder}/bad`), Buffer.from([0xff]), Buffer.from(".json")]);
    await writeFile(bad, "{}");
    try {
      const error = await generate({ root: scratch.root, check: true }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(GeneratorError);
      expect((error as GeneratorError).location).toEqual({ file: "schemas/community" });
      expect((error as GeneratorError).message).toMatch(
        /not valid UTF-8 \("bad.*\.json", read as .*rename or remove it/,
      );
    } finally {
      await rm(bad);
    }
  });
});

describe("entries that stand for the last release", () => {
  const cases: [string, string, () => Promise<unknown>][] = [
    [
      "a snapshot file linked to its own schema file (the drift would see no change)",
      "generated/schemas/community/wan-2-2/vace-fun.json",
      async () => {
        const snapshot = join(generated, "schemas/community/wan-2-2/vace-fun.json");
        await rm(snapshot);
        await symlink(join(scratch.root, "schemas/community/wan-2-2/vace-fun.json"), snapshot);
      },
    ],
    [
      "the changelog as a link to a copy",
      "generated/CHANGELOG.md",
      async () => {
        const copy = join(await mkdtemp(join(tmpdir(), "runcomfy-hand-")), "CHANGELOG.md");
        outside.push(join(copy, ".."));
        await writeFile(copy, clean["CHANGELOG.md"]!);
        await rm(join(generated, "CHANGELOG.md"));
        await symlink(copy, join(generated, "CHANGELOG.md"));
      },
    ],
    [
      "package.json as a FIFO (a read would wait forever)",
      "generated/package.json",
      async () => {
        await rm(join(generated, "package.json"));
        execFileSync("mkfifo", [join(generated, "package.json")]);
      },
    ],
  ];
  it.each(cases)(
    "%s stops generate and --check with an error naming it, and nothing is written",
    async (_, file, make) => {
      await generate({ root: scratch.root });
      await make();
      const before = await fileTree(generated);
      for (const options of [{ check: true }, { check: true, cache: false }, {}, { cache: false }]) {
        const error = await generate({ root: scratch.root, ...options }).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(GeneratorError);
        expect((error as GeneratorError).code).toBe("release-input-not-a-file");
        expect((error as GeneratorError).location).toEqual({ file });
      }
      expect(await fileTree(generated)).toEqual(before);
      await rm(join(scratch.root, file));
      await writeFile(join(scratch.root, file), clean[file.slice("generated/".length)]!);
      await expectRepaired();
    },
    30_000,
  );
});

describe("a manifest, an output or a folder that is not what generate writes", () => {
  it("a manifest that is a link to a copy of itself fails --check and is replaced by the file", async () => {
    await generate({ root: scratch.root });
    const copy = join(await mkdtemp(join(tmpdir(), "runcomfy-hand-")), "manifest.json");
    outside.push(join(copy, ".."));
    await writeFile(copy, clean[".codegen-manifest.json"]!);
    await rm(join(generated, ".codegen-manifest.json"));
    await symlink(copy, join(generated, ".codegen-manifest.json"));
    await expectCheckFails();
    await expectRepaired();
    expect(await readFile(copy, "utf8")).toBe(clean[".codegen-manifest.json"]);
  });

  it("a FIFO in place of an output is stale (never read), and replaced", async () => {
    await generate({ root: scratch.root });
    await rm(join(generated, "index.js"));
    execFileSync("mkfifo", [join(generated, "index.js")]);
    const { check } = await generate({ root: scratch.root, check: true });
    expect(check!.stale).toEqual(["index.js"]);
    await expectRepaired();
  });

  it("an empty folder in place of an output is stale, and replaced by the file", async () => {
    await generate({ root: scratch.root });
    await rm(join(generated, "index.js"));
    await mkdir(join(generated, "index.js"));
    const { check } = await generate({ root: scratch.root, check: true, cache: false });
    expect(check!.stale).toEqual(["index.js"]);
    expect(check!.diffs.get("index.js")).toMatch(/folder where generate writes a file/);
    await expectRepaired();
  });

  it("a folder that holds something, in place of an output, stops generate before it writes anything", async () => {
    await generate({ root: scratch.root });
    await rm(join(generated, "index.js"));
    await mkdir(join(generated, "index.js"));
    await writeFile(join(generated, "index.js/notes.txt"), "mine\n");
    const { check } = await generate({ root: scratch.root, check: true });
    expect(check!.stale).toEqual(["index.js"]);
    expect(check!.extra).toEqual(["index.js/notes.txt"]);
    const before = await fileTree(generated);
    const error = await generate({ root: scratch.root }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GeneratorError);
    expect((error as GeneratorError).code).toBe("output-is-a-folder");
    expect((error as GeneratorError).location).toEqual({ file: "generated/index.js" });
    expect(await fileTree(generated)).toEqual(before);
    await rm(join(generated, "index.js"), { recursive: true });
    await expectRepaired();
  });
});

describe("a folder replaced by a link to a folder elsewhere", () => {
  it("is replaced by the folder: nothing is written through the link, and one run repairs it", async () => {
    const away = await mkdtemp(join(tmpdir(), "runcomfy-hand-away-"));
    outside.push(away);
    await writeFile(join(away, "vace-fun.md"), "not ours\n");
    const folder = join(generated, "models/community/wan-2-2");
    await rm(folder, { recursive: true });
    await symlink(away, folder);
    expect(await readlink(folder)).toBe(away);
    await expectCheckFails();
    const { write } = await generate({ root: scratch.root });
    expect(write!.removed).toContain("models/community/wan-2-2");
    expect((await stat(folder)).isDirectory()).toBe(true);
    // The folder the link led to is as it was.
    expect(await fileTree(away)).toEqual({ "vace-fun.md": "not ours\n" });
    expect(await fileTree(generated)).toEqual(clean);
    await expectRepaired();
  });
});

describe("manifest fields no output proves", () => {
  const manifestPath = () => join(generated, ".codegen-manifest.json");
  const edits: [string, (text: string) => string][] = [
    ["the model count", (text) => text.replace(/^ {2}"models": \d+,$/m, '  "models": 7,')],
    ["the warnings emptied", (text) => text.replace(/^ {2}"warnings": \[[\s\S]*?^ {2}\],$/m, '  "warnings": [],')],
    ["a unit's key", (text) => text.replace(/"key": "[0-9a-f]{8}/, '"key": "00000000')],
    ["the checksum", (text) => text.replace(/"checksum": "[0-9a-f]{8}/, '"checksum": "00000000')],
  ];
  it.each(edits)("%s edited by hand fails --check, and generate restores it", async (_, edit) => {
    await generate({ root: scratch.root });
    await generate({ root: scratch.root }); // the cache holds the manifest's facts
    const text = await readFile(manifestPath(), "utf8");
    const edited = edit(text);
    expect(edited).not.toBe(text);
    await writeFile(manifestPath(), edited);
    for (const cache of [true, false]) {
      const { check } = await generate({ root: scratch.root, check: true, cache });
      expect(check!.stale, `--check ${cache ? "with" : "without"} the cache`).toContain(".codegen-manifest.json");
    }
    await expectRepaired();
  });

  it("a path recorded in two units does not hide a file added by hand", async () => {
    const manifest = JSON.parse(await readFile(manifestPath(), "utf8")) as {
      units: Record<string, { files: Record<string, string> }>;
    };
    const [first, second] = Object.keys(manifest.units).sort();
    const [path, hash] = Object.entries(manifest.units[first!]!.files)[0]!;
    manifest.units[second!]!.files[path] = hash;
    // Printed as generate prints a manifest (sorted, its checksum recomputed), so only the duplicate is wrong.
    const { serializeManifest } = await import("../../generator/package/manifest.ts");
    const { readManifest } = await import("../../generator/package/manifest.ts");
    await writeFile(manifestPath(), JSON.stringify(manifest));
    const parsed = (await readManifest(generated))!.manifest;
    await writeFile(manifestPath(), serializeManifest(parsed));
    await mkdir(join(generated, "extra"), { recursive: true });
    await writeFile(join(generated, "extra/EXTRA.js"), "export {};\n");
    for (const cache of [true, false]) {
      const { check } = await generate({ root: scratch.root, check: true, cache });
      expect(check!.extra, `--check ${cache ? "with" : "without"} the cache`).toEqual(["extra/EXTRA.js"]);
    }
    await expectRepaired();
  });
});
