/** Model units on worker threads report an emitter's error exactly as the main thread would, and emit the same files. */
import { describe, expect, it } from "vitest";
import { GeneratorError } from "../../generator/lib/diagnostics.ts";
import { emitModelUnit, emitRuntimeUnit } from "../../generator/emit/all.ts";
import { emitUnits } from "../../generator/emit/pool.ts";
import type { ModelSpec } from "../../generator/model/types.ts";
import { seedFile, specOf, SEED_IDS } from "../helpers/spec.ts";

/** A spec ajv cannot compile (normalisation would reject this pattern in a schema file; the spec is edited directly). */
function breakValidator(spec: ModelSpec): ModelSpec {
  const [first, ...rest] = spec.fields;
  return { ...spec, fields: [{ ...first!, value: { ...first!.value, types: ["string"], pattern: "(" } }, ...rest] };
}

describe("worker threads", () => {
  it("rethrow an emitter's GeneratorError with its code and location, formatted once", async () => {
    const emitters = { model: emitModelUnit, runtime: emitRuntimeUnit };
    const broken = breakValidator(specOf(seedFile(SEED_IDS[0])));
    const good = SEED_IDS.map((id) => specOf(seedFile(id)));
    // Chunks of four: the main thread takes the first, the worker the second, which holds the broken spec.
    const specs = [...good, broken, ...good.slice(1).map((spec) => ({ ...spec, id: `${spec.id}-copy` }))];
    const onMain = await emitUnits({ models: [broken] }, emitters, 1).catch((error: unknown) => error);
    const onWorker = await emitUnits({ models: specs }, emitters, 2).catch((error: unknown) => error);
    expect(onMain).toBeInstanceOf(GeneratorError);
    expect(onWorker).toBeInstanceOf(GeneratorError);
    expect((onWorker as GeneratorError).code).toBe("validator-compile");
    expect((onWorker as GeneratorError).location).toEqual((onMain as GeneratorError).location);
    expect((onWorker as GeneratorError).message).toBe((onMain as GeneratorError).message);
    expect((onWorker as GeneratorError).message.split(broken.id)).toHaveLength(2);
  });

  it("let the event loop run between the main thread's models, so the workers' answers (and next chunks) never wait for it", async () => {
    const specs = SEED_IDS.flatMap((id) => [0, 1, 2].map((copy) => ({ ...specOf(seedFile(id)), id: `${id}-${copy}` })));
    let turned = true;
    let mainModels = 0;
    const late: string[] = [];
    const model = (spec: ModelSpec) => {
      if (!turned) late.push(spec.id);
      turned = false;
      setImmediate(() => (turned = true));
      mainModels++;
      return emitModelUnit(spec);
    };
    const results = await emitUnits({ models: specs }, { model, runtime: emitRuntimeUnit }, 2);
    expect([...results.models.keys()]).toEqual(specs.map((spec) => spec.id));
    expect(mainModels).toBeGreaterThan(1);
    expect(late).toEqual([]);
  });
});
