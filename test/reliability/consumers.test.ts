/**
 * Real consumers: `npm pack` the generated package, install the tarball into
 * a fresh strict ESM TypeScript project (NodeNext, TypeScript from this
 * repo), type-check a program that uses all four seed models
 * (test/fixtures/consumer/), run it on Node against the emulator, bundle it
 * for the browser with esbuild and run it in headless Chromium against the
 * emulator (cross-origin: the emulator answers CORS).
 */
import { build } from "esbuild";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../emulator/index.ts";
import { listFiles } from "../../generator/lib/files.ts";
import { emulator } from "../helpers/emulator.ts";
import { ROOT, runProcess, type ProcessResult } from "../helpers/project.ts";
import { SEED_IDS } from "../helpers/spec.ts";

/**
 * Headless Chromium from the `@sparticuz/chromium` registry package: it ships the
 * binary (unpacked on first use into the temp folder), so the test needs nothing
 * but `npm install`.
 */
async function chromiumPath(): Promise<string> {
  const { default: packaged } = await import("@sparticuz/chromium");
  return packaged.executablePath();
}
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const FIXTURE = join(ROOT, "test/fixtures/consumer");
const NPM_ENV = {
  ...process.env,
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false",
};

/** What test/fixtures/consumer/app.ts reports. */
interface Report {
  readonly outcomes: readonly {
    readonly modelId: string;
    readonly requestId: string;
    readonly status: string;
    readonly media?: string;
    readonly statuses: readonly string[];
  }[];
  readonly wrongInput: string;
}

let work: string;
let app: string;
let tarball: string;
let typecheck: Promise<ProcessResult> | undefined;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "runcomfy-consumer-"));
  app = join(work, "app");
  const packed = await runProcess("npm", ["pack", "--pack-destination", work, "--json"], {
    cwd: join(ROOT, "generated"),
    env: NPM_ENV,
  });
  expect(packed.code, packed.stderr).toBe(0);
  tarball = join(work, (JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename);
  await cp(FIXTURE, app, { recursive: true });
  await writeFile(
    join(app, "package.json"),
    `${JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2)}\n`,
  );
  const installed = await runProcess("npm", ["install", "--offline", "--no-audit", "--no-fund", tarball], {
    cwd: app,
    env: NPM_ENV,
  });
  expect(installed.code, installed.stderr).toBe(0);
}, 180_000);
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** `tsc -p` of the consumer project (emits dist/ for the Node run), once. */
function typecheckConsumer(): Promise<ProcessResult> {
  typecheck ??= runProcess(
    process.execPath,
    [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", join(app, "tsconfig.json")],
    { cwd: app },
  );
  return typecheck;
}

/** Every seed model succeeded, with the output the emulator produced for exactly that job. */
function expectAllSucceeded(report: Report, emu: Emulator): void {
  expect(report.outcomes.map((outcome) => outcome.modelId).sort()).toEqual([...SEED_IDS].sort());
  for (const outcome of report.outcomes) {
    const job = emu.job(outcome.requestId);
    expect(job?.modelId, outcome.modelId).toBe(outcome.modelId);
    expect(outcome.status, outcome.modelId).toBe("succeeded");
    const output = job?.outcome?.status === "succeeded" ? job.outcome.output : {};
    expect(outcome.media, outcome.modelId).toBe(output["video"] ?? output["image"]);
    expect(outcome.statuses.at(-1), outcome.modelId).toBe("completed");
  }
  expect(report.wrongInput).toBe("ValidationError");
  expect(emu.stats()).toMatchObject({ submits: SEED_IDS.length, duplicateSubmits: 0 });
}

/** Serves the page and its bundle on loopback (another origin than the emulator's). */
async function pageServer(
  files: Readonly<Record<string, { type: string; body: string }>>,
): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const file = files[new URL(request.url ?? "/", "http://page").pathname];
    response.writeHead(file ? 200 : 404, { "content-type": file?.type ?? "text/plain" });
    response.end(file?.body ?? "not found");
  });
  await new Promise<void>((listening) => server.listen(0, "127.0.0.1", () => listening()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe("a fresh strict ESM TypeScript project using the packed package", () => {
  it("installs the tarball, which carries every file its exports and files name", async () => {
    const installed = join(app, "node_modules/runcomfy-models");
    const pkg = JSON.parse(await readFile(join(installed, "package.json"), "utf8")) as {
      name: string;
      files: string[];
      exports: Record<string, string | Record<string, string>>;
    };
    expect(pkg.name).toBe("runcomfy-models");
    const targets = Object.values(pkg.exports).flatMap((entry) =>
      typeof entry === "string" ? [entry] : Object.values(entry),
    );
    // A pattern target (`./schemas/*`) must match something: check the folder it points into is not empty.
    for (const target of [...targets.map((path) => path.replace(/\*.*$/, "")), ...pkg.files]) {
      const present =
        existsSync(join(installed, target)) &&
        (!target.endsWith("/") || (await listFiles(join(installed, target))).length > 0);
      expect(present, target).toBe(true);
    }
  });

  it("loads from CommonJS with require() (Node 20.19 or later, the engines range: require() of an ES module)", async () => {
    const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
    expect(major > 20 || (major === 20 && minor >= 19), process.version).toBe(true);
    const script = [
      `const root = require("runcomfy-models");`,
      `const model = require("runcomfy-models/${SEED_IDS[0]}");`,
      `const download = require("runcomfy-models/download");`,
      `console.log(JSON.stringify([typeof root.createClient, typeof model.build, typeof download.downloadOutputs]));`,
    ].join("\n");
    const run = await runProcess(process.execPath, ["--input-type=commonjs", "-e", script], { cwd: app });
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual(["function", "function", "function"]);
  });

  it("type-checks a program using all four seed models (friendly inputs, client.run(id, input), exhaustive result switch, @ts-expect-error on a wrong input)", async () => {
    const tsc = await typecheckConsumer();
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.code).toBe(0);
  }, 120_000);

  it("runs that program on Node against the emulator", async () => {
    expect((await typecheckConsumer()).code).toBe(0);
    const emu = await emulator({ capacity: 2, durationMs: 100 });
    const run = await runProcess(process.execPath, [join(app, "run-node.mjs"), emu.url, emu.token], { cwd: app });
    expect(run.code, run.stderr).toBe(0);
    expectAllSucceeded(JSON.parse(run.stdout) as Report, emu);
  }, 120_000);

  it("bundles for the browser without anything Node-only, split into lazily loaded chunks, and runs in headless Chromium against the emulator", async () => {
    const bundled = await build({
      absWorkingDir: app,
      entryPoints: { bundle: join(app, "browser.ts") },
      bundle: true,
      splitting: true,
      platform: "browser",
      format: "esm",
      target: "es2022",
      outdir: join(app, "out"),
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const inputs = Object.keys(bundled.metafile.inputs);
    expect(inputs.some((path) => path.includes("runcomfy-models/models/community/wan-2-2/vace-fun.js"))).toBe(true);
    expect(inputs.filter((path) => /runtime\/download\.js$|^node:/.test(path))).toEqual([]);
    // The entry chunk carries no model: each model is a chunk of its own, loaded when its id is first run.
    const outputs = bundled.metafile.outputs;
    const entry = Object.keys(outputs).find(
      (path) => outputs[path]!.entryPoint !== undefined && path.endsWith("bundle.js"),
    )!;
    expect(Object.keys(outputs[entry]!.inputs).filter((path) => path.includes("runcomfy-models/models/"))).toEqual([]);
    const chunks = Object.fromEntries(
      bundled.outputFiles.map((file) => [
        `/${file.path.slice(join(app, "out").length + 1)}`,
        { type: "text/javascript", body: file.text },
      ]),
    );

    const emu = await emulator({ capacity: 2, durationMs: 100 });
    const page = await pageServer({
      "/": { type: "text/html", body: await readFile(join(app, "index.html"), "utf8") },
      ...chunks,
    });
    const profile = join(work, `chromium-profile-${Date.now()}`);
    await mkdir(profile);
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: await chromiumPath(),
      headless: true,
      args: CHROMIUM_FLAGS,
    });
    try {
      const tab = await browser.newPage();
      const problems: string[] = [];
      tab.on("pageerror", (error) => problems.push(error.message));
      await tab.goto(`${page.url}/?api=${encodeURIComponent(emu.url)}&token=${encodeURIComponent(emu.token)}`);
      await tab.waitForFunction(() => window.__report !== undefined, undefined, { timeout: 90_000 });
      const report = (await tab.evaluate(() => window.__report)) as Report | { error: string };
      expect(problems).toEqual([]);
      expect(report).not.toHaveProperty("error");
      expect(new URL(page.url).origin).not.toBe(new URL(emu.url).origin);
      expectAllSucceeded(report as Report, emu);
    } finally {
      await browser.close();
      await new Promise((closed) => page.server.close(closed));
    }
  }, 180_000);
});

declare global {
  interface Window {
    __report?: unknown;
  }
}
