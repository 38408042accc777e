/**
 * Output types and the TSDoc of outputs and nested wire members, in a package generated from a model whose output
 * schema nests an object and an array of objects: nested members are typed (not `Record<string, unknown>`), and open,
 * as `parseOutput` returns them (nested values as sent; only top-level keys the schema does not list move to
 * `extra`); every output member, nested ones too, carries TSDoc, and so does a nested wire member without a title.
 * Type-checked with tsc --strict (exactOptionalPropertyTypes, noUncheckedIndexedAccess).
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Model } from "../../generated/index.js";
import { bucketOf } from "../../templates/runtime/buckets.ts";
import { expectedErrors } from "../helpers/expect-errors.ts";
import { generatedPackage, strictTsc } from "../helpers/package.ts";

const SCHEMA = {
  modelId: "acme/shapes",
  sources: [{ kind: "catalog" }],
  inputSchema: {
    type: "object",
    required: ["prompt"],
    properties: {
      prompt: { title: "Prompt", type: "string", minLength: 1 },
      camera: {
        title: "Camera",
        type: "object",
        properties: {
          movement: { type: "string", enum: ["pan", "tilt", "zoom"] },
          speed: { title: "Speed", type: "number", minimum: 0, maximum: 1 },
        },
      },
    },
  },
  outputSchema: {
    type: "object",
    required: ["video", "meta"],
    properties: {
      video: { type: "string", format: "uri" },
      seed: { title: "Seed", description: "The seed the run used.", type: "integer", minimum: 0 },
      meta: {
        type: "object",
        required: ["width"],
        properties: {
          width: { title: "Width", type: "integer", minimum: 1 },
          tags: { type: "array", items: { type: "string" }, maxItems: 3 },
        },
      },
      frames: {
        type: "array",
        items: {
          type: "object",
          properties: { url: { type: "string", format: "uri" }, time: { type: "number" } },
        },
      },
      note: { type: "string" },
    },
  },
};

const pkg = await generatedPackage([JSON.stringify(SCHEMA, null, 2)]);
afterAll(() => pkg.cleanup());

const CONSUMER = `
import { createClient, type AcmeShapesOutput } from "./generated/index.js";
import shapes from "./generated/models/acme/shapes.js";

export function read(output: AcmeShapesOutput): void {
  // A required nested member is typed, an optional one may be missing.
  const width: number = output.meta.width;
  const tags: string[] | undefined = output.meta.tags;
  const url: string | undefined = output.frames?.[0]?.url;
  const time: number | undefined = output.frames?.[0]?.time;
  // Nested objects are open: parseOutput keeps the other keys the server sent below the top level.
  const other: unknown = output.meta["other"];
  const more: unknown = output.frames?.[0]?.["more"];
  void [width, tags, url, time, other, more];
  // @ts-expect-error TS2322 "'number' is not assignable to type 'string'" -- a nested member keeps its type
  const wrong: string = output.meta.width;
  // @ts-expect-error TS2322 "'string | undefined' is not assignable to type 'number'" -- an item member keeps its type
  const wrongItem: number = output.frames![0]!.url;
  // @ts-expect-error TS2339 "'nope' does not exist" -- the top level stays closed (other keys are under extra)
  void output.nope;
  void [wrong, wrongItem];
}

async function calls(): Promise<void> {
  const client = createClient({ token: "t", baseUrl: "http://127.0.0.1:1" });
  const result = await client.run("acme/shapes", { prompt: "x" });
  if (result.status === "succeeded") {
    const width: number = result.output.meta.width;
    void width;
  }
  const parsed = shapes.parseOutput({});
  const seed: number | undefined = parsed.seed;
  void seed;
}
void calls;
`;

type AnyModel = Model<string, Record<string, unknown>, Record<string, unknown>, unknown>;

describe("outputs", () => {
  it("type nested objects and array items by their members, open as parseOutput returns them", async () => {
    await writeFile(join(pkg.root, "outputs.ts"), CONSUMER);
    const { output } = await strictTsc(pkg.root, "outputs", { files: ["outputs.ts"] });
    expect(output).toBe("");
    const report = expectedErrors(join(pkg.root, "tsconfig.outputs.json"), join(pkg.root, "outputs.ts"));
    expect(report.directives).toBe(3);
    expect({ unnamed: report.unnamed, unexpected: report.unexpected, silent: report.silent }).toEqual({
      unnamed: [],
      unexpected: [],
      silent: [],
    });
  });

  it("are parsed as the types say: nested values as sent, unlisted top-level keys under extra", async () => {
    const { default: model } = await pkg.load<{ default: AnyModel }>("models/acme/shapes.js");
    expect(
      model.parseOutput({
        video: "https://example.com/v.mp4",
        meta: { width: 2, other: 1 },
        frames: [{ url: "https://example.com/f.png", more: true }],
        unlisted: "x",
      }),
    ).toEqual({
      video: "https://example.com/v.mp4",
      meta: { width: 2, other: 1 },
      frames: [{ url: "https://example.com/f.png", more: true }],
      extra: { unlisted: "x" },
    });
  });

  it("document every output member, nested ones too, and a nested wire member without a title", async () => {
    const bucket = String(bucketOf("acme/shapes")).padStart(2, "0");
    const text = await readFile(join(pkg.dir, `types/${bucket}.d.ts`), "utf8");
    const output = text.slice(text.indexOf("export interface AcmeShapesOutput {"));
    const body = output.slice(0, output.indexOf("\n}\n"));
    // Every member line (not an index signature) directly follows the end of a doc comment.
    const lines = body.split("\n").slice(1);
    const members = lines.flatMap((line, index) =>
      /^\s+(readonly )?"?[\w]+"?\??: /.test(line) ? [{ line, before: lines[index - 1] ?? "" }] : [],
    );
    expect(members.map(({ line }) => line.trim().split(":")[0])).toEqual([
      "video",
      "seed?",
      "meta",
      "width",
      "tags?",
      "frames?",
      "url?",
      "time?",
      "note?",
      "readonly extra?",
    ]);
    for (const { line, before } of members)
      expect({ line, before }).toEqual({ line, before: expect.stringMatching(/\*\/$/) });
    expect(body).toContain(
      "   * Seed — The seed the run used.\n   *\n   * Range: ≥ 0 (integer).\n   */\n  seed?: number;",
    );
    expect(body).toContain("     * Width\n     *\n     * Range: ≥ 1 (integer).\n     */\n    width: number;");
    expect(body).toContain("/** At most 3 items. */\n    tags?: string[];");
    expect(body).toContain("[k: string]: unknown;");
    expect(body).not.toContain("Record<string, unknown>;\n  frames");
    // The raw camera's untitled member is named by its key and type.
    const raw = text.slice(text.indexOf("export interface AcmeShapesRawCamera {"));
    expect(raw.slice(0, raw.indexOf("\n}\n"))).toMatch(/\/\*\* `movement`: string\. \*\/\n {2}movement\?:/);
  });
});
