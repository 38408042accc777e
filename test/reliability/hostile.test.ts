/**
 * Hostile schemas (test/fixtures/hostile/): keys, titles, descriptions, enum
 * values, defaults and model ids full of comment ends, backticks, `${…}`,
 * quotes, backslashes, newlines, U+2028/U+2029, `__proto__`, `constructor`,
 * keys starting with digits or holding spaces. The generated package must
 * compile under `tsc --strict`, stay byte-stable, run none of that text as
 * code, and still validate and send such keys correctly.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { AnnotatedSchema, Model, ValidationIssue } from "../../generated/index.js";
import { listFiles } from "../../generator/lib/files.ts";
import { emulator } from "../helpers/emulator.ts";
import { exercisePackage, generatedPackage, strictTsc } from "../helpers/package.ts";
import { fixtureTexts, ROOT } from "../helpers/project.ts";

const CORPUS = join(ROOT, "test/fixtures/hostile");
const texts = await fixtureTexts(CORPUS);
const pkg = await generatedPackage(texts);
afterAll(() => pkg.cleanup());

/**
 * Every emitted file the schemas reach. The runtime is the same in every package (it is `generated/runtime/`), and
 * the build manifest records the generator's own fingerprint, so it changes with every generator change: it is
 * checked by the manifest tests, not snapshotted here.
 */
const emitted = (await listFiles(pkg.dir)).filter(
  (path) => !path.startsWith("runtime/") && path !== ".codegen-manifest.json",
);

describe("a package generated from hostile schemas", () => {
  it("has a model for every schema of the corpus", () => {
    const ids = texts.map((text) => (JSON.parse(text) as { modelId: string }).modelId).sort();
    expect(pkg.specs.map((spec) => spec.id).sort()).toEqual(ids);
  });

  it.each(emitted)("emits %s byte for byte as snapshotted", async (path) => {
    await expect(await readFile(join(pkg.dir, path), "utf8")).toMatchFileSnapshot(`../__snapshots__/hostile/${path}`);
  });

  it("compiles under tsc --strict: every declaration file and a consumer of every model", async () => {
    const modules = pkg.specs.map(
      (spec, index) => `import * as m${index} from "./generated/models/${spec.names.modulePath}.js";`,
    );
    const consumer = [
      `import { createClient, loadModel, type ModelMap } from "./generated/index.js";`,
      ...modules,
      `export const all = [${pkg.specs.map((_, index) => `m${index}.model`).join(", ")}];`,
      `export const client = createClient({ token: "t", baseUrl: "http://127.0.0.1:1" });`,
      `export const known: (keyof ModelMap)[] = ${JSON.stringify(pkg.specs.map((spec) => spec.id))};`,
      `export const loaded = Promise.all(known.map((id) => loadModel(id)));`,
      // Hostile keys are typed as such: friendly aliases, and raw keys as written.
      `import { build } from "./generated/models/hostile/key-names.js";`,
      `export const body = build({ proto: 1, fieldConstructor: 0, fieldToString: "a", fieldHasOwnProperty: true, withSpace: "x", field9lives: 9, nestedKeys: { proto: "a", fieldConstructor: 1 } });`,
      `export const nestedProto: string = body["7_nested"]!.__proto__;`,
      `// @ts-expect-error -- nested members have friendly names in the friendly type: no wire key there`,
      `build({ proto: 1, fieldConstructor: 0, fieldToString: "a", fieldHasOwnProperty: true, nestedKeys: { proto: "a", fieldConstructor: 1, constructorr: 1 } });`,
      `export const proto: number = body.__proto__;`,
      `// @ts-expect-error -- proto is a number`,
      `build({ proto: "1", fieldConstructor: 0, fieldToString: "a", fieldHasOwnProperty: true });`,
      `// @ts-expect-error -- constructor is required`,
      `build({ proto: 1, fieldToString: "a", fieldHasOwnProperty: true });`,
    ].join("\n");
    await writeFile(join(pkg.root, "consumer.ts"), `${consumer}\n`);
    // The catalog-sized declaration files (types/NN.d.ts, index.d.ts) are checked too, their no-check line blanked.
    const { output, noCheckFiles } = await strictTsc(pkg.root, "strict", {
      include: ["generated/**/*.d.ts", "consumer.ts"],
    });
    expect(output).toBe("");
    expect(noCheckFiles).toBeGreaterThan(1);
  });

  it("runs nothing from the schemas: every module imported, every model built, validated and run end to end, the canary silent", async () => {
    const emu = await emulator({ schemasDir: pkg.schemasDir, capacity: 50, durationMs: 5 });
    const { run, report } = await exercisePackage(pkg.dir, emu);
    expect(report.trapsWork).toBe(true);
    expect(report.fired).toEqual([]);
    expect(run.stdout + run.stderr).not.toContain("PWNED");
    expect(report.imported).toEqual((await listFiles(pkg.dir)).filter((path) => path.endsWith(".js")));
    expect(report.models.map((model) => model.id).sort()).toEqual(pkg.specs.map((spec) => spec.id).sort());
    for (const model of report.models) {
      expect(model, model.id).toMatchObject({ issues: 0, roundTripEqual: true, status: "succeeded" });
      // Every required field made it into the body (`__proto__` included).
      const required = pkg.specs
        .find((spec) => spec.id === model.id)!
        .fields.filter((field) => field.required)
        .map((field) => field.key);
      expect(Object.keys(JSON.parse(model.body) as object), model.id).toEqual(expect.arrayContaining(required));
      // What the server received is, byte for byte, what the client built.
      expect(JSON.stringify(emu.job(model.requestId)?.body), model.id).toBe(model.body);
    }
  });
});

interface KeyNamesModule {
  readonly model: Model<string, Record<string, unknown>, Record<string, unknown>, unknown>;
  readonly inputSchema: AnnotatedSchema;
}

describe("keys named like Object.prototype members", () => {
  const keyNames = () => pkg.load<KeyNamesModule>("models/hostile/key-names.js");
  // Aliases of such keys get a `field` prefix (see generator/model/aliases.ts); `__proto__` becomes `proto`.
  const valid = { proto: 3, fieldConstructor: 1, fieldToString: "a", fieldHasOwnProperty: false } as const;
  const issueOf = (issues: readonly ValidationIssue[]) => issues.map(({ alias, key, rule }) => ({ alias, key, rule }));

  it("sends __proto__ as an own key of the body, leaving every prototype alone", async () => {
    const { model } = await keyNames();
    const body = model.build(valid);
    expect(Object.prototype.hasOwnProperty.call(body, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(body))).toEqual(
      JSON.parse('{"__proto__":3,"constructor":1,"toString":"a","hasOwnProperty":false}'),
    );
    expect(model.validate(JSON.parse('{"__proto__":3,"constructor":1,"toString":"a","hasOwnProperty":false}'))).toEqual(
      [],
    );
    expect(Object.keys(Object.prototype)).toEqual([]);
  });

  it.each([
    ["a __proto__ out of range", { ...valid, proto: 10 }, [{ alias: "proto", key: "__proto__", rule: "maximum" }]],
    ["a __proto__ of the wrong type", { ...valid, proto: "3" }, [{ alias: "proto", key: "__proto__", rule: "type" }]],
    [
      "a missing __proto__",
      { fieldConstructor: 1, fieldToString: "a", fieldHasOwnProperty: false },
      [{ alias: "proto", key: "__proto__", rule: "required" }],
    ],
    [
      "a missing constructor",
      { proto: 3, fieldToString: "a", fieldHasOwnProperty: false },
      [{ alias: "fieldConstructor", key: "constructor", rule: "required" }],
    ],
    [
      "a missing toString",
      { proto: 3, fieldConstructor: 1, fieldHasOwnProperty: false },
      [{ alias: "fieldToString", key: "toString", rule: "required" }],
    ],
    [
      "a missing hasOwnProperty",
      { proto: 3, fieldConstructor: 1, fieldToString: "a" },
      [{ alias: "fieldHasOwnProperty", key: "hasOwnProperty", rule: "required" }],
    ],
    [
      "a constructor out of range",
      { ...valid, fieldConstructor: 6 },
      [{ alias: "fieldConstructor", key: "constructor", rule: "maximum" }],
    ],
  ])("rejects %s, naming it, and nothing else", async (_, input, expected) => {
    const { model } = await keyNames();
    expect(issueOf(model.validate(input))).toEqual(expected);
  });

  it("names nested __proto__ and constructor members like top-level ones, and checks them at depth", async () => {
    const { model } = await keyNames();
    // Nested members have friendly names too: `__proto__` → `proto`, `constructor` → `fieldConstructor`.
    const body = model.build({ ...valid, nestedKeys: { proto: "abc", fieldConstructor: 1 } });
    const nested = (body as Record<string, unknown>)["7_nested"] as object;
    expect(Object.prototype.hasOwnProperty.call(nested, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(nested)).toBe(Object.prototype);
    expect(JSON.stringify(nested)).toBe('{"__proto__":"abc","constructor":1}');
    expect(model.toFriendly(body as never)).toMatchObject({ nestedKeys: { proto: "abc", fieldConstructor: 1 } });
    // Raw keys are accepted at depth too (a "__proto__" own key needs JSON.parse or defineProperty).
    const raw = (value: string) =>
      JSON.parse(`{"__proto__": ${JSON.stringify(value)}, "constructor": 1}`) as Record<string, unknown>;
    expect(model.validate({ ...valid, nestedKeys: raw("abc") })).toEqual([]);
    expect(
      model.validate({ ...valid, nestedKeys: raw("abcd") }).map(({ path, rule, message }) => ({ path, rule, message })),
    ).toEqual([
      {
        path: "/7_nested/__proto__",
        rule: "maxLength",
        message: 'nestedKeys.proto ("7_nested.__proto__", node 7): must be at most 3 characters long, got "abcd"',
      },
    ]);
    expect(model.validate({ ...valid, nestedKeys: {} }).map(({ path, rule }) => ({ path, rule }))).toEqual([
      { path: "/7_nested/__proto__", rule: "required" },
      { path: "/7_nested/constructor", rule: "required" },
    ]);
    expect(Object.keys(Object.prototype)).toEqual([]);
  });

  it("keeps __proto__ as an own property of the model's annotated input schema", async () => {
    const { inputSchema } = await keyNames();
    expect(Object.prototype.hasOwnProperty.call(inputSchema.properties, "__proto__")).toBe(true);
    expect(inputSchema.properties?.["__proto__"]).toMatchObject({ type: "integer", "x-alias": "proto" });
  });
});
