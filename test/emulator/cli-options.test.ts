/** The emulator command checks its numeric flags before it listens: each bad one named with its rule, exit 64. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { emulatorOptionProblems, type EmulatorCliNumbers } from "../../emulator/cli-options.ts";
import { ROOT } from "../helpers/project.ts";

const GOOD: EmulatorCliNumbers = { port: 8787, capacity: 2, duration: 1500, "fail-rate": 0, seed: 1 };

describe("emulator flags", () => {
  const bad: [Partial<EmulatorCliNumbers>, string][] = [
    [{ port: -5 }, "--port must be an integer from 0 to 65535 (0 picks a free port), got -5"],
    [{ port: 99999 }, "--port must be an integer from 0 to 65535 (0 picks a free port), got 99999"],
    [
      { port: NaN },
      "--port must be an integer from 0 to 65535 (0 picks a free port), got a value that is not a number",
    ],
    [{ port: 80.5 }, "--port must be an integer from 0 to 65535 (0 picks a free port), got 80.5"],
    [{ capacity: 0 }, "--capacity must be an integer of at least 1, got 0"],
    [{ capacity: Infinity }, "--capacity must be an integer of at least 1, got Infinity"],
    [{ duration: -1 }, "--duration must be a number of milliseconds, 0 or more, got -1"],
    [{ duration: Infinity }, "--duration must be a number of milliseconds, 0 or more, got Infinity"],
    [{ "fail-rate": 2 }, "--fail-rate must be a number from 0 to 1, got 2"],
    [{ "fail-rate": -0.1 }, "--fail-rate must be a number from 0 to 1, got -0.1"],
    [{ seed: 1.5 }, "--seed must be an integer, got 1.5"],
  ];
  it.each(bad)("%o is refused", (change, message) => {
    expect(emulatorOptionProblems({ ...GOOD, ...change })).toEqual([message]);
  });

  it.each([{}, { port: 0 }, { duration: 0 }, { "fail-rate": 1 }, { capacity: 64 }])("%o is accepted", (change) => {
    expect(emulatorOptionProblems({ ...GOOD, ...change })).toEqual([]);
  });

  it.each([["--port", "abc"], ["--schemas", "/nonexistent-schemas"], ["--bogus"]])(
    "the command exits 64 with one line for %s, without a stack",
    (...argv) => {
      const run = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "emulator/cli.ts"), ...argv], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 30_000,
      });
      expect(run.status).toBe(64);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(run.stderr.split("\n")[0]).toMatch(
        /^(--port must be|--schemas \/nonexistent-schemas: no such folder|Unknown argument: bogus)/,
      );
    },
  );
});
