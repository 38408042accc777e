/**
 * Which route a request is: the one place that reads method and path, and
 * the one place that decodes ids from a path (a request id, and each
 * `/`-separated segment of a model id, percent-decoded as the client encodes
 * them; a malformed escape is kept as sent, for either id).
 */
import type { Route } from "./faults.ts";

export type Matched =
  | { readonly route: "submit"; readonly modelId: string }
  | { readonly route: "catalog"; readonly modelId?: string }
  | { readonly route: "status" | "result" | "cancel"; readonly requestId: string }
  | { readonly route: "files" };

/** Route of an API request, or undefined when no route matches. */
export function matchRoute(method: string, path: string): (Matched & { readonly route: Route }) | undefined {
  const request = /^\/v1\/requests\/([^/]+)\/(status|result|cancel)$/.exec(path);
  if (request) {
    const route = request[2] as "status" | "result" | "cancel";
    if ((route === "status" || route === "result") !== (method === "GET")) return undefined;
    return { route, requestId: decodeSegment(request[1]!) };
  }
  if (path === "/v1/models" && method === "GET") return { route: "catalog" };
  if (path.startsWith("/v1/models/")) {
    const modelId = decodeModelId(path.slice("/v1/models/".length));
    if (method === "GET") return { route: "catalog", modelId };
    if (method === "POST") return { route: "submit", modelId };
    return undefined;
  }
  if (path.startsWith("/files/") && method === "GET") return { route: "files" };
  return undefined;
}

/** `kling/kling-3.0/4k/image-to-video`, `minimax/Hailuo%20Video%2001%20Live` → the model id. */
export function decodeModelId(path: string): string {
  return path.split("/").map(decodeSegment).join("/");
}

/** One percent-encoded path segment, decoded; kept as sent when its escapes are malformed (`%zz`). */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
