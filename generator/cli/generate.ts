/** `generate [--check]`: schemas/ → generated/. */
import { resolve } from "node:path";
import type { Argv } from "yargs";
import { generate } from "../package/generate.ts";
import { printGenerated } from "./print.ts";
import { paint, printWarnings, type Terminal } from "./terminal.ts";

export interface GenerateArgs {
  readonly check: boolean;
  readonly cache: boolean;
  readonly root: string;
  readonly quiet: boolean;
  readonly verbose?: boolean;
}

export function generateOptions<T>(yargs: Argv<T>): Argv<T & GenerateArgs> {
  return yargs
    .option("check", {
      type: "boolean",
      default: false,
      describe: "Do not write; exit 1 and list stale, missing and extra files if generated/ is out of date",
    })
    .option("cache", {
      type: "boolean",
      default: true,
      describe:
        "Reuse outputs the committed manifest (generated/.codegen-manifest.json) proves current; --no-cache re-emits everything",
    }) as Argv<T & GenerateArgs>;
}

/** Each flag the fast path reads, and the argument it sets (`--root` takes a value). */
const FAST_FLAGS: Readonly<Record<string, readonly [keyof GenerateArgs, boolean]>> = {
  "--check": ["check", true],
  "--cache": ["cache", true],
  "--no-cache": ["cache", false],
  "--quiet": ["quiet", true],
  "-q": ["quiet", true],
  "--verbose": ["verbose", true],
  "-v": ["verbose", true],
};

/**
 * The arguments of a plain `generate` (`[generate] [--check] [--[no-]cache] [--root <dir>] [-q] [-v]`, each at most
 * once), as the yargs wiring would parse them; undefined for anything else (help, another command, any other or
 * repeated argument, a `--root` without a value), which the caller hands to yargs: its messages and exit codes stay
 * the only ones.
 */
export function fastGenerateArgs(argv: readonly string[], cwd: string): GenerateArgs | undefined {
  const args: { -readonly [K in keyof GenerateArgs]: GenerateArgs[K] } = {
    check: false,
    cache: true,
    root: cwd,
    quiet: false,
    verbose: false,
  };
  const seen = new Set<string>();
  for (let index = argv[0] === "generate" ? 1 : 0; index < argv.length; index++) {
    const token = argv[index]!;
    let name: keyof GenerateArgs;
    if (token === "--root" || token.startsWith("--root=")) {
      const value = token === "--root" ? argv[++index] : token.slice("--root=".length);
      if (value === undefined || value === "" || value.startsWith("-")) return undefined;
      name = "root";
      args.root = resolve(cwd, value);
    } else {
      const flag = Object.hasOwn(FAST_FLAGS, token) ? FAST_FLAGS[token] : undefined;
      if (!flag) return undefined;
      name = flag[0];
      (args as Record<string, unknown>)[name] = flag[1];
    }
    if (seen.has(name)) return undefined;
    seen.add(name);
  }
  return args;
}

export async function runGenerate(args: GenerateArgs, terminal: Terminal): Promise<number> {
  const started = performance.now();
  const report = await generate({ root: args.root, check: args.check, cache: args.cache });
  if (!args.quiet) printWarnings(terminal, report.warnings);
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  if (args.verbose) {
    for (const { phase, ms, count } of report.timings)
      terminal.err(
        paint(terminal, "dim", `  ${String(ms).padStart(6)} ms  ${phase}${count > 1 ? ` (${count}×)` : ""}`),
      );
  }
  if (report.check) {
    const { stale, missing, extra, diffs } = report.check;
    if (stale.length + missing.length + extra.length === 0) {
      terminal.out(
        `${paint(terminal, "green", "ok")} generated/ is up to date (${report.modelCount} models, ${seconds}s)`,
      );
      return 0;
    }
    terminal.err(
      `${paint(terminal, "red", "generated/ is out of date")}: run \`npm run generate\` and commit the result.`,
    );
    for (const path of stale) terminal.err(`  stale:   generated/${path}`);
    for (const path of missing) terminal.err(`  missing: generated/${path}`);
    for (const path of extra) terminal.err(`  extra:   generated/${path}`);
    for (const [path, diff] of diffs) {
      terminal.err(
        paint(terminal, "bold", `--- generated/${path} (on disk)\n+++ generated/${path} (generate would write)`),
      );
      terminal.err(diff);
    }
    return 1;
  }
  printGenerated(terminal, report, seconds, args.quiet);
  return 0;
}
