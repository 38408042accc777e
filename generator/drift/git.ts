/**
 * Reading files from a git revision (the base of `drift`), through the git
 * command line: `rev-parse` to check the repository and the revision,
 * `ls-tree` to list a folder, `show <rev>:<path>` to read a file. Every
 * failure becomes a `GeneratorError` that says what to do.
 */
import { execFile } from "node:child_process";
import { GeneratorError } from "../lib/diagnostics.ts";

interface GitResult {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

function git(cwd: string, args: readonly string[]): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    execFile("git", args, { cwd, maxBuffer: 256 * 1024 * 1024, encoding: "utf8" }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === "ENOENT") {
        reject(
          new GeneratorError(
            "git-missing",
            "git is not installed or not on PATH; compare two folders instead: drift <old dir> <new dir>",
          ),
        );
        return;
      }
      resolve({ ok: !error, stdout, stderr });
    });
  });
}

/** The top folder of the git work tree that holds `dir`. */
export async function gitTopLevel(dir: string): Promise<string> {
  const result = await git(dir, ["rev-parse", "--show-toplevel"]);
  if (!result.ok) {
    throw new GeneratorError(
      "git-not-a-repository",
      `${dir} is not inside a git work tree, so there is no committed base to compare with; compare two folders instead: drift <old dir> <new dir>`,
    );
  }
  return result.stdout.trim();
}

/** The commit `rev` names (a branch, tag, `HEAD~1`, a hash). */
export async function resolveCommit(top: string, rev: string): Promise<string> {
  if (rev.startsWith("-"))
    throw new GeneratorError("git-unknown-revision", `${JSON.stringify(rev)} is not a git revision`);
  const result = await git(top, ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`]);
  if (!result.ok) {
    throw new GeneratorError(
      "git-unknown-revision",
      `unknown git revision ${JSON.stringify(rev)} in ${top} (is it fetched? a fresh repository has no HEAD until the first commit)`,
    );
  }
  return result.stdout.trim();
}

/** Files below `folder` (relative to the top, `/`-separated) at `commit`, sorted. */
export async function listFilesAt(top: string, commit: string, folder: string): Promise<string[]> {
  const result = await git(top, ["ls-tree", "-r", "-z", "--name-only", commit, "--", `${folder}/`]);
  if (!result.ok)
    throw new GeneratorError(
      "git-ls-tree",
      `git ls-tree failed for ${folder}/ at ${commit.slice(0, 12)}: ${result.stderr.trim()}`,
    );
  return result.stdout.split("\0").filter(Boolean).sort();
}

export async function readFileAt(top: string, commit: string, path: string): Promise<string> {
  const result = await git(top, ["show", `${commit}:${path}`]);
  if (!result.ok)
    throw new GeneratorError("git-show", `git show failed: ${result.stderr.trim()}`, {
      file: `${commit.slice(0, 12)}:${path}`,
    });
  return result.stdout;
}
