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
import { createWriteStream } from "node:fs";
import { link, mkdir, rename, rm } from "node:fs/promises";
import { extname, join } from "node:path";
import { RunComfyError } from "./errors.js";
import { outputUrls } from "./outputs.js";

/** Hosts RunComfy serves outputs from. */
export const RUNCOMFY_OUTPUT_HOSTS: readonly string[] = [
  "*.runcomfy.net",
  "*.runcomfy.com",
  "runcomfy.net",
  "runcomfy.com",
];

export interface DownloadProgress {
  readonly url: string;
  /** Final path of the file (it is first written to a temporary file next to it). */
  readonly path: string;
  readonly receivedBytes: number;
  /** From `Content-Length`, when the server sent it. */
  readonly totalBytes: number | undefined;
}

export interface DownloadOptions {
  /** Folder to write into (created if missing). */
  readonly dir: string;
  /** Extra allowed hosts: `cdn.example.com` or `*.example.com`. */
  readonly allowHosts?: readonly string[] | undefined;
  /** Largest file accepted, in bytes. @default 2147483648 (2 GiB) */
  readonly maxBytes?: number | undefined;
  /** Replace a file that already exists instead of picking a free name (`name-1.ext`). @default false */
  readonly overwrite?: boolean | undefined;
  readonly onProgress?: ((progress: DownloadProgress) => void) | undefined;
  readonly signal?: AbortSignal | undefined;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch | undefined;
  /** Redirects followed (each target re-checked). @default 5 */
  readonly maxRedirects?: number | undefined;
}

export interface DownloadedFile {
  readonly url: string;
  readonly path: string;
  readonly bytes: number;
  readonly contentType: string | undefined;
}

/** A download was refused (scheme, host, size) or failed; nothing is left behind. */
export class DownloadError extends RunComfyError {
  override name = "DownloadError";
  readonly url: string;
  constructor(message: string, url: string, cause?: unknown) {
    super(message, { cause });
    this.url = url;
  }
}

function hostAllowed(host: string, patterns: readonly string[]): boolean {
  const name = host.toLowerCase().replace(/\.$/, "");
  return patterns.some((pattern) => {
    const rule = pattern.toLowerCase();
    return rule.startsWith("*.") ? name.endsWith(rule.slice(1)) && name.length > rule.length - 1 : name === rule;
  });
}

/** Why `url` may not be downloaded, or undefined when it may. */
export function downloadRefusal(url: string, allowHosts: readonly string[] = []): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "is not a URL";
  }
  if (parsed.protocol !== "https:")
    return `uses ${parsed.protocol.replace(/:$/, "")}; only https downloads are allowed`;
  if (parsed.username || parsed.password) return "carries credentials in the URL";
  if (!hostAllowed(parsed.hostname, [...RUNCOMFY_OUTPUT_HOSTS, ...allowHosts])) {
    return `is on ${parsed.hostname}, which is not a RunComfy host; pass allowHosts: ["${parsed.hostname}"] to allow it`;
  }
  return undefined;
}

/** A safe file name from the URL's last path segment. */
export function fileNameFor(url: string, fallback: string): string {
  let segment = "";
  try {
    segment = decodeURIComponent(new URL(url).pathname.split("/").pop() ?? "");
  } catch {
    segment = "";
  }
  const cleaned = segment
    .replace(/[\u0000-\u001f\u007f<>:"/\\|?*]/g, "_")
    .replace(/^\.+/, "")
    .trim()
    .slice(0, 180);
  return cleaned === "" || cleaned === "." || cleaned === ".." ? fallback : cleaned;
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
    const candidate = join(dir, attempt === 0 ? name : `${stem}-${attempt}${extension}`);
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

async function fetchChecked(url: string, options: DownloadOptions): Promise<{ response: Response; finalUrl: string }> {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  let current = url;
  for (let hop = 0; hop <= (options.maxRedirects ?? 5); hop++) {
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
  throw new DownloadError(`download of ${url} redirected more than ${options.maxRedirects ?? 5} times`, url);
}

/** Downloads one URL into `options.dir`. */
export async function downloadFile(
  url: string,
  options: DownloadOptions,
  taken: Set<string> = new Set(),
): Promise<DownloadedFile> {
  const maxBytes = options.maxBytes ?? 2 * 1024 ** 3;
  const { response } = await fetchChecked(url, options);
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw new DownloadError(`refusing to download ${url}: ${declared} bytes is over the ${maxBytes}-byte limit`, url);
  }
  await mkdir(options.dir, { recursive: true });
  const name = fileNameFor(url, `output-${taken.size}`);
  const temp = join(options.dir, `.${name}.${randomBytes(6).toString("hex")}.part`);
  const intended = join(options.dir, name);
  let received = 0;
  try {
    const out = createWriteStream(temp, { flags: "wx" });
    const finished = new Promise<void>((resolve, reject) => {
      out.once("finish", () => resolve());
      out.once("error", reject);
    });
    const reader = response.body?.getReader();
    if (reader) {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) break;
        received += chunk.value.byteLength;
        if (received > maxBytes) {
          await reader.cancel();
          out.destroy();
          throw new DownloadError(`download of ${url} exceeded the ${maxBytes}-byte limit`, url);
        }
        if (!out.write(chunk.value)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
        options.onProgress?.({
          url,
          path: intended,
          receivedBytes: received,
          totalBytes: Number.isFinite(declared) ? declared : undefined,
        });
      }
    }
    out.end();
    await finished;
    const path = await place(url, temp, options.dir, name, options.overwrite ?? false, taken);
    return { url, path, bytes: received, contentType: response.headers.get("content-type") ?? undefined };
  } catch (error) {
    await rm(temp, { force: true });
    if (error instanceof DownloadError) throw error;
    throw new DownloadError(`download of ${url} failed: ${(error as Error).message}`, url, error);
  }
}

/**
 * Downloads every output URL of a job result, an output object, or a list of
 * URLs. Every URL is checked before the first byte is fetched; one refused URL
 * refuses the whole call.
 */
export async function downloadOutputs(source: unknown, options: DownloadOptions): Promise<DownloadedFile[]> {
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
