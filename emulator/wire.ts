/** The emulator's wire format: RunComfy error bodies, JSON answers with CORS, bounded request bodies. */
import type { IncomingMessage, ServerResponse } from "node:http";

export type JsonObject = Record<string, unknown>;

export const CORS_HEADERS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-allow-headers": "Authorization, Content-Type, Accept",
  "access-control-expose-headers": "Retry-After",
  "access-control-max-age": "600",
};

/** HTTP status → RunComfy's `error_code` and message for it. */
const ERROR_MESSAGES: Readonly<Record<number, [number, string]>> = {
  400: [400001, "Invalid or malformed resource identifier"],
  401: [400004, "Invalid or missing API token"],
  402: [400002, "Insufficient balance"],
  403: [403001, "Permission denied"],
  404: [404001, "Resource not found"],
  422: [422001, "Validation error"],
  429: [429, "Too many requests"],
  500: [500001, "Internal error"],
  502: [500001, "Bad gateway"],
  503: [500001, "Service unavailable"],
};

export function errorBody(status: number, message?: string, detail?: unknown): JsonObject {
  const [code, text] = ERROR_MESSAGES[status] ?? [status * 1000 + 1, "Error"];
  return { error_code: code, error_message: message ?? text, ...(detail === undefined ? {} : { detail }) };
}

export function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...CORS_HEADERS,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

export async function readBody(request: IncomingMessage, limit = 64 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error("body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** JSON with sorted keys: equal for equal content (duplicate-submit detection). */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as JsonObject)[key])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}
