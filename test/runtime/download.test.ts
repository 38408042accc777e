/** Downloading outputs: https only, RunComfy hosts (plus allowed ones), no token, size cap, no overwrite. */
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigurationError } from "../../generated/runtime/errors.js";
import {
  DownloadError,
  downloadFile,
  type DownloadOptions,
  downloadOutputs,
} from "../../generated/runtime/download.js";
import { downloadRefusal, fileNameFor } from "../../generated/runtime/internal.js";
import { clientFor, emulator, VACE_INPUT } from "../helpers/emulator.ts";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});
async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "runcomfy-download-"));
  dirs.push(dir);
  return dir;
}

/** Routes RunComfy CDN URLs to the emulator's /files over real HTTP, recording what was asked. */
function cdnTo(emulatorUrl: string, calls: { url: string; headers: Headers }[] = []): typeof fetch {
  return async (input, init) => {
    const url = new URL(String(input));
    calls.push({ url: url.toString(), headers: new Headers(init?.headers) });
    return fetch(`${emulatorUrl}${url.pathname}`, init);
  };
}

describe("downloads", () => {
  it("refuses http and foreign hosts before fetching anything", async () => {
    const dir = await scratch();
    const calls: { url: string; headers: Headers }[] = [];
    const fetchSpy: typeof fetch = async (input) => {
      calls.push({ url: String(input), headers: new Headers() });
      throw new Error("must not be called");
    };
    for (const url of [
      "http://playgrounds-storage-public.runcomfy.net/a.png",
      "https://evil.example.com/a.png",
      "https://runcomfy.net.evil.com/a.png",
      "https://user:pw@files.runcomfy.net/a.png",
    ]) {
      await expect(downloadOutputs([url], { dir, fetch: fetchSpy })).rejects.toBeInstanceOf(DownloadError);
    }
    expect(calls).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
    expect(downloadRefusal("http://files.runcomfy.net/a.png")).toContain("only https");
    expect(downloadRefusal("https://cdn.example.com/a.png")).toContain('allowHosts: ["cdn.example.com"]');
    expect(downloadRefusal("https://cdn.example.com/a.png", ["*.example.com"])).toBeUndefined();
    expect(downloadRefusal("https://files.runcomfy.com/a.png")).toBeUndefined();
  });

  it("downloads a job's outputs without the token, with progress, into a temp file renamed into place", async () => {
    const emu = await emulator();
    const result = await clientFor(emu).run("community/wan-2-2/vace-fun", VACE_INPUT);
    if (result.status !== "succeeded") throw new Error("job failed");
    // The emulator serves its outputs itself; present them as RunComfy CDN URLs.
    const onCdn = {
      ...result,
      output: { video: result.output.video!.replace(emu.url, "https://playgrounds-storage-public.runcomfy.net") },
    };
    const dir = await scratch();
    const calls: { url: string; headers: Headers }[] = [];
    const progress: number[] = [];
    const files = await downloadOutputs(onCdn, {
      dir,
      fetch: cdnTo(emu.url, calls),
      onProgress: (p) => progress.push(p.receivedBytes),
    });
    expect(files).toEqual([
      { url: onCdn.output.video, path: join(dir, "output.mp4"), bytes: 1048, contentType: "video/mp4" },
    ]);
    expect((await readFile(join(dir, "output.mp4"))).subarray(4, 8).toString()).toBe("ftyp");
    expect(progress.at(-1)).toBe(1048);
    expect(await readdir(dir)).toEqual(["output.mp4"]);
    expect(calls.every((call) => !call.headers.has("authorization"))).toBe(true);
    expect(emu.stats().filesWithAuthorization).toBe(0);
  });

  it("never overwrites an existing file unless asked", async () => {
    const emu = await emulator();
    const dir = await scratch();
    await writeFile(join(dir, "a.png"), "mine");
    const url = "https://files.runcomfy.net/files/r1/a.png";
    const first = await downloadFile(url, { dir, fetch: cdnTo(emu.url) });
    expect(first.path).toBe(join(dir, "a-1.png"));
    expect(await readFile(join(dir, "a.png"), "utf8")).toBe("mine");
    const replaced = await downloadFile(url, { dir, fetch: cdnTo(emu.url), overwrite: true });
    expect(replaced.path).toBe(join(dir, "a.png"));
    expect(await readFile(join(dir, "a.png"), "utf8")).not.toBe("mine");
  });

  it("enforces the size cap and leaves nothing behind", async () => {
    const emu = await emulator();
    const dir = await scratch();
    await expect(
      downloadFile("https://files.runcomfy.net/files/r1/big.mp4", { dir, fetch: cdnTo(emu.url), maxBytes: 100 }),
    ).rejects.toThrow(/over the 100-byte limit/);
    expect(await readdir(dir)).toEqual([]);
  });

  const BAD_OPTIONS: [string, Record<string, unknown>, RegExp][] = [
    [
      "maxBytes NaN",
      { maxBytes: Number.NaN },
      /^maxBytes must be an integer from 0 to 9007199254740991, or Infinity, got NaN$/,
    ],
    ["maxBytes negative", { maxBytes: -1 }, /^maxBytes must be an integer from 0 .* got -1$/],
    ["maxBytes fractional", { maxBytes: 1.5 }, /^maxBytes must be an integer .* got 1\.5$/],
    ["maxBytes a string", { maxBytes: "100" }, /^maxBytes must be an integer .* got "100"$/],
    [
      "maxRedirects Infinity",
      { maxRedirects: Number.POSITIVE_INFINITY },
      /^maxRedirects must be an integer from 0 to 20, got Infinity$/,
    ],
    ["maxRedirects 21", { maxRedirects: 21 }, /^maxRedirects must be an integer from 0 to 20, got 21$/],
    ["maxRedirects NaN", { maxRedirects: Number.NaN }, /^maxRedirects must be .* got NaN$/],
    ["dir empty", { dir: "" }, /^dir must be a non-empty path of a folder, got ""$/],
    ["dir missing", { dir: undefined }, /^dir must be a non-empty path of a folder, got undefined$/],
    [
      "allowHosts a string",
      { allowHosts: "cdn.example.com" },
      /^allowHosts must be an array of host names, got "cdn\.example\.com"$/,
    ],
    [
      "allowHosts a URL",
      { allowHosts: ["https://cdn.example.com/"] },
      /^allowHosts\[0\] must be a host name .* got "https:\/\/cdn\.example\.com\/"$/,
    ],
    [
      "allowHosts with a port",
      { allowHosts: ["cdn.example.com:8443"] },
      /^allowHosts\[0\] must be a host name .* got "cdn\.example\.com:8443"$/,
    ],
    ["allowHosts not in punycode", { allowHosts: ["bücher.de"] }, /^allowHosts\[0\] .*punycode.* got "bücher\.de"$/],
    ["allowHosts an empty label", { allowHosts: ["cdn..example.com"] }, /^allowHosts\[0\] must be a host name/],
    ["overwrite a string", { overwrite: "yes" }, /^overwrite must be true or false, got "yes"$/],
    ["onProgress an object", { onProgress: {} }, /^onProgress must be a function, got an object$/],
    ["signal a boolean", { signal: true }, /^signal must be an AbortSignal, got true$/],
  ];

  it.each(BAD_OPTIONS)(
    "refuses a bad option (%s) with a ConfigurationError before fetching or creating anything",
    async (_, bad, message) => {
      const dir = join(await scratch(), "not-created");
      let fetched = 0;
      const fetchSpy: typeof fetch = async () => {
        fetched++;
        throw new Error("must not be called");
      };
      const options = { dir, fetch: fetchSpy, ...bad } as DownloadOptions;
      for (const call of [
        () => downloadFile("https://files.runcomfy.net/files/r1/a.png", options),
        () => downloadOutputs({ image: "https://files.runcomfy.net/files/r1/a.png" }, options),
      ]) {
        const error = await call().catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(ConfigurationError);
        expect((error as Error).message).toMatch(message);
      }
      expect(fetched).toBe(0);
      await expect(readdir(dir)).rejects.toThrow(/ENOENT/);
    },
  );

  it("takes the odd values that are allowed: maxBytes 0 and Infinity, maxRedirects 0, undefined for every default", async () => {
    const emu = await emulator();
    const dir = await scratch();
    const url = "https://files.runcomfy.net/files/r1/a.png";
    await expect(downloadFile(url, { dir, fetch: cdnTo(emu.url), maxBytes: 0 })).rejects.toThrow(
      /over the 0-byte limit|exceeded the 0-byte limit/,
    );
    const unlimited = await downloadFile(url, {
      dir,
      fetch: cdnTo(emu.url),
      maxBytes: Number.POSITIVE_INFINITY,
      maxRedirects: 0,
    });
    expect(unlimited.bytes).toBeGreaterThan(0);
    const defaults = await downloadFile(url, {
      dir,
      fetch: cdnTo(emu.url),
      maxBytes: undefined,
      maxRedirects: undefined,
      overwrite: undefined,
      allowHosts: undefined,
      onProgress: undefined,
      signal: undefined,
    });
    expect(defaults.path).not.toBe(unlimited.path);
    // Host names as URL gives them: punycode and a bracketed IPv6 address pass the check.
    const allowed = await downloadFile(url, {
      dir,
      fetch: cdnTo(emu.url),
      allowHosts: ["xn--bcher-kva.de", "[::1]", "*.example.com"],
    });
    expect(allowed.bytes).toBe(unlimited.bytes);
  });

  it("re-checks every redirect target", async () => {
    const emu = await emulator({
      faults: [
        {
          route: "files",
          fault: { type: "respond", status: 302, body: {}, headers: { location: "https://evil.example.com/x.png" } },
        },
      ],
    });
    const dir = await scratch();
    await expect(
      downloadFile("https://files.runcomfy.net/files/r1/a.png", { dir, fetch: cdnTo(emu.url) }),
    ).rejects.toThrow(/evil\.example\.com, which is not a RunComfy host/);
    expect(await readdir(dir)).toEqual([]);
  });

  it("derives safe file names", () => {
    expect(fileNameFor("https://files.runcomfy.net/a/b/result%20final.mp4", "x")).toBe("result final.mp4");
    expect(fileNameFor("https://files.runcomfy.net/a/..%2F..%2Fetc%2Fpasswd", "x")).toBe("_.._etc_passwd");
    expect(fileNameFor("https://files.runcomfy.net/", "fallback")).toBe("fallback");
  });
});

describe("downloads that fail", () => {
  /** A fetch whose body sends a few bytes and then breaks (as a reset mid-download does). */
  const breaking: typeof fetch = async () =>
    new Response(
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new Uint8Array(64));
        },
        pull(controller) {
          controller.error(new TypeError("terminated"));
        },
      }),
      { status: 200, headers: { "content-type": "video/mp4" } },
    );
  const openFiles = async () => (await readdir("/proc/self/fd")).length;

  it("cut mid-body, 20 times: each a DownloadError, no .part file and no descriptor left behind", async () => {
    const dir = await scratch();
    const before = await openFiles();
    for (let index = 0; index < 20; index++) {
      const error = await downloadFile(`https://files.runcomfy.net/r/${index}.mp4`, { dir, fetch: breaking }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(DownloadError);
      expect((error as Error).message).toContain("terminated");
    }
    // Give closed streams a turn to release their descriptors.
    await new Promise((done) => setTimeout(done, 50));
    expect(await readdir(dir)).toEqual([]);
    expect(await openFiles()).toBeLessThanOrEqual(before);
  });

  it.each([
    ["a folder name too long for the file system (ENAMETOOLONG)", (dir: string) => join(dir, "x".repeat(300))],
    ["a folder that is a file (ENOTDIR / EEXIST)", (dir: string) => join(dir, "file.txt", "sub")],
  ])("%s is a DownloadError, not a raw error", async (_name, target) => {
    const dir = await scratch();
    await writeFile(join(dir, "file.txt"), "x");
    const error = await downloadFile("https://files.runcomfy.net/r/a.mp4", {
      dir: target(dir),
      fetch: async () => new Response("data", { status: 200 }),
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DownloadError);
    expect((error as Error).message).toMatch(/ENAMETOOLONG|ENOTDIR|EEXIST/);
  });

  it("cuts file names to 255 bytes of UTF-8 (not 255 UTF-16 units), keeping the extension", () => {
    const bytes = (text: string) => new TextEncoder().encode(text).byteLength;
    const long = `${"日本語".repeat(60)}.mp4`; // 180 characters, 544 bytes
    const name = fileNameFor(`https://files.runcomfy.net/r/${encodeURIComponent(long)}`, "x");
    expect(bytes(name)).toBeLessThanOrEqual(255);
    expect(name.endsWith(".mp4")).toBe(true);
    const emoji = fileNameFor(`https://files.runcomfy.net/r/${encodeURIComponent(`${"😀".repeat(100)}.png`)}`, "x");
    expect(bytes(emoji)).toBeLessThanOrEqual(255);
    expect(emoji).not.toContain("\uFFFD");
  });

  it("a name that long is written, and its numbered twin too", async () => {
    const dir = await scratch();
    const url = `https://files.runcomfy.net/r/${encodeURIComponent(`${"é".repeat(200)}.png`)}`;
    const fetchPng: typeof fetch = async () => new Response("png", { status: 200 });
    const first = await downloadFile(url, { dir, fetch: fetchPng });
    const second = await downloadFile(url, { dir, fetch: fetchPng });
    expect(first.path).not.toBe(second.path);
    expect((await readdir(dir)).sort()).toHaveLength(2);
  });
});
