/**
 * The generated client against the emulator's body-level and result faults (`emulator/faults.ts`), on every route:
 * a submit whose answer breaks after the headers is `SubmitOutcomeUnknownError` sent once; broken, hung or trickled
 * bodies of status, result, cancel and the catalog are retried and the job still succeeds; a download whose body
 * breaks is a `DownloadError` leaving no file; a `failed` result is a failed job, a lagging one is retried and then a
 * `ResultNotFoundError` with the handle. Every failure is a `RunComfyError`, never a raw `TypeError`/`DOMException`.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { FaultKind, Route } from "../../emulator/faults.ts";
import type { Emulator } from "../../emulator/index.ts";
import {
  ResultNotFoundError,
  RunComfyError,
  SubmitOutcomeUnknownError,
  type ClientOptions,
} from "../../generated/index.js";
import { DownloadError, downloadFile } from "../../generated/runtime/download.js";
import { clientFor, emulator, VACE_INPUT } from "../helpers/emulator.ts";
import { settle } from "../helpers/settle.ts";

const MODEL = "community/wan-2-2/vace-fun";
/** Short attempt timeouts, so a hung body ends quickly; fast retries. */
const FAST: ClientOptions = { timeoutMs: 400, retry: { baseDelayMs: 5, maxDelayMs: 20 } };

const BODY_FAULTS: readonly [string, FaultKind][] = [
  ["hang-body", { type: "hang-body" }],
  ["partial-body", { type: "partial-body" }],
  ["partial-body=0", { type: "partial-body", bytes: 0 }],
  ["slow-body=1500 (past the 400 ms attempt timeout)", { type: "slow-body", durationMs: 1_500 }],
];

/** Every error of this package is a RunComfyError, never a raw TypeError or DOMException. */
function expectOwnError(error: unknown): void {
  expect(error).toBeInstanceOf(RunComfyError);
  expect((error as Error).name).not.toMatch(/^(TypeError|DOMException)$/);
  expect(error).not.toBeInstanceOf(TypeError);
  if (typeof DOMException !== "undefined") expect(error).not.toBeInstanceOf(DOMException);
}

async function faultedEmulator(route: Route, fault: FaultKind, times = 1): Promise<Emulator> {
  return emulator({ durationMs: 50, faults: [{ route, fault, times }] });
}

describe("submit: a body that breaks after the headers", () => {
  it.each(BODY_FAULTS)(
    "%s is SubmitOutcomeUnknownError, exactly one POST (and the job was queued)",
    async (_name, fault) => {
      const emu = await faultedEmulator("submit", fault);
      const error = await settle(clientFor(emu, FAST).submit(MODEL, VACE_INPUT));
      expectOwnError(error);
      expect(error).toBeInstanceOf(SubmitOutcomeUnknownError);
      await new Promise((done) => setTimeout(done, 100));
      expect(emu.stats().requests["submit"]).toBe(1);
      expect(emu.stats().submits).toBe(1);
    },
  );

  it("slow-body shorter than the attempt timeout is just a slow answer: one POST, a handle", async () => {
    const emu = await faultedEmulator("submit", { type: "slow-body", durationMs: 200 });
    const handle = await clientFor(emu, { timeoutMs: 10_000 }).submit(MODEL, VACE_INPUT);
    expect(emu.job(handle.requestId)).toBeDefined();
    expect(emu.stats().requests["submit"]).toBe(1);
  });
});

describe("status, result, cancel, catalog: a broken body is retried like a connection error", () => {
  const ROUTES = ["status", "result"] as const;
  for (const route of ROUTES) {
    it.each(BODY_FAULTS)(`${route}: %s twice, and the job still succeeds`, async (_name, fault) => {
      const emu = await faultedEmulator(route, fault, 2);
      const result = await clientFor(emu, FAST).run(MODEL, VACE_INPUT);
      expect(result.status).toBe("succeeded");
      expect(emu.stats().faults[`${route}:${fault.type}`]).toBe(2);
      expect(emu.stats().requests[route]).toBeGreaterThanOrEqual(3);
      expect(emu.stats().requests["submit"]).toBe(1);
    });
  }

  it.each(BODY_FAULTS)("cancel: %s twice, and the cancel still answers", async (_name, fault) => {
    // One worker and a long first job: the second job stays queued, so its cancel really cancels.
    const emu = await emulator({ capacity: 1, durationMs: 10_000 });
    const client = clientFor(emu, FAST);
    await client.submit(MODEL, { ...VACE_INPUT, seed: 1 });
    const queued = await client.submit(MODEL, { ...VACE_INPUT, seed: 2 });
    emu.faults.set([{ route: "cancel", fault, times: 2 }]);
    const info = await client.cancel(queued);
    // The faulted attempt was processed (the job is cancelled); the retry that answers finds it cancelled already.
    expect(["cancelled", "not_cancellable"]).toContain(info.outcome);
    expect(emu.job(queued.requestId)!.state).toBe("cancelled");
    expect(emu.stats().requests["cancel"]).toBe(3);
    expect(await client.wait(queued)).toMatchObject({ status: "cancelled" });
  });

  it.each(BODY_FAULTS)("catalog: %s twice, and the listing still arrives", async (_name, fault) => {
    const emu = await faultedEmulator("catalog", fault, 2);
    const page = await clientFor(emu, FAST).catalog.list();
    expect(page.total).toBe(4);
    expect(emu.stats().requests["catalog"]).toBe(3);
  });

  it("a body fault on every status and result call, until retries run out, is a RunComfyError", async () => {
    const emu = await emulator({ durationMs: 20, faults: [{ route: "status", fault: { type: "partial-body" } }] });
    const client = clientFor(emu, { ...FAST, retry: { maxRetries: 2, baseDelayMs: 5, maxDelayMs: 10 } });
    const error = await settle(client.run(MODEL, VACE_INPUT));
    expectOwnError(error);
    expect(emu.stats().requests["status"]).toBe(3);
  });
});

describe("files: a download whose body breaks", () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  it.each(BODY_FAULTS)("%s is a DownloadError, and no file is left", async (_name, fault) => {
    const emu = await emulator({ durationMs: 20 });
    const result = await clientFor(emu).run(MODEL, VACE_INPUT);
    if (result.status !== "succeeded") throw new Error("job failed");
    const url = (result.output as { video: string }).video;
    emu.faults.set([{ route: "files", fault, times: 1 }]);
    const dir = await mkdtemp(join(tmpdir(), "runcomfy-body-faults-"));
    dirs.push(dir);
    const onCdn = url.replace(emu.url, "https://playgrounds-storage-public.runcomfy.net");
    const error = await settle(
      downloadFile(onCdn, {
        dir,
        // Downloads have no attempt timeout of their own: the caller's signal ends a hung or too slow body.
        signal: AbortSignal.timeout(400),
        fetch: (input, init) => fetch(`${emu.url}${new URL(String(input)).pathname}`, init),
      }),
    );
    expectOwnError(error);
    expect(error).toBeInstanceOf(DownloadError);
    expect(await readdir(dir)).toEqual([]);
    expect(emu.stats().faults[`files:${fault.type}`]).toBe(1);
  });
});

describe("result faults", () => {
  it("failed=<error_code> is a failed JobResult carrying the code, asked for once (not an error retried)", async () => {
    const emu = await emulator({
      durationMs: 20,
      faults: [{ route: "result", fault: { type: "failed", errorCode: 500100 } }],
    });
    const result = await clientFor(emu, FAST).run(MODEL, VACE_INPUT);
    expect(result).toMatchObject({ status: "failed", errorCode: 500100 });
    expect(emu.stats().requests["result"]).toBe(1);
  });

  it("lagging=2 (404 twice right after completed) is retried, then the result is read", async () => {
    const emu = await emulator({
      durationMs: 20,
      faults: [{ route: "result", fault: { type: "lagging", misses: 2 } }],
    });
    const result = await clientFor(emu, FAST).run(MODEL, VACE_INPUT);
    expect(result.status).toBe("succeeded");
    expect(emu.stats().requests["result"]).toBe(3);
  });

  it("lagging=50 ends in ResultNotFoundError carrying the handle, after a few tries", async () => {
    const emu = await emulator({
      durationMs: 20,
      faults: [{ route: "result", fault: { type: "lagging", misses: 50 } }],
    });
    const client = clientFor(emu, FAST);
    const handle = await client.submit(MODEL, VACE_INPUT);
    const error = await settle(client.wait(handle));
    expectOwnError(error);
    expect(error).toBeInstanceOf(ResultNotFoundError);
    expect(error).toMatchObject({ handle });
    expect((error as Error).message).toMatch(/finished/);
    expect(emu.stats().requests["result"]).toBe(4);
  });
});
