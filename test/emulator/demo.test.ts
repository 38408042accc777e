/** `npm run demo` keeps working: all four seed models succeed through the generated client. */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { ROOT } from "../helpers/project.ts";

it("runs the four seed models against the embedded emulator with live progress", async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", join(ROOT, "emulator/demo.ts")], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1" },
  });
  expect(stdout).toContain("Rejected locally, nothing sent");
  expect(stdout).toMatch(/in_queue \(\d+ ahead\)/);
  for (const label of ["fantasy-portrait", "fusionx", "vace-fun", "infinite-talk"])
    expect(stdout).toMatch(new RegExp(`✓ ${label}\\s+\\{"video":"http://127\\.0\\.0\\.1:\\d+/files/`));
  expect(stdout).toContain("4 submits, 0 duplicates");
});
