/**
 * A plain `generate` is read without yargs (`fastGenerateArgs`, `cli/main.ts`): what it accepts it reads exactly as the
 * yargs wiring does, and anything else (help, other commands, unknown or repeated arguments) goes to yargs, whose
 * messages and exit codes (64 for bad arguments) stay the only ones.
 */
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fastGenerateArgs, type GenerateArgs } from "../../generator/cli/generate.ts";
import type { Terminal } from "../../generator/cli/terminal.ts";
import { keepStdinPages, runWithYargs, type Handlers } from "../../generator/cli/wiring.ts";
import { ROOT, runProcess, tempProject, type TempProject } from "../helpers/project.ts";

const projects: TempProject[] = [];
afterAll(() => Promise.all(projects.map((project) => project.cleanup())));

const silent: Terminal = { out: () => {}, err: () => {}, color: false };

/** The arguments the yargs wiring hands the generate command for `argv` (undefined when it runs none). */
async function yargsGenerateArgs(argv: readonly string[]): Promise<{ args?: GenerateArgs; code: number }> {
  let seen: GenerateArgs | undefined;
  const none = async () => 0;
  const handlers: Handlers = {
    generate: async (args) => {
      seen = args;
      return 0;
    },
    add: none,
    pull: none,
    drift: none,
  };
  const code = await runWithYargs([...argv], silent, handlers);
  return { ...(seen ? { args: seen } : {}), code };
}

const pick = ({ check, cache, root, quiet, verbose }: GenerateArgs) => ({
  check,
  cache,
  root,
  quiet,
  verbose: verbose ?? false,
});

describe("the generate fast path", () => {
  const accepted = [
    [],
    ["generate"],
    ["--check"],
    ["generate", "--check", "--verbose"],
    ["generate", "--no-cache", "-q"],
    ["generate", "--cache", "-v", "--quiet"],
    ["generate", "--root", "some/project", "--check"],
    ["generate", "--root=/abs/project", "--no-cache"],
    ["--root", ".", "-q", "--verbose", "--check", "--no-cache"],
  ];

  it.each(accepted)("reads %j as yargs does", async (...argv: string[]) => {
    const fast = fastGenerateArgs(argv, process.cwd());
    expect(fast).toBeDefined();
    const viaYargs = await yargsGenerateArgs(argv);
    expect(viaYargs.code).toBe(0);
    expect(viaYargs.args).toBeDefined();
    expect(pick(fast!)).toEqual(pick(viaYargs.args!));
  });

  it("resolves --root against the directory it is given", () => {
    expect(fastGenerateArgs(["--root", "a/b"], "/base")?.root).toBe(resolve("/base", "a/b"));
    expect(fastGenerateArgs([], "/base")?.root).toBe("/base");
  });

  const handedOn = [
    ["--help"],
    ["generate", "-h"],
    ["drift"],
    ["add", "page.html"],
    ["generate", "--bogus"],
    ["generate", "extra"],
    ["generate", "generate"],
    ["--check", "generate"],
    ["generate", "--check", "--check"],
    ["generate", "--cache", "--no-cache"],
    ["generate", "--root"],
    ["generate", "--root", "--check"],
    ["generate", "--root="],
    ["generate", "--root", "a", "--root", "b"],
    ["generate", "-qv"],
    ["generate", "--check=true"],
    ["generate", "--check", "false"],
    ["generate", "--no-check"],
    ["generate", "--"],
    ["generate", "--version"],
  ];

  it.each(handedOn)("hands %j to yargs", (...argv: string[]) => {
    expect(fastGenerateArgs(argv, process.cwd())).toBeUndefined();
  });

  it("leaves usage errors to yargs: exit 64 and its message", async () => {
    for (const argv of [
      ["generate", "--bogus"],
      ["generate", "extra"],
      ["generate", "--check", "--check", "x"],
      // A bare --root is not the current directory.
      ["generate", "--root"],
      ["generate", "--check", "--root"],
    ]) {
      const { code, args } = await yargsGenerateArgs(argv);
      expect(code, argv.join(" ")).toBe(64);
      expect(args).toBeUndefined();
    }
  });
});

describe("the runcomfy-codegen command", () => {
  const BIN = join(ROOT, "generator/cli/bin.js");
  // Any import of yargs fails in a process started with this hook.
  const NO_YARGS = `data:text/javascript,${encodeURIComponent(
    `import { register } from "node:module";
     register("data:text/javascript," + encodeURIComponent(
       'export async function resolve(specifier, context, next) {' +
       '  if (specifier === "yargs" || specifier.startsWith("yargs/")) throw new Error("yargs was loaded");' +
       '  return next(specifier, context);' +
       '}'));`,
  )}`;

  it("runs a plain generate without loading yargs, and anything else through it", async () => {
    const project = await tempProject();
    projects.push(project);
    const generate = await runProcess(process.execPath, [BIN, "generate", "-q", "--root", project.root], {
      cwd: project.root,
    });
    expect(generate.code, generate.stderr).toBe(0);
    const check = await runProcess(process.execPath, ["--import", NO_YARGS, BIN, "--check", "--root", project.root], {
      cwd: project.root,
    });
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toContain("generated/ is up to date");
    // The hook works: the same process with an argument the fast path does not read fails on importing yargs.
    const other = await runProcess(process.execPath, ["--import", NO_YARGS, BIN, "--help"], { cwd: project.root });
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain("yargs was loaded");
  }, 120_000);

  it("exits 64 with yargs' message on a bad argument", async () => {
    const bad = await runProcess(process.execPath, [BIN, "generate", "--bogus"], { cwd: ROOT });
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain("Unknown argument: bogus");
    expect(bad.stderr).toContain("Run with --help for usage.");
  }, 60_000);
});

describe("add's pages", () => {
  /** The pages the yargs wiring hands the add command for `argv`. */
  async function addPages(argv: readonly string[]): Promise<{ pages?: readonly string[]; code: number }> {
    let seen: readonly string[] | undefined;
    const none = async () => 0;
    const handlers: Handlers = {
      generate: none,
      add: async (args) => {
        seen = args.pages;
        return 0;
      },
      pull: none,
      drift: none,
    };
    const code = await runWithYargs([...argv], silent, handlers);
    return { ...(seen ? { pages: seen } : {}), code };
  }

  // yargs drops a bare `-` by itself: each one must reach the command, in its place among the other pages.
  it.each([
    [["add", "-"], ["-"]],
    [
      ["add", "-", "other.txt"],
      ["-", "other.txt"],
    ],
    [
      ["add", "other.txt", "-"],
      ["other.txt", "-"],
    ],
    [
      ["add", "-", "-"],
      ["-", "-"],
    ],
    [["add", "--no-generate", "-", "--root", "/tmp/x"], ["-"]],
    [
      ["--root", "/tmp/x", "-q", "add", "a.html", "-"],
      ["a.html", "-"],
    ],
    [
      ["add", "https://example.test/a", "-", "b.txt"],
      ["https://example.test/a", "-", "b.txt"],
    ],
  ])("%j hands add the pages %j", async (argv, pages) => {
    expect(await addPages(argv)).toEqual({ pages, code: 0 });
  });

  it("leaves a `-` of any other command to yargs", () => {
    for (const argv of [
      ["drift", "-", "b"],
      ["pull", "-"],
      ["--root", "add", "-"],
      ["add", "--", "-"],
    ])
      expect(keepStdinPages(argv), argv.join(" ")).toEqual(argv);
  });
});

describe("usage errors", () => {
  // What docs/adding-models.md says: exit 1 for a failed run, 64 for bad arguments, whichever part finds them.
  it.each([
    [["add"], "Not enough non-option arguments"],
    [["add", "-", "-"], "error stdin (-) can be read only once"],
    [["pull", "kling/*"], "error globs filter a listing: add --all to match ids against the catalog"],
    [["pull", "--prune"], "error --search, --category, --kind and --prune need --all"],
    [["drift", "a.json"], "error give two paths (old and new"],
    [["drift", "--base", "HEAD~1", "a.json", "b.json"], "error --base chooses the git revision"],
  ])("%j exits 64: %s", async (argv, message) => {
    const project = await tempProject({ withSchemas: false });
    projects.push(project);
    const lines: string[] = [];
    const terminal: Terminal = { out: (line) => lines.push(line), err: (line) => lines.push(line), color: false };
    const code = await runWithYargs([...argv, "--root", project.root], terminal);
    expect(lines.join("\n")).toContain(message);
    expect(lines.at(-1)).toBe("Run with --help for usage.");
    expect(code).toBe(64);
  });
});
