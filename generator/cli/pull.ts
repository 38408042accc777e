/** `pull [model ids...]`: refresh checked-in schemas from the Model API catalog, then regenerate. */
import type { Argv } from "yargs";
import { pullSchemas } from "../commands/pull.ts";
import { printDrift, printModelUpdate, printRegenerated } from "./print.ts";
import type { Terminal } from "./terminal.ts";

export interface PullArgs {
  readonly modelIds: readonly string[];
  readonly baseUrl: string | undefined;
  readonly token: string | undefined;
  readonly generate: boolean;
  readonly root: string;
  readonly quiet: boolean;
}

export function pullOptions<T>(yargs: Argv<T>): Argv<T & PullArgs> {
  return yargs
    .positional("modelIds", {
      type: "string",
      array: true,
      describe: "Model ids to refresh (default: every model in schemas/)",
    })
    .option("base-url", {
      type: "string",
      describe: "Model API origin (default: $RUNCOMFY_MODEL_API_BASE, then https://model-api.runcomfy.net)",
    })
    .option("token", { type: "string", describe: "API token (default: $RUNCOMFY_API_TOKEN, then $RUNCOMFY_TOKEN)" })
    .option("generate", {
      type: "boolean",
      default: true,
      describe: "Regenerate generated/ afterwards (--no-generate to skip)",
    })
    .example("$0 pull", "Refresh every checked-in model")
    .example("$0 pull community/wan-2-2/vace-fun", "Refresh one model")
    .example("$0 pull --base-url http://127.0.0.1:8787 --token test", "Read the catalog of a local emulator")
    .epilog(
      "Updates each file's input schema (root title dropped) and displayName; keeps output schema, example, description and aliases. A file whose model the catalog describes as stored stays byte-identical. Nothing is written if any call fails.",
    ) as unknown as Argv<T & PullArgs>;
}

export async function runPull(args: PullArgs, terminal: Terminal): Promise<number> {
  const started = performance.now();
  const report = await pullSchemas({
    root: args.root,
    modelIds: args.modelIds,
    generate: args.generate,
    ...(args.baseUrl === undefined ? {} : { baseUrl: args.baseUrl }),
    ...(args.token === undefined ? {} : { token: args.token }),
  });
  if (args.quiet) return 0;
  const changed = report.models.filter((model) => model.status !== "unchanged").length;
  terminal.out(
    `catalog ${report.baseUrl}: ${report.models.length} ${report.models.length === 1 ? "model" : "models"}, ${changed} changed`,
  );
  // The path names the model unless the id needed encoding (`4K` → `4k~<hash>`).
  for (const model of report.models)
    printModelUpdate(terminal, model, model.path === `schemas/${model.modelId}.json` ? [] : [model.modelId]);
  printDrift(terminal, report.drift);
  printRegenerated(
    terminal,
    report.generate,
    report.models.filter((model) => model.status !== "unchanged"),
    started,
  );
  return 0;
}
