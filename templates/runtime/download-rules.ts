/**
 * What the downloads of `download.ts` decide without touching the network or the disk: which URLs may be
 * downloaded, and the file name an output gets. Internal (exported from `runcomfy-models/internal` for tests).
 */
import { extname } from "node:path";

/** Hosts RunComfy serves outputs from. */
export const RUNCOMFY_OUTPUT_HOSTS: readonly string[] = [
  "*.runcomfy.net",
  "*.runcomfy.com",
  "runcomfy.net",
  "runcomfy.com",
];

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

/** Longest file name most file systems take, in bytes (ext4, APFS, NTFS in UTF-16 aside). */
export const MAX_FILE_NAME_BYTES = 255;

const encoder = new TextEncoder();

/** Cuts `text` to at most `maxBytes` bytes of UTF-8, never inside a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (encoder.encode(text).byteLength <= maxBytes) return text;
  let bytes = 0;
  let out = "";
  for (const char of text) {
    const size = encoder.encode(char).byteLength;
    if (bytes + size > maxBytes) break;
    bytes += size;
    out += char;
  }
  return out;
}

/** `name` cut to `maxBytes` bytes of UTF-8, keeping a short extension (`.mp4`) when it has one. */
export function fitFileName(name: string, maxBytes: number = MAX_FILE_NAME_BYTES): string {
  if (encoder.encode(name).byteLength <= maxBytes) return name;
  const extension = extname(name);
  const keep = extension !== "" && encoder.encode(extension).byteLength <= 16 ? extension : "";
  const stem = truncateUtf8(name.slice(0, name.length - keep.length), maxBytes - encoder.encode(keep).byteLength);
  return `${stem.trimEnd()}${keep}`;
}

/** A safe file name from the URL's last path segment: at most 255 bytes of UTF-8. */
export function fileNameFor(url: string, fallback: string): string {
  let segment = "";
  try {
    segment = decodeURIComponent(new URL(url).pathname.split("/").pop() ?? "");
  } catch {
    segment = "";
  }
  const cleaned = fitFileName(
    segment
      .replace(/[\u0000-\u001f\u007f<>:"/\\|?*]/g, "_")
      .replace(/^\.+/, "")
      .trim(),
  );
  return cleaned === "" || cleaned === "." || cleaned === ".." ? fallback : cleaned;
}
