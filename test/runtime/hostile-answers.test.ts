/**
 * Answers and callers that a round of attacks found the client mishandling, against the tiny independent mock
 * (`test/helpers/tiny-mock.ts`): 2xx bodies that are not JSON, success codes in a body, a bad request_id after a paid
 * submit, a body too large to hold, a wait that would give up without asking once, run()'s deadline over the submit,
 * callbacks that throw, and options at their edges.
 */
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import {
  AbortError,
  ConfigurationError,
  ConnectionError,
  createClient,
  RequestTimeoutError,
  SubmitOutcomeUnknownError,
  UnknownStatusError,
  WaitTimeoutError,
  type ClientOptions,
} from "../../generated/index.js";
import { redact } from "../../generated/runtime/errors.js";
import { MAX_BODY_CHARS } from "../../generated/runtime/transport.js";
import { VACE_INPUT } from "../helpers/emulator.ts";
import { settle } from "../helpers/settle.ts";
import { tinyClient } from "../helpers/tiny-client.ts";
import { hangBody, json, tinyMock, type TinyMock } from "../helpers/tiny-mock.ts";

const MODEL = "community/wan-2-2/vace-fun";

/** Fewer and shorter retries than the default: each retried fault here is asserted by its count. */
function clientOf(mock: TinyMock, options: ClientOptions = {}) {
  return tinyClient(mock, { retry: { baseDelayMs: 5, maxDelayMs: 20, maxRetries: 2 }, ...options });
}

/** A 200 whose body is `text` as it is. */
function text200(response: ServerResponse, text: string, type = "text/html"): void {
  response.writeHead(200, { "content-type": type, "content-length": String(Buffer.byteLength(text)) });
  response.end(text);
}

const handleOf = (requestId: string, submittedAt = new Date().toISOString()) => ({
  modelId: MODEL,
  requestId,
  submittedAt,
});

describe("a 2xx answer to a read that is not JSON is retried like a broken body, then a ConnectionError", () => {
  const bodies: [string, string][] = [
    ["an HTML page", "<html><body>maintenance</body></html>"],
    ["JSON cut short", '{"status":"succeeded","output":{"video":"https://x'],
    ["an empty body", ""],
  ];
  it.each(bodies)("status: %s", async (what, body) => {
    const mock = await tinyMock();
    mock.on("status", (_, response) => text200(response, body));
    const error = await settle(clientOf(mock).status("job-1"));
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(
      what === "an empty body"
        ? /^GET \/v1\/requests\/job-1\/status answered HTTP 200 with an empty body/
        : /^GET \/v1\/requests\/job-1\/status answered HTTP 200 with a body that is not JSON \(".{10,}/,
    );
    // One call and maxRetries (2) retries.
    expect(mock.count("status")).toBe(3);
  });

  it("a status answer that is not JSON once is retried and then read", async () => {
    const mock = await tinyMock();
    mock.on("status", (request, response) => (request.nth === 1 ? text200(response, "<html>") : false));
    const info = await clientOf(mock).status("job-1");
    expect(info.status).toBe("completed");
    expect(mock.count("status")).toBe(2);
  });

  it("wait() with a result body that never parses ends with that ConnectionError, not a loop until the deadline", async () => {
    const mock = await tinyMock();
    mock.on("result", (_, response) => text200(response, '{"status":"succeeded","output":{"vid'));
    const client = clientOf(mock);
    const started = Date.now();
    const error = await settle(client.wait(handleOf("job-1"), { timeoutMs: 20_000 }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(mock.count("result")).toBe(3);
    expect(mock.count("status")).toBe(1);
  });

  it("an empty 200 to a cancel is still read (a cancel may answer without a body)", async () => {
    const mock = await tinyMock();
    mock.on("cancel", (_, response) => text200(response, ""));
    const info = await clientOf(mock).cancel("job-1");
    expect(info.outcome).toBe("unknown");
    expect(mock.count("cancel")).toBe(1);
  });

  it("a result whose status this client does not know counts toward maxUnknownStatuses (no status/result loop)", async () => {
    const mock = await tinyMock();
    mock.on("result", (request, response) => json(response, 200, { request_id: request.requestId, status: "weird" }));
    const error = await settle(
      clientOf(mock, { poll: { minIntervalMs: 5, maxIntervalMs: 5, maxUnknownStatuses: 3 } }).wait(handleOf("job-1"), {
        timeoutMs: 20_000,
      }),
    );
    expect(error).toBeInstanceOf(UnknownStatusError);
    expect(mock.count("result")).toBe(4);
  });
});

describe("a success code in a 2xx body is not an error; an error code beside a request_id is an unknown outcome", () => {
  const successes: [string, Record<string, unknown>][] = [
    ["code 0", { code: 0 }],
    ["code 200 and msg", { code: 200, msg: "success" }],
    ["error_code 0", { error_code: 0 }],
    ["error_code null, code 0", { error_code: null, code: 0 }],
    ["error_code '0'", { error_code: "0" }],
  ];
  it.each(successes)("submit answered with the request_id and %s: the handle", async (_, extra) => {
    const mock = await tinyMock();
    mock.on("submit", (_, response) => json(response, 200, { request_id: "job-7", ...extra }));
    const handle = await clientOf(mock).submit(MODEL, VACE_INPUT);
    expect(handle.requestId).toBe("job-7");
    expect(mock.count("submit")).toBe(1);
  });

  it.each(successes)("status answered with %s: read", async (_, extra) => {
    const mock = await tinyMock();
    mock.on("status", (_, response) => json(response, 200, { status: "in_progress", ...extra }));
    expect((await clientOf(mock).status("job-1")).status).toBe("in_progress");
  });

  it("a 2xx submit answer with a request_id and a real error code is SubmitOutcomeUnknownError naming the id", async () => {
    const mock = await tinyMock();
    mock.on("submit", (_, response) =>
      json(response, 200, { request_id: "job-9", error_code: 403003, error_message: "quota" }),
    );
    const error = await settle(clientOf(mock).submit(MODEL, VACE_INPUT));
    expect(error).toBeInstanceOf(SubmitOutcomeUnknownError);
    expect((error as SubmitOutcomeUnknownError).message).toContain('request_id "job-9"');
    expect((error as SubmitOutcomeUnknownError).errorCode).toBe(403003);
    expect(mock.count("submit")).toBe(1);
  });
});

describe("a request_id that is not valid is refused at the submit, as an unknown outcome that shows it", () => {
  const ids: [string, string][] = [
    ["a NUL", "job\u0000x"],
    ["a newline", "job\n1"],
    ["'..'", ".."],
  ];
  it.each(ids)("%s", async (_, id) => {
    const mock = await tinyMock();
    mock.on("submit", (_, response) => json(response, 200, { request_id: id }));
    const error = await settle(clientOf(mock).run(MODEL, VACE_INPUT));
    expect(error).toBeInstanceOf(SubmitOutcomeUnknownError);
    expect((error as Error).message).toContain(JSON.stringify(id));
    expect((error as Error).message).toMatch(/which is not valid \(.+\): the job may have been queued under it/);
    expect(mock.count("submit")).toBe(1);
    expect(mock.requests.filter((request) => request.route !== "submit")).toEqual([]);
  });
});

describe("a body too large to hold fails the call (the process does not crash)", () => {
  const huge = (response: ServerResponse) => {
    response.writeHead(200, { "content-type": "application/json" });
    const chunk = "x".repeat(1024 * 1024);
    let sent = 0;
    const more = () => {
      while (!response.destroyed && sent <= MAX_BODY_CHARS / chunk.length + 1) {
        sent++;
        if (!response.write(chunk)) return void response.once("drain", more);
      }
      response.end();
    };
    more();
  };

  it("a status body over the cap: ConnectionError, not retried", async () => {
    const mock = await tinyMock();
    mock.on("status", (_, response) => huge(response));
    const error = await settle(clientOf(mock).status("job-1"));
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(/the response body is larger than 64 MiB after the headers \(HTTP 200\)/);
    expect(mock.count("status")).toBe(1);
  });

  it("a submit answer over the cap: SubmitOutcomeUnknownError, sent once", async () => {
    const mock = await tinyMock();
    mock.on("submit", (_, response) => huge(response));
    const error = await settle(clientOf(mock).submit(MODEL, VACE_INPUT));
    expect(error).toBeInstanceOf(SubmitOutcomeUnknownError);
    expect((error as Error).message).toMatch(/^the answer's body was too large after the headers \(HTTP 200\)/);
    expect(mock.count("submit")).toBe(1);
  });
});

describe("a wait asks at least once before it gives up (and cancels)", () => {
  it("a handle submitted an hour ago with a 5 s wait: the job's result, not a timeout with 'last status: none'", async () => {
    const mock = await tinyMock();
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    const started = Date.now();
    const result = await clientOf(mock, { poll: {} }).wait(handleOf("job-1", hourAgo), { timeoutMs: 5_000 });
    expect(result.status).toBe("succeeded");
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(mock.count("cancel")).toBe(0);
  });

  it("fixedIntervalMs longer than timeoutMs: one status call, then the timeout", async () => {
    const mock = await tinyMock();
    mock.statusOf.set("job-1", { status: "in_queue", queue_position: 2 });
    const error = await settle(
      clientOf(mock, { poll: { fixedIntervalMs: 5_000 } }).wait(handleOf("job-1"), { timeoutMs: 300 }),
    );
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as Error).message).toContain("last status: in_queue");
    expect(mock.count("status")).toBe(1);
  });
});

describe("run()'s timeoutMs counts from the call: the submit is inside the deadline", () => {
  it("a submit that never answers ends at the deadline as SubmitOutcomeUnknownError (sent once)", async () => {
    const mock = await tinyMock();
    mock.on("submit", (_, response) => hangBody(response, 200, { request_id: "job-1" }));
    const started = Date.now();
    const error = await settle(clientOf(mock, { timeoutMs: 20_000 }).run(MODEL, VACE_INPUT, { timeoutMs: 400 }));
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(SubmitOutcomeUnknownError);
    expect((error as Error).message).toMatch(/^the deadline \(timeoutMs\) came after the headers \(HTTP 200\)/);
    expect(elapsed).toBeLessThan(3_000);
    expect(mock.count("submit")).toBe(1);
  });

  it("a slow submit leaves the wait only what is left of the deadline", async () => {
    const mock = await tinyMock();
    mock.on("submit", (_, response) => void setTimeout(() => json(response, 200, { request_id: "job-1" }), 250));
    mock.statusOf.set("job-1", { status: "in_progress" });
    const started = Date.now();
    const error = await settle(clientOf(mock).run(MODEL, VACE_INPUT, { timeoutMs: 600, onTimeout: "leave" }));
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(elapsed).toBeGreaterThanOrEqual(590);
    expect(elapsed).toBeLessThan(2_000);
  });

  it("a run that waits for a submit slot past its deadline sends nothing: RequestTimeoutError", async () => {
    const mock = await tinyMock();
    mock.on("submit", (_, response) => hangBody(response, 200, { request_id: "job-1" }));
    const client = clientOf(mock, { maxConcurrentRequests: 1 });
    const first = settle(client.run(MODEL, VACE_INPUT, { timeoutMs: 3_000 }));
    const started = Date.now();
    const second = await settle(client.run(MODEL, VACE_INPUT, { timeoutMs: 200 }));
    expect(second).toBeInstanceOf(RequestTimeoutError);
    expect((second as Error).message).toMatch(/the deadline came before it was sent \(nothing was sent\)/);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(await first).toBeInstanceOf(SubmitOutcomeUnknownError);
    expect(mock.count("submit")).toBe(1);
  });
});

describe("a callback that throws stops the wait as an abort does: the handle, onAbort, and the very error as cause", () => {
  class PersistError extends Error {
    readonly path = "/tmp/jobs.json";
  }
  const callbacks = ["onEnqueue", "onStatus"] as const;
  it.each(callbacks)("%s", async (callback) => {
    const mock = await tinyMock();
    mock.statusOf.set("job-1", { status: "in_queue", queue_position: 3 });
    const thrown = new PersistError("disk full");
    const fail = () => {
      throw thrown;
    };
    const error = await settle(clientOf(mock).run(MODEL, VACE_INPUT, { [callback]: fail, timeoutMs: 5_000 }));
    expect(error).toBeInstanceOf(AbortError);
    const abort = error as AbortError;
    expect(abort.message).toContain(`${callback} threw "Error: disk full"`);
    expect(abort.cause).toBe(thrown);
    expect(abort.handle?.requestId).toBe("job-1");
    expect(abort.outcome?.job).toBe("cancelled");
    expect(mock.count("submit")).toBe(1);
    expect(mock.count("cancel")).toBe(1);
    expect(mock.count("status")).toBe(callback === "onEnqueue" ? 0 : 1);
  });
});

describe("a misspelled option is a ConfigurationError that suggests the one meant (plain JavaScript would ignore it)", () => {
  const cases: [string, (mock: TinyMock) => unknown, RegExp][] = [
    [
      "createClient({ timeoutMS })",
      (mock) => createClient({ baseUrl: mock.url, token: mock.token, timeoutMS: 5 } as never),
      /^createClient\(\) has no option "timeoutMS"; did you mean "timeoutMs"\?$/,
    ],
    [
      "createClient({ poll: { fooMs } })",
      (mock) => createClient({ baseUrl: mock.url, token: mock.token, poll: { fooMs: 1 } } as never),
      /^poll has no option "fooMs"; its options: minIntervalMs, .*budgetPerSecond$/,
    ],
    [
      "createClient({ retry: { maxRetry } })",
      (mock) => createClient({ baseUrl: mock.url, token: mock.token, retry: { maxRetry: 1 } } as never),
      /^retry has no option "maxRetry"; did you mean "maxRetries"\?$/,
    ],
    [
      "run(…, { timeout })",
      (mock) => clientOf(mock).run(MODEL, VACE_INPUT, { timeout: 5 } as never),
      /^run\(\) has no option "timeout"; did you mean "timeoutMs"\?$/,
    ],
    [
      "wait(…, { onEnqueue })",
      (mock) => clientOf(mock).wait(handleOf("job-1"), { onEnqueue: () => {} } as never),
      /^wait\(\) has no option "onEnqueue"; its options: signal, /,
    ],
    [
      "submit(…, { signl })",
      (mock) => clientOf(mock).submit(MODEL, VACE_INPUT, { signl: new AbortController().signal } as never),
      /^submit\(\) has no option "signl"; did you mean "signal"\?$/,
    ],
    [
      "status(…, { sinal })",
      (mock) => clientOf(mock).status("job-1", { sinal: undefined, Signal: 1 } as never),
      /^status\(\) has no option "Signal"; did you mean "signal"\?$/,
    ],
  ];
  it.each(cases)("%s", async (_, call, message) => {
    const mock = await tinyMock();
    let error: unknown;
    try {
      error = await settle(Promise.resolve(call(mock)));
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(message);
    expect(mock.requests).toEqual([]);
  });

  it("a key set to undefined is no option at all (spread configs keep working)", async () => {
    const mock = await tinyMock();
    const client = createClient({ baseUrl: mock.url, token: mock.token, timeoutMS: undefined } as never);
    expect((await client.status("job-1", { extra: undefined } as never)).status).toBe("completed");
  });
});

describe("options at their edges", () => {
  const signals: [string, unknown][] = [
    ["a string", "x"],
    ["a number", 42],
    ["a plain object", {}],
  ];
  it.each(signals)("result({ signal: %s }) is a ConfigurationError, like status and cancel", async (_, signal) => {
    const mock = await tinyMock();
    const client = clientOf(mock);
    const calls = [client.status, client.result, client.cancel] as ((
      ref: string,
      options: never,
    ) => Promise<unknown>)[];
    for (const call of calls) {
      const error = await settle(call("job-1", { signal } as never));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as Error).message).toMatch(/^signal must be an AbortSignal/);
    }
    expect(mock.requests).toEqual([]);
  });

  it("a very low maxRequestsPerSecond sleeps (no 1 ms wake-ups from an overflowing timer)", async () => {
    const mock = await tinyMock();
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on("warning", onWarning);
    try {
      const client = clientOf(mock, { maxRequestsPerSecond: 1e-9 });
      await client.status("job-1");
      const controller = new AbortController();
      const second = settle(client.status("job-2", { signal: controller.signal }));
      await new Promise((resolve) => setTimeout(resolve, 200));
      controller.abort();
      expect(await second).toBeInstanceOf(AbortError);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).not.toContain("TimeoutOverflowWarning");
      expect(mock.count("status")).toBe(1);
    } finally {
      process.off("warning", onWarning);
    }
  });
});

describe("redaction of a short token keeps messages readable", () => {
  const cases: [string, string, string, string][] = [
    ["a one-letter token inside words", "x", "GET /v1/models/community/wan-2-1/fusionx/image-to-video", "unchanged"],
    ["a one-letter token alone", "x", "Authorization: Bearer x", "Authorization: Bearer [redacted]"],
    ["a short token in quotes", "abc1", 'token "abc1" is not valid', 'token "[redacted]" is not valid'],
    ["a short token at both ends", "tok", "tok: tok", "[redacted]: [redacted]"],
    ["a long token anywhere, even inside words", "sk-0123456789", "idsk-0123456789x", "id[redacted]x"],
  ];
  it.each(cases)("%s", (_, secret, text, expected) => {
    expect(redact(text, [secret])).toBe(expected === "unchanged" ? text : expected);
  });
});
