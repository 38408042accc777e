/**
 * Malformed input to the generator: broken JSON, wrong shapes, unreadable
 * files, duplicate and invalid model ids. Each gives a clear error naming the
 * file and where in it, the CLI exits non-zero, and nothing under generated/
 * or schemas/ changes.
 */
import { mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GeneratorError, GeneratorErrors } from "../../generator/lib/diagnostics.ts";
import { generate } from "../../generator/package/generate.ts";
import { codegenCli, fileTree, runProcess, tempProject, type TempProject } from "../helpers/project.ts";

/** What a case puts under schemas/: JSON text, or a special file. */
type Content = string | { readonly symlinkTo: string } | { readonly fifo: true };

interface Case {
  readonly name: string;
  /** Files to add, by path below the project root. */
  readonly files: Readonly<Record<string, Content>>;
  /** Every reported problem, as `file`, JSON path inside it (when there is one) and message. */
  readonly problems: readonly { readonly file: string; readonly path?: string; readonly message: RegExp }[];
}

const schema = (fields: Record<string, unknown>): string =>
  JSON.stringify({
    modelId: "broken/model",
    sources: [],
    inputSchema: { type: "object", properties: { "1_prompt": { type: "string" } } },
    ...fields,
  });
const property = (value: unknown): string =>
  schema({ inputSchema: { type: "object", properties: { "1_prompt": value } } });
const FILE = "schemas/broken/model.json";

const CASES: readonly Case[] = [
  // Broken JSON: every message says where.
  {
    name: "an empty file",
    files: { [FILE]: "" },
    problems: [{ file: FILE, message: /invalid JSON at line 1, column 1/ }],
  },
  {
    name: "a truncated file",
    files: { [FILE]: '{\n  "modelId": "broken/model",\n  "inputSchema": {' },
    problems: [{ file: FILE, message: /invalid JSON at line 3, column 19/ }],
  },
  {
    name: "a trailing comma",
    files: { [FILE]: '{ "modelId": "broken/model", }' },
    problems: [{ file: FILE, message: /invalid JSON at line 1, column 30/ }],
  },
  {
    name: "a NaN",
    files: { [FILE]: '{\n  "modelId": NaN\n}' },
    problems: [{ file: FILE, message: /invalid JSON at line 2, column 14/ }],
  },
  {
    name: "a comment",
    files: { [FILE]: '{\n  // the model\n  "modelId": "broken/model"\n}' },
    problems: [{ file: FILE, message: /invalid JSON at line 2, column 3/ }],
  },
  {
    name: "single quotes",
    files: { [FILE]: "{ 'modelId': 'broken/model' }" },
    problems: [{ file: FILE, message: /invalid JSON at line 1, column 3/ }],
  },
  {
    name: "a raw newline in a string",
    files: { [FILE]: '{ "modelId": "broken\nmodel" }' },
    problems: [{ file: FILE, message: /invalid JSON at line 1, column 21/ }],
  },
  {
    name: "text after the object",
    files: { [FILE]: `${schema({})}\n}` },
    problems: [{ file: FILE, message: /invalid JSON at line 2, column 1/ }],
  },
  // Wrong shapes.
  {
    name: "an array instead of an object",
    files: { [FILE]: "[]" },
    problems: [{ file: FILE, message: /must hold a JSON object/ }],
  },
  {
    name: "no modelId",
    files: { [FILE]: JSON.stringify({ sources: [], inputSchema: {} }) },
    problems: [{ file: FILE, path: "modelId", message: /must be a string/ }],
  },
  {
    name: "a numeric modelId",
    files: { [FILE]: schema({ modelId: 42 }) },
    problems: [{ file: FILE, path: "modelId", message: /must be a string/ }],
  },
  {
    name: "an unknown top-level field",
    files: { [FILE]: schema({ input_schema: {} }) },
    problems: [{ file: FILE, path: "input_schema", message: /unknown field/ }],
  },
  {
    name: "no inputSchema",
    files: { [FILE]: JSON.stringify({ modelId: "broken/model", sources: [] }) },
    problems: [{ file: FILE, path: "inputSchema", message: /must be an object/ }],
  },
  {
    name: "sources that are not an array",
    files: { [FILE]: schema({ sources: "page" }) },
    problems: [{ file: FILE, path: "sources", message: /must be an array/ }],
  },
  {
    name: "a source of an unknown kind",
    files: { [FILE]: schema({ sources: [{ kind: "blog" }] }) },
    problems: [{ file: FILE, path: "sources/0/kind", message: /"page", "catalog" or "output-default"/ }],
  },
  // Catalog metadata.
  {
    name: "categories that are not a list of strings",
    files: { [FILE]: schema({ categories: "image-to-video" }) },
    problems: [{ file: FILE, path: "categories", message: /must be an array of strings/ }],
  },
  {
    name: "an empty category",
    files: { [FILE]: schema({ categories: ["image-to-video", " "] }) },
    problems: [{ file: FILE, path: "categories/1", message: /non-empty string/ }],
  },
  {
    name: "a negative price",
    files: { [FILE]: schema({ basePriceUsd: -0.1 }) },
    problems: [{ file: FILE, path: "basePriceUsd", message: /0 or more/ }],
  },
  {
    name: "a price that is not a number",
    files: { [FILE]: schema({ basePriceUsd: "0.04" }) },
    problems: [{ file: FILE, path: "basePriceUsd", message: /finite number of US dollars/ }],
  },
  {
    name: "an empty kind",
    files: { [FILE]: schema({ kind: "" }) },
    problems: [{ file: FILE, path: "kind", message: /non-empty string/ }],
  },
  {
    name: "a price unit that is not a string",
    files: { [FILE]: schema({ priceUnit: 1 }) },
    problems: [{ file: FILE, path: "priceUnit", message: /non-empty string/ }],
  },
  // Nested members.
  {
    name: "two nested members that camelCase to one name",
    files: {
      [FILE]: schema({
        inputSchema: {
          type: "object",
          properties: {
            elements: {
              type: "array",
              items: {
                type: "object",
                properties: { frontal_image_url: { type: "string" }, frontalImageUrl: { type: "string" } },
              },
            },
          },
        },
      }),
    },
    problems: [
      {
        file: FILE,
        message:
          /members of "elements\[\]" "frontal_image_url" and "frontalImageUrl" would all be called "frontalImageUrl"[\s\S]*"aliases": \{ "elements\[\]\.frontalImageUrl": "anotherName" \}/,
      },
    ],
  },
  {
    name: "an alias that is not a string",
    files: { [FILE]: schema({ aliases: { "1_prompt": 3 } }) },
    problems: [{ file: FILE, path: "aliases/1_prompt", message: /must be a string/ }],
  },
  {
    name: "properties that are not an object",
    files: { [FILE]: schema({ inputSchema: { type: "object", properties: [] } }) },
    problems: [{ file: FILE, path: "inputSchema/properties", message: /no "properties" object/ }],
  },
  {
    name: "a property schema that is a string",
    files: { [FILE]: property("string") },
    problems: [{ file: FILE, path: "inputSchema/properties/1_prompt", message: /must be an object/ }],
  },
  {
    name: "an unknown type",
    files: { [FILE]: property({ type: "double" }) },
    problems: [{ file: FILE, path: "inputSchema/properties/1_prompt/type", message: /unknown type "double"/ }],
  },
  {
    name: "an unsupported keyword",
    files: { [FILE]: property({ oneOf: [{ type: "string" }] }) },
    problems: [{ file: FILE, path: "inputSchema/properties/1_prompt/oneOf", message: /unsupported keyword "oneOf"/ }],
  },
  {
    name: "a required that is not a list",
    files: { [FILE]: schema({ inputSchema: { type: "object", required: "1_prompt", properties: {} } }) },
    problems: [{ file: FILE, path: "inputSchema/required", message: /must be an array of property names/ }],
  },
  {
    name: "a minimum that is not a number",
    files: { [FILE]: property({ type: "integer", minimum: "1" }) },
    problems: [{ file: FILE, path: "inputSchema/properties/1_prompt/minimum", message: /must be a number/ }],
  },
  {
    name: "an invalid pattern",
    files: { [FILE]: property({ type: "string", pattern: "([a-z" }) },
    problems: [{ file: FILE, path: "inputSchema/properties/1_prompt/pattern", message: /valid regular expression/ }],
  },
  {
    name: "an empty enum",
    files: { [FILE]: property({ type: "string", enum: [] }) },
    problems: [{ file: FILE, path: "inputSchema/properties/1_prompt/enum", message: /non-empty array/ }],
  },
  {
    name: "a non-object input root",
    files: { [FILE]: schema({ inputSchema: { type: "array", properties: {} } }) },
    problems: [{ file: FILE, path: "inputSchema/type", message: /must be an object schema/ }],
  },
  // Unreadable files (tests run as root, so permissions stop nothing: a dangling link and a FIFO do).
  {
    name: "a dangling symlink",
    files: { [FILE]: { symlinkTo: "nowhere.json" } },
    problems: [{ file: FILE, message: /cannot read schema file: ENOENT/ }],
  },
  { name: "a FIFO", files: { [FILE]: { fifo: true } }, problems: [{ file: FILE, message: /not a regular file/ }] },
  // Model ids.
  {
    name: "a duplicate model id",
    files: { "schemas/broken/copy.json": schema({ modelId: "community/wan-2-2/vace-fun" }) },
    problems: [
      {
        file: "schemas/broken/copy.json",
        message:
          /holds model "community\/wan-2-2\/vace-fun", whose schema file must be schemas\/community\/wan-2-2\/vace-fun\.json/,
      },
    ],
  },
  ...["single", "a//b", "a/../b", "a/b/c/d/e/f/g", " a/b", "a/b?x", "a/b\u0007"].map((id): Case => ({
    name: `the invalid model id ${JSON.stringify(id)}`,
    files: { [FILE]: schema({ modelId: id }) },
    problems: [{ file: FILE, path: "modelId", message: /invalid model id/ }],
  })),
];

async function addFiles(root: string, files: Case["files"]): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const target = join(root, path);
    await mkdir(dirname(target), { recursive: true });
    if (typeof content === "string") await writeFile(target, content);
    else if ("symlinkTo" in content) await symlink(content.symlinkTo, target);
    else expect((await runProcess("mkfifo", [target])).code).toBe(0);
  }
}

async function removeFiles(root: string, files: Case["files"]): Promise<void> {
  for (const path of Object.keys(files)) await rm(join(root, path), { force: true });
  await rm(join(root, "schemas/broken"), { recursive: true, force: true });
}

/** Both folders generate may touch, with bytes and mtimes. */
async function trees(root: string): Promise<unknown> {
  return { generated: await fileTree(join(root, "generated")), schemas: await fileTree(join(root, "schemas")) };
}

let project: TempProject;
beforeAll(async () => {
  project = await tempProject({ withGenerated: true });
});
afterAll(() => project.cleanup());

describe("malformed input to the generator", () => {
  it.each(CASES.map((entry) => [entry.name, entry] as const))(
    "%s: a clear error with file and location, and no file changed",
    async (_, entry) => {
      await addFiles(project.root, entry.files);
      try {
        const before = await trees(project.root);
        const error = await generate({ root: project.root }).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(error).toBeInstanceOf(GeneratorErrors);
        const problems = (error as GeneratorErrors).errors;
        expect(
          problems.map((problem) => ({ file: problem.location.file, path: problem.location.path || undefined })),
        ).toEqual(entry.problems.map((expected) => ({ file: expected.file, path: expected.path })));
        problems.forEach((problem, index) => {
          const expected = entry.problems[index]!;
          expect(problem).toBeInstanceOf(GeneratorError);
          expect(problem.message).toMatch(expected.message);
          // The message itself says where: file, then the JSON path.
          expect(
            problem.message.startsWith(`${expected.file}${expected.path ? ` › ${expected.path}` : ""}: `),
            problem.message,
          ).toBe(true);
        });
        expect(await trees(project.root)).toEqual(before);
      } finally {
        await removeFiles(project.root, entry.files);
      }
    },
  );

  it("exits non-zero through the CLI, naming every bad file, with nothing changed", async () => {
    const all: Record<string, Content> = {};
    CASES.forEach((entry, index) => {
      for (const [path, content] of Object.entries(entry.files))
        all[path.replace(/\.json$/, `-${index}.json`)] = content;
    });
    await addFiles(project.root, all);
    try {
      const before = await trees(project.root);
      for (const args of [["generate"], ["generate", "--check"]]) {
        const result = await codegenCli(project.root, ...args);
        expect(result.code, args.join(" ")).toBe(1);
        // Every bad file is named; a misplaced file is reported at its own path.
        for (const path of Object.keys(all)) expect(result.stderr, path).toContain(path);
        expect(await trees(project.root)).toEqual(before);
      }
    } finally {
      await removeFiles(project.root, all);
    }
  });
});
