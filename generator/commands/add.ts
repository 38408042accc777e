/**
 * `add <page...>`: doc pages → schemas/<model id>.json → generated/.
 *
 * Every page is loaded and scraped, and every resulting schema file checked
 * (with all other schema files, as `generate` will load them), before
 * anything is written: one bad page among many writes nothing. Several pages
 * of one model in one run must agree; their sources are merged.
 */
import { GeneratorError, generatorProblems } from "../lib/diagnostics.ts";
import { mapLimit } from "../lib/concurrency.ts";
import { generate, type GenerateReport } from "../package/generate.ts";
import type { DriftReport } from "../drift/types.ts";
import { commitSchemaFiles, nothingWritten, type SchemaUpdate } from "./commit.ts";
import { readStoredSchemas, storedSchemaOf } from "../schemas/store.ts";
import { loadPage, type PageSources } from "../scrape/load-page.ts";
import { readPage } from "../scrape/page-text.ts";
import { scrapePage, type ScrapedPage } from "../scrape/scrape-page.ts";
import type { SchemaFile } from "../schemas/schema-file.ts";
import { combinePages, pageContribution, withPages, type PageContribution } from "../schemas/to-schema-file.ts";

export interface AddOptions extends PageSources {
  /** Project root (holds schemas/ and generated/). */
  readonly root: string;
  /** File paths, `-` for stdin, or https URLs. */
  readonly pages: readonly string[];
  /** Regenerate generated/ afterwards. @default true */
  readonly generate?: boolean;
  /** Called once per page, in argument order. */
  readonly onPage?: (event: PageEvent) => void;
}

/** One page done: scraped (with a short account of what it holds), or failed (the errors are thrown at the end). */
export type PageEvent = { readonly index: number; readonly total: number; readonly page: string } & (
  | {
      readonly ok: true;
      readonly modelId: string;
      readonly inputFields: number;
      readonly hasOutputSchema: boolean;
      readonly hasExample: boolean;
    }
  | { readonly ok: false }
);

export interface ModelUpdate extends SchemaUpdate {
  /** Pages that went into this model's file. */
  readonly pages: readonly string[];
}

export interface AddReport {
  readonly models: readonly ModelUpdate[];
  /** What changed for users of the generated package (see `generator/drift/`). */
  readonly drift?: DriftReport;
  /** Set unless `generate: false`. */
  readonly generate?: GenerateReport;
}

/** How many pages are loaded at once (URLs benefit; files do not mind). */
const CONCURRENCY = 4;

/** Calls `onPage` in argument order, however the pages finish: output stays deterministic while pages load concurrently. */
function orderedProgress(total: number, onPage: AddOptions["onPage"]): (event: PageEvent) => void {
  const events: (PageEvent | undefined)[] = new Array(total);
  let reported = 0;
  return (event) => {
    events[event.index] = event;
    while (reported < total && events[reported] !== undefined) {
      const next = events[reported]!;
      reported++; // not inside `onPage?.(…)`: without a listener that call, arguments included, is skipped
      onPage?.(next);
    }
  };
}

/**
 * What one page contributes to its model's schema file: the pure part of
 * `add` (read the markup or text, scrape it, apply the locale-free rules).
 */
export function contributionOf(
  content: string,
  name: string,
  source: { readonly format?: "html" | "text"; readonly url?: string | undefined } = {},
): { readonly page: ScrapedPage; readonly contribution: PageContribution } {
  const page = scrapePage(readPage(content, source.format), name);
  return { page, contribution: pageContribution(page, source.url) };
}

/** The schema file `add` writes for pages of one model, given the file already checked in (if any). */
export function fileFromPages(
  existing: SchemaFile | undefined,
  contributions: readonly PageContribution[],
): SchemaFile {
  if (contributions.length === 0) throw new GeneratorError("add-usage", "no pages given");
  return withPages(
    existing,
    contributions.reduce((all, next) => combinePages(all, next)),
  );
}

/** Loads and scrapes every page; pages of one model are combined. Every problem of every page is collected. */
async function scrapePages(
  options: AddOptions,
): Promise<{ byModel: Map<string, PageContribution>; problems: GeneratorError[] }> {
  const total = options.pages.length;
  const progress = orderedProgress(total, options.onPage);
  const scraped = await mapLimit(options.pages, CONCURRENCY, async (argument, index) => {
    try {
      const raw = await loadPage(argument, options);
      const { page, contribution } = contributionOf(raw.content, raw.name, raw);
      progress({
        index,
        total,
        page: raw.name,
        ok: true,
        modelId: page.modelId,
        inputFields: Object.keys(page.inputSchema["properties"] as object).length,
        hasOutputSchema: page.outputSchema !== undefined,
        hasExample: page.example !== undefined,
      });
      return contribution;
    } catch (error) {
      progress({ index, total, page: argument === "-" ? "stdin" : argument, ok: false });
      throw error;
    }
  });
  const problems: GeneratorError[] = [];
  const byModel = new Map<string, PageContribution>();
  for (const result of scraped) {
    if (result.status === "rejected") {
      problems.push(...generatorProblems(result.reason));
      continue;
    }
    const page = result.value;
    const earlier = byModel.get(page.modelId);
    try {
      byModel.set(page.modelId, earlier === undefined ? page : combinePages(earlier, page));
    } catch (error) {
      problems.push(...generatorProblems(error));
    }
  }
  return { byModel, problems };
}

export async function addPages(options: AddOptions): Promise<AddReport> {
  if (options.pages.length === 0)
    throw new GeneratorError("add-usage", "no pages given: pass file paths, - for stdin, or https URLs");
  if (options.pages.filter((page) => page === "-").length > 1)
    throw new GeneratorError("add-usage", "stdin (-) can be read only once");

  const { byModel, problems } = await scrapePages(options);
  if (problems.length > 0) throw nothingWritten(problems);

  const files = [];
  const pagesOf = new Map<string, readonly string[]>();
  const stored = await readStoredSchemas(options.root);
  for (const contribution of byModel.values()) {
    try {
      const existing = storedSchemaOf(stored, contribution.modelId, byModel.keys());
      files.push(fileFromPages(existing.file, [contribution]));
      pagesOf.set(contribution.modelId, contribution.pages);
    } catch (error) {
      problems.push(...generatorProblems(error));
    }
  }
  if (problems.length > 0) throw nothingWritten(problems);

  const { updates, drift } = await commitSchemaFiles(options.root, files, { base: "schemas/", head: "pages" });
  const result = {
    models: updates.map((update) => ({ ...update, pages: pagesOf.get(update.modelId) ?? [] })),
    ...(drift === undefined ? {} : { drift }),
  };
  if (options.generate === false) return result;
  return { ...result, generate: await generate({ root: options.root }) };
}
