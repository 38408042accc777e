/**
 * runcomfy-codegen command line: yargs wiring only (loaded by `main.ts` for
 * anything but a plain `generate`). Each command's options, run function and
 * output live in `cli/<command>.ts`; what a command does lives in `commands/`
 * (add, pull) or its stage (`package/generate.ts`, `drift/`).
 */
import { resolve } from "node:path";
import yargs from "yargs";
import { addOptions, runAdd } from "./add.ts";
import { driftOptions, runDrift } from "./drift.ts";
import { generateOptions, runGenerate } from "./generate.ts";
import { pullOptions, runPull } from "./pull.ts";
import { printError, skipHelpCache, type Terminal } from "./terminal.ts";

/** Bad arguments (exit 64, like RunComfy's own CLI). */
class UsageError extends Error {}

/**
 * yargs drops a bare `-` (it reads it as an empty group of short options), so `add -` would reach the command with
 * no pages: each `-` among `add`'s arguments goes through yargs as this placeholder, and back to `-` for the command.
 */
const STDIN_PAGE = "\u0000stdin";

/** `argv` with each `-` page of an `add` command (before any `--`) as `STDIN_PAGE`; any other command as it is. */
export function keepStdinPages(argv: readonly string[]): string[] {
  // The command is the first word that is neither an option nor the value of `--root` (the one option with a value).
  let command = 0;
  while (command < argv.length && (argv[command]!.startsWith("-") || argv[command - 1] === "--root")) {
    if (argv[command] === "--") return [...argv];
    command++;
  }
  if (argv[command] !== "add") return [...argv];
  const end = argv.indexOf("--") === -1 ? argv.length : argv.indexOf("--");
  return argv.map((token, index) =>
    token === "-" && index > command && index < end && argv[index - 1] !== "--root" ? STDIN_PAGE : token,
  );
}

/** What each command runs once its arguments are parsed (a test may put its own in). */
export interface Handlers {
  readonly generate: typeof runGenerate;
  readonly add: typeof runAdd;
  readonly pull: typeof runPull;
  readonly drift: typeof runDrift;
}

const HANDLERS: Handlers = { generate: runGenerate, add: runAdd, pull: runPull, drift: runDrift };

/** Runs the command `argv` names (without node and the script) through yargs; resolves to the exit code. */
export async function runWithYargs(argv: string[], terminal: Terminal, handlers: Handlers = HANDLERS): Promise<number> {
  let exitCode = 0;
  const run = (task: () => Promise<number>) => async () => {
    try {
      exitCode = await task();
    } catch (error) {
      exitCode = printError(terminal, error);
    }
  };
  try {
    await parse(keepStdinPages(argv), terminal, handlers, run);
  } catch (error) {
    // yargs may throw synchronously or reject; both land here.
    if (!(error instanceof UsageError)) throw error;
    terminal.err(error.message);
    terminal.err("Run with --help for usage.");
    exitCode = 64;
  }
  return exitCode;
}

async function parse(
  argv: string[],
  terminal: Terminal,
  handlers: Handlers,
  run: (task: () => Promise<number>) => () => Promise<void>,
): Promise<void> {
  const parser = yargs(argv)
    .scriptName("runcomfy-codegen")
    .usage("$0 <command> [options]")
    .option("root", {
      type: "string",
      default: process.cwd(),
      describe: "Project root holding schemas/, templates/ and generated/",
      // A bare `--root` (no value) is a usage error, not the current directory.
      requiresArg: true,
      // Absolute from here on: a relative root (`--root .`) would reach node:module's createRequire as is.
      coerce: (root: string) => resolve(root),
    })
    .option("quiet", { alias: "q", type: "boolean", default: false, describe: "Print only errors" })
    .option("verbose", { alias: "v", type: "boolean", default: false, describe: "Print timings per phase" })
    .command(
      ["generate", "$0"],
      "Generate the typed client package (generated/) from schemas/",
      (y) => generateOptions(y),
      async (args) => run(() => handlers.generate(args, terminal))(),
    )
    .command(
      "add <pages...>",
      "Add or update models from their doc pages (any locale), then regenerate",
      (y) => addOptions(y),
      async (args) =>
        run(() =>
          handlers.add({ ...args, pages: args.pages.map((page) => (page === STDIN_PAGE ? "-" : page)) }, terminal),
        )(),
    )
    .command(
      "pull [modelIds...]",
      "Create or refresh schemas from the Model API catalog (--all: the whole catalog), then regenerate",
      (y) => pullOptions(y),
      async (args) => run(() => handlers.pull(args, terminal))(),
    )
    .command(
      "drift [old] [new]",
      "Report what changed for users between two schema sets (default: committed schemas/ vs the working tree)",
      (y) => driftOptions(y),
      async (args) =>
        run(() => handlers.drift(args, terminal, { color: Boolean(process.stdout.isTTY) && terminal.color }))(),
    )
    .example("$0 generate", "Regenerate generated/ (writes only what changed)")
    .example("$0 generate --check", "Fail (exit 1) when generated/ differs from what generate would write")
    .example(
      "$0 drift --format md --fail-on ERR",
      "Review schema changes since HEAD as a pull-request comment; exit 1 on breaking ones",
    )
    .example("$0 drift old.json new.json", "Compare two schema files (or two schema folders)")
    .example("$0 add page.html", "Add (or update) the model of a saved doc page")
    .example("$0 pull", "Refresh every checked-in model from the catalog")
    .example("$0 pull --all", "Add every model of the catalog (and refresh the checked-in ones)")
    .strict()
    .recommendCommands()
    .help()
    .alias("help", "h")
    .version(false)
    .wrap(Math.min(110, process.stdout.columns || 110))
    .fail((message, error) => {
      // Throwing stops yargs: a handler must not run after a usage error. yargs' own validation errors (YError, such
      // as a missing option value) are usage errors too; any other error is the program's.
      throw error === undefined || error.name === "YError" ? new UsageError(message ?? error!.message) : error;
    });
  skipHelpCache(parser);
  await parser.parseAsync();
}
