/**
 * A page argument of `add` → the page's raw content: a file path, `-` for
 * stdin, or an https URL.
 *
 * Only https is fetched: a schema file decides what the generated client
 * validates and sends, so its source must not be open to tampering on the
 * way. Tests inject `fetch` (e.g. one that trusts a local test certificate)
 * instead of weakening that rule.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { GeneratorError } from "../lib/diagnostics.ts";

export interface RawPage {
  /** The argument as given (`page.html`, `stdin`, the URL): how messages name the page. */
  readonly name: string;
  readonly content: string;
  /** Set for pages fetched over https. */
  readonly url?: string;
  /** From the `Content-Type` of a fetched page. */
  readonly format?: "html" | "text";
}

export interface PageSources {
  /** Directory relative paths are resolved against. @default process.cwd() */
  readonly cwd?: string;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Reads all of stdin. @default process.stdin */
  readonly readStdin?: () => Promise<string>;
  /** Per-page fetch timeout in milliseconds. @default 30000 */
  readonly timeoutMs?: number;
}

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin)
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

function formatOf(contentType: string | null): "html" | "text" | undefined {
  const type = contentType?.split(";")[0]?.trim().toLowerCase();
  if (type === "text/html" || type === "application/xhtml+xml") return "html";
  if (type === "text/plain") return "text";
  return undefined;
}

async function fetchPage(url: string, sources: PageSources): Promise<RawPage> {
  const fail = (message: string): never => {
    throw new GeneratorError("page-fetch", message, { file: url });
  };
  const fetchImpl = sources.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await fetchImpl(url, {
      headers: { accept: "text/html, text/plain;q=0.9" },
      signal: AbortSignal.timeout(sources.timeoutMs ?? 30_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { message?: string; code?: string } }).cause;
    return fail(`cannot fetch the page: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
  // fetch follows redirects; one that left https means the content came over plain http.
  if (response.url && !response.url.startsWith("https:"))
    return fail(`the page redirected to ${response.url}; only https pages are read`);
  if (!response.ok)
    return fail(
      `cannot fetch the page: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`,
    );
  const format = formatOf(response.headers.get("content-type"));
  return { name: url, content: await response.text(), url, ...(format === undefined ? {} : { format }) };
}

/** Loads one page argument; errors name the argument. */
export async function loadPage(argument: string, sources: PageSources = {}): Promise<RawPage> {
  if (argument === "-") return { name: "stdin", content: await (sources.readStdin ?? readProcessStdin)() };
  const scheme = SCHEME.exec(argument)?.[1]?.toLowerCase();
  if (scheme === "https") {
    try {
      new URL(argument);
    } catch {
      throw new GeneratorError("page-url", "not a valid URL", { file: argument });
    }
    return fetchPage(argument, sources);
  }
  if (scheme !== undefined) {
    throw new GeneratorError(
      "page-url",
      `only https URLs are fetched (got ${scheme}:); save the page and pass the file instead`,
      { file: argument },
    );
  }
  try {
    return { name: argument, content: await readFile(resolve(sources.cwd ?? process.cwd(), argument), "utf8") };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "is a directory, not a page"
          : (code ?? (error as Error).message);
    throw new GeneratorError("page-unreadable", `cannot read the page: ${reason}`, { file: argument });
  }
}
