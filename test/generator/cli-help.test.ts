/** The CLI's yargs set-up: a command run renders no help text it will not show (`skipHelpCache`); `--help` still does. */
import { describe, expect, it, vi } from "vitest";
import yargs from "yargs";
import { skipHelpCache } from "../../generator/cli/terminal.ts";

type Usage = { help: () => string };

function parser(argv: string[], ran: string[]) {
  const built = yargs(argv)
    .command(
      "go",
      "Run the go command",
      (y) => y,
      () => {
        ran.push("go");
      },
    )
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new Error(message);
    });
  const usage = (built as unknown as { getInternalMethods: () => { getUsageInstance: () => Usage } })
    .getInternalMethods()
    .getUsageInstance();
  return { built, help: vi.spyOn(usage, "help") };
}

describe("yargs help text", () => {
  it("is not rendered when a command runs, and is when --help asks for it", async () => {
    const ran: string[] = [];
    const { built, help } = parser(["go"], ran);
    skipHelpCache(built);
    await built.parseAsync();
    expect(ran).toEqual(["go"]);
    expect(help).not.toHaveBeenCalled();

    const logged: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((text: unknown) => void logged.push(String(text)));
    try {
      const asked = parser(["--help"], ran);
      skipHelpCache(asked.built);
      await asked.built.parseAsync();
      expect(asked.help).toHaveBeenCalled();
    } finally {
      log.mockRestore();
    }
    expect(logged.join("\n")).toContain("Run the go command");
  });
});
