/**
 * The escape hatch for a model this package has no types for: `untypedModel(id)` is a model object whose input and
 * output are plain records, so `client.run(untypedModel("vendor/new-model"), { … })` compiles and sends the body as
 * given (no local validation beyond "a plain object"). Known ids never need it.
 */
import { checkModelId } from "./calls.js";
import { ValidationError } from "./errors.js";
import type { Model } from "./model.js";

/** The input of an untyped model: any plain object, sent as given (its keys are the wire keys). */
export type UntypedInput = Record<string, unknown>;
/** The output of an untyped model: the result's `output` object as sent. */
export type UntypedOutput = Readonly<Record<string, unknown>>;
/** A model this package has no types for (`untypedModel(id)`). */
export type UntypedModel<Id extends string = string> = Model<Id, UntypedInput, UntypedInput, UntypedOutput>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A model object for any model id, typed `Record<string, unknown>` in and out: pass it where a model id goes
 * (`client.run(untypedModel(id), body)`, `client.submit`). The body is sent as given, without local validation (the
 * server validates it); the output is kept as sent. The id is checked (no empty, `.` or `..` segment, …) at once.
 */
export function untypedModel<const Id extends string>(modelId: Id): UntypedModel<Id> {
  const id = checkModelId(modelId) as Id;
  const problems = (input: unknown) =>
    isPlainObject(input)
      ? []
      : [{ alias: "(input)", key: "", path: "", rule: "type", message: `input for ${id} must be a plain object` }];
  const build = (input: unknown): UntypedInput => {
    const issues = problems(input);
    if (issues.length > 0) throw new ValidationError(id, issues);
    return input as UntypedInput;
  };
  return {
    id,
    fields: [],
    build,
    buildRaw: build,
    validate: problems,
    toFriendly: build,
    parseOutput: (output: unknown): UntypedOutput => (isPlainObject(output) ? { ...output } : {}),
  };
}
