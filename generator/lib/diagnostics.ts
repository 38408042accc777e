/**
 * Errors and warnings of the generator.
 *
 * Every stage reports problems through these two types so that the CLI can
 * print them the same way: a `GeneratorError` stops the run (nothing is
 * written), a `Warning` is printed and the run goes on.
 */

/** Where a problem is: a file, a model and a JSON path inside the file. */
export interface Location {
  /** Path of the file, relative to the project root, `/`-separated. */
  readonly file?: string;
  /** Model id, when the problem belongs to one model. */
  readonly model?: string;
  /** JSON-pointer-like path inside the file, e.g. `inputSchema/properties/149_cfg/type`. */
  readonly path?: string;
}

export interface Warning extends Location {
  readonly code: string;
  readonly message: string;
}

export class GeneratorError extends Error {
  override readonly name = "GeneratorError";
  readonly code: string;
  readonly location: Location;
  /** The message without its location (`message` is both, formatted). */
  readonly detail: string;

  constructor(code: string, detail: string, location: Location = {}) {
    super(formatProblem(detail, location));
    this.code = code;
    this.location = location;
    this.detail = detail;
  }
}

/** Several errors found in one pass (e.g. in several models) reported together. */
export class GeneratorErrors extends Error {
  override readonly name = "GeneratorErrors";
  readonly errors: readonly GeneratorError[];

  constructor(errors: readonly GeneratorError[]) {
    super(
      errors.length === 1
        ? errors[0]!.message
        : `${errors.length} problems:\n` + errors.map((e) => `  - ${e.message.replace(/\n/g, "\n    ")}`).join("\n"),
    );
    this.errors = errors;
  }
}

/** The `GeneratorError`s an operation failed with, so several can be reported together; any other error is rethrown. */
export function generatorProblems(reason: unknown): GeneratorError[] {
  if (reason instanceof GeneratorErrors) return [...reason.errors];
  if (reason instanceof GeneratorError) return [reason];
  throw reason;
}

export function formatProblem(message: string, location: Location): string {
  const where = [location.file, location.model && !location.file ? location.model : undefined, location.path]
    .filter((part): part is string => Boolean(part))
    .join(" › ");
  return where ? `${where}: ${message}` : message;
}

export function formatWarning(warning: Warning): string {
  return formatProblem(warning.message, warning);
}

/** Collects warnings for one model so normalisation code can stay linear. */
export class WarningSink {
  readonly warnings: Warning[] = [];
  /** Problems recorded by `error`, thrown together by `throwErrors`. */
  readonly errors: GeneratorError[] = [];
  constructor(private readonly base: Location) {}

  warn(code: string, message: string, path?: string): void {
    this.warnings.push({ ...this.base, ...(path === undefined ? {} : { path }), code, message });
  }

  /** Records a problem that fails the run and lets the caller go on, so that one run reports all of them. */
  error(code: string, message: string, path?: string): void {
    this.errors.push(new GeneratorError(code, message, { ...this.base, ...(path === undefined ? {} : { path }) }));
  }

  /** Throws the problems recorded so far, all together (one `GeneratorError`, or `GeneratorErrors`); none: returns. */
  throwErrors(): void {
    if (this.errors.length === 1) throw this.errors[0]!;
    if (this.errors.length > 1) throw new GeneratorErrors(this.errors);
  }
}
