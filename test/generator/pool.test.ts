/** Model units on worker threads report an emitter's error exactly as the main thread would, and emit the same files. */
import { afterEach, describe, expect, it } from "vitest";
import { GeneratorError } from "../../generator/lib/diagnostics.ts";
import { emitModelFiles, emitModelUnit, emitRuntimeUnit } from "../../generator/emit/all.ts";
import { closeIdleWorkers, emitFilesAside, emitUnits, prestartWorkers, Thread } from "../../generator/emit/pool.ts";
import { Worker } from "node:worker_threads";
import type { ModelSpec } from "../../generator/model/types.ts";
import { seedFile, specOf, SEED_IDS } from "../helpers/spec.ts";

/** A spec ajv cannot compile (normalisation would reject this pattern in a schema file; the spec is edited directly). */
function breakValidator(spec: ModelSpec): ModelSpec {
  const [first, ...rest] = spec.fields;
  return { ...spec, fields: [{ ...first!, value: { ...first!.value, types: ["string"], pattern: "(" } }, ...rest] };
}

afterEach(async () => {
  await closeIdleWorkers();
});

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

  it("emit a few models' files aside on a worker started ahead of need, as this thread would, and rethrow its errors as they are", async () => {
    const specs = SEED_IDS.map((id) => specOf(seedFile(id)));
    const broken = breakValidator(specs[0]!);
    // No worker started: the caller emits itself.
    expect(emitFilesAside(specs)).toBeUndefined();

    prestartWorkers(1);
    const aside = await emitFilesAside(specs)!;
    expect([...aside.keys()]).toEqual(specs.map((spec) => spec.id));
    for (const spec of specs) expect(aside.get(spec.id)).toEqual(await emitModelFiles(spec));
    // The worker was taken (and closed): the next call finds none.
    expect(emitFilesAside(specs)).toBeUndefined();

    prestartWorkers(1);
    const failed = await emitFilesAside([broken])!.catch((error: unknown) => error);
    const onMain = await emitModelFiles(broken).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(GeneratorError);
    expect((failed as GeneratorError).message).toBe((onMain as GeneratorError).message);
    expect((failed as GeneratorError).location).toEqual((onMain as GeneratorError).location);
  });

  describe("a worker that fails outside a request fails the requests it holds (none waits for an answer that cannot come)", () => {
    const cases: [string, () => Worker, RegExp][] = [
      [
        "it stops without a word (process.exit)",
        () =>
          new Worker(`require("node:worker_threads").parentPort.once("message", () => process.exit(3));`, {
            eval: true,
          }),
        /^a worker thread stopped \(exit code 3\) before it answered$/,
      ],
      [
        "it throws outside a request",
        () =>
          new Worker(
            `require("node:worker_threads").parentPort.once("message", () => { throw new Error("bundle did not load"); });`,
            { eval: true },
          ),
        /^a worker thread failed: bundle did not load$/,
      ],
      [
        "it runs out of memory",
        () =>
          new Worker(
            `const kept = []; require("node:worker_threads").parentPort.once("message", () => { for (;;) kept.push(new Array(1e5).fill(kept.length)); });`,
            { eval: true, resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 2 } },
          ),
        /^a worker thread ran out of memory; give Node more \(NODE_OPTIONS=--max-old-space-size=<MiB>\) and run again$/,
      ],
    ];
    it.each(cases)("%s", async (_, start, message) => {
      const thread = new Thread(start);
      const first = await thread.send({ kind: "prepare" }).catch((error: unknown) => error);
      expect(first).toBeInstanceOf(GeneratorError);
      expect((first as GeneratorError).code).toBe("worker");
      expect((first as GeneratorError).message).toMatch(message);
      // Once failed, a request fails at once with the same error.
      expect(await thread.send({ kind: "prepare" }).catch((error: unknown) => error)).toBe(first);
      await thread.close();
    });
  });
});
