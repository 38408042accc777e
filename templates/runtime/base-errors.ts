/**
 * The errors a model module can throw without the HTTP client: the base class
 * every error of this package extends, `ConfigurationError` and
 * `ValidationError`. Their own module so that importing a model (its runtime,
 * `model.ts`, imports this file) loads and bundles none of the API error
 * classes; `errors.ts` re-exports them, and is where users import them from.
 */

export interface RunComfyErrorOptions {
  readonly modelId?: string | undefined;
  readonly requestId?: string | undefined;
  readonly cause?: unknown;
}

export class RunComfyError extends Error {
  override name = "RunComfyError";
  /** Model the failing call was about, when known. */
  readonly modelId: string | undefined;
  /** RunComfy request id, when the job was submitted. */
  readonly requestId: string | undefined;

  constructor(message: string, options: RunComfyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.modelId = options.modelId;
    this.requestId = options.requestId;
  }

  /** A plain, secret-free object for logs: `JSON.stringify(error)` never includes a token. */
  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = { name: this.name, message: this.message };
    for (const [key, value] of Object.entries(this)) {
      if (value !== undefined && key !== "cause") json[key] = value;
    }
    return json;
  }
}

/** Missing token or a bad option: nothing was sent. */
export class ConfigurationError extends RunComfyError {
  override name = "ConfigurationError";
}

/** One problem found in an input; `alias` and `key` name the field, `rule` the broken constraint. */
export interface ValidationIssue {
  /** Friendly field name (`steps`), or the raw key when the field is unknown. */
  readonly alias: string;
  /** Wire key (`149_steps`). */
  readonly key: string;
  /** JSON pointer of the value in the wire body (`/149_steps`, `/loras/0/path`). */
  readonly path: string;
  /** The constraint: `required`, `type`, `enum`, `minimum`, `media`, `size`, `unknown`, … */
  readonly rule: string;
  readonly message: string;
  /** Allowed values for `enum`/`size` problems. */
  readonly allowed?: readonly unknown[];
  /** Allowed range for range problems, e.g. `{ minimum: 6, maximum: 20 }`. */
  readonly range?: Readonly<Record<string, number>>;
}

/** The input breaks the model's schema; nothing was sent and nothing was spent. */
export class ValidationError extends RunComfyError {
  override name = "ValidationError";
  readonly issues: readonly ValidationIssue[];

  constructor(modelId: string, issues: readonly ValidationIssue[]) {
    const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
    super(
      `Invalid input for ${modelId} (${count}; nothing was sent):\n${issues.map((issue) => `  - ${issue.message}`).join("\n")}`,
      { modelId },
    );
    this.issues = issues;
  }
}
