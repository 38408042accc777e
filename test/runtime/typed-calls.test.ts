/**
 * The run-time half of issue 12's types: outputs keep the keys their schema lists and put any other key under
 * `output.extra`; statuses are read into the documented words (the server's word kept in `serverStatus`); the raw
 * call forms send the wire body; `untypedModel` sends a body as given; `isRequestHandle` checks parsed JSON.
 */
import { describe, expect, it } from "vitest";
import { createClient, isRequestHandle, untypedModel, type StatusUpdate } from "../../generated/index.js";
import { extraKey } from "../../generated/runtime/internal.js";
import { createClient as createBareClient } from "../../generated/runtime/index.js";
import * as vace from "../../generated/models/community/wan-2-2/vace-fun.js";
import { VACE_INPUT } from "../helpers/emulator.ts";
import { json, tinyMock, type TinyMock } from "../helpers/tiny-mock.ts";

const MODEL = "community/wan-2-2/vace-fun";
const VIDEO = "https://playgrounds-storage-public.runcomfy.net/x.mp4";

function clientOf(mock: TinyMock) {
  return createClient({ baseUrl: mock.url, token: mock.token, poll: { minIntervalMs: 20, maxIntervalMs: 50 } });
}

function answerOutput(mock: TinyMock, output: unknown): void {
  mock.on("result", (request, response) =>
    json(response, 200, { request_id: request.requestId, status: "succeeded", output }),
  );
}

describe("outputs", () => {
  it("parseOutput keeps the listed keys and puts every other key under extra", () => {
    expect(vace.model.parseOutput({ video: VIDEO, seed_used: 7, nested: { a: 1 } })).toEqual({
      video: VIDEO,
      extra: { seed_used: 7, nested: { a: 1 } },
    });
    expect(vace.model.parseOutput({ video: VIDEO })).toEqual({ video: VIDEO });
    expect(Object.keys(vace.model.parseOutput({ video: VIDEO }))).toEqual(["video"]);
    expect(vace.model.parseOutput("not an object")).toEqual({});
    const hostile = vace.model.parseOutput(JSON.parse('{"__proto__": {"polluted": true}, "image": "x"}')) as Record<
      string,
      unknown
    >;
    expect(Object.getPrototypeOf(hostile)).toBe(Object.prototype);
    expect(Object.keys(hostile.extra as object)).toEqual(["__proto__"]);
  });

  it("the holder is extra, or extra_ when the schema itself lists extra", () => {
    expect(extraKey(["video"])).toBe("extra");
    expect(extraKey(["video", "extra"])).toBe("extra_");
    expect(extraKey(["extra", "extra_"])).toBe("extra__");
  });

  it("client.run returns unknown server keys under output.extra (by id, and by a model object on a bare client)", async () => {
    const mock = await tinyMock();
    answerOutput(mock, { video: VIDEO, seed_used: 7 });
    const byId = await clientOf(mock).run(MODEL, VACE_INPUT);
    expect(byId).toMatchObject({ status: "succeeded", output: { video: VIDEO, extra: { seed_used: 7 } } });
    const bare = createBareClient({ baseUrl: mock.url, token: mock.token, poll: { minIntervalMs: 20 } });
    const byModel = await bare.run(vace.model, VACE_INPUT);
    expect(byModel).toMatchObject({ status: "succeeded", output: { video: VIDEO, extra: { seed_used: 7 } } });
    // An untyped model keeps the output as sent.
    const untyped = await bare.run(untypedModel("vendor/new-model"), { anything: 1 });
    expect(untyped).toMatchObject({ status: "succeeded", output: { video: VIDEO, seed_used: 7 } });
  });
});

describe("statuses", () => {
  it("onStatus reads the server's word into a documented status and keeps the word in serverStatus", async () => {
    const mock = await tinyMock();
    const words = ["queued", "in_queue", "running", "paused_by_operator", "succeeded"];
    mock.on("status", (request, response) =>
      json(response, 200, { request_id: request.requestId, status: words[request.nth - 1] ?? "completed" }),
    );
    const updates: StatusUpdate[] = [];
    await clientOf(mock).run(MODEL, VACE_INPUT, { onStatus: (update) => updates.push(update) });
    expect(updates.map((update) => [update.status, update.serverStatus, update.known])).toEqual([
      ["in_queue", "queued", true],
      ["in_queue", "in_queue", true],
      ["in_progress", "running", true],
      ["unknown", "paused_by_operator", false],
      ["completed", "succeeded", true],
    ]);
  });

  it("cancel reads its outcome into cancelled, not_cancellable or unknown", async () => {
    const mock = await tinyMock();
    const answers = [
      { outcome: "cancelled" },
      { status: "in_progress" },
      { status: "canceled" },
      { outcome: "NOT_CANCELLABLE" },
      { outcome: "maybe-later" },
    ];
    mock.on("cancel", (request, response) => json(response, 202, answers[request.nth - 1]));
    const client = clientOf(mock);
    const outcomes = [];
    for (let index = 0; index < answers.length; index++) {
      const info = await client.cancel(`job-${index}`);
      outcomes.push([info.outcome, info.serverOutcome, info.status]);
    }
    expect(outcomes).toEqual([
      ["cancelled", "cancelled", undefined],
      ["not_cancellable", "in_progress", "in_progress"],
      ["cancelled", "canceled", "cancelled"],
      ["not_cancellable", "not_cancellable", undefined],
      ["unknown", "maybe-later", undefined],
    ]);
  });
});

describe("call forms", () => {
  it("runRaw and submitRaw send the wire body, validated like the friendly call", async () => {
    const mock = await tinyMock();
    const client = clientOf(mock);
    const raw = vace.build(VACE_INPUT);
    await client.runRaw(MODEL, raw);
    await client.submitRaw(MODEL, raw);
    const sent = mock.requests
      .filter((request) => request.route === "submit")
      .map((request) => JSON.parse(request.body));
    expect(sent).toEqual([raw, raw]);
    await expect(client.submitRaw(MODEL, { ...raw, "999_nope": 1 } as never)).rejects.toThrow(/nothing was sent/);
    expect(mock.count("submit")).toBe(2);
  });

  it("onEnqueue receives the handle, and isRequestHandle checks parsed JSON", async () => {
    const mock = await tinyMock();
    let stored = "";
    await clientOf(mock).run(MODEL, VACE_INPUT, { onEnqueue: (handle) => (stored = JSON.stringify(handle)) });
    const parsed: unknown = JSON.parse(stored);
    expect(isRequestHandle(parsed)).toBe(true);
    expect(isRequestHandle(parsed, MODEL)).toBe(true);
    expect(isRequestHandle(parsed, "community/fantasy-portrait/image-to-video")).toBe(false);
    for (const bad of [null, "job-1", [], {}, { modelId: MODEL, requestId: "", submittedAt: "" }, { requestId: "r" }])
      expect(isRequestHandle(bad), JSON.stringify(bad)).toBe(false);
  });

  it("untypedModel refuses a bad id at once and a non-object body before sending", async () => {
    expect(() => untypedModel("acme/../x")).toThrow(/is not valid/);
    const mock = await tinyMock();
    await expect(clientOf(mock).submit(untypedModel("vendor/x"), [] as never)).rejects.toThrow(/plain object/);
    expect(mock.count("submit")).toBe(0);
  });
});
