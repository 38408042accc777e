/** The pure decision helpers under the HTTP engine and the poll loop. */
import { describe, expect, it } from "vitest";
import { outputUrls } from "../../generated/index.js";
import {
  backoffDelay,
  DEFAULT_POLL_POLICY,
  DEFAULT_RETRY_POLICY,
  nextPollDelay,
  normalizeBaseUrl,
  parseRetryAfter,
  provablyNotSent,
  retryDelay,
} from "../../generated/runtime/internal.js";
import { queuePositionOf } from "../../generated/runtime/calls.js";
import { sleepWithin } from "../../generated/runtime/retry.js";

const headers = (entries: Record<string, string>) => new Headers(entries);

describe("retry helpers", () => {
  it("backoff doubles from the base delay, capped, jitter only shortens", () => {
    expect([1, 2, 3, 4, 5, 6].map((retry) => backoffDelay(retry, DEFAULT_RETRY_POLICY, () => 0))).toEqual([
      500, 1000, 2000, 4000, 8000, 8000,
    ]);
    expect(backoffDelay(1, DEFAULT_RETRY_POLICY, () => 1)).toBe(375);
  });

  it("reads Retry-After as seconds, HTTP date or Retry-After-Ms, and ignores garbage", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter(headers({ "retry-after": "3" }), now)).toBe(3000);
    expect(parseRetryAfter(headers({ "retry-after": "Thu, 01 Jan 2026 00:00:10 GMT" }), now)).toBe(10_000);
    expect(parseRetryAfter(headers({ "retry-after-ms": "250" }), now)).toBe(250);
    expect(parseRetryAfter(headers({ "retry-after": "soon" }), now)).toBeUndefined();
    expect(parseRetryAfter(headers({}), now)).toBeUndefined();
    expect(retryDelay(1, DEFAULT_RETRY_POLICY, 3_600_000)).toBe(60_000);
  });

  it.each(["-5", "-0.5", "+3", "1e3", "3 s", "0x10", "", "Infinity", "NaN", "01/01/2030"])(
    "ignores the Retry-After value %j (negative or not seconds or an HTTP date; never a date in 2001)",
    (value) => {
      const now = Date.parse("2026-01-01T00:00:00Z");
      expect(parseRetryAfter(headers({ "retry-after": value }), now)).toBeUndefined();
      expect(parseRetryAfter(headers({ "retry-after-ms": value }), now)).toBeUndefined();
    },
  );

  it("cuts a retry's sleep to the time left before the deadline, and ends the call when none is left", () => {
    expect(sleepWithin(10_000, undefined, 0)).toBe(10_000);
    expect(sleepWithin(10_000, 1_000, 200)).toBe(800);
    expect(sleepWithin(300, 1_000, 200)).toBe(300);
    expect(sleepWithin(300, 1_000, 1_000)).toBeUndefined();
    expect(sleepWithin(300, 1_000, 5_000)).toBeUndefined();
  });

  it.each([
    [3, 3],
    ["3", 3],
    [" 12 ", 12],
    [0, 0],
    ["-1", undefined],
    [-1, undefined],
    [1.5, undefined],
    ["three", undefined],
    ["", undefined],
    [null, undefined],
    [Number.NaN, undefined],
  ] as const)("reads queue_position %j as %j", (value, expected) => {
    expect(queuePositionOf(value)).toBe(expected);
  });

  it("retries a paid submit only when the request provably never left", () => {
    const refused = Object.assign(new TypeError("fetch failed"), {
      cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
    });
    const reset = Object.assign(new TypeError("fetch failed"), {
      cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
    });
    const dns = Object.assign(new TypeError("fetch failed"), { cause: { code: "ENOTFOUND" } });
    expect(provablyNotSent(refused)).toBe(true);
    expect(provablyNotSent(dns)).toBe(true);
    expect(provablyNotSent(reset)).toBe(false);
    expect(provablyNotSent(new TypeError("fetch failed"))).toBe(false);
  });
});

describe("poll policy", () => {
  it("is fast at first and slower for long jobs, within its bounds", () => {
    const at = (seconds: number) => nextPollDelay(seconds * 1000, DEFAULT_POLL_POLICY, () => 0);
    expect(at(0)).toBe(500);
    expect(at(5)).toBe(500);
    expect(at(60)).toBe(5400);
    expect(at(600)).toBe(30_000);
    expect(nextPollDelay(60_000, DEFAULT_POLL_POLICY, () => 1)).toBe(4860);
    expect(nextPollDelay(60_000, { ...DEFAULT_POLL_POLICY, fixedIntervalMs: 2000 })).toBe(2000);
  });

  it("keeps detection latency under max(0.5 s, 10 % of the job's duration)", () => {
    for (const seconds of [1, 2, 5, 10, 30, 90, 300, 600]) {
      let elapsed = 0;
      while (elapsed < seconds * 1000) elapsed += nextPollDelay(elapsed, DEFAULT_POLL_POLICY, () => 0);
      expect(elapsed - seconds * 1000, `${seconds}s job`).toBeLessThanOrEqual(Math.max(500, seconds * 100));
    }
  });
});

describe("small public helpers", () => {
  it("normalises base URLs with or without /v1", () => {
    expect(normalizeBaseUrl("https://model-api.runcomfy.net/v1/")).toBe("https://model-api.runcomfy.net");
    expect(normalizeBaseUrl("http://127.0.0.1:8787")).toBe("http://127.0.0.1:8787");
    expect(() => normalizeBaseUrl("ftp://x")).toThrow(/must be https:/);
  });

  it("lists output URLs in document order without duplicates", () => {
    expect(
      outputUrls({
        video: "https://a/v.mp4",
        images: ["https://a/1.png", "https://a/v.mp4"],
        meta: { seed: 1, preview: "http://a/p.png" },
        note: "not a url",
      }),
    ).toEqual(["https://a/v.mp4", "https://a/1.png", "http://a/p.png"]);
  });
});
