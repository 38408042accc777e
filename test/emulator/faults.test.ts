/**
 * The emulator's fault injection, seen on the wire: each fault is asked for over the admin API or the options and
 * observed with a raw TCP client (`node:net`, no HTTP library in between), so a fault that only pretends (a hang that
 * ends, a cut body that is whole, a trickle that arrives at once) fails here. Elapsed-time checks are lower bounds
 * only (a busy machine makes things later, never earlier).
 */
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import {
  checkFaultRule,
  Faults,
  parseFaultSpec,
  type FaultKind,
  type FaultRule,
  type Route,
} from "../../emulator/faults.ts";
import type { Emulator } from "../../emulator/index.ts";
import { emulator, VACE_INPUT } from "../helpers/emulator.ts";

const MODEL = "community/wan-2-2/vace-fun";
const SUBMIT_BODY = JSON.stringify({ "56_text": VACE_INPUT.prompt, "118_image": VACE_INPUT.image });

interface Wire {
  /** Status code of the answer, when its head arrived. */
  readonly status: number | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** Body bytes as they arrived, each with the ms since the request was written. */
  readonly pieces: readonly { readonly atMs: number; readonly bytes: number }[];
  /** `end`: the server closed cleanly; `reset`: ECONNRESET; `open`: still open when we stopped listening. */
  readonly ended: "end" | "reset" | "open";
  /** Ms from writing the request to the end of the exchange (or to when we stopped listening). */
  readonly elapsedMs: number;
}

/** One HTTP/1.1 exchange over a raw socket: every byte and how the connection ended, listening at most `listenMs`. */
function raw(url: string, method: string, path: string, token: string, body = "", listenMs = 5_000): Promise<Wire> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let started = 0;
    let buffer = Buffer.alloc(0);
    let headEnd = -1;
    const pieces: { atMs: number; bytes: number }[] = [];
    let finished = false;
    const finish = (ended: Wire["ended"]) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      const head = headEnd < 0 ? buffer.toString("latin1") : buffer.subarray(0, headEnd).toString("latin1");
      const [statusLine, ...lines] = head.split("\r\n");
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(":");
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const status = /^HTTP\/1\.1 (\d{3})/.exec(statusLine ?? "")?.[1];
      resolve({
        status: status === undefined ? undefined : Number(status),
        headers,
        body: headEnd < 0 ? Buffer.alloc(0) : buffer.subarray(headEnd + 4),
        pieces,
        ended,
        elapsedMs: Date.now() - started,
      });
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    socket.on("connect", () => {
      started = Date.now();
      timer = setTimeout(() => finish("open"), listenMs);
      socket.write(
        `${method} ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${token}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
    socket.on("data", (chunk: Buffer) => {
      const before = headEnd < 0 ? 0 : buffer.length - headEnd - 4;
      buffer = Buffer.concat([buffer, chunk]);
      if (headEnd < 0) headEnd = buffer.indexOf("\r\n\r\n");
      const after = headEnd < 0 ? 0 : buffer.length - headEnd - 4;
      if (after > before) pieces.push({ atMs: Date.now() - started, bytes: after - before });
    });
    socket.on("error", (error: NodeJS.ErrnoException) =>
      error.code === "ECONNRESET" ? finish("reset") : finished || reject(error),
    );
    socket.on("end", () => finish("end"));
    socket.on("close", () => finish("end"));
  });
}

const post = (emu: Emulator, path: string, body: string) =>
  fetch(`${emu.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${emu.token}`, "content-type": "application/json" },
    body,
  });
const get = (emu: Emulator, path: string) =>
  fetch(`${emu.url}${path}`, { headers: { authorization: `Bearer ${emu.token}` } });

/** Submits a job without faults; resolves with its request id. */
async function submitJob(emu: Emulator): Promise<string> {
  const response = await post(emu, `/v1/models/${MODEL}`, SUBMIT_BODY);
  expect(response.status).toBe(200);
  return ((await response.json()) as { request_id: string }).request_id;
}

/** Waits until the emulator's job is completed. */
async function finished(emu: Emulator, requestId: string): Promise<void> {
  await expect.poll(() => emu.job(requestId)?.state, { timeout: 10_000, interval: 20 }).toBe("completed");
}

/** The request of each route, on a fresh job where the route needs one. */
const ROUTE_REQUESTS: Readonly<Record<Route, (emu: Emulator, requestId: string) => [string, string, string?]>> = {
  submit: () => ["POST", `/v1/models/${MODEL}`, SUBMIT_BODY],
  status: (_emu, id) => ["GET", `/v1/requests/${id}/status`],
  result: (_emu, id) => ["GET", `/v1/requests/${id}/result`],
  cancel: (_emu, id) => ["POST", `/v1/requests/${id}/cancel`, ""],
  catalog: () => ["GET", "/v1/models"],
  files: (_emu, id) => ["GET", `/files/${id}/output.mp4`],
};
const ROUTES = Object.keys(ROUTE_REQUESTS) as Route[];

/** Starts an emulator with a job (long-running, so cancel and status have something to act on), then faults `route` once. */
async function faulted(route: Route, fault: FaultKind, listenMs?: number) {
  const emu = await emulator({ durationMs: 60_000, capacity: 1 });
  const requestId = await submitJob(emu);
  emu.faults.set([{ route, fault, times: 1 }]);
  const [method, path, body] = ROUTE_REQUESTS[route](emu, requestId);
  const wire = await raw(emu.url, method, path, emu.token, body, listenMs);
  const stats = emu.stats();
  // The fault was spent on this request: the next one of the route is answered whole.
  const [againMethod, againPath, againBody] = ROUTE_REQUESTS[route](emu, requestId);
  const again = await raw(emu.url, againMethod, againPath, emu.token, againBody);
  return { emu, wire, again, stats };
}

describe("body faults on every route, on the wire", () => {
  it.each(ROUTES)("%s: hang-body sends the headers with the full length, then no byte of the body", async (route) => {
    const { wire, again, stats } = await faulted(route, { type: "hang-body" }, 400);
    expect(wire.status).toBe(route === "cancel" ? 202 : 200);
    expect(Number(wire.headers["content-length"])).toBeGreaterThan(0);
    expect(wire.body.length).toBe(0);
    expect(wire.ended).toBe("open");
    // The client gave up after its listening window (timers may fire a millisecond early), not the server.
    expect(wire.elapsedMs).toBeGreaterThanOrEqual(390);
    expect(stats.faults).toEqual({ [`${route}:hang-body`]: 1 });
    expect([again.ended, again.body.length]).toEqual(["end", Number(again.headers["content-length"])]);
    // The request itself was processed: the hung submit queued its job (the first job is the fixture's).
    if (route === "submit") expect(stats.submits).toBe(2);
  });

  it.each(ROUTES)("%s: partial-body sends half the body, then resets the connection", async (route) => {
    const { emu, wire, again, stats } = await faulted(route, { type: "partial-body" });
    const length = Number(wire.headers["content-length"]);
    expect(length).toBeGreaterThan(1);
    expect(wire.body.length).toBe(Math.floor(length / 2));
    expect(wire.ended).toBe("reset");
    // The bytes that came are the real answer's first bytes.
    expect(again.body.subarray(0, wire.body.length).equals(wire.body) || route === "submit").toBe(true);
    if (route === "files") expect(wire.body.subarray(4, 8).toString()).toBe("ftyp");
    expect(emu.stats().faults).toEqual({ [`${route}:partial-body`]: 1 });
    expect(again.ended).toBe("end");
    if (route === "submit") expect(stats.submits).toBe(2);
  });

  it.each(ROUTES)("%s: partial-body=5 sends exactly 5 bytes; partial-body=0 only the headers", async (route) => {
    const five = await faulted(route, { type: "partial-body", bytes: 5 });
    expect([five.wire.body.length, five.wire.ended]).toEqual([5, "reset"]);
    const none = await faulted(route, { type: "partial-body", bytes: 0 });
    expect(none.wire.status).toBe(route === "cancel" ? 202 : 200);
    expect([none.wire.body.length, none.wire.ended]).toEqual([0, "reset"]);
  });

  it.each(ROUTES)("%s: slow-body=300 trickles the whole body in pieces over at least 300 ms", async (route) => {
    const { emu, wire } = await faulted(route, { type: "slow-body", durationMs: 300 });
    expect(wire.ended).toBe("end");
    expect(wire.body.length).toBe(Number(wire.headers["content-length"]));
    if (route !== "files") expect(() => JSON.parse(wire.body.toString("utf8"))).not.toThrow();
    expect(wire.pieces.length).toBeGreaterThan(1);
    expect(wire.pieces.at(-1)!.atMs).toBeGreaterThanOrEqual(300);
    expect(emu.stats().faults).toEqual({ [`${route}:slow-body`]: 1 });
  });

  it("a `*` body fault applies to every route", async () => {
    const emu = await emulator({ durationMs: 60_000 });
    const requestId = await submitJob(emu);
    emu.faults.set([{ route: "*", fault: { type: "partial-body", bytes: 3 } }]);
    for (const route of ROUTES) {
      const [method, path, body] = ROUTE_REQUESTS[route](emu, requestId);
      const wire = await raw(emu.url, method, path, emu.token, body);
      expect([route, wire.body.length, wire.ended]).toEqual([route, 3, "reset"]);
    }
  });
});

describe("result faults", () => {
  it("failed=<error_code> answers a finished job's result as failed, for every later result call too", async () => {
    const emu = await emulator({ durationMs: 50 });
    const first = await submitJob(emu);
    emu.faults.set([parseFaultSpec("result:failed=500100x1")]);
    // Not finished yet: the fault does not apply (and is not spent).
    const early = (await (await get(emu, `/v1/requests/${first}/result`)).json()) as Record<string, unknown>;
    expect(early["status"]).not.toBe("failed");
    await finished(emu, first);
    for (let call = 0; call < 3; call++) {
      const wire = await raw(emu.url, "GET", `/v1/requests/${first}/result`, emu.token);
      expect(wire.status).toBe(200);
      expect(JSON.parse(wire.body.toString("utf8"))).toMatchObject({
        request_id: first,
        status: "failed",
        error_code: 500100,
        error_message: expect.any(String),
      });
    }
    // The status still says completed (a failed job is a completed one); another job is not touched (x1).
    expect(await (await get(emu, `/v1/requests/${first}/status`)).json()).toMatchObject({ status: "completed" });
    const second = await submitJob(emu);
    await finished(emu, second);
    expect(await (await get(emu, `/v1/requests/${second}/result`)).json()).toMatchObject({ status: "succeeded" });
    expect(emu.stats().faults).toEqual({ "result:failed": 1 });
  });

  it("lagging=N answers a finished job's result 404 N times in a row, then the real result", async () => {
    const emu = await emulator({ durationMs: 50 });
    const id = await submitJob(emu);
    emu.faults.set([parseFaultSpec("result:lagging=3")]);
    expect((await get(emu, `/v1/requests/${id}/result`)).status).toBe(200); // still running: not applied
    await finished(emu, id);
    const answers: (number | undefined)[] = [];
    for (let call = 0; call < 5; call++)
      answers.push((await raw(emu.url, "GET", `/v1/requests/${id}/result`, emu.token)).status);
    expect(answers).toEqual([404, 404, 404, 200, 200]);
    const miss = await raw(emu.url, "GET", `/v1/requests/${id}/result`, emu.token);
    expect(JSON.parse(miss.body.toString("utf8"))).toMatchObject({ status: "succeeded" });
    // Each finished job lags once (the rule has no count): a second job too.
    const other = await submitJob(emu);
    await finished(emu, other);
    expect((await get(emu, `/v1/requests/${other}/result`)).status).toBe(404);
    expect(emu.stats().faults).toEqual({ "result:lagging": 2 });
  });

  it("result faults never apply to another token's job nor to other routes", async () => {
    const emu = await emulator({ durationMs: 20, tokens: ["a-token", "b-token"] });
    const id = await submitJob(emu);
    await finished(emu, id);
    emu.faults.set([{ route: "*", fault: { type: "lagging", misses: 5 } }]);
    const other = await raw(emu.url, "GET", `/v1/requests/${id}/result`, "b-token");
    expect(other.status).toBe(403);
    expect((await get(emu, `/v1/requests/${id}/status`)).status).toBe(200);
    expect((await get(emu, "/v1/models")).status).toBe(200);
    expect(emu.stats().faults).toEqual({});
    expect((await get(emu, `/v1/requests/${id}/result`)).status).toBe(404);
  });
});

describe("fault specs", () => {
  it("parses every kind, with probability and count", () => {
    const cases: [string, FaultRule][] = [
      [
        "status:429:retry-after=2@0.1",
        { route: "status", fault: { type: "respond", status: 429, retryAfter: "2" }, probability: 0.1 },
      ],
      ["submit:drop-after", { route: "submit", fault: { type: "drop", phase: "after" } }],
      ["*:slow=300x5", { route: "*", fault: { type: "slow", delayMs: 300 }, times: 5 }],
      ["submit:error-200=400002", { route: "submit", fault: { type: "error-200", errorCode: 400002 } }],
      ["status:hang-body", { route: "status", fault: { type: "hang-body" } }],
      ["files:partial-body", { route: "files", fault: { type: "partial-body" } }],
      [
        "cancel:partial-body=12@0.5x2",
        { route: "cancel", fault: { type: "partial-body", bytes: 12 }, probability: 0.5, times: 2 },
      ],
      ["catalog:slow-body=250", { route: "catalog", fault: { type: "slow-body", durationMs: 250 } }],
      ["result:failed=500100", { route: "result", fault: { type: "failed", errorCode: 500100 } }],
      ["result:lagging=2@0.05", { route: "result", fault: { type: "lagging", misses: 2 }, probability: 0.05 }],
      ["*:failed=1", { route: "*", fault: { type: "failed", errorCode: 1 } }],
    ];
    for (const [spec, rule] of cases) expect(parseFaultSpec(spec), spec).toEqual(rule);
  });

  it.each([
    ["status:teapot", /invalid fault kind "teapot"/],
    ["nowhere:500", /unknown route "nowhere"/],
    ["status:failed=500100", /failed applies only to result, not to status/],
    ["submit:lagging=2", /lagging applies only to result, not to submit/],
    ["result:lagging=0", /lagging=0: the number of 404s must be an integer >= 1/],
    ["result:lagging=1.5", /an integer/],
    ["result:failed=abc", /failed=abc: the error_code must be an integer >= 1/],
    ["status:partial-body=-1", /partial-body=-1: bytes must be an integer >= 0/],
    ["status:slow-body", /slow-body=: the duration in ms must be a number >= 1/],
    ["status:slow-body=0", /slow-body=0/],
    ["status:slow=soon", /slow=soon/],
    ["status:hang-body=3", /hang-body takes no value/],
    ["status:drop:now", /unexpected "now"/],
    ["status:429:later=1", /unknown parameter "later=1"/],
    ["status:500@1.5", /probability "1.5" must be a number in \(0, 1\]/],
    ["status:500@", /probability "" must be/],
    ["status:500x0", /count "0" must be an integer >= 1/],
    ["status", /no route:kind/],
  ])("refuses %s with an error naming the spec", (spec, problem) => {
    expect(() => parseFaultSpec(spec)).toThrow(problem);
    expect(() => parseFaultSpec(spec)).toThrow(`invalid fault ${JSON.stringify(spec)}`);
  });

  it("checks rules given as objects (options, admin API) and names the rule", async () => {
    expect(() => checkFaultRule({ route: "status", fault: { type: "lagging", misses: 2 } })).toThrow(
      /invalid fault rule .*"lagging".*: lagging applies only to result, not to status/,
    );
    expect(() => checkFaultRule({ route: "result", fault: { type: "slow-body", durationMs: -1 } })).toThrow(
      /durationMs/,
    );
    expect(() => new Faults().set([{ route: "result", fault: { type: "nap" } as never }])).toThrow(
      /unknown fault type "nap"/,
    );
    expect(() => new Faults().add({ route: "result", fault: { type: "hang-body" }, times: 0 })).toThrow(
      /times must be/,
    );
    await expect(emulator({ faults: [{ route: "files", fault: { type: "failed", errorCode: 5 } }] })).rejects.toThrow(
      /failed applies only to result/,
    );
    const emu = await emulator();
    const response = await fetch(`${emu.url}/__emulator/faults`, {
      method: "POST",
      body: JSON.stringify({ rules: [{ route: "status", fault: { type: "partial-body", bytes: "half" } }] }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error_message: string }).error_message).toMatch(/bytes must be an integer/);
  });
});
