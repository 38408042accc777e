/** The emulator itself: routes and shapes, catalog, validation, CORS, admin API, and its command line. */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { parseFaultSpec } from "../../emulator/faults.ts";
import { catalogEntries, writeCatalogFolder } from "../helpers/catalog.ts";
import { emulator } from "../helpers/emulator.ts";
import { ROOT } from "../helpers/project.ts";

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

describe("emulator routes", () => {
  it("answers the documented shapes for submit, status, result and cancel", async () => {
    const emu = await emulator({ capacity: 1, durationMs: 800 });
    const submit = await fetch(`${emu.url}/v1/models/community/wan-2-2/vace-fun`, {
      method: "POST",
      headers: { ...auth(emu.token), "content-type": "application/json" },
      body: JSON.stringify({ "56_text": "a lone figure", "118_image": "Runcomfy_Example_1290_1.png" }),
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
    // "type": "float" is accepted as a number; a required field is required, also with a default (never the sample).
    expect(body.detail.map((item) => [item.loc.join("."), item.type]).sort()).toEqual([
      ["body.143_image", "required"],
      ["body.149_steps", "minimum"],
      ["body.155_positive_prompt", "required"],
      ["body.160_video", "required"],
      ["body.169_valuex170_value", "enum"],
      ["body.bogus", "additionalProperties"],
    ]);
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

describe("the catalog listing", () => {
  const folders: string[] = [];
  afterAll(async () => {
    for (const folder of folders) await rm(folder, { recursive: true, force: true });
  });
  /** An emulator serving `count` realistic catalog models (test/fixtures/catalog, under distinct ids). */
  const catalogEmulator = async (count: number) => {
    const dir = await mkdtemp(join(tmpdir(), "runcomfy-listing-"));
    folders.push(dir);
    const ids = await writeCatalogFolder(dir, count);
    return { emu: await emulator({ schemasDir: dir }), ids };
  };
  type Page = { models: Record<string, unknown>[]; total: number };
  const list = async (url: string, token: string, query: string): Promise<Page> => {
    const response = await fetch(`${url}/v1/models${query}`, { headers: auth(token) });
    expect(response.status, query).toBe(200);
    return (await response.json()) as Page;
  };

  it("pages through hundreds of models with limit and offset, sorted by id, each once", async () => {
    const { emu, ids } = await catalogEmulator(350);
    const first = await list(emu.url, emu.token, "");
    expect(first.total).toBe(350);
    expect(first.models).toHaveLength(100); // default limit
    expect(first.models[0]).not.toHaveProperty("input_schema");
    const seen: string[] = [];
    for (let offset = 0; offset < 350; offset += 120) {
      const page = await list(emu.url, emu.token, `?limit=120&offset=${offset}&include_schema=true`);
      expect(page.total).toBe(350);
      for (const entry of page.models) {
        expect(entry["input_schema"]).toMatchObject({ title: "Input schema", properties: expect.any(Object) });
        seen.push(entry["model_id"] as string);
      }
    }
    expect(seen).toEqual([...ids].sort());
    expect((await list(emu.url, emu.token, "?limit=500")).models).toHaveLength(350);
    expect((await list(emu.url, emu.token, "?offset=400")).models).toEqual([]);
  });

  it("serves the catalog metadata of each schema file", async () => {
    const { emu, ids } = await catalogEmulator(7);
    const kling = ids.find((id) => id.startsWith("kling/"))!;
    const entry = (await (
      await fetch(`${emu.url}/v1/models/${kling}`, {
        headers: auth(emu.token),
      })
    ).json()) as Record<string, unknown>;
    const fixture = (await catalogEntries()).get("kling/kling-3.0/4k/image-to-video")!;
    expect(entry).toMatchObject({
      model_id: kling,
      display_name: fixture["display_name"],
      categories: fixture["categories"],
      kind: fixture["kind"],
      base_price_usd: fixture["base_price_usd"],
      price_unit: fixture["price_unit"],
    });
    // An id with spaces, percent-encoded per segment as clients send it.
    const hailuo = ids.find((id) => id.startsWith("minimax/"))!;
    expect(hailuo).toContain(" ");
    const spaced = await fetch(`${emu.url}/v1/models/${hailuo.split("/").map(encodeURIComponent).join("/")}`, {
      headers: auth(emu.token),
    });
    expect(((await spaced.json()) as Record<string, unknown>)["model_id"]).toBe(hailuo);
  });

  it("filters by search (id or display name, any case), category and kind, with the total after filtering", async () => {
    const { emu } = await catalogEmulator(70);
    const ids = (page: Page) => page.models.map((entry) => entry["model_id"] as string);
    const byName = await list(emu.url, emu.token, "?search=SEEDREAM&limit=500");
    expect(byName.total).toBe(10);
    expect(ids(byName).every((id) => id.startsWith("bytedance/seedream-4-5"))).toBe(true);
    const byDisplayName = await list(emu.url, emu.token, `?search=${encodeURIComponent("first-last frame")}&limit=500`);
    expect(byDisplayName.total).toBe(10);
    const images = await list(emu.url, emu.token, "?category=image-to-image&limit=500");
    expect(images.total).toBe(30);
    expect(images.models.every((entry) => (entry["categories"] as string[]).includes("image-to-image"))).toBe(true);
    expect((await list(emu.url, emu.token, "?kind=workflow")).total).toBe(0);
    expect((await list(emu.url, emu.token, "?kind=model&category=image-to-video&search=kling")).total).toBe(10);
  });

  it("refuses a limit outside 1–500 and a bad offset with a detail array", async () => {
    const emu = await emulator();
    for (const query of ["?limit=0", "?limit=501", "?limit=ten", "?offset=-1", "?offset=1.5"]) {
      const response = await fetch(`${emu.url}/v1/models${query}`, { headers: auth(emu.token) });
      expect(response.status, query).toBe(422);
      const body = (await response.json()) as { detail: { loc: string[] }[] };
      expect(body.detail[0]!.loc[0], query).toBe("query");
    }
  });

  it("starts on hundreds of schema files without compiling them: each model's validator is built on its first submit", async () => {
    const dir = await mkdtemp(join(tmpdir(), "runcomfy-listing-"));
    folders.push(dir);
    const ids = await writeCatalogFolder(dir, 400);
    // A schema ajv cannot compile (a broken pattern) among them: only a submit to that model notices.
    const broken = ids.find((candidate) => candidate.startsWith("blackforestlabs/"))!;
    const brokenFile = join(dir, `${broken}.json`);
    const text = await readFile(brokenFile, "utf8");
    await writeFile(brokenFile, text.replace('"title": "Prompt",', '"title": "Prompt", "pattern": "([a-z",'));
    const emu = await emulator({ schemasDir: dir });
    expect((await list(emu.url, emu.token, "?limit=500")).total).toBe(400);
    const brokenSubmit = await fetch(`${emu.url}/v1/models/${broken}`, {
      method: "POST",
      headers: { ...auth(emu.token), "content-type": "application/json" },
      body: "{}",
    });
    expect(brokenSubmit.status).toBe(500);
    // Only the model submitted to is compiled, and its required fields (with or without a default) are required.
    const id = ids.find((candidate) => candidate.startsWith("tongyi-mai/"))!;
    const response = await fetch(`${emu.url}/v1/models/${id}`, {
      method: "POST",
      headers: { ...auth(emu.token), "content-type": "application/json" },
      body: JSON.stringify({ prompt: "x", image_url: "https://example.com/a.png" }),
    });
    expect(response.status).toBe(422);
    const body = (await response.json()) as { detail: { loc: string[]; type: string }[] };
    expect(body.detail.map((item) => [item.loc.join("."), item.type])).toEqual([["body.loras", "required"]]);
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
