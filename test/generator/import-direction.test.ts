/**
 * The import direction of ARCHITECTURE.md › "Import direction" is enforced by
 * eslint.config.js. `npm run lint` passing only says no file breaks it; these
 * cases say the rules still catch each kind of wrong import (a zone with a
 * mistyped path would match nothing and pass everything), and still allow the
 * imports the pipeline is built on.
 */
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/project.ts";

const eslint = new ESLint({ cwd: ROOT });

/** The messages of the import rules for a one-line file at `file` (relative to the project root). */
async function importProblems(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${source}\n`, { filePath: `${ROOT}/${file}` });
  return result!.messages
    .filter((message) => message.ruleId === "import/no-restricted-paths" || message.ruleId === "no-restricted-imports")
    .map((message) => message.message);
}

const FORBIDDEN: readonly (readonly [file: string, source: string, says: string])[] = [
  ["generator/lib/x.ts", `export * from "../scrape/scrape-page.ts";`, "generator/lib must not import a later stage"],
  ["generator/scrape/x.ts", `export type * from "../model/types.ts";`, "generator/scrape must not import a later"],
  ["generator/schemas/x.ts", `export * from "../model/load.ts";`, "generator/schemas must not import a later stage"],
  ["generator/model/x.ts", `export * from "../emit/all.ts";`, "generator/model must not import a later stage"],
  ["generator/emit/x.ts", `export type * from "../drift/types.ts";`, "generator/emit must not import a later stage"],
  ["generator/drift/x.ts", `export type * from "../emit/all.ts";`, "generator/drift must not import a later stage"],
  ["generator/package/x.ts", `export * from "../commands/commit.ts";`, "generator/package must not import a later"],
  ["generator/commands/x.ts", `export * from "../cli/print.ts";`, "generator/commands must not import a later"],
  ["generator/model/x.ts", `await import("../package/generate.ts");`, "generator/model must not import a later"],
  ["generator/emit/x.ts", `export * from "../model/normalize.ts";`, "through types.ts, fields.ts, load.ts"],
  ["generator/drift/x.ts", `export * from "../model/aliases.ts";`, "through types.ts, fields.ts, load.ts"],
  ["generator/commands/x.ts", `export * from "./add.ts";`, "a command must not import another command"],
  ["generator/commands/pull.ts", `export * from "./add.ts";`, "a command must not import another command"],
  ["generator/model/x.ts", `export * from "../../templates/runtime/protocol.ts";`, "only generator/emit and"],
  ["generator/cli/x.ts", `export * from "../../templates/runtime/client.ts";`, "only generator/emit and"],
  ["generator/emit/x.ts", `export * from "../../test/helpers/project.ts";`, "the generator must not depend"],
  ["generator/package/x.ts", `export * from "../../emulator/index.ts";`, "the generator must not depend"],
  ["generator/emit/x.ts", `export * from "../../generated/index.js";`, "the generator must not depend"],
  ["templates/runtime/x.ts", `export * from "../../generator/lib/json.ts";`, "it imports only itself"],
  ["templates/runtime/x.ts", `export * from "ajv";`, "the runtime has no dependencies"],
  ["templates/runtime/x.ts", `export * from "fs";`, "the runtime has no dependencies"],
  ["emulator/x.ts", `export * from "../generator/lib/json.ts";`, "the emulator is independent"],
  ["emulator/x.ts", `export * from "../templates/runtime/protocol.ts";`, "the emulator is independent"],
];

const ALLOWED: readonly (readonly [file: string, source: string])[] = [
  ["generator/scrape/x.ts", `export * from "../lib/json.ts";`],
  ["generator/model/x.ts", `export * from "../schemas/schema-file.ts";`],
  ["generator/model/x.ts", `export * from "./normalize.ts";`],
  ["generator/emit/x.ts", `export type * from "../model/types.ts";`],
  ["generator/drift/x.ts", `export * from "../model/fields.ts";`],
  ["generator/package/x.ts", `export * from "../emit/all.ts";`],
  ["generator/package/x.ts", `export * from "../model/spec-cache.ts";`],
  ["generator/commands/add.ts", `export * from "./commit.ts";`],
  ["generator/commands/x.ts", `export * from "../../templates/runtime/client.ts";`],
  ["generator/emit/x.ts", `export * from "../../templates/runtime/buckets.ts";`],
  ["generator/cli/x.ts", `export * from "../package/generate.ts";`],
  ["templates/runtime/x.ts", `export * from "./protocol.ts";`],
  ["templates/runtime/x.ts", `export * from "node:fs";`],
  ["emulator/demo.ts", `export * from "../generated/index.js";`],
  ["test/x.test.ts", `export * from "../generator/model/normalize.ts";`],
];

describe("import direction (eslint.config.js)", () => {
  it.each(FORBIDDEN)("%s: %s is a lint error", async (file, source, says) => {
    const problems = await importProblems(file, source);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(says);
  });

  it.each(ALLOWED)("%s: %s is allowed", async (file, source) => {
    expect(await importProblems(file, source)).toEqual([]);
  });
});
