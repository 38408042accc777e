/** `pull [--all] [model ids or globs...]`: schema files from the Model API catalog, then regenerate. */
import type { Argv } from "yargs";
import { printDrift, printModelUpdate, printRegenerated } from "./print.ts";
import { paint, type Terminal } from "./terminal.ts";

export interface PullArgs {
  readonly modelIds: readonly string[];
  readonly all: boolean;
  readonly search: string | undefined;
  readonly category: string | undefined;
  readonly kind: string | undefined;
  readonly prune: boolean;
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
      describe:
        "Model ids to pull (default: every model in schemas/); with --all, ids or globs that filter the listing (kling/*, **/image-to-video)",
    })
    .option("all", {
      type: "boolean",
      default: false,
      describe: "List the whole catalog: create files for models not checked in, refresh the others",
    })
    .option("search", {
      type: "string",
      describe: "With --all: only models whose id or name contains this (server-side)",
    })
    .option("category", {
      type: "string",
      describe: "With --all: only this category, e.g. image-to-video (server-side)",
    })
    .option("kind", { type: "string", describe: "With --all: only this kind, e.g. model (server-side)" })
    .option("prune", {
      type: "boolean",
      default: false,
      describe: "With --all: delete the schema files of models the catalog no longer lists (default: keep, report)",
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
    .example("$0 pull community/wan-2-2/vace-fun", "Refresh (or create) one model")
    .example("$0 pull --all", "Every model of the catalog")
    .example("$0 pull --all 'kling/*' '**/image-to-video'", "Only the models matching these globs")
    .example("$0 pull --all --category text-to-image", "One category (server-side filter)")
    .example("$0 pull --all --prune", "Also delete models the catalog no longer lists")
    .example("$0 pull --base-url http://127.0.0.1:8787 --token test", "Read the catalog of a local emulator")
    .epilog(
      "Updates each file's input schema (root title dropped), displayName, categories, kind and price; keeps output schema, example, description and aliases. A created file gets RunComfy's documented output contract as output schema (sources: output-default) until a page adds the published one. A file whose model the catalog describes as stored stays byte-identical. Nothing is written if any call fails or any entry or file is invalid.",
    ) as unknown as Argv<T & PullArgs>;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

export async function runPull(args: PullArgs, terminal: Terminal): Promise<number> {
  const started = performance.now();
  // Progress only for a person watching: never into a pipe or a log file.
  const progress = process.stderr.isTTY && !args.quiet;
  const report = await (
    await import("../commands/pull.ts")
  ).pullSchemas({
    root: args.root,
    modelIds: args.modelIds,
    all: args.all,
    prune: args.prune,
    generate: args.generate,
    ...(args.search === undefined ? {} : { search: args.search }),
    ...(args.category === undefined ? {} : { category: args.category }),
    ...(args.kind === undefined ? {} : { kind: args.kind }),
    ...(args.baseUrl === undefined ? {} : { baseUrl: args.baseUrl }),
    ...(args.token === undefined ? {} : { token: args.token }),
    ...(progress ? { onProgress: (done: number, total: number) => process.stderr.write(`\r[${done}/${total}]`) } : {}),
  });
  if (progress) process.stderr.write("\r\u001b[K");
  if (args.quiet) return 0;
  const by = (status: string) => report.models.filter((model) => model.status === status).length;
  const summary = [
    `${by("created")} created`,
    `${by("updated")} updated`,
    `${by("unchanged")} unchanged`,
    ...(by("removed") > 0 ? [`${by("removed")} removed`] : []),
    ...(report.kept.length > 0 ? [`${report.kept.length} no longer listed (kept)`] : []),
  ];
  const listed = report.models.filter((model) => model.status !== "removed").length;
  terminal.out(`catalog ${report.baseUrl}: ${count(listed, "model")} (${summary.join(", ")})`);
  // Unchanged files are many in a catalog-wide run: list what changed, and the unchanged only for a short run.
  const quietUnchanged = args.all && listed > 20;
  for (const model of report.models) {
    if (quietUnchanged && model.status === "unchanged") continue;
    // The path names the model unless the id needed encoding (`Hailuo Video` → `Hailuo~20Video`).
    printModelUpdate(terminal, model, model.path === `schemas/${model.modelId}.json` ? [] : [model.modelId]);
  }
  if (report.removalScope === "none")
    terminal.out(
      paint(
        terminal,
        "dim",
        "note: a server-side filter (--search, --category, --kind) lists part of the catalog, so models it does not list are not reported as removed",
      ),
    );
  for (const pattern of report.unmatched)
    terminal.out(paint(terminal, "yellow", `note: ${JSON.stringify(pattern)} matched no model of the listing`));
  printDrift(terminal, report.drift);
  printRegenerated(
    terminal,
    report.generate,
    report.models.filter((model) => model.status !== "unchanged"),
    started,
  );
  return 0;
}
