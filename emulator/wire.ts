/** The emulator's wire format: RunComfy error bodies, JSON answers with CORS, bounded request bodies, broken bodies. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { BodyFault } from "./faults.ts";

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
  bodyFault?: BodyFault,
): void {
  sendBytes(
    response,
    status,
    Buffer.from(JSON.stringify(body)),
    { "content-type": "application/json", ...headers },
    bodyFault,
  );
}

/** Pieces a `slow-body` answer is cut into (fewer for a shorter body). */
const SLOW_BODY_PIECES = 10;

/**
 * Sends `bytes` with the real `Content-Length`, or breaks the body as `bodyFault` says: `hang-body` sends the headers
 * and then nothing; `partial-body` sends the first `bytes` (default: half, never all) and then resets the connection;
 * `slow-body` sends the headers at once and the body in pieces spread over `durationMs`.
 */
export function sendBytes(
  response: ServerResponse,
  status: number,
  bytes: Buffer,
  headers: Readonly<Record<string, string | number>> = {},
  bodyFault?: BodyFault,
): void {
  response.writeHead(status, { ...CORS_HEADERS, ...headers, "content-length": bytes.length });
  if (bodyFault === undefined) {
    response.end(bytes);
    return;
  }
  switch (bodyFault.type) {
    case "hang-body":
      response.flushHeaders();
      return;
    case "partial-body": {
      const cut = Math.max(0, Math.min(bodyFault.bytes ?? Math.floor(bytes.length / 2), bytes.length - 1));
      // The reset follows once the bytes were handed to the kernel (and a moment more, so the peer reads them first).
      response.flushHeaders();
      response.write(bytes.subarray(0, cut), () => {
        const timer = setTimeout(() => response.socket?.resetAndDestroy(), 10);
        response.once("close", () => clearTimeout(timer));
      });
      return;
    }
    case "slow-body": {
      response.flushHeaders();
      const pieces = Math.max(1, Math.min(SLOW_BODY_PIECES, bytes.length));
      const size = Math.ceil(bytes.length / pieces);
      let sent = 0;
      const timer = setInterval(() => {
        if (response.destroyed) return clearInterval(timer);
        const next = bytes.subarray(sent, sent + size);
        sent += next.length;
        if (sent >= bytes.length) {
          clearInterval(timer);
          response.end(next);
        } else response.write(next);
      }, bodyFault.durationMs / pieces);
      response.once("close", () => clearInterval(timer));
      return;
    }
  }
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
