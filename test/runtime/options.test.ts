/**
 * Options are checked once, at `createClient` and at each call: explicit `undefined` is the documented default, and
 * every odd value (NaN, Infinity where it means nothing, 0 for rates and concurrency, negatives, strings) is a
 * `ConfigurationError` naming the option, the value and the allowed range — before anything is sent.
 */
import { describe, expect, it } from "vitest";
import { ConfigurationError, createClient, type ClientOptions } from "../../generated/index.js";
import { DEFAULT_RETRY_POLICY } from "../../generated/runtime/internal.js";
import { VACE_INPUT } from "../helpers/emulator.ts";
import { tinyMock } from "../helpers/tiny-mock.ts";

const ODD = [Number.NaN, 0, -1, Number.NEGATIVE_INFINITY, "5", null] as const;
const show = (value: unknown) => (typeof value === "string" ? JSON.stringify(value) : String(value));

/** [option path, odd values that must be refused, values that must be accepted]. */
const CLIENT_OPTIONS: readonly (readonly [string, readonly unknown[], readonly unknown[]])[] = [
  ["timeoutMs", [...ODD, 2 ** 40], [1, 60_000, Number.POSITIVE_INFINITY]],
  ["maxConcurrentRequests", [...ODD, 1.5], [1, 32, Number.POSITIVE_INFINITY]],
  ["maxRequestsPerSecond", ODD, [0.5, 250, Number.POSITIVE_INFINITY]],
  ["retry.maxRetries", [Number.NaN, -1, 1.5, Number.POSITIVE_INFINITY, "5", null], [0, 5]],
  ["retry.baseDelayMs", [Number.NaN, -1, Number.POSITIVE_INFINITY, "5"], [0, 500]],
  ["retry.jitter", [Number.NaN, -0.1, 1.5, Number.POSITIVE_INFINITY], [0, 0.25, 1]],
  ["poll.minIntervalMs", ODD, [1, 500]],
  ["poll.timeoutMs", ODD, [1, Number.POSITIVE_INFINITY]],
  ["poll.elapsedFraction", [Number.NaN, -1, Number.POSITIVE_INFINITY, "5"], [0, 0.09]],
  ["poll.fixedIntervalMs", ODD, [1, 2000]],
  ["poll.maxUnknownStatuses", [Number.NaN, -1, 1.5, "5"], [0, 10, Number.POSITIVE_INFINITY]],
];

function withOption(path: string, value: unknown): ClientOptions {
  const [head, key] = path.split(".") as [string, string | undefined];
  return (key === undefined ? { [head]: value } : { [head]: { [key]: value } }) as ClientOptions;
}

describe("client options", () => {
  const refused = CLIENT_OPTIONS.flatMap(([path, odd]) => odd.map((value) => [path, value] as const));
  it.each(refused)("%s = %s is a ConfigurationError naming option, value and range", (path, value) => {
    const error = (() => {
      try {
        createClient({ token: "t", ...withOption(path, value) });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    const message = (error as Error).message;
    expect(message).toContain(path);
    expect(message).toContain(show(value));
    expect(message).toMatch(/must be/);
  });

  const accepted = CLIENT_OPTIONS.flatMap(([path, , good]) =>
    [undefined, ...good].map((value) => [path, value] as const),
  );
  it.each(accepted)("%s = %s is accepted (undefined is the default)", (path, value) => {
    expect(() => createClient({ token: "t", ...withOption(path, value) })).not.toThrow();
  });

  it("poll.maxIntervalMs below poll.minIntervalMs is refused", () => {
    expect(() => createClient({ poll: { minIntervalMs: 1000, maxIntervalMs: 10 } })).toThrow(
      /poll.maxIntervalMs must be at least poll.minIntervalMs/,
    );
  });
});

describe("call options", () => {
  it.each([
    ["timeoutMs", Number.NaN],
    ["timeoutMs", 0],
    ["timeoutMs", -5],
    ["onTimeout", "later"],
    ["onAbort", 3],
    ["signal", { aborted: false }],
    ["onStatus", "log"],
    ["onEnqueue", 42],
    ["poll", 5],
  ] as const)("run() with %s = %s is refused before the paid submit", async (name, value) => {
    const mock = await tinyMock();
    const client = createClient({ baseUrl: mock.url, token: mock.token });
    const error = await client
      .run("community/wan-2-2/vace-fun", VACE_INPUT, { [name]: value } as never)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain(name);
    expect(mock.requests).toEqual([]);
  });

  it("a wait with timeoutMs: NaN is refused and does not stall other waits on the client", async () => {
    const mock = await tinyMock();
    const client = createClient({ baseUrl: mock.url, token: mock.token, poll: { minIntervalMs: 20 } });
    const handle = await client.submit("community/wan-2-2/vace-fun", VACE_INPUT);
    await expect(client.wait(handle, { timeoutMs: Number.NaN })).rejects.toBeInstanceOf(ConfigurationError);
    expect((await client.wait(handle, { timeoutMs: undefined })).status).toBe("succeeded");
  });

  it("retry: { maxRetries: undefined } keeps the default number of retries (it does not retry forever)", async () => {
    const mock = await tinyMock();
    mock.on("status", (_request, response) => void response.writeHead(500).end());
    const client = createClient({
      baseUrl: mock.url,
      token: mock.token,
      retry: { maxRetries: undefined, baseDelayMs: 1, maxDelayMs: 1 },
    });
    await expect(client.status("job-1")).rejects.toMatchObject({ status: 500 });
    expect(mock.count("status")).toBe(1 + DEFAULT_RETRY_POLICY.maxRetries);
  });
});
