/** Every error class, chosen from HTTP status and RunComfy's error_code, against the emulator. */
import { describe, expect, it } from "vitest";
import {
  APIError,
  AuthenticationError,
  ConfigurationError,
  createClient,
  InsufficientBalanceError,
  InternalServerError,
  SubmitOutcomeUnknownError,
  InvalidModelError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  RunComfyError,
  UnprocessableEntityError,
  untypedModel,
  ValidationError,
} from "../../generated/index.js";
import { createClient as createBareClient } from "../../generated/runtime/index.js";
import { clientFor, emulator, FANTASY_INPUT, VACE_INPUT } from "../helpers/emulator.ts";

const noRetry = { retry: { maxRetries: 0 } };

describe("API errors", () => {
  it("401 for a wrong token → AuthenticationError", async () => {
    const emu = await emulator();
    const error = await clientFor(emu, { token: "wrong" })
      .submit("community/wan-2-2/vace-fun", VACE_INPUT)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({
      status: 401,
      errorCode: 400004,
      modelId: "community/wan-2-2/vace-fun",
      serverMessage: "Invalid or missing API token",
    });
    expect(emu.stats().submits).toBe(0);
  });

  it("403 for another account's request → PermissionDeniedError with the request id", async () => {
    const emu = await emulator({ tokens: ["alice", "bob"] });
    const handle = await clientFor(emu, { token: "alice" }).submit("community/wan-2-2/vace-fun", VACE_INPUT);
    const error = await clientFor(emu, { token: "bob" })
      .status(handle)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(error).toMatchObject({
      status: 403,
      errorCode: 403001,
      requestId: handle.requestId,
      modelId: handle.modelId,
    });
  });

  it("404 for an unknown request → NotFoundError", async () => {
    const emu = await emulator();
    const error = await clientFor(emu)
      .result("no-such-request")
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, errorCode: 404001, requestId: "no-such-request" });
  });

  it.each([400, 404] as const)("an unknown model (answered with %i) → InvalidModelError", async (status) => {
    const emu = await emulator({ unknownModelStatus: status });
    const error = await clientFor(emu)
      .submit(untypedModel("vendor/not-a-model"), { prompt: "x" })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidModelError);
    expect(error).toMatchObject({ status, modelId: "vendor/not-a-model" });
  });

  it("422 with detail → UnprocessableEntityError naming the field", async () => {
    const emu = await emulator();
    // A client without the model registry sends the body as given, so the server judges it.
    const bare = createBareClient({ baseUrl: emu.url, token: emu.token });
    const error = await bare
      .submit(untypedModel("community/wan-2-2/vace-fun"), { "47_value": 99, extra: 1 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnprocessableEntityError);
    expect((error as UnprocessableEntityError).detail).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ loc: ["body", "47_value"] }),
        expect.objectContaining({ loc: ["body", "extra"] }),
      ]),
    );
    expect((error as Error).message).toContain("47_value: must be <= 40");
  });

  it.each([
    [
      { status: 400, body: { error_code: 400002, error_message: "Insufficient balance" } },
      InsufficientBalanceError,
      400002,
    ],
    [{ status: 402, body: { error_message: "Payment required" } }, InsufficientBalanceError, undefined],
    [{ status: 429, body: { error_code: 429, error_message: "slow down" }, retryAfter: "7" }, RateLimitError, 429],
    // A 5xx on submit may have queued the job: outcome unknown, never InternalServerError (which wrappers retry).
    [{ status: 500, body: { error_code: 500001, error_message: "boom" } }, SubmitOutcomeUnknownError, 500001],
    [{ status: 503 }, SubmitOutcomeUnknownError, 500001],
    [{ status: 418, body: { message: "teapot" } }, APIError, undefined],
  ] as const)(
    "submit answered %j → the right class, and it is never retried",
    async (respond, ErrorClass, errorCode) => {
      const emu = await emulator({ faults: [{ route: "submit", fault: { type: "respond", ...respond } }] });
      const error = await clientFor(emu)
        .submit("community/wan-2-2/vace-fun", VACE_INPUT)
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ErrorClass);
      expect(error).toMatchObject({ status: respond.status, errorCode });
      if ("retryAfter" in respond) expect((error as RateLimitError).retryAfterMs).toBe(7000);
      expect(emu.stats().requests["submit"]).toBe(1);
    },
  );

  it("an error_code in an HTTP 200 body is an error", async () => {
    const emu = await emulator({
      faults: [{ route: "submit", fault: { type: "error-200", errorCode: 400002, message: "no balance" } }],
    });
    const error = await clientFor(emu)
      .submit("community/wan-2-2/vace-fun", VACE_INPUT)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InsufficientBalanceError);
    expect(error).toMatchObject({ status: 200, errorCode: 400002, serverMessage: "no balance" });
  });

  it("retryable error_code in a 200 body on a status call is retried, then raised", async () => {
    const emu = await emulator({ faults: [{ route: "status", fault: { type: "error-200", errorCode: 500001 } }] });
    const error = await clientFor(emu, { retry: { maxRetries: 2, baseDelayMs: 1 } })
      .status("anything")
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(emu.stats().requests["status"]).toBe(3);
  });

  it("every error is a RunComfyError; local validation sends nothing", async () => {
    const emu = await emulator();
    const client = clientFor(emu, noRetry);
    const error = await client
      .run("community/fantasy-portrait/image-to-video", { ...FANTASY_INPUT, steps: 99 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toBeInstanceOf(RunComfyError);
    expect(emu.stats().requests["submit"]).toBeUndefined();
    const missing = createClient({
      baseUrl: emu.url,
      token: undefined,
      fetch: (() => Promise.reject(new Error("must not be called"))) as typeof fetch,
    });
    const noToken = await missing.submit("community/wan-2-2/vace-fun", VACE_INPUT).catch((caught: unknown) => caught);
    if (!process.env["RUNCOMFY_API_TOKEN"] && !process.env["RUNCOMFY_TOKEN"])
      expect(noToken).toBeInstanceOf(ConfigurationError);
  });
});
