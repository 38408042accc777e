/**
 * The declaration files that grow with the catalog (`types/NN.d.ts`, `index.d.ts`) carry `NO_CHECK_PRAGMA` as their
 * second line: a consumer's tsc with `skipLibCheck: false` resolves the types its code uses from them and checks that
 * code as always, but does not check 1,000 models' declarations in every build. The package's own tests check those
 * files with the line blanked (`test/helpers/typecheck.ts`): here, a declaration broken on purpose is invisible to a
 * consumer's plain tsc and reported by the tests' check, at its line.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { NO_CHECK_PRAGMA } from "../../generator/emit/declarations.ts";
import { typesPath } from "../../generator/emit/registry.ts";
import { bucketOf, REGISTRY_BUCKETS } from "../../templates/runtime/buckets.ts";
import { fileTree, ROOT, tempProject } from "../helpers/project.ts";
import { STRICT_CONSUMER_OPTIONS, typecheck } from "../helpers/typecheck.ts";

const project = await tempProject({ withGenerated: true, withSchemas: false });
afterAll(() => project.cleanup());

const CONFIG = {
  compilerOptions: STRICT_CONSUMER_OPTIONS,
  files: ["consumer.ts"],
};
/** index.d.ts and every types/NN.d.ts. */
const MARKED_FILES = REGISTRY_BUCKETS + 1;

/** What the tsc command reports for the project in `project.root` (its own program, the pragma honoured). */
function plainTsc(): string {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    join(project.root, "tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: () => undefined,
    },
  )!;
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  return ts.formatDiagnostics(ts.getPreEmitDiagnostics(program), {
    getCanonicalFileName: (name) => name,
    getCurrentDirectory: () => project.root,
    getNewLine: () => "\n",
  });
}

describe("the no-check line of the catalog-sized declaration files", () => {
  it("is the second line of exactly types/NN.d.ts and index.d.ts, and of no other file", async () => {
    const tree = await fileTree(join(ROOT, "generated"));
    const marked = [...tree].filter(([, file]) => file.text.split("\n")[1] === NO_CHECK_PRAGMA).map(([path]) => path);
    const expected = [...tree.keys()].filter((path) => /^types\/\d\d\.d\.ts$/.test(path) || path === "index.d.ts");
    expect(expected).toHaveLength(MARKED_FILES);
    expect(marked.sort()).toEqual(expected.sort());
    for (const [path, file] of tree) {
      const uses = file.text.split("\n").filter((line) => line.includes("@ts-nocheck")).length;
      expect.soft(uses, path).toBe(marked.includes(path) ? 1 : 0);
    }
  });

  it("hides a broken declaration from a consumer's tsc, which still checks the consumer's use; the tests' check reports it", async () => {
    const file = typesPath(bucketOf("community/fantasy-portrait/image-to-video"));
    const bucket = join(project.root, "generated", file);
    const text = await readFile(bucket, "utf8");
    expect(text).toContain("export interface CommunityFantasyPortraitImageToVideoInput {");
    const lines = text.split("\n");
    lines.splice(2, 0, "export type Broken = NoSuchType;");
    await writeFile(bucket, lines.join("\n"));
    await writeFile(join(project.root, "tsconfig.json"), JSON.stringify(CONFIG));
    await writeFile(join(project.root, "package.json"), JSON.stringify({ name: "consumer", type: "module" }));
    const consumer = (prompt: string) =>
      [
        `import { createClient } from "./generated/index.js";`,
        `const client = createClient({ token: "t" });`,
        `await client.run("community/fantasy-portrait/image-to-video", { image: "https://x/a.png", video: "https://x/a.mp4", ${prompt}: "x" });`,
        "",
      ].join("\n");

    await writeFile(join(project.root, "consumer.ts"), consumer("prompt"));
    expect(plainTsc()).toBe("");
    const checked = typecheck(join(project.root, "tsconfig.json"));
    expect(checked.noCheckFiles).toBe(MARKED_FILES);
    expect(checked.output).toContain(`generated/${file}(3,22): error TS2552: Cannot find name 'NoSuchType'.`);

    // The consumer's mistake is caught whatever its module resolution: nothing the no-check line hides (a module or
    // name not found) turns the model's input into \`any\`.
    await writeFile(join(project.root, "consumer.ts"), consumer("promt"));
    for (const [module, moduleResolution] of [
      ["NodeNext", "NodeNext"],
      ["ESNext", "Bundler"],
      ["ESNext", "Node10"],
    ]) {
      await writeFile(
        join(project.root, "tsconfig.json"),
        JSON.stringify({
          ...CONFIG,
          compilerOptions: { ...STRICT_CONSUMER_OPTIONS, module, moduleResolution, ignoreDeprecations: "6.0" },
        }),
      );
      expect(plainTsc(), moduleResolution).toMatch(
        /consumer\.ts\(3,\d+\): error TS2561: .*'promt'.*Did you mean to write 'prompt'\?/,
      );
    }
  });
});
