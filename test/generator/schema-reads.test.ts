/**
 * What an incremental generate reads of `schemas/`: a schema file whose stat (size, times, inode) is the one its hash
 * was recorded with, and whose spec the spec cache holds, is not read at all; a file edited since is always read, also
 * when the edit kept its size and modification time.
 */
import { readFile, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { generate } from "../../generator/package/generate.ts";
import { tempProject } from "../helpers/project.ts";

const reads = vi.hoisted(() => [] as string[]);
vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>();
  const readFile = ((path: Parameters<typeof actual.readFile>[0], ...rest: unknown[]) => {
    reads.push(String(path));
    return (actual.readFile as (...args: unknown[]) => unknown)(path, ...rest);
  }) as typeof actual.readFile;
  return { ...actual, readFile, default: { ...actual, readFile } };
});
vi.mock("node:fs", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs")>();
  const readFileSync = ((path: Parameters<typeof actual.readFileSync>[0], ...rest: unknown[]) => {
    reads.push(String(path));
    return (actual.readFileSync as (...args: unknown[]) => unknown)(path, ...rest);
  }) as typeof actual.readFileSync;
  return { ...actual, readFileSync, default: { ...actual, readFileSync } };
});

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

const EDITED = "schemas/community/wan-2-2/vace-fun.json";

describe("schema files an incremental generate reads", () => {
  it("reads only the edited schema file, and reads one edited with its size and modification time kept", async () => {
    const made = await tempProject();
    cleanups.push(() => made.cleanup());
    const { root } = made;
    await generate({ root });
    const schemaReads = () => [...new Set(reads.filter((path) => path.startsWith(join(root, "schemas/"))))];

    const text = await readFile(join(root, EDITED), "utf8");
    const edited = text.replace(/"description": "/, '"description": "Edited. ');
    await writeFile(join(root, EDITED), edited);
    // A whole second in the past, which utimes can set back exactly (below).
    const mtime = Math.floor(Date.now() / 1000) - 60;
    await utimes(join(root, EDITED), mtime, mtime);
    reads.length = 0;
    const report = await generate({ root });
    expect(schemaReads()).toEqual([join(root, EDITED)]);
    expect(report.emittedUnits).toContain("model:community/wan-2-2/vace-fun");
    expect(await readFile(join(root, "generated", EDITED), "utf8")).toBe(edited);

    // Same length, same modification time: only the change time (which no tool can set back) tells.
    const before = await stat(join(root, EDITED), { bigint: true });
    const sameSize = edited.replace("Edited. ", "Altered ");
    expect(sameSize.length).toBe(edited.length);
    await writeFile(join(root, EDITED), sameSize);
    await utimes(join(root, EDITED), mtime, mtime);
    const after = await stat(join(root, EDITED), { bigint: true });
    expect([after.size, after.mtimeNs, after.ino]).toEqual([before.size, before.mtimeNs, before.ino]);
    reads.length = 0;
    const again = await generate({ root });
    expect(schemaReads()).toContain(join(root, EDITED));
    expect(again.emittedUnits).toContain("model:community/wan-2-2/vace-fun");
    expect(await readFile(join(root, "generated", EDITED), "utf8")).toBe(sameSize);
    expect((await generate({ root, check: true })).check?.stale).toEqual([]);
  }, 180_000);
});
