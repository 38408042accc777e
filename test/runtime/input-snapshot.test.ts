/**
 * The input a call sends is the input as it was when the call was made, and only JSON data: the client copies it
 * (`snapshotInput`, templates/runtime/model.ts) before anything waits, and an id it does not know is refused rather
 * than sent as given. Against the tiny independent mock, which records every body it receives.
 */
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { ConfigurationError, ValidationError, untypedModel } from "../../generated/index.js";
import { build } from "../../generated/models/community/wan-2-2/vace-fun.js";
import { VACE_INPUT } from "../helpers/emulator.ts";
import { settle } from "../helpers/settle.ts";
import { tinyClient } from "../helpers/tiny-client.ts";
import { tinyMock } from "../helpers/tiny-mock.ts";

const MODEL = "community/wan-2-2/vace-fun";
const prompts = (bodies: readonly string[]) =>
  bodies.map((body) => (JSON.parse(body) as Record<string, unknown>)["56_text"]);

describe("an input object reused for the next call", () => {
  it.each([
    ["the model not loaded yet", {}],
    ["the calls queued for one submit slot", { maxConcurrentRequests: 1 }],
  ])("is sent as it was at each call: %s", async (_, options) => {
    const mock = await tinyMock();
    const client = tinyClient(mock, options);
    const input: { prompt: string; image: string } = { ...VACE_INPUT };
    const calls: Promise<unknown>[] = [];
    for (const prompt of ["one", "two", "three"]) {
      input.prompt = prompt;
      calls.push(client.submit(MODEL, input));
    }
    input.prompt = "changed after the calls";
    await Promise.all(calls);
    expect(
      prompts(mock.requests.filter((request) => request.route === "submit").map((request) => request.body)),
    ).toEqual(["one", "two", "three"]);
  });
});

describe("a value that is not JSON data", () => {
  class Element {
    constructor(readonly frontal_image_url: string) {}
  }
  const cases: [string, unknown, RegExp][] = [
    ["a function", () => 1, /prompt: a function is not a JSON value/],
    ["NaN", Number.NaN, /prompt: NaN is not a JSON number/],
    ["a bigint", 10n, /prompt: a bigint is not a JSON value/],
    ["a Date", new Date(0), /prompt: a Date is not a JSON value/],
    ["a Map", new Map(), /prompt: a Map is not a JSON value/],
    ["a class instance in an array", [new Element("/Users/me/cat.png")], /prompt\[0\]: an Element is not a JSON value/],
    ["an object with its own toJSON", { toJSON: () => "x" }, /prompt\.toJSON: a function is not a JSON value/],
    [
      "a getter that throws",
      Object.defineProperty({}, "a", {
        enumerable: true,
        get: () => {
          throw new Error("boom");
        },
      }),
      /prompt: cannot be read \(boom\)/,
    ],
  ];
  it.each(cases)("is a ValidationError naming its place, and nothing is sent: %s", async (_, value, message) => {
    const mock = await tinyMock();
    const error = await settle(tinyClient(mock).submit(MODEL, { ...VACE_INPUT, prompt: value as string }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(message);
    expect(mock.count("submit")).toBe(0);
    // build() says the same.
    expect(() => build({ ...VACE_INPUT, prompt: value as string })).toThrow(message);
  });

  it("a revoked Proxy as the whole input is a ValidationError, not a raw TypeError", () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(() => build(proxy as never)).toThrow(ValidationError);
    expect(() => build(proxy as never)).toThrow(/\(input\): cannot be read/);
  });

  it("a cycle too, and a plain object of another realm is plain", async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    expect(() => build({ ...VACE_INPUT, prompt: cyclic as never })).toThrow(/prompt\.self: contains itself/);
    const foreign = runInNewContext(
      "({ prompt: 'from a vm context', image: 'Runcomfy_Example_1290_1.png' })",
    ) as object;
    expect(build(foreign as never)).toMatchObject({ "56_text": "from a vm context" });
  });
});

describe("a model id this client does not know", () => {
  it.each([["community/Wan-2-2/vace-fun"], [`${MODEL}-v2`]])(
    "is refused, naming untypedModel; nothing is sent: %s",
    async (id) => {
      const mock = await tinyMock();
      const error = await settle(tinyClient(mock).submit(id as typeof MODEL, {} as never));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as Error).message).toMatch(/is not one this client knows.*untypedModel\(id\).*nothing was sent$/);
      expect(mock.count("submit")).toBe(0);
    },
  );

  it("goes through untypedModel(id), its body sent as given (copied at the call)", async () => {
    const mock = await tinyMock();
    const body = { any_key: 1 };
    const submitted = tinyClient(mock).submit(untypedModel(`${MODEL}-v2`), body);
    body.any_key = 2;
    await submitted;
    expect(JSON.parse(mock.requests.find((request) => request.route === "submit")!.body)).toEqual({ any_key: 1 });
  });
});
