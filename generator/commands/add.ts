/** `add <page...>`: doc pages → schemas/<model id>.json, then regenerate. */
import type { Argv } from "yargs";
import { addPages, type ModelUpdate } from "../add.ts";
import type { GenerateReport } from "../generate.ts";
import { formatText } from "../drift/format/text.ts";
import type { DriftReport } from "../drift/types.ts";
import { paint, printWarnings, type Terminal } from "../terminal.ts";
import { printGenerated } from "./generate.ts";

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
    .option("generate", { type: "boolean", default: true, describe: "Regenerate generated/ afterwards (--no-generate to skip)" })
    .example("$0 add page.html", "Add the model of a saved page (HTML or text, any locale)")
    .example("$0 add de.txt zh-CN.html other.txt", "Several pages at once; pages of one model must agree")
    .example("$0 add <https URL>", "Fetch a page (https only), e.g. https://www.runcomfy.com/models/<model>/api")
    .example("cat page.txt | $0 add -", "Read the page from stdin")
    .epilog(
      "Nothing is written unless every page scrapes and every resulting schema file loads. Existing displayName, description and aliases are kept; what a page lacks (output schema, example) is kept from the existing file.",
    ) as unknown as Argv<T & AddArgs>;
}

const STATUS_WORDS: Record<ModelUpdate["status"], "created  " | "updated  " | "unchanged"> = { created: "created  ", updated: "updated  ", unchanged: "unchanged" };

/** `created   schemas/x.json (2 pages)`, `updated   schemas/x.json (inputSchema, sources)`. */
export function printModelUpdate(terminal: Terminal, update: Pick<ModelUpdate, "status" | "path" | "parts">, notes: readonly string[] = []): void {
  const color = update.status === "unchanged" ? "dim" : "green";
  const all = [...(update.status === "updated" ? [update.parts.join(", ")] : []), ...notes];
  terminal.out(`${paint(terminal, color, STATUS_WORDS[update.status])} ${update.path}${all.length > 0 ? ` (${all.join("; ")})` : ""}`);
}

/** The drift report of what was written, when it changed anything users see. */
export function printDrift(terminal: Terminal, drift: DriftReport | undefined): void {
  if (drift === undefined || drift.changes.length === 0) return;
  terminal.out(formatText(drift, { color: terminal.color }).replace(/\n$/, ""));
}

export async function runAdd(args: AddArgs, terminal: Terminal): Promise<number> {
  const started = performance.now();
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
      const parts = [`${event.inputFields} input fields`, event.hasOutputSchema ? "output schema" : "no output schema", event.hasExample ? "example" : "no example"];
      terminal.out(`${counter} ${event.page} → ${event.modelId} (${parts.join(", ")})`);
    },
  });
  if (args.quiet) return 0;
  for (const model of report.models) printModelUpdate(terminal, model, model.pages.length > 1 ? [`${model.pages.length} pages`] : []);
  printDrift(terminal, report.drift);
  printRegenerated(terminal, report.generate, report.models, started);
  return 0;
}

/** Warnings of the models just written (not of every model), then the generate summary. */
export function printRegenerated(terminal: Terminal, report: GenerateReport | undefined, models: readonly Pick<ModelUpdate, "path">[], started: number): void {
  if (!report) return;
  const paths = new Set(models.map((model) => model.path));
  printWarnings(terminal, report.warnings.filter((warning) => warning.file !== undefined && paths.has(warning.file)));
  printGenerated(terminal, report, ((performance.now() - started) / 1000).toFixed(2));
}
