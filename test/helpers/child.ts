/**
 * Runs an ES module script in a child Node process and reports what it printed and when it exited: the tests that
 * check a process exits by itself once a wait has settled (nothing of the client keeps it alive).
 */
import { spawn } from "node:child_process";

export interface ChildRun {
  /** Everything the script wrote to stdout (the tests print one JSON report). */
  readonly stdout: string;
  /** Everything it wrote to stderr (warnings such as `MaxListenersExceededWarning`). */
  readonly stderr: string;
  /** `Date.now()` when the process exited. */
  readonly exitedAt: number;
}

/** Runs `script` with `node --input-type=module -e`; throws with its stderr when it printed nothing. */
export async function runChildScript(script: string): Promise<ChildRun> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exitedAt = await new Promise<number>((resolve) => child.on("exit", () => resolve(Date.now())));
  if (!stdout) throw new Error(`child printed nothing: ${stderr}`);
  return { stdout, stderr, exitedAt };
}
