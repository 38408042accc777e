/** The emulator itself: routes and shapes, catalog, validation, CORS, admin API, and its command line. */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseFaultSpec } from "../../emulator/faults.ts";
import { emulator } from "../helpers/emulator.ts";
import { ROOT } from "../helpers/project.ts";

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

describe("emulator routes", () => {
  it("answers the documented shapes for submit, status, result and cancel", async () => {
    const emu = await emulator({ capacity: 1, durationMs: 800 });
    const submit = await fetch(`${emu.url}/v1/models/community/wan-2-2/vace-fun`, {
      method: "POST",
      headers: { ...auth(emu.token), "content-type": "application/json" },
      body: "{}",
    });
    expect(submit.status).toBe(200);
    const queued = (await submit.json()) as Record<string, string>;
    expect(Object.keys(queued).sort()).toEqual(["cancel_url", "request_id", "result_url", "status_url"]);
    expect(queued["status_url"]).toBe(`${emu.url}/v1/requests/${queued["request_id"]}/status`);
    const status = (await (await fetch(queued["status_url"]!, { headers: auth(emu.token) })).json()) as Record<
      string,
      unknown
    >;
    expect(status).toMatchObject({ request_id: queued["request_id"], status: "in_progress" });
    const pending = (await (await fetch(queued["result_url"]!, { headers: auth(emu.token) })).json()) as Record<
      string,
      unknown
    >;
    expect(pending).toMatchObject({ status: "in_progress", created_at: expect.any(String) });
    const result = async () =>
      (await (await fetch(queued["result_url"]!, { headers: auth(emu.token) })).json()) as Record<string, unknown>;
    await expect.poll(async () => (await result())["status"], { timeout: 10_000, interval: 50 }).toBe("succeeded");
    const done = await result();
    expect(done).toMatchObject({
      status: "succeeded",
      output: { video: expect.stringContaining("/files/") },
      finished_at: expect.any(String),
    });
    const cancel = await fetch(queued["cancel_url"]!, { method: "POST", headers: auth(emu.token) });
    expect(cancel.status).toBe(202);
    expect(await cancel.json()).toEqual({
      request_id: queued["request_id"],
      status: "completed",
      outcome: "not_cancellable",
    });
  });

  it("serves the catalog from schemas/ with each model's input schema", async () => {
    const emu = await emulator();
    const list = (await (
      await fetch(`${emu.url}/v1/models?include_schema=true`, { headers: auth(emu.token) })
    ).json()) as { models: Record<string, unknown>[]; total: number };
    expect(list.total).toBe(4);
    expect(list.models.map((model) => model["model_id"]).sort()).toEqual([
      "community/fantasy-portrait/image-to-video",
      "community/infinite-talk/image-to-video",
      "community/wan-2-1/fusionx/image-to-video",
      "community/wan-2-2/vace-fun",
    ]);
    const one = (await (
      await fetch(`${emu.url}/v1/models/community/wan-2-2/vace-fun`, { headers: auth(emu.token) })
    ).json()) as Record<string, Record<string, unknown>>;
    expect(one["input_schema"]!["title"]).toBe("Input schema");
    expect(Object.keys(one["input_schema"]!["properties"] as object)).toContain("56_text");
    expect((await fetch(`${emu.url}/v1/models/community/nope`, { headers: auth(emu.token) })).status).toBe(404);
  });

  it("validates bodies independently of the generated validators, with a detail array", async () => {
    const emu = await emulator();
    const response = await fetch(`${emu.url}/v1/models/community/fantasy-portrait/image-to-video`, {
      method: "POST",
      headers: { ...auth(emu.token), "content-type": "application/json" },
      body: JSON.stringify({ "149_steps": 5, "150_strength": 0.5, "169_valuex170_value": "1x1", bogus: true }),
    });
    expect(response.status).toBe(422);
    const body = (await response.json()) as { error_code: number; detail: { loc: string[]; type: string }[] };
    expect(body.error_code).toBe(422001);
    expect(body.detail.map((item) => [item.loc.join("."), item.type]).sort()).toEqual([
      ["body.149_steps", "minimum"],
      ["body.169_valuex170_value", "enum"],
      ["body.bogus", "additionalProperties"],
    ]);
    // "type": "float" is accepted as a number, required fields with a default may be omitted.
    expect(emu.stats().submits).toBe(0);
  });

  it("answers CORS preflights and exposes Retry-After", async () => {
    const emu = await emulator();
    const preflight = await fetch(`${emu.url}/v1/models/community/wan-2-2/vace-fun`, { method: "OPTIONS" });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-headers")).toContain("Authorization");
    expect(
      (await fetch(`${emu.url}/v1/models`, { headers: auth(emu.token) })).headers.get("access-control-expose-headers"),
    ).toContain("Retry-After");
  });

  it("takes fault rules over its admin API", async () => {
    const emu = await emulator();
    await fetch(`${emu.url}/__emulator/faults`, {
      method: "POST",
      body: JSON.stringify({
        rules: [{ route: "status", fault: { type: "respond", status: 429, retryAfter: "3" }, times: 1 }],
      }),
    });
    const limited = await fetch(`${emu.url}/v1/requests/x/status`, { headers: auth(emu.token) });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("3");
    expect((await fetch(`${emu.url}/v1/requests/x/status`, { headers: auth(emu.token) })).status).toBe(404);
    const stats = (await (await fetch(`${emu.url}/__emulator/stats`)).json()) as { faults: Record<string, number> };
    expect(stats.faults).toEqual({ "status:respond": 1 });
  });

  it("parses command-line fault specs", () => {
    expect(parseFaultSpec("status:429:retry-after=2@0.1")).toEqual({
      route: "status",
      fault: { type: "respond", status: 429, retryAfter: "2" },
      probability: 0.1,
    });
    expect(parseFaultSpec("submit:drop-after")).toEqual({ route: "submit", fault: { type: "drop", phase: "after" } });
    expect(parseFaultSpec("*:slow=300x5")).toEqual({ route: "*", fault: { type: "slow", delayMs: 300 }, times: 5 });
    expect(() => parseFaultSpec("status:teapot")).toThrow(/invalid fault kind/);
  });
});

describe("npm run emulator", () => {
  it("prints its options with --help", async () => {
    const { code, stdout } = await runCli(["--help"]);
    expect(code).toBe(0);
    for (const option of ["--port", "--capacity", "--duration", "--fail-rate", "--fault", "--token", "--schemas"])
      expect(stdout).toContain(option);
  });

  it("serves on the given port until stopped", async () => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(ROOT, "emulator/cli.ts"), "--port", "0", "--duration", "50"],
      { cwd: ROOT },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          const match = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (match) resolve(match[1]!);
        });
        child.once("exit", (code) => reject(new Error(`exited with ${code}: ${out}`)));
      });
      expect((await fetch(`${url}/v1/models`, { headers: auth("emulator-token") })).status).toBe(200);
    } finally {
      child.kill("SIGTERM");
    }
  });
});

function runCli(args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "emulator/cli.ts"), ...args], { cwd: ROOT });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.once("exit", (code) => resolve({ code, stdout }));
  });
}
