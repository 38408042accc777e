/** Runs the generator CLI (`generator/cli/main.ts` through tsx) as a child process, with stdin, stdout and stderr piped. */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./project.ts";

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment without NO_COLOR/FORCE_COLOR, so a test sees what piping alone does. */
function withoutColorSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NO_COLOR: _noColor, FORCE_COLOR: _forceColor, ...rest } = env;
  return rest;
}

export function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: Readonly<Record<string, string>>; input?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      join(ROOT, "node_modules/.bin/tsx"),
      [join(ROOT, "generator/cli/main.ts"), ...args],
      { cwd: options.cwd ?? ROOT, env: { ...withoutColorSettings(process.env), ...options.env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    // The child's stdin: `input`, or nothing (an `add -` never waits for a terminal).
    child.stdin?.end(options.input ?? "");
  });
}
