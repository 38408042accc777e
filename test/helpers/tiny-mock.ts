/**
 * A deliberately tiny mock of RunComfy's Model API, written from the documented protocol
 * (`../shared/research/runcomfy-api.md`), not from `emulator/`: plain `node:http`, one job list, and a script hook per
 * route so a test can answer any request in any way, down to the bytes of the body (headers then silence, half a body
 * then a TCP reset, a body trickled out). It counts every request, so money-safety tests can assert how many paid
 * submits reached it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterEach } from "vitest";

export type TinyRoute = "submit" | "status" | "result" | "cancel" | "other";

export interface TinyRequest {
  readonly route: TinyRoute;
  readonly method: string;
  readonly path: string;
  readonly requestId: string | undefined;
  readonly authorization: string | undefined;
  readonly body: string;
  /** Which request of this route this is, from 1. */
  readonly nth: number;
}

/** Answers one request; returns `false` to let the mock's documented default answer it (anything else: answered). */
export type TinyScript = (request: TinyRequest, response: ServerResponse) => unknown;

export interface TinyMock {
  readonly url: string;
  readonly token: string;
  /** Every request received, in order. */
  readonly requests: TinyRequest[];
  count(route: TinyRoute): number;
  /** Scripts a route; replaces an earlier script of it. */
  on(route: TinyRoute, script: TinyScript): void;
  /** What a job's status says, by request id (default: `completed`). */
  statusOf: Map<string, Record<string, unknown>>;
  close(): Promise<void>;
}

export const TINY_TOKEN = "tiny-secret-token-0123456789";

/** Sends `body` as JSON. */
export function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

/** Headers (with the body's real length) and then nothing, ever. */
export function hangBody(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) });
  response.flushHeaders();
}

/** Headers, half the body, then a TCP reset. */
export function partialThenReset(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) });
  response.write(text.slice(0, Math.floor(text.length / 2)), () => {
    setTimeout(() => (response.socket as Socket | null)?.resetAndDestroy(), 10);
  });
}

/** Headers at once, then the body one byte every `everyMs`. */
export function slowBody(response: ServerResponse, status: number, body: unknown, everyMs: number): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) });
  let at = 0;
  const timer = setInterval(() => {
    if (response.destroyed || at >= text.length) {
      clearInterval(timer);
      if (!response.destroyed) response.end();
      return;
    }
    response.write(text[at++]);
  }, everyMs);
  response.on("close", () => clearInterval(timer));
}

function routeOf(method: string, path: string): { route: TinyRoute; requestId?: string } {
  if (method === "POST" && path.startsWith("/v1/models/")) return { route: "submit" };
  const match = /^\/v1\/requests\/([^/]+)\/(status|result|cancel)$/.exec(path);
  if (!match) return { route: "other" };
  const action = match[2] as "status" | "result" | "cancel";
  if ((action === "cancel") !== (method === "POST")) return { route: "other" };
  return { route: action, requestId: decodeURIComponent(match[1]!) };
}

const started: TinyMock[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((mock) => mock.close()));
});

/** Starts a mock on 127.0.0.1 (stopped after the test). */
export async function tinyMock(): Promise<TinyMock> {
  const requests: TinyRequest[] = [];
  const scripts = new Map<TinyRoute, TinyScript>();
  const statusOf = new Map<string, Record<string, unknown>>();
  const counts = new Map<TinyRoute, number>();
  const sockets = new Set<Socket>();
  let jobs = 0;
  let base = "";

  const documented = (request: TinyRequest, response: ServerResponse): void => {
    if (request.authorization !== `Bearer ${TINY_TOKEN}`)
      return json(response, 401, { error_code: 401, error_message: "Unauthorized" });
    const id = request.requestId!;
    switch (request.route) {
      case "submit": {
        const requestId = `job-${++jobs}`;
        return json(response, 200, {
          request_id: requestId,
          status_url: `${base}/v1/requests/${requestId}/status`,
          result_url: `${base}/v1/requests/${requestId}/result`,
          cancel_url: `${base}/v1/requests/${requestId}/cancel`,
        });
      }
      case "status":
        return json(response, 200, { request_id: id, status: "completed", ...statusOf.get(id) });
      case "result":
        return json(response, 200, {
          request_id: id,
          status: "succeeded",
          output: { video: "https://playgrounds-storage-public.runcomfy.net/x.mp4" },
          created_at: "2025-01-01T00:00:00.000000+00:00",
          finished_at: "2025-01-01T00:01:10.000000+00:00",
        });
      case "cancel":
        return json(response, 202, { request_id: id, outcome: "cancelled" });
      default:
        return json(response, 404, { error_code: 404001, error_message: "Not found" });
    }
  };

  const handle = (incoming: IncomingMessage, response: ServerResponse, body: string): void => {
    const path = new URL(incoming.url ?? "/", "http://127.0.0.1").pathname;
    const method = incoming.method ?? "GET";
    const { route, requestId } = routeOf(method, path);
    const nth = (counts.get(route) ?? 0) + 1;
    counts.set(route, nth);
    const request: TinyRequest = {
      route,
      method,
      path,
      requestId,
      authorization: incoming.headers.authorization,
      body,
      nth,
    };
    requests.push(request);
    const script = scripts.get(route);
    if (script && script(request, response) !== false) return;
    documented(request, response);
  };

  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => handle(incoming, response, Buffer.concat(chunks).toString("utf8")));
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  const mock: TinyMock = {
    url: base,
    token: TINY_TOKEN,
    requests,
    count: (route) => counts.get(route) ?? 0,
    on: (route, script) => void scripts.set(route, script),
    statusOf,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  started.push(mock);
  return mock;
}
