/** The token never leaks: not into errors, logs or serialised errors, and never to another origin. */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigurationError, createClient, RunComfyError, untypedModel } from "../../generated/index.js";
import { clientFor, emulator, VACE_INPUT } from "../helpers/emulator.ts";
import { json, tinyMock, type TinyRequest } from "../helpers/tiny-mock.ts";

const TOKEN = "rc-secret-token-4f1d9a";

/** A server that records every request it gets (a stand-in for a foreign origin). */
async function spyServer(): Promise<{
  url: string;
  requests: { url: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}> {
  const requests: { url: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((request, response) => {
    requests.push({ url: request.url ?? "", headers: request.headers });
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ request_id: "x", status: "completed" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const spies: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(spies.splice(0).map((spy) => spy.close()));
});

function leaks(value: unknown): boolean {
  const views = [String(value), inspect(value, { depth: 12, showHidden: true }), JSON.stringify(value) ?? ""];
  if (value instanceof Error) views.push(value.stack ?? "", value.message);
  return views.some((view) => view.includes(TOKEN));
}

describe("the API token", () => {
  it("appears in no error, serialised error or log line, whatever fails", async () => {
    const emu = await emulator({ tokens: [TOKEN, "other"], capacity: 1, durationMs: 2000 });
    const lines: unknown[] = [];
    const logger = {
      error: (...args: unknown[]) => lines.push(args),
      warn: (...args: unknown[]) => lines.push(args),
      info: (...args: unknown[]) => lines.push(args),
      debug: (...args: unknown[]) => lines.push(args),
    };
    const client = clientFor(emu, {
      token: TOKEN,
      logger,
      logLevel: "debug",
      retry: { maxRetries: 1, baseDelayMs: 1 },
    });
    const errors: unknown[] = [];
    const capture = (promise: Promise<unknown>) =>
      promise.then(
        () => undefined,
        (error: unknown) => errors.push(error),
      );

    await capture(
      clientFor(emu, { token: `${TOKEN}-wrong`, logger, logLevel: "debug" }).submit(
        "community/wan-2-2/vace-fun",
        VACE_INPUT,
      ),
    );
    const blocker = await client.submit("community/wan-2-2/vace-fun", { ...VACE_INPUT, seed: 1 });
    await capture(clientFor(emu, { token: "other", logger, logLevel: "debug" }).status(blocker));
    await capture(client.status("missing"));
    await capture(client.submit(untypedModel("vendor/unknown"), {}));
    await capture(
      client.wait(await client.submit("community/wan-2-2/vace-fun", { ...VACE_INPUT, seed: 2 }), { timeoutMs: 50 }),
    );
    const controller = new AbortController();
    controller.abort();
    await capture(client.run("community/wan-2-2/vace-fun", { ...VACE_INPUT, seed: 3 }, { signal: controller.signal }));
    emu.faults.set([{ route: "submit", fault: { type: "drop" } }]);
    await capture(client.submit("community/wan-2-2/vace-fun", { ...VACE_INPUT, seed: 4 }));
    emu.faults.set([{ route: "status", fault: { type: "respond", status: 503 } }]);
    await capture(client.status(blocker));
    await capture(
      createClient({
        token: TOKEN,
        baseUrl: "http://127.0.0.1:1",
        retry: { maxRetries: 0 },
        logger,
        logLevel: "debug",
      }).status("x"),
    );

    expect(errors).toHaveLength(9);
    for (const error of errors) expect(leaks(error), inspect(error)).toBe(false);
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(leaks(line)).toBe(false);
    expect(leaks(client)).toBe(false);
  });

  it("is never sent to a status_url, result_url or cancel_url on another origin", async () => {
    const spy = await spyServer();
    spies.push(spy);
    const emu = await emulator({ tokens: [TOKEN], linkOrigin: spy.url });
    const client = clientFor(emu, { token: TOKEN });
    const handle = await client.submit("community/wan-2-2/vace-fun", VACE_INPUT);
    expect(((await client.status(handle)).raw as { status_url: string }).status_url.startsWith(spy.url)).toBe(true);
    const result = await client.wait(handle);
    await client.cancel(handle);
    expect(result.status).toBe("succeeded");
    expect(spy.requests).toEqual([]);
  });

  it("does not follow a redirect (which could carry it elsewhere)", async () => {
    const spy = await spyServer();
    spies.push(spy);
    const emu = await emulator({
      tokens: [TOKEN],
      faults: [
        {
          route: "status",
          fault: { type: "respond", status: 302, body: {}, headers: { location: `${spy.url}/steal` } },
        },
      ],
    });
    const error = await clientFor(emu, { token: TOKEN })
      .status("r1")
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: "APIError", status: 302 });
    expect((error as Error).message).toContain("redirects are not followed");
    expect(spy.requests).toEqual([]);
  });

  it("is rejected in the base URL itself", () => {
    expect(() => createClient({ baseUrl: `https://user:${TOKEN}@model-api.runcomfy.net` })).toThrow(
      /must not contain credentials/,
    );
  });
});

describe("the token, against the tiny independent mock", () => {
  it("is redacted when the server echoes it back, in message, stack, inspect, JSON and logs", async () => {
    const mock = await tinyMock();
    const echo = (request: TinyRequest, response: ServerResponse) =>
      json(response, 400, { error_code: 400001, error_message: `bad header ${request.authorization}` });
    mock.on("status", echo);
    mock.on("submit", echo);
    const lines: string[] = [];
    const logger = { error: log, warn: log, info: log, debug: log };
    function log(message: string, data?: unknown) {
      lines.push(`${message} ${inspect(data, { depth: 8 })}`);
    }
    const client = createClient({ baseUrl: mock.url, token: mock.token, logger, logLevel: "debug" });
    const errors = [
      await client.status("job-1").catch((caught: unknown) => caught),
      await client.submit("community/wan-2-2/vace-fun", VACE_INPUT).catch((caught: unknown) => caught),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(RunComfyError);
      const views = [String(error), inspect(error, { depth: 12, showHidden: true }), JSON.stringify(error)];
      views.push((error as Error).stack ?? "");
      expect(views.join("\n")).toContain("Bearer");
      expect(views.join("\n")).not.toContain(mock.token);
    }
    expect(lines.join("\n")).not.toContain(mock.token);
  });

  it.each(["tok\r\nX-Injected: 1", "tok\nen", "tok\u0000en", "tok\u007fen", "tok en"])(
    "a token with a control character or space (%j) is a ConfigurationError that does not quote it",
    async (token) => {
      const mock = await tinyMock();
      const error = (() => {
        try {
          createClient({ baseUrl: mock.url, token });
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as Error).message).not.toContain(token);
      expect(mock.requests).toEqual([]);
    },
  );
});

describe("where requests may go", () => {
  it.each([
    ["http://model-api.runcomfy.net", false],
    ["http://10.0.0.8:8080", false],
    ["http://localhost.example.com", false],
    ["ftp://model-api.runcomfy.net", false],
    ["https://model-api.runcomfy.net", true],
    ["http://127.0.0.1:8787", true],
    ["http://127.4.5.6", true],
    ["http://localhost:3000/v1", true],
    ["http://[::1]:8080", true],
  ] as const)("baseUrl %s accepted: %s (plain http only for loopback)", (baseUrl, ok) => {
    const create = () => createClient({ baseUrl, token: "t" });
    if (ok) expect(create).not.toThrow();
    else expect(create).toThrow(ConfigurationError);
  });

  it.each([
    "acme/../../requests/job-9/cancel",
    "acme/./model",
    "acme//model",
    "/acme/model",
    "acme/model/",
    "acme%2F..%2Fx",
    "acme%5cx",
    "acme\\model",
    "acme/mo\u0000del",
    "acme/mo\ndel",
    "",
  ])("the model id %j is refused before anything is sent", async (modelId) => {
    const mock = await tinyMock();
    const client = createClient({ baseUrl: mock.url, token: mock.token });
    const errors = [
      // A JavaScript caller's string id (the types take known ids only): refused at run time too.
      await client.submit(modelId as never, {} as never).catch((caught: unknown) => caught),
      await client.catalog.get(modelId).catch((caught: unknown) => caught),
    ];
    for (const error of errors) expect(error).toBeInstanceOf(ConfigurationError);
    expect(mock.requests).toEqual([]);
  });

  it.each(["..", ".", "job\r\n1", ""])("the request id %j is refused before anything is sent", async (requestId) => {
    const mock = await tinyMock();
    const client = createClient({ baseUrl: mock.url, token: mock.token });
    for (const call of [client.status, client.result, client.cancel])
      expect(await call(requestId).catch((caught: unknown) => caught)).toBeInstanceOf(ConfigurationError);
    expect(mock.requests).toEqual([]);
  });
});
