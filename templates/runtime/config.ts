/**
 * Client options → the resolved configuration every part of the client
 * shares: token, base URL, fetch, policies, the request limiter and the log.
 * Options are read once, here.
 */
import { ConfigurationError } from "./errors.js";
import { editDistance } from "./model.js";
import {
  createLog,
  MAX_TIMER_MS,
  RequestLimiter,
  systemClock,
  type Clock,
  type HttpConfig,
  type Log,
  type Logger,
  type LogLevel,
} from "./http.js";
import { DEFAULT_POLL_POLICY, type PollOptions, type PollPolicy } from "./poll.js";
import { BASE_URL_ENV_VAR, DEFAULT_BASE_URL, TOKEN_ENV_VARS } from "./protocol.js";
import { createRegistry, type ModelSource } from "./registry.js";
import { SlotQueue } from "./scheduler.js";
import { nodeTransport } from "./transport.js";
import { DEFAULT_RETRY_POLICY, type RetryOptions, type RetryPolicy } from "./retry.js";

/** Options of `createClient`; every one is checked once, at `createClient` (`ConfigurationError`). */
export interface ClientOptions {
  /** API token: printable ASCII, no spaces or control characters (checked before any request). @default `RUNCOMFY_API_TOKEN`, then `RUNCOMFY_TOKEN` (the official CLI's) from the environment */
  readonly token?: string | undefined;
  /** API origin; a trailing `/v1` is accepted. Must be `https:`; plain `http:` only for loopback hosts (`localhost`, `127.0.0.0/8`, `[::1]`). @default `RUNCOMFY_MODEL_API_BASE`, then `https://model-api.runcomfy.net` */
  readonly baseUrl?: string | undefined;
  /**
   * `fetch` implementation for the API calls (downloads use `globalThis.fetch` or their own `fetch` option).
   * @default on Node, a built-in transport over `node:http`/`node:https` (Node's own `fetch` leaves far more garbage
   * per request); elsewhere `globalThis.fetch`
   */
  readonly fetch?: typeof fetch | undefined;
  /** Timeout of one HTTP attempt, in milliseconds: 1 to 2147483647, or `Infinity` for none. A wait's deadline cuts it shorter. @default 60000 */
  readonly timeoutMs?: number | undefined;
  /** Requests this client has in flight at most (an integer ≥ 1, or `Infinity`); more wait their turn (time waiting does not count towards `timeoutMs`, and an abort ends the wait at once). @default 32 */
  readonly maxConcurrentRequests?: number | undefined;
  /** Requests this client starts per second at most (a number > 0, or `Infinity`; bursts of up to one second's worth pass at once), e.g. to stay under an account's rate limit with thousands of jobs. @default Infinity */
  readonly maxRequestsPerSecond?: number | undefined;
  /** Retry policy of status, result and cancel calls (a submit is never retried once it may have been sent); a key set to `undefined` keeps its default. @default `{ maxRetries: 4, baseDelayMs: 500, maxDelayMs: 8000, jitter: 0.25, maxRetryAfterMs: 60000 }` */
  readonly retry?: RetryOptions | undefined;
  /** Poll schedule and default wait deadline; a key set to `undefined` keeps its default. @default `{ minIntervalMs: 500, elapsedFraction: 0.09, maxIntervalMs: 30000, jitter: 0.1, timeoutMs: 1800000, maxUnknownStatuses: 10, budgetPerSecond: 100 }` */
  readonly poll?: PollOptions | undefined;
  /** Receives log lines (never with the token). @default none */
  readonly logger?: Logger | undefined;
  /** `"off"`, `"error"`, `"warn"`, `"info"` or `"debug"`. @default "warn" */
  readonly logLevel?: LogLevel | undefined;
  /** Extra headers on every call (string values without CR, LF or NUL). @default none */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** Time source, for tests. @default the system clock */
  readonly clock?: Clock | undefined;
}

/**
 * Options of the runtime's own `createClient` (`runcomfy-models/runtime`): the client's options and the models it
 * knows. The package's root `createClient` takes `ClientOptions` and knows every generated model.
 */
export interface RuntimeClientOptions extends ClientOptions {
  /** Models this client knows by id: a list, a record, or a registry that loads them on demand. @default none (model objects and `untypedModel` still run) */
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
  /** Submits being built or sent at most `concurrency` at once; the others wait here as small records. */
  readonly submitSlots: SlotQueue;
  readonly registry: ReturnType<typeof createRegistry>;
}

function env(name: string): string | undefined {
  const value = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/** Longest delay a timer can wait (defined with the clock, `http.ts`). */
export { MAX_TIMER_MS };

/** The allowed values of one numeric option. */
export interface NumberRule {
  readonly min: number;
  /** `min` itself is not allowed (`> min`). */
  readonly minExclusive?: boolean;
  readonly max: number;
  readonly integer?: boolean;
  /** `Infinity` is allowed besides the range (it means "no limit"). */
  readonly infinity?: boolean;
}

/** A value as an error message shows it: strings quoted, never the contents of an object or a function. */
export function showValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint" || value === undefined)
    return String(value);
  if (value === null) return "null";
  if (typeof value === "function") return "a function";
  return Array.isArray(value) ? "an array" : "an object";
}

function describeRule(rule: NumberRule): string {
  const kind = rule.integer ? "an integer" : "a number";
  const range =
    rule.max === Number.POSITIVE_INFINITY
      ? `${rule.minExclusive ? "above" : "from"} ${rule.min}`
      : `${rule.minExclusive ? "above" : "from"} ${rule.min} to ${rule.max}`;
  return `${kind} ${range}${rule.infinity ? ", or Infinity" : ""}`;
}

/** A numeric option: `undefined` gives `fallback`; anything outside `rule` is a `ConfigurationError` naming option, value and range. */
export function checkNumber(name: string, value: unknown, fallback: number, rule: NumberRule): number {
  if (value === undefined) return fallback;
  const ok =
    typeof value === "number" &&
    !Number.isNaN(value) &&
    ((rule.infinity === true && value === Number.POSITIVE_INFINITY) ||
      (Number.isFinite(value) &&
        (rule.minExclusive ? value > rule.min : value >= rule.min) &&
        value <= rule.max &&
        (!rule.integer || Number.isInteger(value))));
  if (!ok) throw new ConfigurationError(`${name} must be ${describeRule(rule)}, got ${showValue(value)}`);
  return value;
}

/**
 * Every key of `given` set to a value is one of `known`: a misspelled option (`timeoutMS`), which TypeScript rejects
 * but plain JavaScript would silently ignore, is a `ConfigurationError` that suggests the option meant.
 */
export function checkKeys(owner: string, given: object, known: readonly string[]): void {
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined || known.includes(key)) continue;
    let near = known.find((option) => option.toLowerCase() === key.toLowerCase());
    // The nearest within a third of the longer name's length (at least 2 edits).
    let nearest = Infinity;
    for (const option of near === undefined ? known : []) {
      const distance = editDistance(option, key);
      if (distance <= Math.max(2, Math.floor(Math.max(key.length, option.length) / 3)) && distance < nearest)
        [near, nearest] = [option, distance];
    }
    throw new ConfigurationError(
      `${owner} has no option ${JSON.stringify(key)}${near ? `; did you mean ${JSON.stringify(near)}?` : `; its options: ${known.join(", ")}`}`,
    );
  }
}

/** The options of `createClient` (`RuntimeClientOptions`). */
const CLIENT_OPTIONS = [
  "token",
  "baseUrl",
  "fetch",
  "timeoutMs",
  "maxConcurrentRequests",
  "maxRequestsPerSecond",
  "retry",
  "poll",
  "logger",
  "logLevel",
  "headers",
  "clock",
  "models",
] as const;
const RETRY_OPTIONS = ["maxRetries", "baseDelayMs", "maxDelayMs", "jitter", "maxRetryAfterMs"] as const;
const POLL_OPTIONS = [
  "minIntervalMs",
  "maxIntervalMs",
  "elapsedFraction",
  "jitter",
  "fixedIntervalMs",
  "timeoutMs",
  "maxUnknownStatuses",
  "budgetPerSecond",
] as const;

function checkObject(name: string, value: unknown): Readonly<Record<string, unknown>> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new ConfigurationError(`${name} must be an object, got ${showValue(value)}`);
  return value as Record<string, unknown>;
}

const DELAY: NumberRule = { min: 0, max: MAX_TIMER_MS };
const FRACTION: NumberRule = { min: 0, max: 1 };

/** The retry policy: `base` with the keys of `partial` that are not `undefined`, each checked. */
export function checkRetryPolicy(
  partial: unknown,
  base: RetryPolicy = DEFAULT_RETRY_POLICY,
  name = "retry",
): RetryPolicy {
  const given = checkObject(name, partial);
  checkKeys(name, given, RETRY_OPTIONS);
  return {
    ...base,
    maxRetries: checkNumber(`${name}.maxRetries`, given["maxRetries"], base.maxRetries, {
      min: 0,
      max: 1000,
      integer: true,
    }),
    baseDelayMs: checkNumber(`${name}.baseDelayMs`, given["baseDelayMs"], base.baseDelayMs, DELAY),
    maxDelayMs: checkNumber(`${name}.maxDelayMs`, given["maxDelayMs"], base.maxDelayMs, DELAY),
    jitter: checkNumber(`${name}.jitter`, given["jitter"], base.jitter, FRACTION),
    maxRetryAfterMs: checkNumber(`${name}.maxRetryAfterMs`, given["maxRetryAfterMs"], base.maxRetryAfterMs, DELAY),
  };
}

/** The poll policy: `base` with the keys of `partial` that are not `undefined`, each checked. */
export function checkPollPolicy(partial: unknown, base: PollPolicy = DEFAULT_POLL_POLICY, name = "poll"): PollPolicy {
  const given = checkObject(name, partial);
  checkKeys(name, given, POLL_OPTIONS);
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(given)) if (value !== undefined) merged[key] = value;
  const interval: NumberRule = { min: 1, max: MAX_TIMER_MS };
  const minIntervalMs = checkNumber(`${name}.minIntervalMs`, given["minIntervalMs"], base.minIntervalMs, interval);
  const maxIntervalMs = checkNumber(`${name}.maxIntervalMs`, given["maxIntervalMs"], base.maxIntervalMs, interval);
  if (maxIntervalMs < minIntervalMs) {
    throw new ConfigurationError(
      `${name}.maxIntervalMs must be at least ${name}.minIntervalMs (${minIntervalMs}), got ${maxIntervalMs}`,
    );
  }
  const fixed = given["fixedIntervalMs"] === undefined ? base.fixedIntervalMs : given["fixedIntervalMs"];
  return {
    ...(merged as unknown as PollPolicy),
    minIntervalMs,
    maxIntervalMs,
    elapsedFraction: checkNumber(`${name}.elapsedFraction`, given["elapsedFraction"], base.elapsedFraction, {
      min: 0,
      max: 10,
    }),
    jitter: checkNumber(`${name}.jitter`, given["jitter"], base.jitter, FRACTION),
    ...(fixed === undefined ? {} : { fixedIntervalMs: checkNumber(`${name}.fixedIntervalMs`, fixed, 0, interval) }),
    timeoutMs: checkWaitTimeout(`${name}.timeoutMs`, given["timeoutMs"], base.timeoutMs),
    maxUnknownStatuses: checkNumber(
      `${name}.maxUnknownStatuses`,
      given["maxUnknownStatuses"],
      base.maxUnknownStatuses,
      {
        min: 0,
        max: Number.POSITIVE_INFINITY,
        integer: true,
        infinity: true,
      },
    ),
    budgetPerSecond: checkNumber(`${name}.budgetPerSecond`, given["budgetPerSecond"], base.budgetPerSecond, {
      min: 0,
      minExclusive: true,
      max: Number.POSITIVE_INFINITY,
      infinity: true,
    }),
  };
}

/** A wait deadline in milliseconds: above 0, or `Infinity` to wait forever. */
export function checkWaitTimeout(name: string, value: unknown, fallback: number): number {
  return checkNumber(name, value, fallback, {
    min: 0,
    minExclusive: true,
    max: Number.MAX_SAFE_INTEGER,
    infinity: true,
  });
}

/** The `signal` of a call: an `AbortSignal` or nothing. */
export function checkSignal(name: string, value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  const signal = value as Partial<AbortSignal> | null;
  if (
    typeof signal !== "object" ||
    signal === null ||
    typeof signal.aborted !== "boolean" ||
    typeof signal.addEventListener !== "function" ||
    typeof signal.removeEventListener !== "function"
  )
    throw new ConfigurationError(`${name} must be an AbortSignal, got ${showValue(value)}`);
  return value as AbortSignal;
}

/** One of `allowed`, or `fallback` for `undefined`. */
export function checkChoice<T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigurationError(
    `${name} must be one of ${allowed.map((each) => JSON.stringify(each)).join(", ")}, got ${showValue(value)}`,
  );
}

/** A token is printable ASCII (no spaces, CR, LF, NUL or other control characters); the message never quotes it. */
export function checkToken(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new ConfigurationError(`token must be a string, got ${showValue(value)}`);
  if (value === "") throw new ConfigurationError("token is empty; nothing was sent");
  let position = 0;
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x21 || code > 0x7e) {
      const kind = code < 0x20 || code === 0x7f ? "control character" : code === 0x20 ? "space" : "non-ASCII character";
      throw new ConfigurationError(
        `token contains a ${kind} (U+${code.toString(16).toUpperCase().padStart(4, "0")}) at position ${position}: tokens are printable ASCII; nothing was sent (the token is not shown)`,
      );
    }
    position++;
  }
  return value;
}

function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  return host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** `https://host/v1/` → `https://host`; throws unless it is an https URL, or an http URL of a loopback host. */
export function normalizeBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new ConfigurationError(`baseUrl ${JSON.stringify(value)} is not a URL`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url.hostname))) {
    throw new ConfigurationError(
      url.protocol === "http:"
        ? `baseUrl must be https: (plain http: only for loopback hosts: localhost, 127.0.0.0/8, [::1]), got http://${url.host}; the token would travel in clear`
        : `baseUrl must be https: (plain http: only for loopback hosts), got ${url.protocol}`,
    );
  }
  if (url.username || url.password)
    throw new ConfigurationError("baseUrl must not contain credentials; pass the token as `token`");
  const path = url.pathname.replace(/\/+$/, "").replace(/\/v1$/, "");
  return `${url.origin}${path}`;
}

/**
 * `logger`: undefined, or an object with a method for every level `logLevel` lets through (`console` has them all);
 * checked here, so that a bad logger is a `ConfigurationError` before anything is sent, never a `TypeError` after a
 * paid submit.
 */
function checkLogger(logger: unknown, logLevel: LogLevel): Logger | undefined {
  if (logger === undefined) return undefined;
  if (logger === null || (typeof logger !== "object" && typeof logger !== "function"))
    throw new ConfigurationError(`logger must be an object with error, warn, info and debug methods (e.g. console)`);
  const order = ["error", "warn", "info", "debug"] as const;
  // "off" sends no line: indexOf is -1, and no method is needed.
  const levels = order.slice(0, order.indexOf(logLevel as (typeof order)[number]) + 1);
  for (const level of levels) {
    let method: unknown;
    try {
      method = (logger as Record<string, unknown>)[level];
    } catch {
      method = undefined;
    }
    if (typeof method !== "function")
      throw new ConfigurationError(
        `logger.${level} must be a function (logLevel ${JSON.stringify(logLevel)} sends ${level} lines); pass an object with error, warn, info and debug methods, e.g. console`,
      );
  }
  return logger as Logger;
}

/** Reads the options once and checks each; throws `ConfigurationError` for a bad one (nothing is sent). */
export function resolveConfig(options: RuntimeClientOptions = {}): ClientContext {
  const given = checkObject("options", options) as RuntimeClientOptions;
  checkKeys("createClient()", given, CLIENT_OPTIONS);
  const clock = given.clock ?? systemClock;
  if (typeof clock.now !== "function" || typeof clock.sleep !== "function" || typeof clock.random !== "function")
    throw new ConfigurationError("clock must have now(), sleep(ms, signal) and random()");
  const token = checkToken(given.token ?? TOKEN_ENV_VARS.map(env).find((value) => value !== undefined));
  const secrets = token === undefined ? [] : [token];
  const baseUrl = normalizeBaseUrl(given.baseUrl ?? env(BASE_URL_ENV_VAR) ?? DEFAULT_BASE_URL);
  if (given.fetch !== undefined && typeof given.fetch !== "function")
    throw new ConfigurationError(`fetch must be a function, got ${showValue(given.fetch)}`);
  // On Node the default is the node:http transport (transport.ts says why); elsewhere globalThis.fetch.
  const transport = given.fetch === undefined ? nodeTransport() : undefined;
  const fetchImpl = given.fetch ?? transport ?? (globalThis.fetch?.bind(globalThis) as typeof fetch | undefined);
  if (!fetchImpl)
    throw new ConfigurationError("no fetch implementation: pass `fetch` (Node 18+ and browsers have one)");
  const logLevel = checkChoice("logLevel", given.logLevel, ["off", "error", "warn", "info", "debug"], "warn");
  const headers = checkObject("headers", given.headers);
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== "string" || /[\r\n\0]/.test(value) || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
      throw new ConfigurationError(
        `headers[${JSON.stringify(name)}] must be a header name with a string value without CR, LF or NUL`,
      );
  }
  const logger = checkLogger(given.logger, logLevel);
  const log = createLog(logger, logLevel, secrets);
  const concurrency = checkNumber("maxConcurrentRequests", given.maxConcurrentRequests, 32, {
    min: 1,
    max: Number.POSITIVE_INFINITY,
    integer: true,
    infinity: true,
  });
  const perSecond = checkNumber("maxRequestsPerSecond", given.maxRequestsPerSecond, Number.POSITIVE_INFINITY, {
    min: 0,
    minExclusive: true,
    max: Number.POSITIVE_INFINITY,
    infinity: true,
  });
  const http: HttpConfig = {
    baseUrl,
    token,
    secrets,
    fetch: fetchImpl,
    stopAsSignal: transport !== undefined,
    timeoutMs: checkNumber("timeoutMs", given.timeoutMs, 60_000, { min: 1, max: MAX_TIMER_MS, infinity: true }),
    retry: checkRetryPolicy(given.retry),
    clock,
    log,
    debug: logger !== undefined && logLevel === "debug",
    headers: { ...(headers as Record<string, string>) },
    limiter: new RequestLimiter(concurrency, perSecond, clock),
  };
  return {
    http,
    token,
    clock,
    log,
    pollPolicy: checkPollPolicy(given.poll),
    concurrency,
    submitSlots: new SlotQueue(concurrency, clock),
    registry: createRegistry(given.models),
  };
}
