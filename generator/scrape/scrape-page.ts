/**
 * Page text → what the page publishes about one model: its id, input schema,
 * output schema and example body, found by structure alone.
 *
 * - model id: the `/v1/models/<id>` URL of the page's curl calls; all of them
 *   must name the same model;
 * - example: the first JSON object passed as a curl body (`--data '{…}'`);
 * - input schema: the first other JSON object that is an object schema
 *   (`properties` is an object, `type` absent or `"object"`);
 * - output schema: the object wrapped as `{"output": {...}}`, or else the
 *   second distinct object schema.
 *
 * Headings and prose are never read: they are localised ("Eingabeschema",
 * "输入结构"), so relying on them would make the result depend on the locale.
 * Values are returned exactly as published; `to-schema-file.ts` decides what
 * is stored.
 */
import { GeneratorError, GeneratorErrors } from "../lib/diagnostics.ts";
import { canonicalJson, isJsonObject, own } from "../lib/json.ts";
import { checkModelId } from "../lib/model-id.ts";
import type { JsonObject } from "../lib/json.ts";
import { findModelUrls, isCurlBody } from "./curl.ts";
import { JsonScanError, scanJsonObjects, type JsonBlock } from "../lib/json-scan.ts";
import type { PageText, Position } from "./page-text.ts";

export interface ScrapedPage {
  /** How the page was named on the command line (path, `stdin` or URL): used in every message. */
  readonly name: string;
  readonly modelId: string;
  readonly inputSchema: JsonObject;
  readonly outputSchema?: JsonObject;
  readonly example?: JsonObject;
  /** `<link rel="canonical">` / `og:url` of an HTML page, as written there. */
  readonly canonicalUrl?: string;
}

function where(position: Position): string {
  return `line ${position.line}, column ${position.column}`;
}

function isObjectSchema(value: JsonObject): boolean {
  const type = own(value, "type");
  return isJsonObject(own(value, "properties")) && (type === undefined || type === "object");
}

function isWrappedOutput(value: JsonObject): boolean {
  return isJsonObject(own(value, "output")) && own(value, "properties") === undefined;
}

/** The one model id of the page, or a message saying why there is none. */
function pageModelId(page: PageText): { modelId: string } | { problem: string } {
  const urls = findModelUrls(page.text);
  if (urls.length === 0)
    return {
      problem: "no model id found: expected a curl call to https://model-api.runcomfy.net/v1/models/<model id>",
    };
  const first = new Map<string, number>();
  for (const url of urls) if (!first.has(url.modelId)) first.set(url.modelId, url.offset);
  const ids = [...first].map(([id, offset]) => `${id} (line ${page.locate(offset).line})`);
  if (ids.length === 2) return { problem: `two different model ids: ${ids[0]} and ${ids[1]}` };
  if (ids.length > 2) return { problem: `${ids.length} different model ids: ${ids.join(", ")}` };
  const [modelId, offset] = [...first][0]!;
  try {
    checkModelId(modelId);
    // `pull` takes such an id as given; a page's URL holds it percent-encoded (raw, it is as likely prose glued on).
    if (urls.some((url) => url.modelId === modelId && /[^\x20-\x7e\u00a0]/.test(url.written)))
      throw new Error(
        `invalid model id ${JSON.stringify(modelId)}: it contains characters outside ASCII, which a URL holds only percent-encoded (\`ü\` as \`%C3%BC\`)`,
      );
  } catch (error) {
    return { problem: `${(error as Error).message} (line ${page.locate(offset).line})` };
  }
  return { modelId };
}

/** Distinct object schemas in page order (a page may show the same schema twice). */
function distinctSchemas(blocks: readonly JsonBlock[]): JsonObject[] {
  const seen = new Set<string>();
  const result: JsonObject[] = [];
  for (const { value } of blocks) {
    const key = canonicalJson(value);
    if (!seen.has(key)) result.push(value);
    seen.add(key);
  }
  return result;
}

/**
 * @param name how the page is named in messages
 * @throws GeneratorErrors listing every problem of the page (each located at the page)
 */
export function scrapePage(page: PageText, name: string): ScrapedPage {
  const problems: string[] = [];
  const id = pageModelId(page);
  if ("problem" in id) problems.push(id.problem);

  let blocks: JsonBlock[] = [];
  try {
    blocks = scanJsonObjects(page.text);
  } catch (error) {
    if (!(error instanceof JsonScanError)) throw error;
    problems.push(
      `broken JSON at ${where(page.locate(error.offset))}: ${error.message} (the object starts at ${where(page.locate(error.start))})`,
    );
  }

  const bodies = blocks.filter((block) => isCurlBody(page.text, block.start));
  const others = blocks.filter((block) => !bodies.includes(block));
  const wrapped = others.find((block) => isWrappedOutput(block.value));
  const schemas = distinctSchemas(others.filter((block) => isObjectSchema(block.value)));
  const inputSchema = schemas[0];
  const outputSchema = wrapped?.value ?? schemas[1];
  // Broken JSON hides what follows it, so "no input schema" would only repeat that problem.
  if (!inputSchema && !problems.some((problem) => problem.startsWith("broken JSON"))) {
    problems.push('no input schema found: expected a JSON object schema with "properties" (the page\'s input schema)');
  }

  if (problems.length > 0 || "problem" in id || !inputSchema) {
    throw new GeneratorErrors(problems.map((problem) => new GeneratorError("page", problem, { file: name })));
  }
  const example = bodies[0]?.value;
  return {
    name,
    modelId: id.modelId,
    inputSchema,
    ...(outputSchema === undefined ? {} : { outputSchema }),
    ...(example === undefined ? {} : { example }),
    ...(page.canonicalUrl === undefined ? {} : { canonicalUrl: page.canonicalUrl }),
  };
}
