/** `add <page...>`: doc pages → schemas/<model id>.json, then regenerate. */
import type { Argv } from "yargs";
import { printDrift, printModelUpdate, printRegenerated } from "./print.ts";
import { paint, type Terminal } from "./terminal.ts";

export interface AddArgs {
  readonly pages: readonly string[];
  readonly generate: boolean;
  readonly root: string;
  readonly quiet: boolean;
}

export function addOptions<T>(yargs: Argv<T>): Argv<T & AddArgs> {
  return yargs
    .positional("pages", {
      type: "string",
      array: true,
      demandOption: true,
      describe: "Doc pages of models: file paths (HTML or text), - for stdin, or https URLs",
    })
    .option("generate", {
      type: "boolean",
      default: true,
      describe: "Regenerate generated/ afterwards (--no-generate to skip)",
    })
    .example("$0 add page.html", "Add the model of a saved page (HTML or text, any locale)")
    .example("$0 add de.txt zh-CN.html other.txt", "Several pages at once; pages of one model must agree")
    .example("$0 add <https URL>", "Fetch a page (https only), e.g. https://www.runcomfy.com/models/<model>/api")
    .example("cat page.txt | $0 add -", "Read the page from stdin")
    .epilog(
      "Nothing is written unless every page scrapes and every resulting schema file loads. Existing displayName, description and aliases are kept; what a page lacks (output schema, example) is kept from the existing file.",
    ) as unknown as Argv<T & AddArgs>;
}

export async function runAdd(args: AddArgs, terminal: Terminal): Promise<number> {
  const started = performance.now();
  // Loaded when used: the page readers (parse5) stay out of every other command's start-up.
  const { addPages } = await import("../commands/add.ts");
  const report = await addPages({
    root: args.root,
    pages: args.pages,
    generate: args.generate,
    onPage: (event) => {
      if (args.quiet) return;
      const counter = paint(terminal, "dim", `[${event.index + 1}/${event.total}]`);
      if (!event.ok) {
        terminal.out(`${counter} ${event.page} ${paint(terminal, "red", "failed")} (see below)`);
        return;
      }
      const parts = [
        `${event.inputFields} input fields`,
        event.hasOutputSchema ? "output schema" : "no output schema",
        event.hasExample ? "example" : "no example",
      ];
      terminal.out(`${counter} ${event.page} → ${event.modelId} (${parts.join(", ")})`);
    },
  });
  if (args.quiet) return 0;
  for (const model of report.models)
    printModelUpdate(terminal, model, model.pages.length > 1 ? [`${model.pages.length} pages`] : []);
  printDrift(terminal, report.drift);
  printRegenerated(terminal, report.generate, report.models, started);
  return 0;
}
