/**
 * Fault injection, configurable per route: the emulator answers a matching
 * request with an error status (optionally with `Retry-After`), drops the
 * connection, answers slowly, signals an error in an HTTP 200 body, breaks the
 * body of its answer (hangs after the headers, cuts it with a reset, trickles
 * it), or, on the result route, says a finished job failed or is not there yet.
 *
 * Selection: the first rule whose route matches, whose fault applies to the
 * request (`faultApplies`), that has not expired and passes its dice wins. A
 * rule's `skip`, `times` and `probability` count only requests it applies to.
 */

export type Route = "submit" | "status" | "result" | "cancel" | "catalog" | "files";

export const ROUTES: readonly Route[] = ["submit", "status", "result", "cancel", "catalog", "files"];

export type FaultKind =
  /** Answer `status` with `body` (default: a RunComfy error body for that status). */
  | {
      readonly type: "respond";
      readonly status: number;
      readonly body?: unknown;
      readonly retryAfter?: string;
      readonly headers?: Readonly<Record<string, string>>;
    }
  /** Destroy the socket. `before`: the request is not processed; `after`: it is (a submit creates the job) but no answer arrives. */
  | { readonly type: "drop"; readonly phase?: "before" | "after" }
  /** Wait `delayMs` before handling the request normally. */
  | { readonly type: "slow"; readonly delayMs: number }
  /** HTTP 200 whose body carries an `error_code`. */
  | { readonly type: "error-200"; readonly errorCode: number; readonly message?: string }
  /** The request is processed; the answer's headers (with the full `Content-Length`) are sent, its body never. */
  | { readonly type: "hang-body" }
  /** The request is processed; headers and the first `bytes` of the body (default: half; never all of it), then a TCP reset. */
  | { readonly type: "partial-body"; readonly bytes?: number }
  /** The request is processed; headers at once, then the body in small pieces spread over `durationMs`. */
  | { readonly type: "slow-body"; readonly durationMs: number }
  /** Result of a finished job: `{"status":"failed","error_code":…}`, and so for every later result call of that request. */
  | { readonly type: "failed"; readonly errorCode: number; readonly message?: string }
  /** Result of a finished job: 404 (not found) for this many result calls in a row, then the real result. */
  | { readonly type: "lagging"; readonly misses: number };

/** The faults that break an answer's body after its headers (the request itself is processed normally). */
export type BodyFault = Extract<FaultKind, { type: "hang-body" | "partial-body" | "slow-body" }>;

export function isBodyFault(fault: FaultKind | undefined): fault is BodyFault {
  return fault?.type === "hang-body" || fault?.type === "partial-body" || fault?.type === "slow-body";
}

export interface FaultRule {
  readonly route: Route | "*";
  readonly fault: FaultKind;
  /** Apply to this many matching requests, then expire. @default unlimited */
  readonly times?: number;
  /** Let this many matching requests through before applying. @default 0 */
  readonly skip?: number;
  /** Apply to each matching request with this probability (seeded, repeatable). @default 1 */
  readonly probability?: number;
}

/** What the emulator knows of a request when it picks its fault. */
export interface FaultContext {
  /** The request id of a status, result or cancel call. */
  readonly requestId?: string | undefined;
  /** The job named by a result call has finished (status `completed`) and belongs to the caller. */
  readonly finished?: boolean | undefined;
}

/** Routes each fault type can apply to (`failed` and `lagging` only to the result of a finished job). */
export const FAULT_ROUTES: Readonly<Record<FaultKind["type"], readonly Route[]>> = {
  respond: ROUTES,
  drop: ROUTES,
  slow: ROUTES,
  "error-200": ROUTES,
  "hang-body": ROUTES,
  "partial-body": ROUTES,
  "slow-body": ROUTES,
  failed: ["result"],
  lagging: ["result"],
};

/**
 * Whether `fault` applies to this request: its route is one the fault makes sense on, and a result fault
 * (`failed`, `lagging`) only to the first result call of a finished job (it then sticks to that request).
 */
export function faultApplies(
  fault: FaultKind,
  route: Route,
  context: FaultContext & { first?: boolean } = {},
): boolean {
  if (!FAULT_ROUTES[fault.type].includes(route)) return false;
  if (fault.type === "failed" || fault.type === "lagging")
    return context.finished === true && context.requestId !== undefined && context.first === true;
  return true;
}

interface ActiveRule {
  readonly rule: FaultRule;
  seen: number;
  applied: number;
}

/** Small seeded PRNG (mulberry32) so fault runs are repeatable. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const isCount = (value: unknown, min: number): boolean =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= min;
const isDuration = (value: unknown): boolean => typeof value === "number" && Number.isFinite(value) && value >= 0;

/** Why `fault` is not a fault this emulator knows, or undefined when it is. */
function faultProblem(fault: FaultKind): string | undefined {
  if (typeof fault !== "object" || fault === null) return "a fault must be an object with a type";
  switch (fault.type) {
    case "respond":
      return isCount(fault.status, 100) && fault.status <= 599 ? undefined : "status must be an HTTP status (100-599)";
    case "drop":
      return fault.phase === undefined || fault.phase === "before" || fault.phase === "after"
        ? undefined
        : 'phase must be "before" or "after"';
    case "slow":
      return isDuration(fault.delayMs) ? undefined : "delayMs must be a number of milliseconds (>= 0)";
    case "error-200":
    case "failed":
      return isCount(fault.errorCode, 1) ? undefined : "errorCode must be a positive integer";
    case "hang-body":
      return undefined;
    case "partial-body":
      return fault.bytes === undefined || isCount(fault.bytes, 0) ? undefined : "bytes must be an integer >= 0";
    case "slow-body":
      return isDuration(fault.durationMs) && fault.durationMs > 0
        ? undefined
        : "durationMs must be a number of milliseconds (> 0)";
    case "lagging":
      return isCount(fault.misses, 1) ? undefined : "misses must be an integer >= 1";
    default:
      return `unknown fault type ${JSON.stringify((fault as { type?: unknown }).type)}`;
  }
}

/** Throws a clear error naming the rule when `rule` cannot be applied as written. */
export function checkFaultRule(rule: FaultRule): FaultRule {
  const shown = JSON.stringify(rule);
  const fail = (problem: string): never => {
    throw new Error(`invalid fault rule ${shown}: ${problem}`);
  };
  if (typeof rule !== "object" || rule === null) return fail("a rule must be an object { route, fault }");
  if (rule.route !== "*" && !ROUTES.includes(rule.route)) fail(`route must be one of ${[...ROUTES, "*"].join(", ")}`);
  const problem = faultProblem(rule.fault);
  if (problem !== undefined) fail(problem);
  if (rule.route !== "*" && !FAULT_ROUTES[rule.fault.type].includes(rule.route))
    fail(`${rule.fault.type} applies only to ${FAULT_ROUTES[rule.fault.type].join(", ")}, not to ${rule.route}`);
  if (rule.times !== undefined && !isCount(rule.times, 1)) fail("times must be an integer >= 1");
  if (rule.skip !== undefined && !isCount(rule.skip, 0)) fail("skip must be an integer >= 0");
  if (
    rule.probability !== undefined &&
    !(typeof rule.probability === "number" && rule.probability > 0 && rule.probability <= 1)
  )
    fail("probability must be a number in (0, 1]");
  return rule;
}

export class Faults {
  private rules: ActiveRule[] = [];
  private random: () => number;
  /** Faults applied so far, by route and type. */
  readonly applied: Record<string, number> = {};
  /** Requests whose result was said to have failed: every later result call says so too. */
  private readonly failedResults = new Map<string, Extract<FaultKind, { type: "failed" }>>();
  /** Requests whose result still answers 404 this many more times. */
  private readonly lagging = new Map<string, number>();
  /** Requests of finished jobs whose result was asked for at least once (result faults apply to the first call). */
  private readonly resultsSeen = new Set<string>();

  constructor(seed = 1) {
    this.random = seededRandom(seed);
  }

  /** Replaces the rules (each checked: a bad one throws, naming it). What a request's result was already told sticks. */
  set(rules: readonly FaultRule[], seed?: number): void {
    if (!Array.isArray(rules)) throw new Error("fault rules must be an array");
    rules.forEach(checkFaultRule);
    this.rules = rules.map((rule) => ({ rule, seen: 0, applied: 0 }));
    if (seed !== undefined) this.random = seededRandom(seed);
  }

  add(rule: FaultRule): void {
    this.rules.push({ rule: checkFaultRule(rule), seen: 0, applied: 0 });
  }

  clear(): void {
    this.rules = [];
  }

  /** The fault to apply to this request, if any: a result's sticky fault first, then the first matching rule. */
  pick(route: Route, context: FaultContext = {}): FaultKind | undefined {
    const { requestId } = context;
    let first = false;
    if (route === "result" && requestId !== undefined && context.finished) {
      const failed = this.failedResults.get(requestId);
      if (failed) return failed;
      const misses = this.lagging.get(requestId);
      if (misses !== undefined) {
        if (misses <= 1) this.lagging.delete(requestId);
        else this.lagging.set(requestId, misses - 1);
        return { type: "lagging", misses };
      }
      first = !this.resultsSeen.has(requestId);
      this.resultsSeen.add(requestId);
    }
    for (const active of this.rules) {
      const { rule } = active;
      if (rule.route !== "*" && rule.route !== route) continue;
      if (!faultApplies(rule.fault, route, { ...context, first })) continue;
      if (rule.times !== undefined && active.applied >= rule.times) continue;
      active.seen++;
      if (active.seen <= (rule.skip ?? 0)) continue;
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      active.applied++;
      const key = `${route}:${rule.fault.type}`;
      this.applied[key] = (this.applied[key] ?? 0) + 1;
      const { fault } = rule;
      if (fault.type === "failed") this.failedResults.set(requestId!, fault);
      if (fault.type === "lagging" && fault.misses > 1) this.lagging.set(requestId!, fault.misses - 1);
      return fault;
    }
    return undefined;
  }
}

const SPEC_HELP =
  "expected route:kind[@probability][xCount], e.g. status:429:retry-after=2@0.1, result:partial-body=10x3, result:lagging=2";

/**
 * Parses a CLI fault spec: `status:429:retry-after=2`, `result:500`, `cancel:drop`, `*:slow=300`,
 * `submit:error-200=400002`, `status:hang-body`, `result:partial-body=20`, `files:slow-body=500`,
 * `result:failed=500100`, `result:lagging=2`, with an optional `@0.2` probability and `xN` count.
 * A spec that is not one of these throws an error naming it.
 */
export function parseFaultSpec(spec: string): FaultRule {
  const text = String(spec).trim();
  const fail = (problem: string): never => {
    throw new Error(`invalid fault ${JSON.stringify(spec)}: ${problem}; ${SPEC_HELP}`);
  };
  const match = /^([^:]*):(.+?)(?:@([^@x]*))?(?:x([^@x]*))?$/.exec(text);
  if (!match) return fail("no route:kind");
  const [, route, kindText, probabilityText, timesText] = match;
  if (route !== "*" && !ROUTES.includes(route as Route))
    fail(`unknown route ${JSON.stringify(route)} (routes: ${[...ROUTES, "*"].join(", ")})`);
  const [kind, ...params] = kindText!.split(":");
  const [name, value] = kind!.includes("=")
    ? [kind!.slice(0, kind!.indexOf("=")), kind!.slice(kind!.indexOf("=") + 1)]
    : [kind!, undefined];
  const number = (what: string, min: number, integer: boolean): number => {
    const parsed = value === undefined || value.trim() === "" ? Number.NaN : Number(value);
    if (!Number.isFinite(parsed) || parsed < min || (integer && !Number.isInteger(parsed)))
      fail(`${name}=${value ?? ""}: ${what} must be ${integer ? "an integer" : "a number"} >= ${min}`);
    return parsed;
  };
  const noValue = () => {
    if (value !== undefined) fail(`${name} takes no value`);
  };
  if (params.length > 0 && !/^\d{3}$/.test(kind!)) fail(`unexpected ${JSON.stringify(params.join(":"))}`);
  let fault: FaultKind;
  if (/^\d{3}$/.test(kind!)) {
    const retryAfter = params.find((param) => param.startsWith("retry-after="))?.slice("retry-after=".length);
    const unknown = params.filter((param) => !param.startsWith("retry-after="));
    if (unknown.length > 0) fail(`unknown parameter ${JSON.stringify(unknown[0])}`);
    fault = { type: "respond", status: Number(kind), ...(retryAfter === undefined ? {} : { retryAfter }) };
  } else if (name === "drop" || name === "drop-after") {
    noValue();
    fault = { type: "drop", phase: name === "drop" ? "before" : "after" };
  } else if (name === "slow") {
    fault = { type: "slow", delayMs: number("the delay in ms", 0, false) };
  } else if (name === "error-200") {
    fault = { type: "error-200", errorCode: number("the error_code", 1, true) };
  } else if (name === "hang-body") {
    noValue();
    fault = { type: "hang-body" };
  } else if (name === "partial-body") {
    fault = value === undefined ? { type: "partial-body" } : { type: "partial-body", bytes: number("bytes", 0, true) };
  } else if (name === "slow-body") {
    fault = { type: "slow-body", durationMs: number("the duration in ms", 1, false) };
  } else if (name === "failed") {
    fault = { type: "failed", errorCode: number("the error_code", 1, true) };
  } else if (name === "lagging") {
    fault = { type: "lagging", misses: number("the number of 404s", 1, true) };
  } else {
    return fail(`invalid fault kind ${JSON.stringify(kind)}`);
  }
  const probability = probabilityText === undefined ? undefined : Number(probabilityText);
  if (probabilityText !== undefined && !(probabilityText !== "" && probability! > 0 && probability! <= 1))
    fail(`probability ${JSON.stringify(probabilityText)} must be a number in (0, 1]`);
  const times = timesText === undefined ? undefined : Number(timesText);
  if (timesText !== undefined && !(/^\d+$/.test(timesText) && times! >= 1))
    fail(`count ${JSON.stringify(timesText)} must be an integer >= 1`);
  const rule: FaultRule = {
    route: route as FaultRule["route"],
    fault,
    ...(probability === undefined ? {} : { probability }),
    ...(times === undefined ? {} : { times }),
  };
  try {
    return checkFaultRule(rule);
  } catch (error) {
    return fail((error as Error).message.replace(/^invalid fault rule .*?: /, ""));
  }
}
