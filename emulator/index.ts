/**
 * A local emulator of the RunComfy Model API, for tests, the demo and
 * benchmarks: a real HTTP server on loopback.
 *
 * Routes (shapes from docs.runcomfy.com/model-apis, see shared/research):
 *   POST /v1/models/{model_id}            submit → { request_id, status_url, result_url, cancel_url }
 *   GET  /v1/requests/{id}/status         { request_id, status, queue_position? (0 = next), status_url, result_url }
 *   GET  /v1/requests/{id}/result         succeeded + output | failed + error | cancelled | current status
 *   POST /v1/requests/{id}/cancel         202 { request_id, status, outcome: cancelled | not_cancellable }
 *   GET  /v1/models                       catalog page: limit (1–500, default 100), offset, include_schema, search, category, kind → { models, total }
 *   GET  /v1/models/{id}                  one catalog entry with its input schema
 *   GET  /files/{request_id}/{name}       fake outputs, served from the emulator's own host
 * Admin (not part of the API): GET /__emulator/stats, POST /__emulator/faults, POST /__emulator/reset.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  catalogEntry,
  listCatalog,
  listingQuery,
  loadCatalog,
  validationDetail,
  type CatalogModel,
} from "./catalog.ts";
import {
  Faults,
  isBodyFault,
  seededRandom,
  type BodyFault,
  type FaultContext,
  type FaultKind,
  type FaultRule,
} from "./faults.ts";
import { JobQueue, type Job } from "./queue.ts";
import { matchRoute, type Matched } from "./routes.ts";
import { canonical, CORS_HEADERS, errorBody, readBody, send, sendBytes, type JsonObject } from "./wire.ts";

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

  /** One API request being answered; `reply` applies a `drop-after` fault instead of answering. */
  interface Exchange {
    readonly request: IncomingMessage;
    readonly response: ServerResponse;
    readonly url: URL;
    readonly token: string;
    readonly rawBody: string;
    readonly reply: (status: number, body: unknown, headers?: Record<string, string>) => void;
  }

  const listModels = ({ url, reply }: Exchange): void => {
    const query = listingQuery(url.searchParams);
    if ("problems" in query) return reply(422, errorBody(422, "invalid catalog query", query.problems));
    reply(200, listCatalog(catalog, query));
  };

  const getModel = ({ reply }: Exchange, modelId: string): void => {
    const model = catalog.get(modelId);
    if (model) reply(200, catalogEntry(model));
    else reply(404, errorBody(404, `model ${modelId} not found`));
  };

  const submit = ({ rawBody, token, reply }: Exchange, modelId: string): void => {
    const model = catalog.get(modelId);
    if (!model) {
      const status = options.unknownModelStatus ?? 400;
      return reply(status, errorBody(status, `Invalid model_id: ${modelId}`));
    }
    let body: unknown;
    try {
      body = rawBody.trim() === "" ? {} : JSON.parse(rawBody);
    } catch {
      return reply(
        422,
        errorBody(422, "request body is not valid JSON", [{ loc: ["body"], msg: "invalid JSON", type: "json" }]),
      );
    }
    if (!body || typeof body !== "object" || Array.isArray(body)) {
      return reply(
        422,
        errorBody(422, "request body must be a JSON object", [
          { loc: ["body"], msg: "must be an object", type: "type" },
        ]),
      );
    }
    const verdict = model.validate(body);
    if (!verdict.valid) return reply(422, errorBody(422, "Validation error", validationDetail(verdict.errors)));
    const key = canonical([token, modelId, body]);
    if (seenBodies.has(key)) stats.duplicateSubmits++;
    seenBodies.add(key);
    stats.submits++;
    const job = queue.add({ requestId: randomUUID(), modelId, owner: token, body: body as JsonObject });
    reply(200, {
      request_id: job.requestId,
      ...links(job.requestId),
      cancel_url: `${options.linkOrigin ?? baseUrl}/v1/requests/${job.requestId}/cancel`,
    });
  };

  /** The job a request-id route names, or undefined after answering 404/403. */
  const ownJob = ({ token, reply }: Exchange, requestId: string): Job | undefined => {
    const job = queue.get(requestId);
    if (!job) reply(404, errorBody(404, `request ${requestId} not found`));
    else if (job.owner !== token) reply(403, errorBody(403, "this request belongs to another account"));
    else return job;
    return undefined;
  };

  const status = (exchange: Exchange, job: Job): void => {
    const position = queue.position(job);
    exchange.reply(200, {
      request_id: job.requestId,
      status: job.state,
      ...(position === undefined ? {} : { queue_position: position }),
      ...links(job.requestId),
    });
  };

  const result = (exchange: Exchange, job: Job): void => {
    const times = { created_at: job.createdAt, ...(job.finishedAt ? { finished_at: job.finishedAt } : {}) };
    if (job.state === "completed" && job.outcome) {
      return exchange.reply(
        200,
        job.outcome.status === "succeeded"
          ? { request_id: job.requestId, status: "succeeded", output: job.outcome.output, ...times }
          : { request_id: job.requestId, status: "failed", error: job.outcome.error, ...times },
      );
    }
    exchange.reply(200, { request_id: job.requestId, status: job.state, ...times });
  };

  const cancel = (exchange: Exchange, job: Job): void => {
    const cancelled = queue.cancel(job);
    exchange.reply(202, {
      request_id: job.requestId,
      status: job.state,
      outcome: cancelled ? "cancelled" : "not_cancellable",
    });
  };

  const files = (request: IncomingMessage, response: ServerResponse, bodyFault: BodyFault | undefined): void => {
    if (request.headers.authorization) stats.filesWithAuthorization++;
    const name = new URL(request.url ?? "/", "http://emulator").pathname.split("/").pop() ?? "";
    const file = FAKE_FILES[name.split(".").pop() ?? ""] ?? FAKE_FILES["png"]!;
    sendBytes(response, 200, file.bytes, { "content-type": file.type }, bodyFault);
  };

  /** Answers an authenticated API request on its route. */
  const dispatch = (exchange: Exchange, matched: Matched): void => {
    switch (matched.route) {
      case "catalog":
        return matched.modelId === undefined ? listModels(exchange) : getModel(exchange, matched.modelId);
      case "submit":
        return submit(exchange, matched.modelId);
      case "status":
      case "result":
      case "cancel": {
        const job = ownJob(exchange, matched.requestId);
        if (!job) return;
        return matched.route === "status"
          ? status(exchange, job)
          : matched.route === "result"
            ? result(exchange, job)
            : cancel(exchange, job);
      }
      case "files":
        return;
    }
  };

  /** Applies a fault that answers instead of the route (status, drop before, error-200); true when it did. */
  const faultAnswered = (fault: FaultKind | undefined, request: IncomingMessage, response: ServerResponse): boolean => {
    if (fault?.type === "drop" && fault.phase !== "after") {
      request.socket.destroy();
      return true;
    }
    if (fault?.type === "respond") {
      send(response, fault.status, fault.body ?? errorBody(fault.status), {
        ...(fault.retryAfter === undefined ? {} : { "retry-after": fault.retryAfter }),
        ...fault.headers,
      });
      return true;
    }
    if (fault?.type === "error-200") {
      send(response, 200, {
        error_code: fault.errorCode,
        error_message: fault.message ?? "error signalled in a 200 body",
      });
      return true;
    }
    return false;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? "/", "http://emulator");
    const method = request.method ?? "GET";
    if (method === "OPTIONS") {
      response.writeHead(204, CORS_HEADERS);
      response.end();
      return;
    }
    if (url.pathname.startsWith("/__emulator/")) return admin(request, response, url.pathname);
    const matched = matchRoute(method, url.pathname);
    if (!matched) return send(response, 404, errorBody(404, `no route ${method} ${url.pathname}`));
    stats.requests[matched.route] = (stats.requests[matched.route] ?? 0) + 1;

    const token = tokenOf(request);
    const fault = faults.pick(matched.route, faultContext(matched, token));
    const rawBody = method === "POST" ? await readBody(request) : "";
    if (fault?.type === "slow") await new Promise((done) => setTimeout(done, fault.delayMs));
    if (faultAnswered(fault, request, response)) return;
    const bodyFault = isBodyFault(fault) ? fault : undefined;
    if (matched.route === "files") return files(request, response, bodyFault);

    const reply = (status: number, body: unknown, headers?: Record<string, string>): void => {
      if (fault?.type === "drop") request.socket.destroy();
      else send(response, status, body, headers, bodyFault);
    };
    if (!token) {
      stats.unauthorized++;
      return reply(401, errorBody(401));
    }
    if (matched.route === "result" && (fault?.type === "failed" || fault?.type === "lagging")) {
      // Only picked for a finished job of this token (faultContext): a failed result, or one not visible yet.
      const job = queue.get(matched.requestId)!;
      if (fault.type === "lagging") return reply(404, errorBody(404, `request ${job.requestId} not found`));
      return reply(200, {
        request_id: job.requestId,
        status: "failed",
        error_code: fault.errorCode,
        error_message: fault.message ?? `the job failed (emulated error_code ${fault.errorCode})`,
        created_at: job.createdAt,
        ...(job.finishedAt ? { finished_at: job.finishedAt } : {}),
      });
    }
    dispatch({ request, response, url, token, rawBody, reply }, matched);
  };

  /** What fault selection knows of a request: its request id, and whether a result call names a finished job of its token. */
  const faultContext = (matched: Matched, token: string | undefined): FaultContext => {
    if (matched.route !== "status" && matched.route !== "result" && matched.route !== "cancel") return {};
    const job = queue.get(matched.requestId);
    return {
      requestId: matched.requestId,
      finished: job !== undefined && job.state === "completed" && token !== undefined && job.owner === token,
    };
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
