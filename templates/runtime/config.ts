/**
 * Client options → the resolved configuration every part of the client
 * shares: token, base URL, fetch, policies, the request limiter and the log.
 * Options are read once, here.
 */
import { ConfigurationError } from "./errors.js";
import {
  createLog,
  RequestLimiter,
  systemClock,
  type Clock,
  type HttpConfig,
  type Log,
  type Logger,
  type LogLevel,
} from "./http.js";
import { DEFAULT_POLL_POLICY, type PollPolicy } from "./poll.js";
import { BASE_URL_ENV_VAR, DEFAULT_BASE_URL, TOKEN_ENV_VARS } from "./protocol.js";
import { createRegistry, type ModelSource } from "./registry.js";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry.js";

export interface ClientOptions {
  /** API token. @default `RUNCOMFY_API_TOKEN`, then `RUNCOMFY_TOKEN` (the official CLI's) from the environment */
  readonly token?: string | undefined;
  /** API origin; a trailing `/v1` is accepted. @default `RUNCOMFY_MODEL_API_BASE`, then `https://model-api.runcomfy.net` */
  readonly baseUrl?: string | undefined;
  /** `fetch` implementation. @default globalThis.fetch */
  readonly fetch?: typeof fetch | undefined;
  /** Timeout of one HTTP attempt, in milliseconds. @default 60000 */
  readonly timeoutMs?: number | undefined;
  /** Requests this client has in flight at most; more wait their turn (time waiting does not count towards `timeoutMs`). @default 32 */
  readonly maxConcurrentRequests?: number | undefined;
  /** Requests this client starts per second at most (bursts of up to one second's worth pass at once), e.g. to stay under an account's rate limit with thousands of jobs. @default Infinity */
  readonly maxRequestsPerSecond?: number | undefined;
  /** Retry policy of status, result and cancel calls (a submit is never retried once it may have been sent). */
  readonly retry?: Partial<RetryPolicy> | undefined;
  /** Poll schedule and default wait deadline. */
  readonly poll?: Partial<PollPolicy> | undefined;
  /** Receives log lines (never with the token). @default none */
  readonly logger?: Logger | undefined;
  /** @default "warn" */
  readonly logLevel?: LogLevel | undefined;
  /** Extra headers on every call. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** Time source, for tests. @default the system clock */
  readonly clock?: Clock | undefined;
  /** Models this client knows by id: a list, a record, or a registry that loads them on demand. */
  readonly models?: ModelSource | undefined;
}

/** What the parts of one client share. */
export interface ClientContext {
  readonly http: HttpConfig;
  readonly token: string | undefined;
  readonly clock: Clock;
  readonly log: Log;
  readonly pollPolicy: PollPolicy;
  /** Requests in flight at most (also the poll scheduler's concurrency). */
  readonly concurrency: number;
  readonly registry: ReturnType<typeof createRegistry>;
}

function env(name: string): string | undefined {
  const value = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/** `https://host/v1/` → `https://host`; throws on anything that is not an http(s) URL. */
export function normalizeBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new ConfigurationError(`baseUrl ${JSON.stringify(value)} is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new ConfigurationError(`baseUrl must be http(s), got ${url.protocol}`);
  if (url.username || url.password)
    throw new ConfigurationError("baseUrl must not contain credentials; pass the token as `token`");
  const path = url.pathname.replace(/\/+$/, "").replace(/\/v1$/, "");
  return `${url.origin}${path}`;
}

/** Reads the options once; throws `ConfigurationError` for a bad one (nothing is sent). */
export function resolveConfig(options: ClientOptions): ClientContext {
  const clock = options.clock ?? systemClock;
  const token = options.token ?? TOKEN_ENV_VARS.map(env).find((value) => value !== undefined);
  const baseUrl = normalizeBaseUrl(options.baseUrl ?? env(BASE_URL_ENV_VAR) ?? DEFAULT_BASE_URL);
  const fetchImpl = options.fetch ?? (globalThis.fetch?.bind(globalThis) as typeof fetch | undefined);
  if (!fetchImpl)
    throw new ConfigurationError("no fetch implementation: pass `fetch` (Node 18+ and browsers have one)");
  const log = createLog(options.logger, options.logLevel ?? "warn");
  const concurrency = Math.max(1, options.maxConcurrentRequests ?? 32);
  const http: HttpConfig = {
    baseUrl,
    token,
    fetch: fetchImpl,
    timeoutMs: options.timeoutMs ?? 60_000,
    retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    clock,
    log,
    debug: options.logger !== undefined && options.logLevel === "debug",
    headers: { ...options.headers },
    limiter: new RequestLimiter(concurrency, options.maxRequestsPerSecond ?? Number.POSITIVE_INFINITY, clock),
  };
  return {
    http,
    token,
    clock,
    log,
    pollPolicy: { ...DEFAULT_POLL_POLICY, ...options.poll },
    concurrency,
    registry: createRegistry(options.models),
  };
}
