#!/usr/bin/env node
/**
 * runcomfy-codegen command line. A plain `generate` (the command run after
 * every schema change: only `--check`, `--no-cache`, `--root`, `--quiet` and
 * `--verbose`) is read by `fastGenerateArgs` without loading yargs, which
 * would cost about as much as the rest of a no-op run's start; anything else
 * (help, other commands, any other argument, a usage error) goes through the
 * yargs wiring (`wiring.ts`), which owns the messages and exit codes.
 */
import { fastGenerateArgs, runGenerate } from "./generate.ts";
import { printError, processTerminal } from "./terminal.ts";

const terminal = processTerminal();
const argv = process.argv.slice(2);

async function main(): Promise<number> {
  const fast = fastGenerateArgs(argv, process.cwd());
  if (fast) {
    try {
      return await runGenerate(fast, terminal);
    } catch (error) {
      return printError(terminal, error);
    }
  }
  const { runWithYargs } = await import("./wiring.ts");
  return runWithYargs(argv, terminal);
}

process.exitCode = await main();
