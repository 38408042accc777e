/** `writeOutput`: new files written in place, changed files replaced through a rename, nothing left behind. */
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
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
      [],
    );
    expect(result.written).toEqual(["models/late.js", ".codegen-manifest.json"]);
    expect(await tree(out)).toEqual({ ".codegen-manifest.json": "{}\n", "models/late.js": "ours\n" });
  });
});
