/**
 * A local emulator of the RunComfy Model API, for tests, the demo and
 * benchmarks: a real HTTP server on loopback.
 *
 * Routes (shapes from docs.runcomfy.com/model-apis, see shared/research):
 *   POST /v1/models/{model_id}            submit → { request_id, status_url, result_url, cancel_url }
 *   GET  /v1/requests/{id}/status         { request_id, status, queue_position? (0 = next), status_url, result_url }
 *   GET  /v1/requests/{id}/result         succeeded + output | failed + error | cancelled | current status
 *   POST /v1/requests/{id}/cancel         202 { request_id, status, outcome: cancelled | not_cancellable }
 *   GET  /v1/models, GET /v1/models/{id}  catalog with each model's input schema
 *   GET  /files/{request_id}/{name}       fake outputs, served from the emulator's own host
 * Admin (not part of the API): GET /__emulator/stats, POST /__emulator/faults, POST /__emulator/reset.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { catalogEntry, loadCatalog, validationDetail, type CatalogModel } from "./catalog.ts";
import { Faults, seededRandom, type FaultRule, type Route } from "./faults.ts";
import { JobQueue, type Job } from "./queue.ts";

export const DEFAULT_TOKEN = "emulator-token";
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export interface EmulatorOptions {
  /** Folder of schema files. @default <project>/schemas */
  readonly schemasDir?: string;
  /** @default "127.0.0.1" */
  readonly host?: string;
  /** 0 picks a free port. @default 0 */
  readonly port?: number;
  /** Accepted Bearer tokens; a job is visible only to the token that submitted it. @default ["emulator-token"] */
  readonly tokens?: readonly string[];
  /** Jobs that run at the same time. @default 2 */
  readonly capacity?: number;
  /** Run time of a job, in milliseconds. @default 1500 */
  readonly durationMs?: number | ((job: Job) => number);
  /** Share of jobs that fail (seeded). @default 0 */
  readonly failRate?: number;
  /** Fails a job when it returns an error value. @default: any string input containing "[emulator:fail]" */
  readonly failWhen?: (job: Job) => unknown;
  /** Answer for an unknown model on submit: RunComfy's 400001, or 404. @default 400 */
  readonly unknownModelStatus?: 400 | 404;
  /** Origin put into `status_url`/`result_url`/`cancel_url` (to test that clients ignore them). @default the emulator's own */
  readonly linkOrigin?: string;
  readonly faults?: readonly FaultRule[];
  /** Seed of the fault and failure dice. @default 1 */
  readonly seed?: number;
}

export interface EmulatorStats {
  /** Submit requests that created a job. */
  submits: number;
  /** Submits whose (token, model, body) had been submitted before. */
  duplicateSubmits: number;
  /** Requests per route (including faulted ones). */
  requests: Record<string, number>;
  /** Faults applied, by `route:type`. */
  faults: Record<string, number>;
  /** `/files` requests that carried an Authorization header (should stay 0). */
  filesWithAuthorization: number;
  /** Requests with a missing or wrong token. */
  unauthorized: number;
  /** Most API requests being handled at the same time. */
  peakInFlight: number;
  jobs: { queued: number; running: number; total: number };
}

export interface Emulator {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The first accepted token. */
  readonly token: string;
  readonly faults: Faults;
  stats(): EmulatorStats;
  job(requestId: string): Job | undefined;
  close(): Promise<void>;
}

type JsonObject = Record<string, unknown>;

const CORS_HEADERS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-allow-headers": "Authorization, Content-Type, Accept",
  "access-control-expose-headers": "Retry-After",
  "access-control-max-age": "600",
};

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

function errorBody(status: number, message?: string, detail?: unknown): JsonObject {
  const [code, text] = ERROR_MESSAGES[status] ?? [status * 1000 + 1, "Error"];
  return { error_code: code, error_message: message ?? text, ...(detail === undefined ? {} : { detail }) };
}

function send(
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

async function readBody(request: IncomingMessage, limit = 64 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error("body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as JsonObject)[key])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

const FAKE_FILES: Readonly<Record<string, { type: string; bytes: Buffer }>> = {
  png: { type: "image/png", bytes: Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex") },
  mp4: {
    type: "video/mp4",
    bytes: Buffer.concat([Buffer.from("000000186674797069736f6d0000020069736f6d69736f32", "hex"), Buffer.alloc(1024)]),
  },
  mp3: { type: "audio/mpeg", bytes: Buffer.concat([Buffer.from("494433030000000000", "hex"), Buffer.alloc(512)]) },
};

/** Fake outputs that fit the model's output schema and task. */
function fakeOutput(model: CatalogModel, baseUrl: string, requestId: string): JsonObject {
  const wrapped = model.outputSchema?.["output"];
  const root = (wrapped && typeof wrapped === "object" ? wrapped : model.outputSchema) as JsonObject | undefined;
  const properties = (root?.["properties"] ?? {}) as JsonObject;
  const file = (name: string) => `${baseUrl}/files/${requestId}/${name}`;
  const video = /video|talk|vace|animate/.test(model.modelId);
  if (video && "video" in properties) return { video: file("output.mp4") };
  if (video && "videos" in properties) return { videos: [file("output-0.mp4")] };
  if ("images" in properties) return { images: [file("output-0.png"), file("output-1.png")] };
  if ("image" in properties) return { image: file("output.png") };
  if ("audio" in properties) return { audio: file("output.mp3") };
  return { url: file("output.png") };
}

function defaultFailWhen(job: Job): unknown {
  for (const value of Object.values(job.body)) {
    if (typeof value === "string" && value.includes("[emulator:fail]"))
      return { type: "ExecutionError", message: "the workflow failed (requested by [emulator:fail])" };
  }
  return undefined;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const catalog = await loadCatalog(options.schemasDir ?? join(ROOT, "schemas"));
  const tokens = options.tokens ?? [DEFAULT_TOKEN];
  const dice = seededRandom(options.seed ?? 1);
  const faults = new Faults(options.seed ?? 1);
  faults.set(options.faults ?? []);
  const seenBodies = new Set<string>();
  const stats: EmulatorStats = {
    submits: 0,
    duplicateSubmits: 0,
    requests: {},
    faults: faults.applied,
    filesWithAuthorization: 0,
    unauthorized: 0,
    peakInFlight: 0,
    jobs: { queued: 0, running: 0, total: 0 },
  };
  let inFlight = 0;
  let baseUrl = "";

  const queue = new JobQueue({
    capacity: options.capacity ?? 2,
    duration: (job) =>
      typeof options.durationMs === "function" ? options.durationMs(job) : (options.durationMs ?? 1500),
    finish: (job) => {
      const error =
        (options.failWhen ?? defaultFailWhen)(job) ??
        (options.failRate && dice() < options.failRate
          ? { type: "ExecutionError", message: "the workflow failed (emulated)" }
          : undefined);
      if (error !== undefined) return { status: "failed", error };
      return { status: "succeeded", output: fakeOutput(catalog.get(job.modelId)!, baseUrl, job.requestId) };
    },
  });

  const links = (requestId: string) => {
    const origin = options.linkOrigin ?? baseUrl;
    return {
      status_url: `${origin}/v1/requests/${requestId}/status`,
      result_url: `${origin}/v1/requests/${requestId}/result`,
    };
  };

  const tokenOf = (request: IncomingMessage): string | undefined => {
    const header = request.headers.authorization ?? "";
    const match = /^Bearer\s+(.+)$/i.exec(header);
    return match && tokens.includes(match[1]!.trim()) ? match[1]!.trim() : undefined;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? "/", "http://emulator");
    const path = url.pathname;
    if (request.method === "OPTIONS") {
      response.writeHead(204, CORS_HEADERS);
      response.end();
      return;
    }
    if (path.startsWith("/__emulator/")) return admin(request, response, path);

    let route: Route;
    let match: RegExpExecArray | null;
    if ((match = /^\/v1\/requests\/([^/]+)\/(status|result|cancel)$/.exec(path))) route = match[2] as Route;
    else if (path === "/v1/models" || (path.startsWith("/v1/models/") && request.method === "GET")) route = "catalog";
    else if (path.startsWith("/v1/models/") && request.method === "POST") route = "submit";
    else if (path.startsWith("/files/")) route = "files";
    else return send(response, 404, errorBody(404, `no route ${request.method} ${path}`));
    stats.requests[route] = (stats.requests[route] ?? 0) + 1;

    const fault = faults.pick(route);
    const rawBody = request.method === "POST" ? await readBody(request) : "";
    if (fault?.type === "slow") await new Promise((done) => setTimeout(done, fault.delayMs));
    if (fault?.type === "drop" && fault.phase !== "after") {
      request.socket.destroy();
      return;
    }
    if (fault?.type === "respond") {
      return send(response, fault.status, fault.body ?? errorBody(fault.status), {
        ...(fault.retryAfter === undefined ? {} : { "retry-after": fault.retryAfter }),
        ...fault.headers,
      });
    }
    if (fault?.type === "error-200")
      return send(response, 200, {
        error_code: fault.errorCode,
        error_message: fault.message ?? "error signalled in a 200 body",
      });

    const finish = (status: number, body: unknown, headers?: Record<string, string>): void => {
      if (fault?.type === "drop") request.socket.destroy();
      else send(response, status, body, headers);
    };

    if (route === "files") {
      if (request.headers.authorization) stats.filesWithAuthorization++;
      const name = path.split("/").pop() ?? "";
      const file = FAKE_FILES[name.split(".").pop() ?? ""] ?? FAKE_FILES["png"]!;
      response.writeHead(200, { ...CORS_HEADERS, "content-type": file.type, "content-length": file.bytes.length });
      response.end(file.bytes);
      return;
    }

    const token = tokenOf(request);
    if (!token) {
      stats.unauthorized++;
      return finish(401, errorBody(401));
    }

    if (route === "catalog") {
      if (path === "/v1/models") {
        const search = url.searchParams.get("search")?.toLowerCase();
        const all = [...catalog.values()].filter((model) => !search || model.modelId.toLowerCase().includes(search));
        const offset = Number(url.searchParams.get("offset") ?? 0);
        const limit = Math.min(500, Number(url.searchParams.get("limit") ?? 100));
        const withSchema = url.searchParams.get("include_schema") === "true";
        const page = all.slice(offset, offset + limit).map((model) => {
          const entry = catalogEntry(model);
          if (!withSchema) delete entry["input_schema"];
          return entry;
        });
        return finish(200, { models: page, total: all.length });
      }
      const modelId = decodeURIComponent(path.slice("/v1/models/".length));
      const model = catalog.get(modelId);
      return model ? finish(200, catalogEntry(model)) : finish(404, errorBody(404, `model ${modelId} not found`));
    }

    if (route === "submit") {
      const modelId = path
        .slice("/v1/models/".length)
        .split("/")
        .map((segment) => decodeURIComponent(segment))
        .join("/");
      const model = catalog.get(modelId);
      if (!model) {
        const status = options.unknownModelStatus ?? 400;
        return finish(status, errorBody(status, `Invalid model_id: ${modelId}`));
      }
      let body: unknown;
      try {
        body = rawBody.trim() === "" ? {} : JSON.parse(rawBody);
      } catch {
        return finish(
          422,
          errorBody(422, "request body is not valid JSON", [{ loc: ["body"], msg: "invalid JSON", type: "json" }]),
        );
      }
      if (!body || typeof body !== "object" || Array.isArray(body)) {
        return finish(
          422,
          errorBody(422, "request body must be a JSON object", [
            { loc: ["body"], msg: "must be an object", type: "type" },
          ]),
        );
      }
      if (!model.validate(body))
        return finish(422, errorBody(422, "Validation error", validationDetail(model.validate.errors)));
      const key = canonical([token, modelId, body]);
      if (seenBodies.has(key)) stats.duplicateSubmits++;
      seenBodies.add(key);
      stats.submits++;
      const job = queue.add({ requestId: randomUUID(), modelId, owner: token, body: body as JsonObject });
      return finish(200, {
        request_id: job.requestId,
        ...links(job.requestId),
        cancel_url: `${options.linkOrigin ?? baseUrl}/v1/requests/${job.requestId}/cancel`,
      });
    }

    const requestId = decodeURIComponent(match![1]!);
    const job = queue.get(requestId);
    if (!job) return finish(404, errorBody(404, `request ${requestId} not found`));
    if (job.owner !== token) return finish(403, errorBody(403, "this request belongs to another account"));

    if (route === "status") {
      const position = queue.position(job);
      return finish(200, {
        request_id: job.requestId,
        status: job.state,
        ...(position === undefined ? {} : { queue_position: position }),
        ...links(job.requestId),
      });
    }
    if (route === "result") {
      const times = { created_at: job.createdAt, ...(job.finishedAt ? { finished_at: job.finishedAt } : {}) };
      if (job.state === "completed" && job.outcome) {
        return finish(
          200,
          job.outcome.status === "succeeded"
            ? { request_id: job.requestId, status: "succeeded", output: job.outcome.output, ...times }
            : { request_id: job.requestId, status: "failed", error: job.outcome.error, ...times },
        );
      }
      return finish(200, { request_id: job.requestId, status: job.state, ...times });
    }
    // cancel
    const cancelled = queue.cancel(job);
    return finish(202, {
      request_id: job.requestId,
      status: job.state,
      outcome: cancelled ? "cancelled" : "not_cancellable",
    });
  };

  const admin = async (request: IncomingMessage, response: ServerResponse, path: string): Promise<void> => {
    if (path === "/__emulator/stats") return send(response, 200, snapshot());
    if (path === "/__emulator/faults" && request.method === "POST") {
      try {
        const parsed = JSON.parse(await readBody(request)) as { rules?: FaultRule[]; seed?: number };
        faults.set(parsed.rules ?? [], parsed.seed);
        return send(response, 200, { ok: true, rules: parsed.rules?.length ?? 0 });
      } catch (error) {
        return send(response, 400, { error_message: `invalid fault rules: ${(error as Error).message}` });
      }
    }
    if (path === "/__emulator/reset" && request.method === "POST") {
      faults.clear();
      return send(response, 200, { ok: true });
    }
    return send(response, 404, errorBody(404, `no admin route ${path}`));
  };

  const snapshot = (): EmulatorStats => ({
    ...stats,
    requests: { ...stats.requests },
    faults: { ...faults.applied },
    jobs: { ...queue.size },
  });

  const server = createServer((request, response) => {
    inFlight++;
    stats.peakInFlight = Math.max(stats.peakInFlight, inFlight);
    let counted = true;
    const done = () => {
      if (counted) inFlight--;
      counted = false;
    };
    response.once("close", done);
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, errorBody(500, `emulator error: ${(error as Error).message}`));
      else response.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolveListen());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  baseUrl = `http://${host}:${address.port}`;

  return {
    url: baseUrl,
    token: tokens[0]!,
    faults,
    stats: snapshot,
    job: (requestId) => queue.get(requestId),
    close: async () => {
      queue.close();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
