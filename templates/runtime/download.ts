/**
 * Downloading job outputs to disk (Node only: `runcomfy-models/download`).
 *
 * Rules, after RunComfy's own CLI and nodes: https only; hosts `*.runcomfy.net`
 * and `*.runcomfy.com` plus the ones you allow; never with the API token;
 * redirects followed by hand and re-checked; a size cap per file; streamed to
 * a temporary file in the target folder and renamed into place, never
 * overwriting an existing file unless asked.
 */
import { randomBytes } from "node:crypto";
import { createWriteStream, type WriteStream } from "node:fs";
import { link, mkdir, rename, rm } from "node:fs/promises";
import { extname, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { checkNumber, checkSignal, showValue } from "./config.js";
import { downloadRefusal, fileNameFor, fitFileName, MAX_FILE_NAME_BYTES } from "./download-rules.js";
import { ConfigurationError, RunComfyError } from "./errors.js";
import { outputUrls } from "./outputs.js";

export { RUNCOMFY_OUTPUT_HOSTS } from "./download-rules.js";

const encoder = new TextEncoder();

/** What `onProgress` receives while a file downloads. */
export interface DownloadProgress {
  /** The output URL being downloaded. */
  readonly url: string;
  /** Final path of the file (it is first written to a temporary file next to it). */
  readonly path: string;
  /** Bytes received so far. */
  readonly receivedBytes: number;
  /** From `Content-Length`, when the server sent it. */
  readonly totalBytes: number | undefined;
}

/** Options of `downloadOutputs`. */
export interface DownloadOptions {
  /** Folder to write into (created if missing). */
  readonly dir: string;
  /** Extra allowed hosts: `cdn.example.com` or `*.example.com`. @default none (RunComfy's hosts only) */
  readonly allowHosts?: readonly string[] | undefined;
  /** Largest file accepted, in bytes: an integer from 0, or `Infinity` (no limit). @default 2147483648 (2 GiB) */
  readonly maxBytes?: number | undefined;
  /** Replace a file that already exists instead of picking a free name (`name-1.ext`). @default false */
  readonly overwrite?: boolean | undefined;
  /** Called as bytes arrive, per file. @default none */
  readonly onProgress?: ((progress: DownloadProgress) => void) | undefined;
  /** Aborts the downloads (a partial file is removed). @default none */
  readonly signal?: AbortSignal | undefined;
  /** `fetch` implementation for the downloads (the client's `fetch` option does not apply here). @default globalThis.fetch */
  readonly fetch?: typeof fetch | undefined;
  /** Redirects followed (each target re-checked): an integer from 0 to 20. @default 5 */
  readonly maxRedirects?: number | undefined;
}

/** One downloaded file. */
export interface DownloadedFile {
  /** The output URL it came from. */
  readonly url: string;
  /** Where it was written. */
  readonly path: string;
  /** Its size, in bytes. */
  readonly bytes: number;
  /** The server's `Content-Type`, when it sent one. */
  readonly contentType: string | undefined;
}

/** A download was refused (scheme, host, size) or failed; nothing is left behind. */
export class DownloadError extends RunComfyError {
  override name = "DownloadError";
  /** The URL that was refused or failed. */
  readonly url: string;
  constructor(message: string, url: string, cause?: unknown) {
    super(message, { cause });
    this.url = url;
  }
}

async function place(
  url: string,
  temp: string,
  dir: string,
  name: string,
  overwrite: boolean,
  taken: Set<string>,
): Promise<string> {
  const extension = extname(name);
  const stem = name.slice(0, name.length - extension.length);
  for (let attempt = 0; attempt < 1000; attempt++) {
    const candidate = join(
      dir,
      attempt === 0
        ? name
        : fitFileName(`${stem}-${attempt}`, MAX_FILE_NAME_BYTES - encoder.encode(extension).byteLength) + extension,
    );
    if (taken.has(candidate)) continue;
    if (overwrite) {
      await rename(temp, candidate);
      taken.add(candidate);
      return candidate;
    }
    try {
      // link() fails if the target exists: an atomic "create, never replace".
      await link(temp, candidate);
      await rm(temp, { force: true });
      taken.add(candidate);
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  throw new DownloadError(`no free file name for ${name} in ${dir} (tried 1000 names)`, url);
}

async function fetchChecked(
  url: string,
  options: CheckedDownloadOptions,
): Promise<{ response: Response; finalUrl: string }> {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  let current = url;
  for (let hop = 0; hop <= options.maxRedirects; hop++) {
    const refusal = downloadRefusal(current, options.allowHosts);
    if (refusal) throw new DownloadError(`refusing to download ${current}: it ${refusal}`, current);
    // No Authorization header, ever: outputs are public URLs and the token belongs to the API only.
    const response = await fetchImpl(current, {
      redirect: "manual",
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.get("location");
      await response.body?.cancel();
      if (!location) throw new DownloadError(`download of ${current} redirected without a Location`, current);
      current = new URL(location, current).toString();
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new DownloadError(`download of ${current} failed: HTTP ${response.status}`, current);
    }
    return { response, finalUrl: current };
  }
  throw new DownloadError(`download of ${url} redirected more than ${options.maxRedirects} times`, url);
}

/** Any failure of a download as a `DownloadError` (file system errors such as ENAMETOOLONG or EACCES included). */
function downloadFailure(url: string, error: unknown): DownloadError {
  if (error instanceof DownloadError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const text = error instanceof Error ? error.message : String(error);
  return new DownloadError(
    `download of ${url} failed: ${text}${typeof code === "string" && !text.includes(code) ? ` (${code})` : ""}`,
    url,
    error,
  );
}

/** Download options once checked: the limits are numbers (their defaults filled in). */
type CheckedDownloadOptions = DownloadOptions & { readonly maxBytes: number; readonly maxRedirects: number };

/**
 * A host name `allowHosts` can match (`hostAllowed` compares with the URL's `hostname`): ASCII labels (international
 * names in punycode, `xn--…`, as `URL` gives them), optionally under `*.`, or a bracketed IPv6 address.
 */
const ALLOWED_HOST = /^(?:(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])$/i;

/**
 * Checks every option of a download once, before anything is fetched or created: a bad one is a `ConfigurationError`
 * naming the option, the rule and the value given (`maxBytes` an integer from 0, or Infinity; `maxRedirects` an
 * integer from 0 to 20, fetch's own limit; `dir` a non-empty path; ...). `undefined` means the default.
 */
function checkDownloadOptions(options: unknown): CheckedDownloadOptions {
  if (typeof options !== "object" || options === null || Array.isArray(options))
    throw new ConfigurationError(`download options must be an object with at least \`dir\`, got ${showValue(options)}`);
  const given = options as Record<string, unknown>;
  if (typeof given["dir"] !== "string" || given["dir"] === "")
    throw new ConfigurationError(`dir must be a non-empty path of a folder, got ${showValue(given["dir"])}`);
  const hosts = given["allowHosts"];
  if (hosts !== undefined) {
    if (!Array.isArray(hosts))
      throw new ConfigurationError(`allowHosts must be an array of host names, got ${showValue(hosts)}`);
    for (const [index, host] of hosts.entries())
      if (typeof host !== "string" || !ALLOWED_HOST.test(host))
        throw new ConfigurationError(
          `allowHosts[${index}] must be a host name such as "cdn.example.com", "*.example.com" or "[::1]" (no scheme, port or path; international names in punycode, xn--…), got ${showValue(host)}`,
        );
  }
  for (const name of ["onProgress", "fetch"] as const)
    if (given[name] !== undefined && typeof given[name] !== "function")
      throw new ConfigurationError(`${name} must be a function, got ${showValue(given[name])}`);
  if (given["overwrite"] !== undefined && typeof given["overwrite"] !== "boolean")
    throw new ConfigurationError(`overwrite must be true or false, got ${showValue(given["overwrite"])}`);
  checkSignal("signal", given["signal"]);
  return {
    ...(options as DownloadOptions),
    maxBytes: checkNumber("maxBytes", given["maxBytes"], 2 * 1024 ** 3, {
      min: 0,
      max: Number.MAX_SAFE_INTEGER,
      integer: true,
      infinity: true,
    }),
    maxRedirects: checkNumber("maxRedirects", given["maxRedirects"], 5, { min: 0, max: 20, integer: true }),
  };
}

/** Downloads one URL into `options.dir`. A bad option is a `ConfigurationError` before anything is fetched. */
export async function downloadFile(
  url: string,
  given: DownloadOptions,
  taken: Set<string> = new Set(),
): Promise<DownloadedFile> {
  const options = checkDownloadOptions(given);
  const { maxBytes } = options;
  let response: Response | undefined;
  let temp: string | undefined;
  let out: WriteStream | undefined;
  try {
    response = (await fetchChecked(url, options)).response;
    const declared = Number(response.headers.get("content-length") ?? Number.NaN);
    if (Number.isFinite(declared) && declared > maxBytes)
      throw new DownloadError(`refusing to download ${url}: ${declared} bytes is over the ${maxBytes}-byte limit`, url);
    await mkdir(options.dir, { recursive: true });
    const name = fileNameFor(url, `output-${taken.size}`);
    // A short temporary name, so a long final name never makes it too long.
    temp = join(options.dir, `.runcomfy-${randomBytes(6).toString("hex")}.part`);
    const intended = join(options.dir, name);
    let received = 0;
    const file = createWriteStream(temp, { flags: "wx" });
    out = file;
    const body = response.body;
    const count = async function* (source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
      for await (const chunk of source) {
        received += chunk.byteLength;
        if (received > maxBytes) throw new DownloadError(`download of ${url} exceeded the ${maxBytes}-byte limit`, url);
        options.onProgress?.({
          url,
          path: intended,
          receivedBytes: received,
          totalBytes: Number.isFinite(declared) ? declared : undefined,
        });
        yield chunk;
      }
    };
    // pipeline destroys every stream (the file's descriptor included) on any failure.
    await pipeline(
      body ? Readable.fromWeb(body as import("node:stream/web").ReadableStream<Uint8Array>) : Readable.from([]),
      count,
      file,
      ...(options.signal ? [{ signal: options.signal }] : []),
    );
    const path = await place(url, temp, options.dir, name, options.overwrite ?? false, taken);
    return { url, path, bytes: received, contentType: response.headers.get("content-type") ?? undefined };
  } catch (error) {
    const failure = downloadFailure(url, error);
    if (out && !out.destroyed) out.destroy();
    if (out && !out.closed) await new Promise<void>((resolve) => out!.once("close", () => resolve()));
    await response?.body?.cancel().catch(() => undefined);
    if (temp !== undefined) {
      try {
        await rm(temp, { force: true });
      } catch (removal) {
        throw new DownloadError(
          `${failure.message}; and the temporary file ${temp} could not be removed: ${(removal as Error).message}`,
          url,
          removal,
        );
      }
    }
    throw failure;
  }
}

/**
 * Downloads every output URL of a job result, an output object, or a list of
 * URLs. Every URL is checked before the first byte is fetched; one refused URL
 * refuses the whole call, and a bad option is a `ConfigurationError` before anything is fetched.
 */
export async function downloadOutputs(source: unknown, given: DownloadOptions): Promise<DownloadedFile[]> {
  const options = checkDownloadOptions(given);
  const urls =
    Array.isArray(source) && source.every((item) => typeof item === "string")
      ? [...new Set(source as string[])]
      : outputUrls(
          source && typeof source === "object" && "output" in source ? (source as { output: unknown }).output : source,
        );
  for (const url of urls) {
    const refusal = downloadRefusal(url, options.allowHosts);
    if (refusal) throw new DownloadError(`refusing to download ${url}: it ${refusal}`, url);
  }
  const taken = new Set<string>();
  const files: DownloadedFile[] = [];
  for (const url of urls) files.push(await downloadFile(url, options, taken));
  return files;
}
