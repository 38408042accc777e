/**
 * A deterministic synthetic catalog for benchmarks: N schema files with the
 * shapes the real catalog has, varied by a seeded PRNG. Even models derive
 * from the four seed workflows (node-ID keys, `"type": "float"`, compound
 * size keys, media by title); odd ones are plain-key catalog models shaped
 * like flux, kling and veo (`prompt`, `image_url`, `aspect_ratio`, media by
 * format, title or key, arrays of media) with nested inputs: `multi_prompt`,
 * `elements`, `keyframes` (sometimes a required array of objects), `loras`,
 * an object `camera`, and the catalog's metadata (categories, kind, price).
 * Created-from-catalog models carry RunComfy's default output contract.
 * The same N always gives byte-identical files.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { serializeSchemaFile, schemaFilePath, type SchemaFile } from "../generator/schemas/schema-file.ts";
import type { JsonObject } from "../generator/lib/json.ts";
import { seededRandom } from "../emulator/faults.ts";

const SEEDS = [
  "community/fantasy-portrait/image-to-video",
  "community/wan-2-1/fusionx/image-to-video",
  "community/wan-2-2/vace-fun",
  "community/infinite-talk/image-to-video",
];

/** Optional plain-key fields a catalog model may carry (one concept each, so aliases never collide). */
const PLAIN_FIELDS: readonly [string, JsonObject][] = [
  [
    "negative_prompt",
    { title: "Negative Prompt", description: "What to avoid in the output.", type: "string", default: "" },
  ],
  [
    "aspect_ratio",
    { title: "Aspect Ratio", type: "string", enum: ["1:1", "16:9", "9:16", "4:3", "3:4"], default: "16:9" },
  ],
  ["num_images", { title: "Number of Images", type: "integer", minimum: 1, maximum: 4, default: 1 }],
  ["output_format", { title: "Output Format", type: "string", enum: ["jpeg", "png", "webp"], default: "png" }],
  ["guidance_scale", { title: "Guidance", type: "float", minimum: 0, maximum: 20, default: 2.5 }],
  ["enable_safety_checker", { title: "Safety Checker", type: "boolean", default: true }],
  [
    "image_urls",
    {
      title: "Reference Images",
      type: "array",
      items: { type: "string", format: "image_uri" },
      minItems: 1,
      maxItems: 4,
    },
  ],
  ["duration", { title: "Duration", type: "integer", enum: [5, 10], default: 5 }],
  [
    "loras",
    {
      title: "LoRAs",
      type: "array",
      items: {
        type: "object",
        properties: { path: { type: "string" }, scale: { type: "number", minimum: 0, maximum: 2, default: 1 } },
        required: ["path"],
      },
      maxItems: 3,
    },
  ],
  ["end_image_url", { title: "End Frame", type: "string", format: "image_uri" }],
];

/** Nested inputs as the catalog has them (arrays of objects and one object). */
const NESTED_FIELDS: readonly [string, JsonObject][] = [
  [
    "multi_prompt",
    {
      title: "Multi Prompt",
      type: "array",
      minItems: 1,
      maxItems: 6,
      items: {
        type: "object",
        required: ["prompt", "duration"],
        properties: {
          prompt: { title: "Prompt", type: "string", minLength: 1, maxLength: 512 },
          duration: { title: "Duration", type: "integer", minimum: 1, maximum: 10 },
        },
      },
    },
  ],
  [
    "elements",
    {
      title: "Elements",
      type: "array",
      maxItems: 3,
      items: {
        type: "object",
        required: ["frontal_image_url"],
        properties: {
          frontal_image_url: { title: "Frontal Image URL", type: "string" },
          reference_image_urls: {
            title: "Reference Image URLs",
            type: "array",
            maxItems: 3,
            items: { type: "string" },
          },
        },
      },
    },
  ],
  [
    "camera",
    {
      title: "Camera",
      type: "object",
      properties: {
        movement: { title: "Movement", type: "string", enum: ["static", "pan", "zoom"], default: "static" },
        speed: { title: "Speed", type: "number", exclusiveMinimum: 0, maximum: 2 },
      },
    },
  ],
];

const KEYFRAMES: JsonObject = {
  title: "Keyframes",
  type: "array",
  minItems: 2,
  maxItems: 5,
  items: {
    type: "object",
    required: ["image_url", "time"],
    properties: {
      image_url: { title: "Image URL", type: "string" },
      time: { title: "Time", type: "number", minimum: 0, maximum: 10 },
    },
  },
};

/** RunComfy's documented output contract (what `pull --all` writes for a model without a published output schema). */
const DEFAULT_OUTPUT: JsonObject = {
  output: {
    type: "object",
    properties: Object.fromEntries(
      ["image", "video", "audio"].flatMap((kind) => [
        [kind, { type: "string", format: "uri" }],
        [`${kind}s`, { type: "array", items: { type: "string", format: "uri" } }],
      ]),
    ),
  },
};

const TASKS = ["image-to-video", "text-to-video", "text-to-image", "edit", "image-to-image", "video-to-video"];
const VENDORS = ["community", "acme-ai", "pixel.labs", "Studio4K", "wan-ai", "kling"];

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

async function loadSeeds(root: string): Promise<SchemaFile[]> {
  return Promise.all(
    SEEDS.map(async (id) => JSON.parse(await readFile(join(root, "schemas", `${id}.json`), "utf8")) as SchemaFile),
  );
}

/** A plain-key catalog model (flux/kling/veo-like), with nested inputs. */
function catalogModel(index: number): SchemaFile {
  const random = seededRandom(index * 104729 + 3);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const task = pick(TASKS);
  const vendor = pick(["kling", "google-deepmind", "blackforestlabs", "bytedance", "wan-ai"]);
  const modelId = `${vendor}/model-${index}/${pick(["pro", "fast", "4k", "standard"])}/${task}`;
  const properties: JsonObject = {
    prompt: { title: "Prompt", type: "string", maxLength: 2000 + Math.floor(random() * 1000) },
  };
  const required = ["prompt"];
  if (/image-to|edit/.test(task)) {
    properties["image_url"] = { title: "Image URL", type: "string", format: "image_uri" };
    required.push("image_url");
  }
  if (task === "video-to-video") {
    properties["video_url"] = { title: "Video URL", type: "string" };
    required.push("video_url");
  }
  for (const [key, schema] of PLAIN_FIELDS) if (random() < 0.4) properties[key] = clone(schema);
  for (const [key, schema] of NESTED_FIELDS) if (random() < 0.5) properties[key] = clone(schema);
  if (random() < 0.3) {
    properties["keyframes"] = clone(KEYFRAMES);
    if (random() < 0.5) required.push("keyframes");
  }
  return {
    modelId,
    displayName: `Model ${index} ${task.replace(/-/g, " ")}`,
    categories: [task],
    kind: "model",
    basePriceUsd: Math.round(random() * 100) / 100,
    priceUnit: pick(["second", "image", "output"]),
    sources: [{ kind: "catalog" }, { kind: "output-default" }],
    inputSchema: { type: "object", required, properties },
    outputSchema: DEFAULT_OUTPUT,
  };
}

/** The i-th synthetic model. */
function syntheticModel(seeds: readonly SchemaFile[], index: number): SchemaFile {
  if (index % 2 === 1) return catalogModel(index);
  const random = seededRandom(index * 7919 + 17);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const base = clone(seeds[index % seeds.length]!);
  const vendor = pick(VENDORS);
  const version = `${1 + Math.floor(random() * 3)}.${Math.floor(random() * 10)}`;
  const modelId = `${vendor}/family-${index}/v${version}/${pick(TASKS)}`;

  // Renumber every node (as upstream does) and vary ranges and defaults.
  const offset = 1 + Math.floor(random() * 900);
  const properties: JsonObject = {};
  const example: JsonObject = {};
  const renamed = new Map<string, string>();
  for (const [key, schema] of Object.entries(base.inputSchema["properties"] as JsonObject)) {
    const next = key.replace(/(\d+)_/g, (_, node: string) => `${Number(node) + offset}_`);
    renamed.set(key, next);
    const field = schema as JsonObject;
    if (typeof field["maximum"] === "number")
      field["maximum"] = (field["maximum"] as number) + Math.floor(random() * 10);
    properties[next] = field;
  }
  for (const [key, value] of Object.entries(base.example ?? {})) example[renamed.get(key) ?? key] = value;
  const required = ((base.inputSchema["required"] as string[] | undefined) ?? []).map((key) => renamed.get(key) ?? key);
  for (const [key, schema] of PLAIN_FIELDS) if (random() < 0.45) properties[key] = clone(schema);
  if (random() < 0.3) required.push("missing_field_named_in_required");

  return {
    modelId,
    sources: [{ kind: "page" }],
    example,
    inputSchema: { type: "object", required, properties },
    ...(base.outputSchema ? { outputSchema: base.outputSchema } : {}),
  };
}

/** The model id of the synthetic model number `index` (the same in every catalog size). */
export async function syntheticModelId(root: string, index: number): Promise<string> {
  return syntheticModel(await loadSeeds(root), index).modelId;
}

/** Writes `count` synthetic schema files under `<dir>/schemas`; returns their model ids. */
export async function writeSyntheticCatalog(root: string, dir: string, count: number): Promise<string[]> {
  const seeds = await loadSeeds(root);
  const ids: string[] = [];
  for (let index = 0; index < count; index++) {
    const file = syntheticModel(seeds, index);
    const path = join(dir, "schemas", schemaFilePath(file.modelId));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, serializeSchemaFile(file));
    ids.push(file.modelId);
  }
  return ids;
}
