/** Terminal output of the CLI: colour only on a TTY without NO_COLOR, and one way to print problems. */
import { formatWarning, GeneratorError, GeneratorErrors, type Warning } from "../lib/diagnostics.ts";

export interface Terminal {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly color: boolean;
}

export function processTerminal(): Terminal {
  // One switch for both streams: colour only when neither is piped, so no escape codes reach a file or a pipe.
  const color =
    Boolean(process.stdout.isTTY) &&
    Boolean(process.stderr.isTTY) &&
    !process.env["NO_COLOR"] &&
    process.env["TERM"] !== "dumb";
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    color,
  };
}

export function paint(terminal: Terminal, code: "red" | "yellow" | "green" | "dim" | "bold", text: string): string {
  if (!terminal.color) return text;
  const codes = { red: 31, yellow: 33, green: 32, dim: 2, bold: 1 } as const;
  return `\u001b[${codes[code]}m${text}\u001b[0m`;
}

export function printWarnings(terminal: Terminal, warnings: readonly Warning[]): void {
  const seen = new Set<string>();
  for (const warning of warnings) {
    const text = formatWarning(warning);
    if (seen.has(text)) continue;
    seen.add(text);
    terminal.err(`${paint(terminal, "yellow", "warning")} ${text}`);
  }
}

/**
 * Whether `error` is a usage error a command found in its arguments (a `GeneratorError` whose code ends in `-usage`:
 * `add - -`, `pull 'kling/*'` without `--all`, `drift` with one path); it exits 64, as yargs' own usage errors do.
 */
export function isUsageError(error: unknown): boolean {
  return error instanceof GeneratorError && error.code.endsWith("-usage");
}

/** Prints an error and returns the exit code the CLI should use: 64 for a usage error, 1 for another generator error. */
export function printError(terminal: Terminal, error: unknown): number {
  if (error instanceof GeneratorErrors || error instanceof GeneratorError) {
    terminal.err(`${paint(terminal, "red", "error")} ${error.message}`);
    if (!isUsageError(error)) return 1;
    terminal.err("Run with --help for usage.");
    return 64;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  terminal.err(`${paint(terminal, "red", "error")} unexpected failure: ${message}`);
  return 2;
}

/**
 * yargs renders the whole help text right after it starts a command's handler, to have it ready should the command
 * fail; this CLI never shows it then (its `fail` handler throws instead, `main.ts`), and rendering it costs about as much as the rest of
 * an incremental generate's argument handling. Skipped where yargs exposes it; `--help` renders its text as before.
 */
export function skipHelpCache(parser: object): void {
  type Usage = { cacheHelpMessage?: () => void };
  const internal = (parser as { getInternalMethods?: () => { getUsageInstance?: () => Usage | undefined } })
    .getInternalMethods;
  const usage = typeof internal === "function" ? internal.call(parser).getUsageInstance?.() : undefined;
  if (usage && typeof usage.cacheHelpMessage === "function") usage.cacheHelpMessage = () => {};
}
