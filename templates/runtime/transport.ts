/**
 * The default transport of the API calls on Node: a small function of
 * `fetch`'s shape over `node:http`/`node:https`, for exactly what `http.ts`
 * asks of a response (`status`, `ok`, `type`, `headers.get`, `text()`).
 *
 * Why not Node's own `fetch`: undici registers every `Response` (and every
 * `Request` given a signal) with a `FinalizationRegistry`, and V8's young
 * generation collector keeps whatever such an object reaches alive, so about
 * 10-18 KB of each request's garbage is promoted to the old generation and
 * waits for a full collection. At the request rates of ten thousand waiting
 * jobs that garbage, not the jobs, set the peak memory (measured: a plain
 * `fetch` loop promotes ~18 KB per POST, `node:http` ~0.1 KB).
 *
 * The modules come from `process.getBuiltinModule` (Node 20.16+), so nothing
 * here is a static import a browser bundle would trip on; elsewhere (browsers,
 * edge runtimes, Deno, Bun) `nodeTransport()` answers `undefined` and the
 * client uses `globalThis.fetch`. A `fetch` option always wins over both.
 *
 * Like `fetch` with `redirect: "manual"`, it never follows a redirect; an abort
 * of `init.signal` destroys the socket (before or after the headers), and a
 * body cut short by the peer rejects `text()`. Of the signal it reads only
 * `aborted`, `reason` and one `"abort"` listener, so the client passes its
 * call's `CallStop` (http.ts) there and makes no `AbortSignal` per request.
 *
 * GETs reuse idle keep-alive connections; a POST (a paid submit, a cancel)
 * always opens a connection of its own. A reused connection may have been
 * closed by the server a moment before the request went out, and the reset
 * that follows cannot prove the request unsent, so a submit would end as
 * `SubmitOutcomeUnknownError` for no reason; on a fresh connection a failure
 * to connect is provably before sending (`provablyNotSent` in retry.ts).
 */
import type { Agent as HttpAgent, ClientRequest, IncomingMessage } from "node:http";

type HttpModule = typeof import("node:http");
type HttpsModule = typeof import("node:https");

interface NodeProcess {
  readonly getBuiltinModule?: (id: string) => unknown;
  readonly versions?: { readonly node?: string; readonly bun?: string; readonly deno?: string };
}

/** What `http.ts` reads of a response; the transport's answer has exactly this. */
interface TransportResponse {
  readonly status: number;
  readonly ok: boolean;
  readonly type: "basic";
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

const noop = (): void => undefined;

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("This operation was aborted", "AbortError");
}

/**
 * The most characters of a response body this transport reads (64 MiB): the API's bodies are kilobytes (a catalog
 * page with schemas, some hundreds), and a body past V8's string limit (~512 MiB) would throw inside a stream
 * listener, where nothing could catch it. A longer body fails the call like a broken one (`ERR_BODY_TOO_LARGE`).
 */
export const MAX_BODY_CHARS: number = 64 * 1024 * 1024;

/** The `code` of the error a body longer than `MAX_BODY_CHARS` fails with (`http.ts` does not retry it). */
export const BODY_TOO_LARGE = "ERR_BODY_TOO_LARGE";

/** A body longer than `MAX_BODY_CHARS`. */
function tooLarge(): Error {
  return Object.assign(new Error(`the response body is larger than ${MAX_BODY_CHARS / 1024 / 1024} MiB`), {
    code: BODY_TOO_LARGE,
  });
}

/** A body cut short: the same code a reset socket gives, so retry rules read it as one. */
function cutShort(): Error {
  return Object.assign(new Error("the response body ended before its end (connection closed)"), {
    code: "ECONNRESET",
  });
}

function headerGetter(message: IncomingMessage): (name: string) => string | null {
  return (name) => {
    const value = message.headers[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(", ") : value;
  };
}

/** Headers of a call as a plain record (the client passes plain records; a `Headers` object works too). */
function plainHeaders(headers: RequestInit["headers"]): Record<string, string> | undefined {
  if (headers === undefined) return undefined;
  if (typeof Headers !== "undefined" && headers instanceof Headers) return Object.fromEntries(headers.entries());
  if (Array.isArray(headers)) return Object.fromEntries(headers as [string, string][]);
  return headers as Record<string, string>;
}

/**
 * The `node:http` transport, or `undefined` where this is not Node (or Node
 * without `process.getBuiltinModule`). Each call makes a new one with its own
 * keep-alive agents (idle sockets do not keep the process alive).
 */
export function nodeTransport(): typeof fetch | undefined {
  const proc = (globalThis as { process?: NodeProcess }).process;
  const getBuiltin = proc?.getBuiltinModule;
  if (typeof getBuiltin !== "function" || !proc?.versions?.node || proc.versions.bun || proc.versions.deno)
    return undefined;
  const http = getBuiltin("node:http") as HttpModule | undefined;
  if (!http || typeof http.request !== "function") return undefined;
  let https: HttpsModule | undefined;
  const agents: { http?: HttpAgent; https?: HttpAgent } = {};

  const send = (input: string | URL | Request, init: RequestInit = {}): Promise<TransportResponse> =>
    new Promise<TransportResponse>((resolve, reject) => {
      const signal = init.signal ?? undefined;
      if (signal?.aborted) {
        reject(abortError(signal));
        return;
      }
      const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
      const secure = url.protocol === "https:";
      if (secure && !https) https = getBuiltin("node:https") as HttpsModule;
      const lib = secure ? https! : http;
      const method = init.method ?? "GET";
      // `false`: a one-off agent, so a connection of its own, closed after the answer.
      const agent =
        method === "POST"
          ? false
          : secure
            ? (agents.https ??= new https!.Agent({ keepAlive: true }))
            : (agents.http ??= new http.Agent({ keepAlive: true }));
      let request: ClientRequest;
      let response: IncomingMessage | undefined;
      let finished = false;
      let failBody: (error: unknown) => void = noop;
      const finish = (): void => {
        finished = true;
        signal?.removeEventListener("abort", onAbort);
      };
      const fail = (error: unknown): void => {
        if (finished) return;
        finish();
        if (response === undefined) reject(error);
        else failBody(error);
        request.destroy();
        response?.destroy();
      };
      const onAbort = (): void => fail(abortError(signal!));
      try {
        request = lib.request(url, { method, headers: plainHeaders(init.headers), agent });
      } catch (error) {
        reject(error);
        return;
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      request.on("error", fail);
      request.on("response", (message) => {
        response = message;
        const body = new Promise<string>((resolveBody, rejectBody) => {
          failBody = rejectBody;
          let text = "";
          message.setEncoding("utf8");
          message.on("data", (chunk: string) => {
            if (text.length + chunk.length > MAX_BODY_CHARS) fail(tooLarge());
            else text += chunk;
          });
          message.on("end", () => {
            if (finished) return;
            finish();
            resolveBody(text);
          });
          message.on("error", fail);
          message.on("close", () => {
            if (!message.complete) fail(cutShort());
          });
        });
        // A body nobody reads must not become an unhandled rejection.
        body.catch(noop);
        const status = message.statusCode ?? 0;
        resolve({
          status,
          ok: status >= 200 && status < 300,
          type: "basic",
          headers: { get: headerGetter(message) },
          text: () => body,
        });
      });
      const payload = init.body;
      if (payload === undefined || payload === null) request.end();
      else if (typeof payload === "string") request.end(payload);
      else fail(new TypeError("the node:http transport sends string bodies only"));
    });
  return send as unknown as typeof fetch;
}
