/** A client of the generated package pointed at the tiny independent mock, with short retry and poll delays. */
import { createClient, type ClientOptions } from "../../generated/index.js";
import type { TinyMock } from "./tiny-mock.ts";

export function tinyClient(mock: TinyMock, options: ClientOptions = {}) {
  return createClient({
    baseUrl: mock.url,
    token: mock.token,
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
    poll: { minIntervalMs: 20, maxIntervalMs: 50 },
    ...options,
  });
}
