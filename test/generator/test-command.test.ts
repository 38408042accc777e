/**
 * The test command is the README's, and CI runs exactly it: `.ci/run` has no
 * step of its own (no system package, no browser install), and `npm test`
 * itself runs lint, the format check and `generate --check` before the tests.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/project.ts";

const read = (path: string): string => readFileSync(join(ROOT, path), "utf8");

/** The command under the README's `# Tests` comment, in its first code block. */
function readmeTestCommand(): string {
  const block = /```sh\n([\s\S]*?)```/.exec(read("README.md"))?.[1] ?? "";
  const lines = block.split("\n");
  const comment = lines.findIndex((line) => line.startsWith("# Tests"));
  expect(comment, "README's first sh block has a '# Tests' comment").toBeGreaterThanOrEqual(0);
  return lines[comment + 1]!.trim();
}

/** The lines of a shell script that run something (not blank, a comment, `set` or the `cd` to the repository). */
function commandsOf(script: string): string[] {
  return script
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#") && !/^set\s/.test(line) && !/^cd\s/.test(line));
}

describe("the test command on a fresh machine", () => {
  it("is `npm install && npm test`, and .ci/run runs exactly it and nothing else", () => {
    const command = readmeTestCommand();
    expect(command).toBe("npm install && npm test");
    expect(commandsOf(read(".ci/run"))).toEqual([command]);
    expect(read("CONTRIBUTING.md")).toContain(`${command}   `);
  });

  it("runs lint and the format check first, then generate --check, the typecheck and vitest", () => {
    const { scripts } = JSON.parse(read("package.json")) as { scripts: Record<string, string> };
    expect(scripts["pretest"]!.split(" && ")).toEqual(["npm run lint", "npm run format:check"]);
    expect(scripts["test"]!.split(" && ")).toEqual(["npm run generate -- --check", "npm run typecheck", "vitest run"]);
    expect(scripts["lint"]).toBe("eslint .");
    expect(scripts["format:check"]).toBe("prettier --check .");
  });

  it("takes the browser from a registry package, not from the system", () => {
    const { devDependencies } = JSON.parse(read("package.json")) as { devDependencies: Record<string, string> };
    expect(Object.keys(devDependencies)).toEqual(expect.arrayContaining(["@sparticuz/chromium", "playwright-core"]));
    const test = read("test/reliability/consumers.test.ts");
    expect(test).toContain(`import("@sparticuz/chromium")`);
    expect(test).not.toMatch(/\/usr\/bin\/chrom|CHROME_PATH|CHROMIUM_PATH|channel:/);
  });
});
