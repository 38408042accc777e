/**
 * Fault injection, configurable per route: the emulator answers a matching
 * request with an error status (optionally with `Retry-After`), drops the
 * connection, answers slowly, or signals an error in an HTTP 200 body.
 */

export type Route = "submit" | "status" | "result" | "cancel" | "catalog" | "files";

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
  | { readonly type: "error-200"; readonly errorCode: number; readonly message?: string };

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

export class Faults {
  private rules: ActiveRule[] = [];
  private random: () => number;
  /** Faults applied so far, by route and type. */
  readonly applied: Record<string, number> = {};

  constructor(seed = 1) {
    this.random = seededRandom(seed);
  }

  set(rules: readonly FaultRule[], seed?: number): void {
    this.rules = rules.map((rule) => ({ rule, seen: 0, applied: 0 }));
    if (seed !== undefined) this.random = seededRandom(seed);
  }

  add(rule: FaultRule): void {
    this.rules.push({ rule, seen: 0, applied: 0 });
  }

  clear(): void {
    this.rules = [];
  }

  /** The fault to apply to this request, if any (first matching rule wins). */
  pick(route: Route): FaultKind | undefined {
    for (const active of this.rules) {
      const { rule } = active;
      if (rule.route !== "*" && rule.route !== route) continue;
      if (rule.times !== undefined && active.applied >= rule.times) continue;
      active.seen++;
      if (active.seen <= (rule.skip ?? 0)) continue;
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      active.applied++;
      const key = `${route}:${rule.fault.type}`;
      this.applied[key] = (this.applied[key] ?? 0) + 1;
      return rule.fault;
    }
    return undefined;
  }
}

/** Parses a CLI fault spec: `status:429:retry-after=2`, `result:500`, `cancel:drop`, `*:slow=300`, `submit:error-200=400002`, with optional `@0.2` probability and `xN` count. */
export function parseFaultSpec(spec: string): FaultRule {
  const match = /^(submit|status|result|cancel|catalog|files|\*):([^@x]+?)(?:@([0-9.]+))?(?:x(\d+))?$/.exec(
    spec.trim(),
  );
  if (!match)
    throw new Error(
      `invalid fault ${JSON.stringify(spec)}; expected route:kind[@probability][xCount], e.g. status:429:retry-after=2@0.1`,
    );
  const [, route, kindText, probability, times] = match;
  const [kind, ...params] = kindText!.split(":");
  let fault: FaultKind;
  if (/^\d{3}$/.test(kind!)) {
    const retryAfter = params.find((param) => param.startsWith("retry-after="))?.slice("retry-after=".length);
    fault = { type: "respond", status: Number(kind), ...(retryAfter === undefined ? {} : { retryAfter }) };
  } else if (kind === "drop" || kind === "drop-after") {
    fault = { type: "drop", phase: kind === "drop" ? "before" : "after" };
  } else if (kind?.startsWith("slow=")) {
    fault = { type: "slow", delayMs: Number(kind.slice("slow=".length)) };
  } else if (kind?.startsWith("error-200=")) {
    fault = { type: "error-200", errorCode: Number(kind.slice("error-200=".length)) };
  } else {
    throw new Error(`invalid fault kind ${JSON.stringify(kind)} in ${JSON.stringify(spec)}`);
  }
  return {
    route: route as FaultRule["route"],
    fault,
    ...(probability === undefined ? {} : { probability: Number(probability) }),
    ...(times === undefined ? {} : { times: Number(times) }),
  };
}
