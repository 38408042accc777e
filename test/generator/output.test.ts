/** `writeOutput`: new files written in place, changed files replaced through a rename, nothing left behind. */
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { fileTree } from "../helpers/project.ts";
import { writeOutput } from "../../generator/package/output.ts";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Path → text of every file below `dir`. */
async function tree(dir: string): Promise<Record<string, string>> {
  return Object.fromEntries([...(await fileTree(dir))].map(([path, entry]) => [path, entry.text]));
}

async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "runcomfy-output-"));
  dirs.push(dir);
  return join(dir, "generated");
}

describe("writeOutput", () => {
  it("writes a fresh tree, then only what changed (by a rename: a new inode), and removes what is gone", async () => {
    const out = await scratch();
    const files = new Map([
      ["models/a/b.js", "b\n"],
      ["models/a/c.js", "c\n"],
      ["index.js", "i\n"],
      [".codegen-manifest.json", "{}\n"],
    ]);
    const first = await writeOutput(out, files);
    expect(first.written).toEqual([...files.keys()]);
    expect(await tree(out)).toEqual(Object.fromEntries([...files].sort(([a], [b]) => (a < b ? -1 : 1))));
    const inode = (await stat(join(out, "models/a/b.js"))).ino;
    const second = await writeOutput(
      out,
      new Map([
        ["models/a/b.js", "b2\n"],
        ["index.js", "i\n"],
        [".codegen-manifest.json", "{}\n"],
      ]),
    );
    expect(second.written).toEqual(["models/a/b.js"]);
    expect(second.removed).toEqual(["models/a/c.js"]);
    expect((await stat(join(out, "models/a/b.js"))).ino).not.toBe(inode);
    expect((await readdir(join(out, "models/a"))).sort()).toEqual(["b.js"]);
  });

  it("removes the folders a removal left empty, innermost first, and no other folder", async () => {
    const out = await scratch();
    const manifest = [".codegen-manifest.json", "{}\n"] as const;
    await writeOutput(
      out,
      new Map([
        ["models/owner/family/v1/a.js", "a\n"],
        ["models/owner/family/v1/b.js", "b\n"],
        ["models/owner/other/c.js", "c\n"],
        ["schemas/owner/family/v1/a.json", "{}\n"],
        manifest,
      ]),
    );
    // An empty folder nothing was removed from (made by hand) stays: only what a removal emptied is looked at.
    await mkdir(join(out, "models/kept-empty"), { recursive: true });
    const result = await writeOutput(out, new Map([["models/owner/other/c.js", "c\n"], manifest]));
    expect(result.removed.sort()).toEqual([
      "models/owner/family/v1/a.js",
      "models/owner/family/v1/b.js",
      "schemas/owner/family/v1/a.json",
    ]);
    expect((await readdir(out)).sort()).toEqual([".codegen-manifest.json", "models"]);
    expect((await readdir(join(out, "models"))).sort()).toEqual(["kept-empty", "owner"]);
    expect(await readdir(join(out, "models/owner"))).toEqual(["other"]);
    // Everything removed: the output folder itself stays.
    await writeOutput(out, new Map([manifest]));
    expect((await readdir(out)).sort()).toEqual([".codegen-manifest.json", "models"]);
    expect(await readdir(join(out, "models"))).toEqual(["kept-empty"]);
  });

  it("takes the caller's word for whether a file on disk holds its text, and reads and compares the others", async () => {
    const out = await scratch();
    const files = new Map([
      ["a.js", "a\n"],
      ["b.js", "b\n"],
      ["c.js", "c\n"],
      [".codegen-manifest.json", "{}\n"],
    ]);
    await writeOutput(out, files);
    // On disk: a.js and b.js differ from what is written next, c.js does not.
    await writeFile(join(out, "a.js"), "old a\n");
    await writeFile(join(out, "b.js"), "old b\n");
    const next = new Map(
      [...files].map(([path, text]) => [path, path === ".codegen-manifest.json" ? text : `${text}!`]),
    );
    next.set("c.js", "c\n");
    // Told a.js is current (not read, kept as it is), b.js not (written without a compare), nothing about c.js.
    const told = new Map([
      ["a.js", true],
      ["b.js", false],
    ]);
    const result = await writeOutput(out, next, new Set(), undefined, (path) => told.get(path));
    expect(result.written).toEqual(["b.js"]);
    expect(await tree(out)).toEqual({
      ".codegen-manifest.json": "{}\n",
      "a.js": "old a\n",
      "b.js": "b\n!",
      "c.js": "c\n",
    });
  });

  it("replaces a file that appeared after the listing it was given, instead of failing", async () => {
    const out = await scratch();
    await mkdir(join(out, "models"), { recursive: true });
    await writeFile(join(out, "models/late.js"), "someone else's\n");
    const result = await writeOutput(
      out,
      new Map([
        ["models/late.js", "ours\n"],
        [".codegen-manifest.json", "{}\n"],
      ]),
      new Set(),
      { paths: [], special: new Set() },
    );
    expect(result.written).toEqual(["models/late.js", ".codegen-manifest.json"]);
    expect(await tree(out)).toEqual({ ".codegen-manifest.json": "{}\n", "models/late.js": "ours\n" });
  });

  it("tells of each file as soon as it is written, before the next write (its stat is taken then)", async () => {
    const out = await scratch();
    await writeOutput(out, new Map([["models/changed.js", "old\n"]]));
    const files = new Map([
      ["models/a.js", "a\n"],
      ["models/b.js", "b\n"],
      ["models/changed.js", "new\n"],
      [".codegen-manifest.json", "{}\n"],
    ]);
    const seen: [string, Record<string, string>][] = [];
    const result = await writeOutput(out, files, new Set(), undefined, undefined, (path) => {
      seen.push([path, Object.fromEntries([...files.keys()].map((key) => [key, readOrNone(join(out, key))]))]);
    });
    expect(seen.map(([path]) => path)).toEqual(result.written);
    expect(result.written).toEqual(["models/a.js", "models/b.js", "models/changed.js", ".codegen-manifest.json"]);
    // At each call, the file told of holds its text, and every file written after it does not yet.
    seen.forEach(([path, disk], index) => {
      expect(disk[path]).toBe(files.get(path));
      for (const later of result.written.slice(index + 1)) expect(disk[later]).not.toBe(files.get(later));
    });
  });
});

function readOrNone(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "(none)";
  }
}
