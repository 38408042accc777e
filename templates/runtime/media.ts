/**
 * Media references: what a RunComfy server can fetch and what it never can.
 *
 * RunComfy fetches every media input itself ("a publicly reachable HTTPS
 * URL"). A value that points at the caller's own disk or network can never
 * work, and it would only fail after a paid submit, so it is rejected
 * locally. Bare asset names such as `Runcomfy_example_1268_1.png` (the doc
 * pages' examples, hosted by RunComfy) and `data:` URIs of the right kind
 * are accepted.
 */

export type MediaKind = "image" | "video" | "audio";

function article(kind: MediaKind): string {
  return kind === "image" ? "an image" : kind === "video" ? "a video" : "an audio file";
}

const PRIVATE_HOST =
  /^(localhost|.*\.localhost|.*\.local|.*\.internal|127(?:\.\d{1,3}){3}|0\.0\.0\.0|10(?:\.\d{1,3}){3}|192\.168(?:\.\d{1,3}){2}|172\.(?:1[6-9]|2\d|3[01])(?:\.\d{1,3}){2}|169\.254(?:\.\d{1,3}){2}|\[(?:::1?|f[cd][0-9a-f]{0,2}:.*|fe80:.*)\])$/i;

/** Why the server could never fetch `value`, or `undefined` when it might. */
export function mediaProblem(value: string, kind: MediaKind): string | undefined {
  const text = value.trim();
  if (text === "") return `must be the URL of ${article(kind)}, got an empty string`;
  if (/^file:/i.test(text)) return `is a local file URL (file://); RunComfy's servers cannot read your disk: upload the ${kind} and pass its https URL`;
  if (/^blob:/i.test(text)) return `is a browser-local blob: URL; pass a public https URL of the ${kind} instead`;
  if (/^[a-z]:[\\/]/i.test(text) || text.startsWith("\\\\")) return `looks like a local Windows path; upload the ${kind} and pass its https URL`;
  if (text.startsWith("/")) return `looks like an absolute local path; upload the ${kind} and pass its https URL`;
  if (text.startsWith("~")) return `looks like a path in your home folder; upload the ${kind} and pass its https URL`;
  if (/^data:/i.test(text)) {
    const mime = /^data:([^;,]*)/i.exec(text)?.[1]?.toLowerCase() ?? "";
    if (!/;base64,/i.test(text.slice(0, 200))) return "is a data: URI without base64 content";
    if (mime !== "" && mime !== "application/octet-stream" && !mime.startsWith(`${kind}/`)) return `is a data: URI of type ${mime}, not ${article(kind)}`;
    return undefined;
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1]?.toLowerCase();
  if (scheme === "http" || scheme === "https") {
    let host: string;
    try {
      host = new URL(text).hostname;
    } catch {
      return `is not a valid URL`;
    }
    if (PRIVATE_HOST.test(host)) return `points at ${host}, a local or private address RunComfy's servers cannot reach`;
    return undefined;
  }
  if (scheme !== undefined && text.includes("://")) return `uses the ${scheme}: scheme; RunComfy fetches media over https only`;
  if (/[\\/]/.test(text)) return `looks like a relative local path; upload the ${kind} and pass its https URL`;
  return undefined;
}
