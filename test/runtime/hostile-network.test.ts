/**
 * The client under a hostile network, against the tiny independent mock (`test/helpers/tiny-mock.ts`), with faults at
 * the status level and at the body level: a paid submit the caller gave up on is never sent, any failure after a
 * submit may have left is `SubmitOutcomeUnknownError`, broken bodies of status/result/cancel are retried, the wait's
 * deadline holds, and the result endpoint's odd answers are read as the protocol means them.
 *
 * Elapsed-time bounds here are generous (seconds against the old behaviour's tens of seconds, or against a timeout
 * set far away on purpose); they tell "ended at the deadline" from "ended at the next 20 s attempt timeout".
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  AbortError,
  APIError,
  ConfigurationError,
  ConnectionError,
  InsufficientBalanceError,
  InternalServerError,
  RateLimitError,
  ResultNotFoundError,
  SubmitOutcomeUnknownError,
  WaitFailedError,
  WaitTimeoutError,
  type ClientOptions,
} from "../../generated/index.js";
import { runChildScript } from "../helpers/child.ts";
import { settle } from "../helpers/settle.ts";
import { tinyClient } from "../helpers/tiny-client.ts";
import { VACE_INPUT } from "../helpers/emulator.ts";
import { hangBody, json, partialThenReset, slowBody, tinyMock, type TinyMock } from "../helpers/tiny-mock.ts";

const MODEL = "community/wan-2-2/vace-fun";

const clientOf = tinyClient;

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe("money: a submit the caller gave up on is never sent", () => {
  it("an abort while the submit waits for a request slot rejects with AbortError and sends no POST", async () => {
    const mock = await tinyMock();
    let release: (() => void) | undefined;
    // The one slot is held by a status call that hangs until the test lets it go.
    mock.on("status", (_request, response) => {
      release = () => json(response, 200, { status: "in_progress" });
    });
    const client = clientOf(mock, { maxConcurrentRequests: 1 });
    const blocker = settle(client.status("job-x"));
    await pause(50);
    const controller = new AbortController();
    const submit = settle(client.submit(MODEL, VACE_INPUT, { signal: controller.signal }));
    await pause(50);
    controller.abort();
    const error = await submit;
    expect(error).toBeInstanceOf(AbortError);
    release!();
    await blocker;
    await pause(100);
    expect(mock.count("submit")).toBe(0);
  }, 15_000);

  it("a submit aborted while it waits for a submit slot builds nothing: AbortError, not its input's ValidationError", async () => {
    const mock = await tinyMock();
    let answer: (() => void) | undefined;
    // The one submit slot is held by a submit whose answer the test sends when it wants.
    mock.on("submit", (_request, response) => {
      answer = () => json(response, 200, { request_id: "job-1", status: "in_queue" });
    });
    const client = clientOf(mock, { maxConcurrentRequests: 1 });
    const first = settle(client.submit(MODEL, VACE_INPUT));
    await pause(50);
    const controller = new AbortController();
    // An input that would fail local validation: if the aborted call went on to build its body, that is what it throws.
    const invalid = {} as unknown as typeof VACE_INPUT;
    const second = settle(client.submit(MODEL, invalid, { signal: controller.signal }));
    await pause(50);
    controller.abort();
    expect(await second).toBeInstanceOf(AbortError);
    answer!();
    expect(await first).toMatchObject({ requestId: "job-1" });
    expect(mock.count("submit")).toBe(1);
  }, 15_000);

  it("an abort of 500 queued run() calls sharing one signal lets no POST through, warns nothing, leaks nothing", async () => {
    const mock = await tinyMock();
    let release: (() => void) | undefined;
    mock.on("status", (_request, response) => {
      release = () => json(response, 200, { status: "in_progress" });
    });
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("warning", onWarning);
    process.on("unhandledRejection", onUnhandled);
    try {
      const client = clientOf(mock, { maxConcurrentRequests: 1 });
      const blocker = settle(client.status("job-x"));
      await pause(50);
      const controller = new AbortController();
      const runs = Array.from({ length: 500 }, (_, seed) =>
        settle(client.run(MODEL, { ...VACE_INPUT, seed }, { signal: controller.signal })),
      );
      await pause(50);
      controller.abort();
      const errors = await Promise.all(runs);
      release!();
      await blocker;
      await pause(100);
      expect(errors.every((error) => error instanceof AbortError)).toBe(true);
      expect(mock.count("submit")).toBe(0);
      expect(warnings).not.toContain("MaxListenersExceededWarning");
      expect(unhandled).toEqual([]);
    } finally {
      process.off("warning", onWarning);
      process.off("unhandledRejection", onUnhandled);
    }
  }, 15_000);

  const SUBMITTED = { request_id: "job-1" };
  it.each([
    ["headers, then a body that never comes", (response) => hangBody(response, 200, SUBMITTED), { timeoutMs: 300 }],
    ["half a body, then a TCP reset", (response) => partialThenReset(response, 200, SUBMITTED), {}],
    ["HTTP 503", (response) => json(response, 503, { error_code: 500001, error_message: "busy" }), {}],
    ["HTTP 500 with an error_code", (response) => json(response, 500, { error_code: 500001, error_message: "x" }), {}],
    ["HTTP 502 with an HTML body", (response) => response.writeHead(502).end("<html>bad gateway</html>"), {}],
    ["a connection reset before any byte", (response) => response.socket?.resetAndDestroy(), {}],
  ] as const satisfies readonly (readonly [
    string,
    (response: import("node:http").ServerResponse) => void,
    ClientOptions,
  ])[])("a submit answered with %s is SubmitOutcomeUnknownError, sent exactly once", async (_name, answer, options) => {
    const mock = await tinyMock();
    mock.on("submit", (_request, response) => answer(response));
    const error = await settle(clientOf(mock, options).submit(MODEL, VACE_INPUT));
    expect(error).toBeInstanceOf(SubmitOutcomeUnknownError);
    // The cause, when there is one, is an error a caller can read (not one of the client's own abort symbols).
    expect(typeof (error as Error).cause).not.toBe("symbol");
    // Neither of the classes a generic retry wrapper resends on.
    expect(error).not.toBeInstanceOf(ConnectionError);
    expect(error).not.toBeInstanceOf(APIError);
    expect((error as Error).message).toMatch(/may or may not have been queued/);
    await pause(100);
    expect(mock.count("submit")).toBe(1);
  });

  it.each([
    ["HTTP 503", (response) => json(response, 503, { error_code: 500001, error_message: "busy" })],
    ["HTTP 429", (response) => json(response, 429, { error_message: "slow down" }, { "retry-after": "0" })],
    ["a connection reset", (response) => response.socket?.resetAndDestroy()],
    ["half a body, then a reset", (response) => partialThenReset(response, 200, { status: "in_queue" })],
  ] as const satisfies readonly (readonly [string, (response: import("node:http").ServerResponse) => void])[])(
    "run() whose status calls keep failing (%s) after the submit is WaitFailedError with the handle; a retry wrapper around run() pays once",
    async (_name, answer) => {
      const mock = await tinyMock();
      mock.on("submit", (_request, response) => json(response, 200, SUBMITTED));
      mock.on("status", (_request, response) => answer(response));
      const client = clientOf(mock, { retry: { maxRetries: 1, baseDelayMs: 5, maxDelayMs: 10, maxRetryAfterMs: 10 } });
      const transient = (error: unknown) =>
        error instanceof ConnectionError || error instanceof InternalServerError || error instanceof RateLimitError;
      let attempts = 0;
      let error: unknown;
      for (; attempts < 3;) {
        attempts++;
        error = await settle(client.run(MODEL, VACE_INPUT, { onTimeout: "leave" }));
        if (!transient(error)) break;
      }
      expect(attempts).toBe(1);
      expect(error).toBeInstanceOf(WaitFailedError);
      expect(error).not.toBeInstanceOf(APIError);
      expect((error as WaitFailedError).handle).toMatchObject({ modelId: MODEL, requestId: "job-1" });
      expect((error as WaitFailedError).requestId).toBe("job-1");
      expect(transient((error as Error).cause)).toBe(true);
      expect((error as Error).message).toMatch(/the job is queued and may still run and be charged/);
      await pause(50);
      expect(mock.count("submit")).toBe(1);
    },
  );

  it("WaitFailedError is redacted like every error: a request id that echoes the token does not show it", async () => {
    const mock = await tinyMock();
    mock.on("submit", (_request, response) => json(response, 200, { request_id: `job-${mock.token}` }));
    mock.on("status", (_request, response) => json(response, 503, { error_message: "busy" }));
    const client = clientOf(mock, { retry: { maxRetries: 0 } });
    const error = (await settle(client.run(MODEL, VACE_INPUT))) as WaitFailedError;
    expect(error).toBeInstanceOf(WaitFailedError);
    const { inspect } = await import("node:util");
    for (const text of [error.message, String(error.stack), JSON.stringify(error), inspect(error, { depth: 5 })])
      expect(text).not.toContain(mock.token);
  });

  it("a logger is checked when the client is made, and one that throws never changes a call's outcome", async () => {
    const mock = await tinyMock();
    for (const logger of [42, null, "console", {}, { error() {}, warn() {} }]) {
      expect(() => clientOf(mock, { logger: logger as never, logLevel: "info" })).toThrow(ConfigurationError);
    }
    expect(() => clientOf(mock, { logger: { error() {}, warn() {} } as never })).not.toThrow();
    mock.on("submit", (_request, response) => json(response, 200, SUBMITTED));
    mock.on("status", (_request, response) => json(response, 200, { status: "in_queue", queue_position: 3 }));
    mock.on("cancel", (_request, response) => json(response, 503, { error_message: "busy" }));
    const throwing = {
      error: () => {
        throw new TypeError("logger down");
      },
      warn: () => {
        throw new TypeError("logger down");
      },
      info: () => {
        throw new TypeError("logger down");
      },
      debug: () => {
        throw new TypeError("logger down");
      },
    };
    const client = clientOf(mock, { logger: throwing, logLevel: "debug", retry: { maxRetries: 0 } });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      // The submit's info line throws after the job is queued; the cancel after the deadline fails and its warn line
      // throws: the call still ends as a wait that timed out, with the handle.
      const error = await settle(client.run(MODEL, VACE_INPUT, { timeoutMs: 300 }));
      expect(error).toBeInstanceOf(WaitTimeoutError);
      expect((error as WaitTimeoutError).handle.requestId).toBe("job-1");
      await pause(100);
      expect(unhandled).toEqual([]);
      expect(mock.count("submit")).toBe(1);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("run()'s deadline cutting a submit that hangs is SubmitOutcomeUnknownError whose cause is no bare symbol", async () => {
    const mock = await tinyMock();
    mock.on("submit", (_request, response) => hangBody(response, 200, SUBMITTED));
    const error = await settle(clientOf(mock).run(MODEL, VACE_INPUT, { timeoutMs: 200 }));
    expect(error).toBeInstanceOf(SubmitOutcomeUnknownError);
    expect((error as Error).message).toMatch(/the deadline \(timeoutMs\) came/);
    expect(typeof (error as Error).cause).not.toBe("symbol");
    expect(mock.count("submit")).toBe(1);
  });

  it("a common retry wrapper (resend on ConnectionError, InternalServerError or RateLimitError) pays once", async () => {
    const mock = await tinyMock();
    mock.on("submit", (_request, response) => partialThenReset(response, 200, SUBMITTED));
    const client = clientOf(mock);
    const retried = async <T>(call: () => Promise<T>, attempts = 3): Promise<T> => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await call();
        } catch (error) {
          const transient =
            error instanceof ConnectionError || error instanceof InternalServerError || error instanceof RateLimitError;
          if (!transient || attempt >= attempts) throw error;
        }
      }
    };
    const error = await settle(retried(() => client.submit(MODEL, VACE_INPUT)));
    expect(error).toBeInstanceOf(SubmitOutcomeUnknownError);
    await pause(100);
    expect(mock.count("submit")).toBe(1);
  });

  it("an abort while the submit's body is arriving is SubmitOutcomeUnknownError (the job may be queued)", async () => {
    const mock = await tinyMock();
    mock.on("submit", (_request, response) => slowBody(response, 200, { request_id: "job-1" }, 50));
    const controller = new AbortController();
    const submit = settle(clientOf(mock).submit(MODEL, VACE_INPUT, { signal: controller.signal }));
    await pause(120);
    controller.abort();
    expect(await submit).toBeInstanceOf(SubmitOutcomeUnknownError);
    expect(mock.count("submit")).toBe(1);
  });

  it("a documented 4xx answer to a submit keeps its own class", async () => {
    const mock = await tinyMock();
    mock.on("submit", (_request, response) =>
      json(response, 402, { error_code: 402001, error_message: "Insufficient balance" }),
    );
    const error = await settle(clientOf(mock).submit(MODEL, VACE_INPUT));
    expect(error).toBeInstanceOf(InsufficientBalanceError);
    expect(mock.count("submit")).toBe(1);
  });
});

describe("waiting: bodies that break are retried, the deadline is the deadline", () => {
  it.each([
    ["half a body then a reset", (response) => partialThenReset(response, 200, { status: "completed" })],
    ["headers then silence", (response) => hangBody(response, 200, { status: "completed" })],
    ["an HTML body", (response) => response.writeHead(200, { "content-type": "text/html" }).end("<html>")],
  ] as const satisfies readonly (readonly [string, (response: import("node:http").ServerResponse) => void])[])(
    "a status body of %s is retried like a connection error; the wait still succeeds",
    async (_name, answer) => {
      const mock = await tinyMock();
      mock.on("status", (request, response) => (request.nth <= 2 ? answer(response) : false));
      const client = clientOf(mock, { timeoutMs: 300 });
      const handle = await client.submit(MODEL, VACE_INPUT);
      const result = await client.wait(handle, { timeoutMs: 30_000 });
      expect(result.status).toBe("succeeded");
      expect(mock.count("status")).toBe(3);
    },
  );

  it("a result body that breaks once is retried", async () => {
    const mock = await tinyMock();
    mock.on("result", (request, response) =>
      request.nth === 1 ? partialThenReset(response, 200, { status: "succeeded", output: {} }) : false,
    );
    const client = clientOf(mock);
    const result = await client.run(MODEL, VACE_INPUT);
    expect(result.status).toBe("succeeded");
    expect(mock.count("result")).toBe(2);
  });

  it("a hanging status call ends at the wait's deadline, through onTimeout (cancelled, handle kept)", async () => {
    const mock = await tinyMock();
    mock.on("status", () => undefined); // never answers
    // Each attempt may take 20 s: only the wait's deadline can end this one in time.
    const client = clientOf(mock, { timeoutMs: 20_000 });
    const handle = await client.submit(MODEL, VACE_INPUT);
    const started = Date.now();
    const error = await settle(client.wait(handle, { timeoutMs: 500 }));
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as WaitTimeoutError).handle).toEqual(handle);
    expect((error as WaitTimeoutError).outcome.job).toBe("cancelled");
    expect(mock.count("cancel")).toBe(1);
    expect(elapsed).toBeLessThan(5_000);
  });

  it("a 503 asking for Retry-After: 10 does not carry the wait past its deadline", async () => {
    const mock = await tinyMock();
    mock.on("status", (_request, response) =>
      json(response, 503, { error_code: 500001, error_message: "busy" }, { "retry-after": "10" }),
    );
    const client = clientOf(mock, { retry: { maxRetryAfterMs: 60_000 } });
    const handle = await client.submit(MODEL, VACE_INPUT);
    const started = Date.now();
    const error = await settle(client.wait(handle, { timeoutMs: 500, onTimeout: "leave" }));
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as WaitTimeoutError).outcome.job).toBe("left-running");
    expect(mock.count("cancel")).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("abort() inside onStatus takes effect at once, before the next poll", async () => {
    const mock = await tinyMock();
    // The status answers after 1 s, so the adaptive schedule (10 × the time waited) puts the next poll ~10 s away:
    // only an abort that acts at once ends this wait within the bound below.
    mock.on("status", (_request, response) => {
      setTimeout(() => json(response, 200, { status: "in_queue", queue_position: "3" }), 1_000);
    });
    const client = clientOf(mock, {
      poll: { minIntervalMs: 20, elapsedFraction: 10, maxIntervalMs: 60_000, jitter: 0 },
    });
    const controller = new AbortController();
    const positions: (number | undefined)[] = [];
    const started = Date.now();
    const error = await settle(
      client.run(MODEL, VACE_INPUT, {
        signal: controller.signal,
        onStatus: (update) => {
          positions.push(update.queuePosition);
          controller.abort();
        },
      }),
    );
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).handle).toMatchObject({ requestId: "job-1", modelId: MODEL });
    expect((error as AbortError).outcome?.job).toBe("cancelled");
    expect(mock.count("status")).toBe(1);
    // The numeric-string queue position is read as a number.
    expect(positions).toEqual([3]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe("the result endpoint", () => {
  it('{"status":"failed","error_code":…} is a failed JobResult, asked for once', async () => {
    const mock = await tinyMock();
    mock.on("result", (_request, response) =>
      json(response, 200, { status: "failed", error_code: 500100, error_message: "node 143 failed" }),
    );
    const result = await clientOf(mock).run(MODEL, VACE_INPUT);
    expect(result).toMatchObject({ status: "failed", errorCode: 500100 });
    expect(mock.count("result")).toBe(1);
  });

  it("a 404 right after completed is retried with backoff, then the result is read", async () => {
    const mock = await tinyMock();
    mock.on("result", (request, response) =>
      request.nth <= 2 ? json(response, 404, { error_code: 404001, error_message: "not found" }) : false,
    );
    const result = await clientOf(mock).run(MODEL, VACE_INPUT);
    expect(result.status).toBe("succeeded");
    expect(mock.count("result")).toBe(3);
  });

  it("a result that stays 404 after completed fails clearly: it finished, here is the handle", async () => {
    const mock = await tinyMock();
    mock.on("result", (_request, response) => json(response, 404, { error_code: 404001, error_message: "not found" }));
    const client = clientOf(mock);
    const handle = await client.submit(MODEL, VACE_INPUT);
    const error = await settle(client.wait(handle));
    expect(error).toBeInstanceOf(ResultNotFoundError);
    expect(error).toMatchObject({ handle });
    expect((error as Error).message).toMatch(/finished/);
    expect(mock.count("result")).toBe(4);
  });
});

describe("after a wait settles, nothing of it keeps the process alive", () => {
  const ROOT = fileURLToPath(new URL("../..", import.meta.url));
  /** Runs `body` in a fresh Node process against `mock`; resolves with ms from "settled" to the process's exit. */
  async function lingering(mock: TinyMock, body: string): Promise<{ lingerMs: number; output: string }> {
    const script = `
      import { createClient } from ${JSON.stringify(join(ROOT, "generated/index.js"))};
      const client = createClient({ baseUrl: ${JSON.stringify(mock.url)}, token: ${JSON.stringify(mock.token)},
        poll: { minIntervalMs: 20, maxIntervalMs: 50 }, timeoutMs: 20000 });
      const input = ${JSON.stringify(VACE_INPUT)};
      const outcome = await (async () => { ${body} })().then((value) => value, (error) => error.name);
      process.stdout.write(JSON.stringify({ outcome, at: Date.now() }));
    `;
    const { stdout, exitedAt } = await runChildScript(script);
    const { outcome, at } = JSON.parse(stdout) as { outcome: string; at: number };
    return { lingerMs: exitedAt - at, output: outcome };
  }

  it.each([
    [
      "an abort while the job is queued",
      "in_queue",
      // Aborted once the job is queued (not on a timer: under load a timer can fire while the submit is on the wire).
      `const c = new AbortController();
      return (await client.run("${MODEL}", input, { signal: c.signal, onEnqueue: () => c.abort() })).status;`,
      "AbortError",
    ],
    [
      "a timeout while a status call hangs",
      "hang",
      `return (await client.run("${MODEL}", input, { timeoutMs: 300 })).status;`,
      "WaitTimeoutError",
    ],
    ["success", "completed", `return (await client.run("${MODEL}", input)).status;`, "succeeded"],
  ])("%s", async (_name, status, body, expected) => {
    const mock = await tinyMock();
    if (status === "hang") mock.on("status", () => undefined);
    else mock.statusOf.set("job-1", { status });
    const { lingerMs, output } = await lingering(mock, body);
    expect(output).toBe(expected);
    // The old client lingered ~19 s (armed timers, a 10 s cancel timer, held sockets); the attempt timeout is 20 s.
    expect(lingerMs).toBeLessThan(3_000);
  });
});
