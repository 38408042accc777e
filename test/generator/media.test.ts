/**
 * Media detection (generator/model/media.ts), table-driven on catalog shapes
 * RunComfy publishes: a field is a media reference by its format, its title or
 * its plain key, at every depth; counts, sizes and enums never are.
 */
import { serialize } from "node:v8";
import { describe, expect, it } from "vitest";
import type { MediaKind, ValueSpec } from "../../generator/model/types.ts";
import { catalogEntries, schemaFileOf } from "../helpers/catalog.ts";
import { fileWith, specOf } from "../helpers/spec.ts";

type Row = readonly [
  what: string,
  key: string,
  schema: Record<string, unknown>,
  expected: MediaKind | "array of image" | "array of video" | undefined,
];

const ROWS: readonly Row[] = [
  // By format.
  ["format image_uri", "image_url", { type: "string", format: "image_uri" }, "image"],
  ["format video_uri", "clip", { type: "string", format: "video_uri" }, "video"],
  ["format audio_uri", "track", { type: "string", format: "audio_uri" }, "audio"],
  [
    "format image_uris on the array",
    "refs",
    { type: "array", format: "image_uris", items: { type: "string" } },
    "array of image",
  ],
  [
    "format image_uri on the items",
    "images",
    { type: "array", items: { type: "string", format: "image_uri" } },
    "array of image",
  ],
  [
    "an unknown format that starts with a media kind",
    "image",
    { type: "string", format: "image_uri_with_mask_image_ideogramv3" },
    "image",
  ],
  ["format uri is not media", "callback", { type: "string", format: "uri" }, undefined],
  // A media format goes to what the field's type takes (rules 3), whatever its own plural says.
  ["a plural media format on a string", "one_url", { type: "string", format: "video_uris" }, "video"],
  ["a media format on an integer is ignored", "count", { type: "integer", format: "image_uri" }, undefined],
  [
    "a media format on an array of integers is ignored",
    "ids",
    { type: "array", format: "image_uri", items: { type: "integer" } },
    undefined,
  ],
  // By title.
  ["title Image", "143_image", { title: "Image", type: "string" }, "image"],
  ["title Video URL", "source", { title: "Video URL", type: "string" }, "video"],
  ["title Reference Image URL", "ref", { title: "Reference Image URL", type: "string" }, "image"],
  ["title Input Audio", "a", { title: "Input Audio", type: "string" }, "audio"],
  ["title First Frame Image", "first_frame_image", { title: "First Frame Image", type: "string" }, "image"],
  [
    "title Reference Images on an array",
    "x",
    { title: "Reference Images", type: "array", items: { type: "string" } },
    "array of image",
  ],
  ["title Image Size", "image_size", { title: "Image Size", type: "string" }, undefined],
  ["title Number of Images", "num_images", { title: "Number of Images", type: "integer" }, undefined],
  ["title Video Duration", "video_duration", { title: "Video Duration", type: "string" }, undefined],
  [
    "a media title on an enum",
    "image_size",
    { title: "Image", type: "string", enum: ["square", "portrait"] },
    undefined,
  ],
  ["a media title on a boolean", "generate_audio", { title: "Audio", type: "boolean" }, undefined],
  // By plain key.
  ["key image_url", "image_url", { type: "string" }, "image"],
  ["key video_url", "video_url", { type: "string" }, "video"],
  ["key audio_url", "audio_url", { type: "string" }, "audio"],
  ["key start_image_url", "start_image_url", { type: "string" }, "image"],
  ["key end_image_url under the title End Frame", "end_image_url", { title: "End Frame", type: "string" }, "image"],
  [
    "key first_frame_url under the title First Frame",
    "first_frame_url",
    { title: "First Frame", type: "string" },
    "image",
  ],
  ["key img_url", "img_url", { type: "string" }, "image"],
  ["key promptImage (camelCase)", "promptImage", { type: "string" }, "image"],
  ["key image_urls", "image_urls", { type: "array", items: { type: "string" } }, "array of image"],
  ["key reference_image_urls", "reference_image_urls", { type: "array", items: { type: "string" } }, "array of image"],
  ["key video_urls", "video_urls", { type: "array", items: { type: "string" } }, "array of video"],
  ["key num_frames is a count", "num_frames", { type: "integer" }, undefined],
  ["key frame is not an image without URL", "frame", { type: "string" }, undefined],
  ["key image_format", "image_format", { type: "string" }, undefined],
  ["key output_format", "output_format", { type: "string" }, undefined],
  // Words an object literal would answer for (Object.prototype's members): never media, never a crash.
  ["key constructor", "constructor", { type: "string" }, undefined],
  ["title Prompt Constructor", "12_text", { title: "Prompt Constructor", type: "string" }, undefined],
  ["title toString", "5_image_x", { title: "toString", type: "string" }, undefined],
  ["key hasOwnProperty_url", "hasOwnProperty_url", { type: "string" }, undefined],
];

function kindOf(value: ValueSpec): Row[3] {
  if (value.media) return value.media;
  if (value.items?.media) return `array of ${value.items.media}` as Row[3];
  return undefined;
}

describe("media detection", () => {
  it.each(ROWS)("%s (%s)", (_, key, schema, expected) => {
    const spec = specOf(fileWith({ [key]: schema }));
    expect(kindOf(spec.fields[0]!.value)).toBe(expected);
  });

  it.each(ROWS)(
    "applies at depth too: %s (%s) inside an array of objects and an object",
    (_, key, schema, expected) => {
      const spec = specOf(
        fileWith({
          elements: { type: "array", items: { type: "object", properties: { [key]: schema } } },
          settings: { type: "object", properties: { [key]: schema } },
        }),
      );
      expect(kindOf(spec.fields[0]!.value.items!.properties![0]!.value)).toBe(expected);
      expect(kindOf(spec.fields[1]!.value.properties![0]!.value)).toBe(expected);
    },
  );

  it("puts a media format on both forms of a field that is a string or an array, and warns when nothing takes it", () => {
    const spec = specOf(
      fileWith({
        both: { type: ["string", "array"], format: "image_uri", items: { type: "string" } },
        count: { type: "integer", format: "image_uri" },
      }),
    );
    expect(spec.fields[0]!.value).toMatchObject({ media: "image", items: { media: "image" } });
    expect(
      spec.warnings.filter((warning) => warning.code === "media-format-type").map((warning) => warning.message),
    ).toEqual(['field "count": format "image_uri" names a media file, but the field is an integer; ignored']);
  });

  it("reads output keys named after Object.prototype's members as plain values", () => {
    const spec = specOf(
      fileWith(
        { prompt: { type: "string" } },
        {
          outputSchema: {
            type: "object",
            properties: {
              constructor: { type: "string" },
              toString: { type: "array", items: { type: "string" } },
              video: { type: "string" },
            },
          },
        },
      ),
    );
    expect(spec.output.map((output) => [output.key, kindOf(output.value)])).toEqual([
      ["constructor", undefined],
      ["toString", undefined],
      ["video", "video"],
    ]);
    // What the spec cache stores (v8.serialize): a function picked up from Object.prototype could not be cloned.
    expect(() => serialize(spec)).not.toThrow();
  });

  it("finds the media fields of realistic catalog entries, and only those", async () => {
    const found: string[] = [];
    const visit = (value: ValueSpec, path: string): void => {
      if (kindOf(value)) found.push(`${path}:${kindOf(value)}`);
      for (const property of value.properties ?? []) visit(property.value, `${path}.${property.key}`);
      if (value.items?.properties) visit({ types: ["object"], properties: value.items.properties }, `${path}[]`);
    };
    for (const entry of (await catalogEntries()).values()) {
      const spec = specOf(schemaFileOf(entry));
      for (const field of spec.fields) visit(field.value, `${spec.id} ${field.key}`);
    }
    expect(found.sort()).toEqual(
      [
        "blackforestlabs/flux-3/keyframes-to-video keyframes[].image_url:image",
        "bytedance/seedream-4-5/edit images:array of image",
        "google-deepmind/veo-3-1/fast/first-last-frame-to-video first_frame_url:image",
        "google-deepmind/veo-3-1/fast/first-last-frame-to-video last_frame_url:image",
        "ideogram-ai/ideogram-v3/edit image:image",
        "ideogram-ai/ideogram-v3/edit ref:image",
        "ideogram-ai/ideogram-v3/edit source:video",
        "kling/kling-3.0/4k/image-to-video elements[].frontal_image_url:image",
        "kling/kling-3.0/4k/image-to-video elements[].reference_image_urls:array of image",
        "kling/kling-3.0/4k/image-to-video end_image_url:image",
        "kling/kling-3.0/4k/image-to-video image_url:image",
        "minimax/Hailuo Video 01 Live first_frame_image:image",
        "tongyi-mai/z-image/turbo/controlnet/lora image_url:image",
      ].sort(),
    );
  });
});
