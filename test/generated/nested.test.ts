/**
 * Nested inputs in a package generated from realistic catalog entries
 * (test/fixtures/catalog): every nested object is an exported interface with
 * friendly member names, wire keys never leak into it, required members are
 * required, and build()/toFriendly() map names at every depth. Type-checked
 * with tsc --strict (exactOptionalPropertyTypes on); `@ts-expect-error` marks
 * what must not compile, naming the error it expects (`test/helpers/expect-errors.ts`).
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Model } from "../../generated/index.js";
import { catalogSchemaTexts } from "../helpers/catalog.ts";
import { expectedErrors } from "../helpers/expect-errors.ts";
import { generatedPackage, strictTsc } from "../helpers/package.ts";
import { bucketOf } from "../../templates/runtime/buckets.ts";
import { usageExample } from "../../generator/emit/package.ts";

const pkg = await generatedPackage(await catalogSchemaTexts());
afterAll(() => pkg.cleanup());

type AnyInput = Record<string, unknown>;
const kling = () =>
  pkg.load<{ model: Model<string, AnyInput, AnyInput, unknown> }>("models/kling/kling-3.0/4k/image-to-video.js");

const CONSUMER = `
import {
  createClient,
  type KlingKling304KImageToVideoElementsItem,
  type KlingKling304KImageToVideoInput,
  type KlingKling304KImageToVideoMultiPromptItem,
  type KlingKling304KImageToVideoRawElementsItem,
  type TongyiMaiZImageTurboControlnetLoraLorasItem,
  type BlackforestlabsFlux3KeyframesToVideoCamera,
} from "./generated/index.js";
import { build, buildRaw, toFriendly } from "./generated/models/kling/kling-3.0/4k/image-to-video.js";
import * as flux from "./generated/models/blackforestlabs/flux-3/keyframes-to-video.js";

const shot: KlingKling304KImageToVideoMultiPromptItem = { prompt: "a", duration: 3 };
const input: KlingKling304KImageToVideoInput = {
  prompt: "x",
  imageUrl: "https://example.com/a.png",
  multiPrompt: [shot],
  elements: [{ frontalImageUrl: "https://example.com/f.png", referenceImageUrls: ["https://example.com/r.png"] }],
};
const body = build(input);
export const wire: string = body.elements![0]!.frontal_image_url;
export const item: KlingKling304KImageToVideoElementsItem = toFriendly(body).elements![0]!;
export const rawItem: KlingKling304KImageToVideoRawElementsItem = { frontal_image_url: "https://example.com/f.png" };

// @ts-expect-error TS2561 "'frontalImageUrl'" -- wire keys never leak into the friendly type
export const leaked: KlingKling304KImageToVideoElementsItem = { frontal_image_url: "https://example.com/f.png" };
// @ts-expect-error TS2741 "Property 'duration' is missing" -- a required member is required (duration)
build({ prompt: "x", imageUrl: "https://example.com/a.png", multiPrompt: [{ prompt: "a" }] });
// @ts-expect-error TS2353 "'seconds'" -- members are closed
build({ prompt: "x", imageUrl: "https://example.com/a.png", multiPrompt: [{ prompt: "a", duration: 1, seconds: 1 }] });

// Inputs take readonly arrays at every depth: a readonly string[], and inputs declared \`as const\` (friendly and raw)
// holding an array of strings and an array of objects.
const refs: readonly string[] = ["https://example.com/r.png"];
const frozen = {
  prompt: "x",
  imageUrl: "https://example.com/a.png",
  multiPrompt: [{ prompt: "a", duration: 3 }],
  elements: [{ frontalImageUrl: "https://example.com/f.png", referenceImageUrls: ["https://example.com/r.png"] }],
} as const;
build(frozen);
build({ ...frozen, elements: [{ frontalImageUrl: "https://example.com/f.png", referenceImageUrls: refs }] });
const frozenShots: readonly KlingKling304KImageToVideoMultiPromptItem[] = frozen.multiPrompt;
build({ prompt: "x", imageUrl: "https://example.com/a.png", multiPrompt: frozenShots });
buildRaw({ prompt: "x", image_url: "https://example.com/a.png", multi_prompt: [{ prompt: "a", duration: 3 }] } as const);
const wrongItem = { prompt: "x", imageUrl: "https://example.com/a.png", multiPrompt: [{ prompt: "a", duration: "3" }] } as const;
// @ts-expect-error TS2345 "'string' is not assignable to type 'number'" -- a wrong item of an as-const array still fails
build(wrongItem);
const wrongRef = { prompt: "x", imageUrl: "https://example.com/a.png", elements: [{ frontalImageUrl: "https://example.com/f.png", referenceImageUrls: [1] }] } as const;
// @ts-expect-error TS2345 "'number' is not assignable to type 'string'" -- a wrong string item at depth still fails
build(wrongRef);

// A required array of objects, and an object.
const camera: BlackforestlabsFlux3KeyframesToVideoCamera = { movement: "pan", speed: 1 };
flux.build({ prompt: "x", keyframes: [{ imageUrl: "https://example.com/a.png", time: 0 }], camera });
// exactOptionalPropertyTypes: an optional member takes undefined too.
declare const maybe: number | undefined;
flux.build({ prompt: "x", keyframes: [{ imageUrl: "https://example.com/a.png", time: 0 }], camera: { speed: maybe } });
// @ts-expect-error TS2345 "Property 'keyframes' is missing" -- keyframes is required
flux.build({ prompt: "x" });
// @ts-expect-error TS2322 "tilt" -- movement is one of static, pan, zoom
flux.build({ prompt: "x", keyframes: [], camera: { movement: "tilt" } });

async function calls(): Promise<void> {
  const client = createClient({ token: "t", baseUrl: "http://127.0.0.1:1" });
  const lora: TongyiMaiZImageTurboControlnetLoraLorasItem = { path: "alibaba-pai/Z-Image-Turbo-Fun-Controlnet-Union", scale: 1 };
  await client.run("tongyi-mai/z-image/turbo/controlnet/lora", { prompt: "x", imageUrl: "https://example.com/a.png", loras: [lora] });
  // @ts-expect-error TS2322 "'string' is not assignable to type 'number'" -- a LoRA's scale is a number
  await client.run("tongyi-mai/z-image/turbo/controlnet/lora", { prompt: "x", imageUrl: "https://example.com/a.png", loras: [{ path: "a", scale: "1" }] });
  // @ts-expect-error TS2345 "Property 'loras' is missing" -- loras is required, although the schema gives it a default (a sample)
  await client.run("tongyi-mai/z-image/turbo/controlnet/lora", { prompt: "x", imageUrl: "https://example.com/a.png" });
  // @ts-expect-error TS2561 "'scale'" -- a misspelled member of an item
  await client.run("tongyi-mai/z-image/turbo/controlnet/lora", { prompt: "x", imageUrl: "https://example.com/a.png", loras: [{ path: "a", scael: 1 }] });
  // @ts-expect-error TS2561 "'multiPrompt'" -- a plain raw key (snake_case) in the friendly call
  await client.run("kling/kling-3.0/4k/image-to-video", { prompt: "x", imageUrl: "https://example.com/a.png", multi_prompt: [] });
  // @ts-expect-error TS2561 "'image_url' does not exist" -- alias and raw key of one field together
  build({ prompt: "x", imageUrl: "https://example.com/a.png", image_url: "https://example.com/a.png" });
  // @ts-expect-error TS2561 "'duration'" -- a misspelled member of multiPrompt
  build({ prompt: "x", imageUrl: "https://example.com/a.png", multiPrompt: [{ prompt: "a", duraton: 3 }] });
  // @ts-expect-error TS2345 "image-to-vdeo" -- a misspelled model id
  await client.run("kling/kling-3.0/4k/image-to-vdeo", { prompt: "x", imageUrl: "https://example.com/a.png" });
  await client.run("kling/kling-3.0/4k/image-to-video", frozen);
  const result = await client.run("kling/kling-3.0/4k/image-to-video", { prompt: "x", imageUrl: "https://example.com/a.png" });
  // @ts-expect-error TS2551 "Did you mean 'video'" -- an output typo
  if (result.status === "succeeded") void result.output.vidoe;
}
void calls;
`;

describe("nested inputs", () => {
  it("type-check as exported interfaces with friendly members, under tsc --strict and exactOptionalPropertyTypes", async () => {
    await writeFile(join(pkg.root, "nested.ts"), CONSUMER);
    // The catalog-sized declaration files (types/NN.d.ts, index.d.ts) are checked too, their no-check line blanked.
    const { output, noCheckFiles } = await strictTsc(pkg.root, "nested", { files: ["nested.ts"] });
    expect(output).toBe("");
    expect(noCheckFiles).toBeGreaterThan(1);
    // Each @ts-expect-error fails for the reason it names (test/helpers/expect-errors.ts).
    const report = expectedErrors(join(pkg.root, "tsconfig.nested.json"), join(pkg.root, "nested.ts"));
    expect(report.directives).toBeGreaterThan(10);
    expect({ unnamed: report.unnamed, unexpected: report.unexpected, silent: report.silent }).toEqual({
      unnamed: [],
      unexpected: [],
      silent: [],
    });
  });

  it("gives every model a README usage example that type-checks: friendly names at depth, a value of each field's type", async () => {
    // The README shows its first model's call; each catalog model is that first model in some package.
    const calls = pkg.specs.map((spec, index) => {
      const lines = usageExample(spec);
      const call = lines.slice(lines.findIndex((line) => line.startsWith("const result"))).join("\n");
      return `export async function call${index}(): Promise<unknown> {\n${call}\nreturn result;\n}`;
    });
    await writeFile(
      join(pkg.root, "readme-examples.ts"),
      `import { createClient } from "./generated/index.js";\nconst client = createClient({ token: "t" });\n${calls.join("\n")}\n`,
    );
    const { output } = await strictTsc(pkg.root, "readme", { files: ["readme-examples.ts"] });
    expect(output).toBe("");
    // Nested raw example values are written with the friendly member names.
    const kling = usageExample(pkg.specs.find((spec) => spec.id === "kling/kling-3.0/4k/image-to-video")!).join("\n");
    expect(kling).toContain("imageUrl: ");
    expect(kling).not.toMatch(/"?[a-z]+_[a-z_]+"?:/);
  });

  it("build() maps friendly names to wire keys at every depth, toFriendly() maps them back", async () => {
    const { model } = await kling();
    const friendly = {
      prompt: "x",
      imageUrl: "https://example.com/a.png",
      multiPrompt: [{ prompt: "a", duration: 3 }],
      elements: [{ frontalImageUrl: "https://example.com/f.png", referenceImageUrls: ["https://example.com/r.png"] }],
    };
    const wire = {
      prompt: "x",
      image_url: "https://example.com/a.png",
      multi_prompt: [{ prompt: "a", duration: 3 }],
      elements: [
        { frontal_image_url: "https://example.com/f.png", reference_image_urls: ["https://example.com/r.png"] },
      ],
    };
    expect(model.build(friendly)).toEqual(wire);
    expect(model.build(wire)).toEqual(wire);
    expect(model.toFriendly(wire)).toEqual(friendly);
    // A member set twice (friendly and raw) is a problem, named by its place.
    expect(
      model
        .validate({
          ...friendly,
          elements: [{ frontalImageUrl: "https://example.com/f.png", frontal_image_url: "https://example.com/g.png" }],
        })
        .map(({ path, rule, message }) => ({ path, rule, message })),
    ).toEqual([
      {
        path: "/elements/0/frontal_image_url",
        rule: "duplicate",
        message:
          'elements[0].frontalImageUrl ("elements[0].frontal_image_url"): set twice (as "frontalImageUrl" and as "frontal_image_url"); use one of them',
      },
    ]);
  });

  it("documents each nested member, and shows a required field's default as an example", async () => {
    const { readFile } = await import("node:fs/promises");
    // A model's types are declared in its registry bucket's types/NN.d.ts (re-exported by its models/<id>.d.ts).
    const bucket = String(bucketOf("kling/kling-3.0/4k/image-to-video")).padStart(2, "0");
    const declarations = await readFile(join(pkg.dir, `types/${bucket}.d.ts`), "utf8");
    expect(await readFile(join(pkg.dir, "models/kling/kling-3.0/4k/image-to-video.d.ts"), "utf8")).toContain(
      `export type {\n  KlingKling304KImageToVideoInput,`,
    );
    expect(declarations).toContain("export interface KlingKling304KImageToVideoElementsItem {");
    expect(declarations).toContain("   * Wire key: `frontal_image_url`.");
    expect(declarations).toMatch(/Example: "A calm ocean at dawn"\.\n {3}\*\/\n {2}prompt: string;/);
    expect(declarations).toContain(
      "Base price: 0.42 USD per second, as the catalog listed it (information, not a promise).",
    );
    // The model's page holds its table; the README lists the model and links that page.
    expect(await readFile(join(pkg.dir, "README.md"), "utf8")).toContain(
      "- [`kling/kling-3.0/4k/image-to-video`](models/kling/kling-3.0/4k/image-to-video.md)",
    );
    const readme = await readFile(join(pkg.dir, "models/kling/kling-3.0/4k/image-to-video.md"), "utf8");
    expect(readme).toMatch(
      /\| `multiPrompt\[\]\.duration` +\| `multi_prompt\[\]\.duration` +\| integer +\|.*\| yes +\|/,
    );
    expect(readme).toContain("base price 0.42 USD per second (as listed by the catalog; information, not a promise)");
  });
});
