/**
 * The declarations the generator prints (`generator/emit/declarations.ts`)
 * against json-schema-to-typescript, the reference for what a JSON Schema
 * means as TypeScript: for the seed models, realistic catalog entries
 * (nested objects, arrays of objects, media by format, title or key) and a
 * sample of the synthetic catalog, json-schema-to-typescript compiles the
 * same schemas (wire keys for the raw input, friendly names for the friendly
 * input, the output schema as is) and tsc proves each pair mutually
 * assignable. A type that drifts from what its schema says fails here.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile } from "json-schema-to-typescript";
import { afterAll, describe, expect, it } from "vitest";
import { writeSyntheticCatalog } from "../../bench/catalog.ts";
import { extraKey } from "../../templates/runtime/model.ts";
import { emitModelTypes } from "../../generator/emit/declarations.ts";
import { objectSchema, type SchemaOptions } from "../../generator/emit/json-schema.ts";
import type { JsonObject } from "../../generator/lib/json.ts";
import { fieldProperty } from "../../generator/model/fields.ts";
import { loadModels } from "../../generator/model/load.ts";
import type { ModelSpec, PropertySpec, ValueSpec } from "../../generator/model/types.ts";
import { readSchemaEntries } from "../../generator/schemas/entries.ts";
import { catalogSchemaTexts } from "../helpers/catalog.ts";
import { placeSchemaFiles, ROOT, runProcess, tempProject, type TempProject } from "../helpers/project.ts";

const projects: TempProject[] = [];
afterAll(() => Promise.all(projects.map((project) => project.cleanup())));

/** json-schema-to-typescript with the options a types reference needs (no banner, no formatting, closed inputs). */
async function jstt(schema: JsonObject, name: string): Promise<string> {
  return compile(schema as Parameters<typeof compile>[0], name, {
    bannerComment: "",
    format: false,
    additionalProperties: false,
    strictIndexSignatures: false,
    unknownAny: true,
    ignoreMinAndMaxItems: true,
    declareExternallyReferenced: true,
    enableConstEnums: false,
    unreachableDefinitions: false,
  });
}

/** The schemas of one model as json-schema-to-typescript should read them: nested objects inline, sizes by our name. */
function referenceSchemas(spec: ModelSpec): { raw: JsonObject; friendly: JsonObject; output: JsonObject } {
  const byKey = new Map(spec.fields.map((field) => [field.key, field]));
  const properties = spec.fields.map((field) => fieldProperty(field));
  const friendlyKey = (property: PropertySpec, path: readonly string[]) =>
    path.length === 1 ? byKey.get(property.key)!.alias : (property.alias ?? property.key);
  const friendly: SchemaOptions = {
    closed: true,
    keyOf: friendlyKey,
    tsType: (property, path) => {
      const field = path.length === 1 ? byKey.get(property.key) : undefined;
      return field?.sizes ? `ours.${spec.types.sizes.get(field.alias)}` : undefined;
    },
  };
  return {
    raw: objectSchema(properties, { closed: true }),
    friendly: objectSchema(properties, friendly),
    // Closed at the top level: the listed keys, and the holder of any other key the server sends (`extra`, see
    // `extraKey`); open below it, where `parseOutput` keeps values as sent.
    output: objectSchema(
      [
        ...spec.output.map((property) => ({ ...property, value: opened(property.value) })),
        {
          key: extraKey(spec.output.map((property) => property.key)),
          required: false,
          listedRequired: false,
          value: { types: ["object"], additionalProperties: true },
        },
      ],
      { closed: true },
      [],
      false,
    ),
  };
}

/** A value with every object in it open (`additionalProperties: true`), as an output's nested values are typed. */
function opened(value: ValueSpec): ValueSpec {
  return {
    ...value,
    ...(value.types.includes("object") || value.properties ? { additionalProperties: true } : {}),
    ...(value.properties
      ? { properties: value.properties.map((property) => ({ ...property, value: opened(property.value) })) }
      : {}),
    ...(value.items ? { items: opened(value.items) } : {}),
  };
}

/** Specs of the seeds, the catalog fixtures and a synthetic sample, each with the text of its declaration file. */
async function corpus(): Promise<{ spec: ModelSpec; dts: string }[]> {
  const project = await tempProject();
  projects.push(project);
  await placeSchemaFiles(project.root, await catalogSchemaTexts());
  await writeSyntheticCatalog(ROOT, project.root, 24);
  const { specs } = loadModels(await readSchemaEntries(join(project.root, "schemas"), project.root), "schemas/");
  return specs.map((spec) => ({ spec, dts: emitModelTypes(spec) }));
}

describe("printed declarations mean what json-schema-to-typescript makes of the same schemas", () => {
  it("raw input, friendly input and output of every model are mutually assignable with the reference", async () => {
    const models = await corpus();
    expect(models.length).toBeGreaterThan(30);
    expect(models.some(({ spec }) => spec.types.nested.size > 0)).toBe(true);
    const dir = await mkdtemp(join(tmpdir(), "runcomfy-types-"));
    try {
      const checks: string[] = [
        "type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;",
        // Inputs take readonly arrays at every depth; json-schema-to-typescript prints mutable ones.
        "type ReadonlyArrays<T> = T extends readonly (infer U)[] ? readonly ReadonlyArrays<U>[] : T extends object ? { [K in keyof T]: ReadonlyArrays<T[K]> } : T;",
      ];
      for (const [index, { spec, dts }] of models.entries()) {
        const folder = join(dir, `m${index}`);
        await mkdir(folder);
        // Our declarations import the runtime's types; a stub is enough for the type-only check.
        await writeFile(
          join(folder, "ours.d.ts"),
          dts.replaceAll(/"(\.\.\/)+runtime\/(model|errors)\.js"/g, '"../runtime.js"'),
        );
        const schemas = referenceSchemas(spec);
        const reference = [
          `import type * as ours from "./ours.js";`,
          await jstt(schemas.raw, "ReferenceRaw"),
          await jstt(schemas.friendly, "ReferenceFriendly"),
          await jstt(schemas.output, "ReferenceOutput"),
        ].join("\n");
        await writeFile(join(folder, "reference.ts"), reference);
        const names = spec.types;
        checks.push(
          `import type * as o${index} from "./m${index}/ours.js";`,
          `import type * as r${index} from "./m${index}/reference.js";`,
          `export const raw${index}: Same<o${index}.${names.rawInput}, ReadonlyArrays<r${index}.ReferenceRaw>> = true; // ${spec.id}`,
          `export const friendly${index}: Same<o${index}.${names.input}, ReadonlyArrays<r${index}.ReferenceFriendly>> = true; // ${spec.id}`,
          `export const output${index}: Same<o${index}.${names.output}, r${index}.ReferenceOutput> = true; // ${spec.id}`,
        );
      }
      await writeFile(
        join(dir, "runtime.d.ts"),
        "export type AnnotatedSchema = Record<string, unknown>; export type Model<I, A, B, C> = { id: I; a: A; b: B; c: C }; export type ValidationIssue = { message: string };\n",
      );
      await writeFile(join(dir, "checks.ts"), `${checks.join("\n")}\n`);
      await writeFile(
        join(dir, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: {
            target: "ES2022",
            module: "NodeNext",
            moduleResolution: "NodeNext",
            strict: true,
            noEmit: true,
            types: [],
          },
          include: ["**/*.ts"],
        }),
      );
      const tsc = await runProcess(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", dir], {
        cwd: dir,
      });
      expect(tsc.stdout + tsc.stderr).toBe("");
      expect(tsc.code).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("is checked, not assumed: a type that drifts from its schema fails the same check", async () => {
    const picked = (await corpus()).find(({ spec }) =>
      spec.fields.some((field) => field.value.types.includes("integer") && !field.value.enum),
    );
    if (!picked) throw new Error("no model with an integer field");
    const { spec, dts } = picked;
    const field = spec.fields.find((candidate) => candidate.value.types.includes("integer") && !candidate.value.enum)!;
    const drifted = dts.replace(new RegExp(`(\\b${field.alias}\\??: )number( \\| undefined)?;`), "$1string$2;");
    expect(drifted).not.toBe(dts);
    const reference = await jstt(referenceSchemas(spec).friendly, "ReferenceFriendly");
    const dir = await mkdtemp(join(tmpdir(), "runcomfy-types-"));
    try {
      await writeFile(
        join(dir, "ours.d.ts"),
        drifted.replaceAll(/"(\.\.\/)+runtime\/(model|errors)\.js"/g, '"./runtime.js"'),
      );
      await writeFile(
        join(dir, "runtime.d.ts"),
        "export type AnnotatedSchema = {}; export type Model<I, A, B, C> = [I, A, B, C]; export type ValidationIssue = {};\n",
      );
      await writeFile(join(dir, "reference.ts"), `import type * as ours from "./ours.js";\n${reference}`);
      await writeFile(
        join(dir, "checks.ts"),
        `import type * as o from "./ours.js";\nimport type * as r from "./reference.js";\ntype Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;\nexport const check: Same<o.${spec.types.input}, r.ReferenceFriendly> = true;\n`,
      );
      await writeFile(
        join(dir, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, types: [] },
          include: ["*.ts"],
        }),
      );
      const tsc = await runProcess(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", dir], {
        cwd: dir,
      });
      expect(tsc.code).not.toBe(0);
      expect(tsc.stdout).toContain("checks.ts");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
