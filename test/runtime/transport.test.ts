/**
 * The default transport on Node (`templates/runtime/transport.ts`): the API calls go through node:http, not
 * `globalThis.fetch` (whose per-request garbage set the client's peak memory), a `fetch` option still wins, and the
 * transport keeps fetch's contract where `http.ts` relies on it: no redirect followed, headers read by any case, a
 * body cut short or aborted rejects, an abort before the headers rejects with the signal's reason, https works.
 */
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createClient } from "../../generated/index.js";
import { nodeTransport } from "../../generated/runtime/transport.js";
import { runChildScript } from "../helpers/child.ts";
import { TEST_CA_FILE } from "../helpers/https.ts";
import { ROOT } from "../helpers/project.ts";
import { tinyMock } from "../helpers/tiny-mock.ts";

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function transport(): typeof fetch {
  const send = nodeTransport();
  if (!send) throw new Error("nodeTransport() is undefined on Node");
  return send;
}

describe("the default transport of a client on Node", () => {
  it("sends API calls through node:http, not globalThis.fetch", async () => {
    const mock = await tinyMock();
    const realFetch = globalThis.fetch;
    let fetched = 0;
    globalThis.fetch = ((...args: Parameters<typeof fetch>) => {
      fetched++;
      return realFetch(...args);
    }) as typeof fetch;
    const seen: string[] = [];
    const listener = (message: unknown): void => {
      const { request } = message as { request: { method: string; path: string } };
      seen.push(`${request.method} ${request.path}`);
    };
    subscribe("http.client.request.start", listener);
    try {
      const client = createClient({ baseUrl: mock.url, token: mock.token });
      const info = await client.status("job-1");
      expect(info.status).toBe("completed");
    } finally {
      globalThis.fetch = realFetch;
      unsubscribe("http.client.request.start", listener);
    }
    expect(fetched).toBe(0);
    expect(seen).toEqual(["GET /v1/requests/job-1/status"]);
    expect(mock.count("status")).toBe(1);
  });

  it("uses the fetch option when one is given, for every API call", async () => {
    const mock = await tinyMock();
    const urls: string[] = [];
    const client = createClient({
      baseUrl: mock.url,
      token: mock.token,
      fetch: (input, init) => {
        urls.push(String(input));
        return fetch(input, init);
      },
    });
    await client.status("job-1");
    await client.result("job-1");
    expect(urls).toEqual([`${mock.url}/v1/requests/job-1/status`, `${mock.url}/v1/requests/job-1/result`]);
  });

  it("sends method, headers and a string body, and reads headers by any case (repeated ones joined)", async () => {
    let received: Record<string, string | undefined> = {};
    const url = await serve((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        received = {
          method: req.method,
          auth: req.headers.authorization,
          type: req.headers["content-type"],
          length: req.headers["content-length"],
          body,
        };
        res.setHeader("Retry-After", "3");
        res.setHeader("X-Many", ["a", "b"]);
        res.writeHead(201, { "content-type": "application/json" });
        res.end('{"ok":"é"}');
      });
    });
    const body = JSON.stringify({ prompt: "ünïcode" });
    const response = await transport()(`${url}/v1/x`, {
      method: "POST",
      headers: { authorization: "Bearer t", "content-type": "application/json" },
      body,
    });
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.headers.get("retry-after")).toBe("3");
    expect(response.headers.get("Retry-After")).toBe("3");
    expect(response.headers.get("x-many")).toBe("a, b");
    expect(response.headers.get("x-none")).toBeNull();
    expect(await response.text()).toBe('{"ok":"é"}');
    expect(received).toEqual({
      method: "POST",
      auth: "Bearer t",
      type: "application/json",
      length: String(Buffer.byteLength(body)),
      body,
    });
  });

  it("does not follow a redirect: the 3xx is the answer", async () => {
    let hits = 0;
    const url = await serve((req, res) => {
      hits++;
      res.writeHead(302, { location: "/elsewhere" });
      res.end();
    });
    const response = await transport()(`${url}/v1/x`, { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.ok).toBe(false);
    expect(hits).toBe(1);
  });

  it("rejects text() when the body is cut short by the peer (a reset code, so retries read it as a connection error)", async () => {
    const url = await serve((req, res) => {
      res.writeHead(200, { "content-length": "100" });
      res.write('{"status":');
      setTimeout(() => (res.socket as Socket).destroy(), 20);
    });
    const response = await transport()(`${url}/v1/x`);
    await expect(response.text()).rejects.toMatchObject({ code: "ECONNRESET" });
  });

  it("an abort after the headers rejects text() and closes the connection", async () => {
    let closed = false;
    const url = await serve((req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write("{");
      res.on("close", () => (closed = true));
    });
    const controller = new AbortController();
    const response = await transport()(`${url}/v1/x`, { signal: controller.signal });
    const reason = new Error("stop");
    controller.abort(reason);
    await expect(response.text()).rejects.toBe(reason);
    await expect.poll(() => closed).toBe(true);
  });

  it("an abort before the headers rejects with the signal's reason; an aborted signal sends nothing", async () => {
    let hits = 0;
    const url = await serve(() => {
      hits++; // never answers
    });
    const controller = new AbortController();
    const pending = transport()(`${url}/v1/x`, { signal: controller.signal });
    await expect.poll(() => hits).toBe(1);
    controller.abort(new Error("gave up"));
    await expect(pending).rejects.toThrow("gave up");
    await expect(transport()(`${url}/v1/y`, { signal: AbortSignal.abort(new Error("early")) })).rejects.toThrow(
      "early",
    );
    expect(hits).toBe(1);
  });

  it("a refused connection rejects with its code (so a submit knows nothing was sent)", async () => {
    const url = await serve(() => undefined);
    const port = new URL(url).port;
    servers.pop()!.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await expect(transport()(`http://127.0.0.1:${port}/v1/x`)).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  it("reuses idle connections for GETs, but gives every POST (a paid submit, a cancel) a connection of its own", async () => {
    const connections = new Set<Socket>();
    const byConnection: string[] = [];
    const url = await serve((request, response) => {
      connections.add(request.socket);
      byConnection.push(`${request.method} #${[...connections].indexOf(request.socket)}`);
      request.resume();
      request.on("end", () => response.end("{}"));
    });
    const send = transport();
    for (const method of ["GET", "GET", "POST", "GET", "POST"])
      await (await send(`${url}/v1/x`, { method, ...(method === "POST" ? { body: "{}" } : {}) })).text();
    // A reused connection the server had just closed would make a submit's outcome unknown for no reason.
    expect(byConnection).toEqual(["GET #0", "GET #0", "POST #1", "GET #0", "POST #2"]);
  });

  it("refuses a body that is not a string, sending nothing", async () => {
    let hits = 0;
    const url = await serve((req, res) => {
      hits++;
      res.end();
    });
    await expect(
      transport()(`${url}/v1/x`, { method: "POST", body: new Uint8Array([1]) as unknown as BodyInit }),
    ).rejects.toThrow("string bodies only");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(hits).toBe(0);
  });

  it("talks https (certificate checks as usual: trusted through NODE_EXTRA_CA_CERTS), and the process exits by itself", async () => {
    const script = `
      import { readFileSync } from "node:fs";
      import { createServer } from "node:https";
      const tls = ${JSON.stringify(`${ROOT}/test/fixtures/tls`)};
      const server = createServer({ key: readFileSync(tls + "/localhost.key"), cert: readFileSync(tls + "/localhost.crt") }, (req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ request_id: "job-1", status: "in_queue", queue_position: "2" }));
      });
      // The server keeps idle connections 30 s and holds nothing itself: only a client socket could keep this alive.
      server.keepAliveTimeout = 30000;
      server.on("connection", (socket) => socket.unref());
      await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
      const { createClient } = await import(${JSON.stringify(`${ROOT}/generated/index.js`)});
      const client = createClient({ baseUrl: "https://127.0.0.1:" + server.address().port, token: "t" });
      const info = await client.status("job-1");
      server.close();
      process.stdout.write(JSON.stringify({ status: info.status, position: info.queuePosition, at: Date.now() }));
    `;
    const previous = process.env["NODE_EXTRA_CA_CERTS"];
    process.env["NODE_EXTRA_CA_CERTS"] = TEST_CA_FILE;
    let run;
    try {
      run = await runChildScript(script);
    } finally {
      if (previous === undefined) delete process.env["NODE_EXTRA_CA_CERTS"];
      else process.env["NODE_EXTRA_CA_CERTS"] = previous;
    }
    const report = JSON.parse(run.stdout) as { status: string; position: number; at: number };
    expect(report).toMatchObject({ status: "in_queue", position: 2 });
    // Idle keep-alive sockets of the transport do not hold the process.
    expect(run.exitedAt - report.at).toBeLessThan(5_000);
  });
});
