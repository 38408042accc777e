/**
 * Changes that come from the generator, not from the schemas, as data: what a user of the generated package sees
 * change when it is regenerated with a newer generator although no schema changed (the client runtime of
 * `templates/runtime/`, or the types and docs the emitters print). Schema changes reach the
 * changelog through the drift report; these through this list. The package records the revision it was built with
 * (`"runcomfy-codegen": { "generatorRevision": n }` in its package.json, written by `emitPackageJson`), and the next
 * `generate` puts every later entry in the changelog and bumps the version by the worst of them and the drift
 * (`package/release.ts`), the way `NORMALIZATION_RULES` reaches users for the normaliser.
 *
 * Add an entry (next revision, its level, one sentence a user can act on) in the commit that changes, for code that
 * worked before, what the runtime does (a class, a thrown error, a value refused or sent differently) or what the
 * emitted types accept. Internal changes, faster code, new options and doc wording need none.
 */
export interface GeneratorChange {
  /** 1, 2, …: the package records the highest one it was built with. */
  readonly revision: number;
  /** `major` when code that worked before may now fail to compile or behave differently. */
  readonly level: "major" | "minor" | "patch";
  /** What changed and what to do, as Markdown (code in backticks). */
  readonly text: string;
}

export const GENERATOR_CHANGES: readonly GeneratorChange[] = [
  {
    revision: 1,
    level: "major",
    text: "`SubmitOutcomeUnknownError` extends `RunComfyError` directly, no longer `ConnectionError`: a retry wrapper that resends on `ConnectionError` no longer resends a submit that may have been queued; code that caught it as a `ConnectionError` tests for it by its own class.",
  },
  {
    revision: 1,
    level: "major",
    text: "A string model id the package does not know is a `ConfigurationError` naming `untypedModel(id)`, before anything is sent (it was sent as given).",
  },
  {
    revision: 1,
    level: "major",
    text: "The input is copied as JSON data when `submit()` or `run()` is called (a later change to the object no longer reaches a queued call); a value JSON cannot carry (a function, `NaN`, a `bigint`, a `Date`, a `Map`, a class instance, a cycle, a getter that throws) is a `ValidationError` naming its place, in `build()` and `validate()` too.",
  },
  {
    revision: 1,
    level: "major",
    text: "Media values are checked more strictly: white space around or inside a URL, a scheme not followed by `//host`, an empty or non-base64 data URI, `.`, `..`, `?` and `#` as names, and more private hosts (a final dot, IPv4 inside IPv6, `fe80::/10`, `0.0.0.0/8`) are refused locally.",
  },
  {
    revision: 1,
    level: "major",
    text: "`isRequestHandle(value)` without a model id narrows to a handle of any model; a model's handle type is given only with its id (`isRequestHandle(value, modelId)`), so `isRequestHandle<Id>(value)` no longer compiles.",
  },
  {
    revision: 2,
    level: "major",
    text: "Input arrays are typed `readonly T[]` at every depth, so a readonly array or an input declared `as const` is accepted; code that changes an array of an object typed as a model's input (`input.imageUrls.push(…)`) no longer compiles.",
  },
  {
    revision: 2,
    level: "major",
    text: "`run()` whose wait fails once the job is queued (status or result calls that keep failing, an unknown status) rejects with `WaitFailedError`, which carries the `handle` and the failure as `cause`; it rejected with the raw `ConnectionError`, `InternalServerError`, `RateLimitError` or `UnknownStatusError`, so a retry wrapper around `run()` submitted and paid again. Resume with `client.wait(error.handle)`.",
  },
  {
    revision: 2,
    level: "major",
    text: "`createClient` checks `logger`: it must have a method for each level `logLevel` sends (a `ConfigurationError` otherwise), and a logger that throws no longer changes a call (after a paid submit, a throwing `info` rejected `run()` with a raw `TypeError`).",
  },
  {
    revision: 2,
    level: "minor",
    text: "A decimal `multipleOf` holds within float rounding, as JSON Schema means it: a field with a step of 0.1 takes 0.3, 0.6 and 0.7 (they were refused locally, since 0.3 / 0.1 is 2.9999999999999996 in floating point).",
  },
  {
    revision: 2,
    level: "minor",
    text: "Nested output objects and array items are typed by the members their schema lists (they were `Record<string, unknown>`; still open to unlisted keys), and every output field has TSDoc.",
  },
];

/** The revision the current generator is at (the highest in `GENERATOR_CHANGES`). */
export const GENERATOR_REVISION = Math.max(0, ...GENERATOR_CHANGES.map((change) => change.revision));
