/** Model units on worker threads report an emitter's error exactly as the main thread would. */
import { describe, expect, it } from "vitest";
import { GeneratorError } from "../../generator/lib/diagnostics.ts";
import { emitModelUnit } from "../../generator/emit/all.ts";
import { emitModels } from "../../generator/emit/pool.ts";
import type { ModelSpec } from "../../generator/model/types.ts";
import { seedFile, specOf, SEED_IDS } from "../helpers/spec.ts";

/** A spec ajv cannot compile (normalisation would reject this pattern in a schema file; the spec is edited directly). */
function breakValidator(spec: ModelSpec): ModelSpec {
  const [first, ...rest] = spec.fields;
  return { ...spec, fields: [{ ...first!, value: { ...first!.value, types: ["string"], pattern: "(" } }, ...rest] };
}

describe("worker threads", () => {
  it("rethrow an emitter's GeneratorError with its code and location, formatted once", async () => {
    const broken = breakValidator(specOf(seedFile(SEED_IDS[0])));
    const specs = [specOf(seedFile(SEED_IDS[1])), broken];
    const onMain = await emitModels([broken], emitModelUnit, undefined, 1).catch((error: unknown) => error);
    const onWorker = await emitModels(specs, emitModelUnit, undefined, 2).catch((error: unknown) => error);
    expect(onMain).toBeInstanceOf(GeneratorError);
    expect(onWorker).toBeInstanceOf(GeneratorError);
    expect((onWorker as GeneratorError).code).toBe("validator-compile");
    expect((onWorker as GeneratorError).location).toEqual((onMain as GeneratorError).location);
    expect((onWorker as GeneratorError).message).toBe((onMain as GeneratorError).message);
    expect((onWorker as GeneratorError).message.split(broken.id)).toHaveLength(2);
  });
});
