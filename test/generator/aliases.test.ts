import { describe, expect, it } from "vitest";
import { GeneratorError } from "../../generator/lib/diagnostics.ts";
import { camelCase, sizeOptions, vocabularyName } from "../../generator/model/aliases.ts";
import { fileWith, SEED_IDS, seedFile, specOf } from "../helpers/spec.ts";

const aliasesOf = (file: unknown) => Object.fromEntries(specOf(file).fields.map((field) => [field.key, field.alias]));

describe("friendly aliases", () => {
  it("names the seed models' node-ID keys through the canonical vocabulary", () => {
    const all = new Set<string>();
    for (const id of SEED_IDS) for (const field of specOf(seedFile(id)).fields) all.add(field.alias);
    expect([...all].sort()).toEqual([
      "audio",
      "cfg",
      "fps",
      "frames",
      "image",
      "prompt",
      "resolution",
      "seed",
      "shift",
      "steps",
      "strength",
      "video",
    ]);
  });

  it("gives the same concept the same name in every model", () => {
    expect(aliasesOf(seedFile("community/fantasy-portrait/image-to-video"))).toMatchObject({
      "155_positive_prompt": "prompt",
      "143_image": "image",
      "160_video": "video",
      "149_cfg": "cfg",
      "163_frame_rate": "fps",
      "174_value": "frames",
      "169_valuex170_value": "resolution",
    });
    expect(aliasesOf(seedFile("community/wan-2-2/vace-fun"))).toMatchObject({
      "56_text": "prompt",
      "47_value": "steps",
      "41_value": "shift",
      "38_value": "fps",
      "25_value": "frames",
      "4_valuex3_value": "resolution",
    });
    expect(aliasesOf(seedFile("community/infinite-talk/image-to-video"))).toMatchObject({
      "125_audio": "audio",
      "241_positive_prompt": "prompt",
    });
  });

  it("camelCases plain keys", () => {
    expect(
      aliasesOf(
        fileWith({
          image_url: { type: "string" },
          aspect_ratio: { type: "string" },
          promptImage: { type: "string" },
          seed: { type: "integer" },
        }),
      ),
    ).toEqual({
      image_url: "imageUrl",
      aspect_ratio: "aspectRatio",
      promptImage: "promptImage",
      seed: "seed",
    });
  });

  it("keeps an alias when upstream renumbers the node", () => {
    const before = fileWith({
      "143_image": { title: "Image", type: "string" },
      "149_cfg": { title: "Guidance Scale", type: "number" },
    });
    const after = fileWith({
      "150_image": { title: "Image", type: "string" },
      "212_cfg": { title: "Guidance Scale", type: "number" },
    });
    expect(Object.values(aliasesOf(before))).toEqual(Object.values(aliasesOf(after)));
    expect(aliasesOf(after)).toEqual({ "150_image": "image", "212_cfg": "cfg" });
  });

  it("is deterministic: the same file always gives the same aliases", () => {
    const file = seedFile("community/wan-2-1/fusionx/image-to-video");
    expect(aliasesOf(file)).toEqual(aliasesOf(JSON.parse(JSON.stringify(file))));
  });

  it("fails on a collision with a message that shows the override to add", () => {
    const file = fileWith({
      "143_image": { title: "Image", type: "string" },
      "150_image": { title: "Image", type: "string" },
    });
    let error: unknown;
    try {
      specOf(file);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GeneratorError);
    const message = (error as Error).message;
    expect(message).toContain('fields "143_image" and "150_image" would all be called "image"');
    expect(message).toContain('"aliases": { "150_image": "anotherName" }');
    expect(message).toContain("schemas/test/model.json");
    expect(message).not.toMatch(/image1|image2/);
  });

  it("fails when an alias equals another field's raw key", () => {
    const file = fileWith(
      { "149_cfg": { title: "Guidance Scale", type: "number" }, cfg: { type: "number" } },
      { aliases: { cfg: "guidance" } },
    );
    expect(() => specOf(file)).toThrow(/field "149_cfg" would be called "cfg", which is the raw key of another field/);
  });

  it("applies overrides by raw key and by node-agnostic pattern", () => {
    const file = fileWith(
      {
        "143_image": { title: "Image", type: "string" },
        "150_image": { title: "Image", type: "string" },
        "9_mask": { title: "Image", type: "string" },
      },
      { aliases: { "150_image": "referenceImage", "*_mask": "mask" } },
    );
    const spec = specOf(file);
    expect(Object.fromEntries(spec.fields.map((field) => [field.key, [field.alias, field.aliasOrigin]]))).toEqual({
      "143_image": ["image", "vocabulary"],
      "150_image": ["referenceImage", "override"],
      "9_mask": ["mask", "override"],
    });
  });

  it("rejects an override that is not an identifier or matches two fields", () => {
    expect(() => specOf(fileWith({ "1_a": { type: "string" } }, { aliases: { "1_a": "not valid" } }))).toThrow(
      /not a valid identifier/,
    );
    expect(() =>
      specOf(
        fileWith({ "1_image": { type: "string" }, "2_image": { type: "string" } }, { aliases: { "*_image": "pic" } }),
      ),
    ).toThrow(/matches "1_image" and "2_image"/);
  });

  it("warns about an override that matches nothing", () => {
    const spec = specOf(fileWith({ "1_image": { title: "Image", type: "string" } }, { aliases: { "7_gone": "gone" } }));
    expect(spec.warnings.map((warning) => warning.code)).toContain("alias-override-unused");
  });

  it("falls back from an unknown title to its camelCase, then to the node input name", () => {
    expect(
      aliasesOf(
        fileWith({
          "3_strength": { title: "Motion Strength", type: "number" },
          "4_positive_prompt": { title: "提示词", type: "string" },
          "5_lora_name": { type: "string" },
        }),
      ),
    ).toEqual({ "3_strength": "motionStrength", "4_positive_prompt": "prompt", "5_lora_name": "loraName" });
  });

  it("prefixes aliases every object already has (an optional `valueOf?: number` would reject inputs that leave it out)", () => {
    expect(
      aliasesOf(
        fileWith({
          constructor: { type: "integer" },
          valueOf: { type: "integer" },
          "7_text": { title: "To String", type: "string" },
          __proto__x: { type: "string" },
        }),
      ),
    ).toEqual({
      constructor: "fieldConstructor",
      valueOf: "fieldValueOf",
      "7_text": "fieldToString",
      __proto__x: "protoX",
    });
    expect(() => specOf(fileWith({ "1_a": { type: "string" } }, { aliases: { "1_a": "toString" } }))).toThrow(
      /"toString" is a name every object already has/,
    );
  });

  it("parses compound size labels and offers the short form only when unambiguous", () => {
    expect(sizeOptions(["720x720 (1:1)", "1280x720 (16:9)"])).toEqual([
      { label: "720x720 (1:1)", width: 720, height: 720, short: "720x720" },
      { label: "1280x720 (16:9)", width: 1280, height: 720, short: "1280x720" },
    ]);
    expect(sizeOptions(["720x720 (1:1)", "720x720 (square)"])!.map((option) => option.short)).toEqual([
      undefined,
      undefined,
    ]);
    expect(sizeOptions(["low", "high"])).toBeUndefined();
  });

  it("has small, explainable building blocks", () => {
    expect(vocabularyName("Resolution (W:H)")).toBe("resolution");
    expect(vocabularyName("Frames Per Second")).toBe("fps");
    expect(vocabularyName("positive_prompt")).toBe("prompt");
    expect(camelCase("__proto__")).toBe("proto");
    expect(camelCase("Image URL")).toBe("imageUrl");
    expect(camelCase("3d")).toBeUndefined();
  });
});

describe("friendly names of nested members", () => {
  const elements = (members: Record<string, unknown>) => ({
    elements: { type: "array", items: { type: "object", properties: members } },
  });
  const membersOf = (file: unknown) =>
    Object.fromEntries(
      specOf(file).fields[0]!.value.items!.properties!.map((property) => [
        property.key,
        [property.alias, property.aliasOrigin],
      ]),
    );

  it("camelCases plain member keys at every depth, and keeps a key that is camelCase already", () => {
    const spec = specOf(
      fileWith({
        multi_prompt: {
          type: "array",
          items: {
            type: "object",
            properties: {
              prompt: { type: "string" },
              shot_duration: { type: "integer" },
              cameraMove: {
                type: "object",
                properties: { pan_speed: { type: "number" }, tiltURL: { type: "string" } },
              },
            },
          },
        },
      }),
    );
    const item = spec.fields[0]!.value.items!;
    expect(item.properties!.map((property) => [property.key, property.alias])).toEqual([
      ["prompt", "prompt"],
      ["shot_duration", "shotDuration"],
      ["cameraMove", "cameraMove"],
    ]);
    expect(item.properties![2]!.value.properties!.map((property) => [property.key, property.alias])).toEqual([
      ["pan_speed", "panSpeed"],
      ["tiltURL", "tiltURL"],
    ]);
    expect([...spec.types.nested]).toEqual([
      ["multi_prompt[]", { friendly: "TestModelMultiPromptItem", raw: "TestModelRawMultiPromptItem" }],
      [
        "multi_prompt[].cameraMove",
        { friendly: "TestModelMultiPromptItemCameraMove", raw: "TestModelRawMultiPromptItemCameraMove" },
      ],
    ]);
  });

  it("stops on two members of one object with one name, showing the nested override to add", () => {
    expect(() =>
      specOf(fileWith(elements({ frontal_image_url: { type: "string" }, frontalImageUrl: { type: "string" } }))),
    ).toThrow(
      /members of "elements\[\]" "frontal_image_url" and "frontalImageUrl" would all be called "frontalImageUrl"\. Give one of them its own name in schemas\/test\/model\.json, e\.g\.\n {2}"aliases": \{ "elements\[\]\.frontalImageUrl": "anotherName" \}/,
    );
    // Members of different objects may share a name.
    expect(
      specOf(
        fileWith({
          ...elements({ image_url: { type: "string" } }),
          keyframes: { type: "array", items: { type: "object", properties: { image_url: { type: "string" } } } },
        }),
      ).fields.map((field) => field.value.items!.properties![0]!.alias),
    ).toEqual(["imageUrl", "imageUrl"]);
  });

  it("takes overrides by path of raw keys, and warns about one that matches nothing", () => {
    const file = fileWith(
      {
        ...elements({ frontal_image_url: { type: "string" }, frontalImageUrl: { type: "string" } }),
        settings: { type: "object", properties: { mode_name: { type: "string" } } },
      },
      { aliases: { "elements[].frontal_image_url": "front", "settings.mode_name": "mode", "elements[].gone": "x" } },
    );
    expect(membersOf(file)).toEqual({
      frontal_image_url: ["front", "override"],
      frontalImageUrl: ["frontalImageUrl", "key"],
    });
    const spec = specOf(file);
    expect(spec.fields[1]!.value.properties![0]!.alias).toBe("mode");
    expect(
      spec.warnings.filter((warning) => warning.code === "alias-override-unused").map((warning) => warning.message),
    ).toEqual(['alias override "elements[].gone" matches no input field; it is ignored']);
    expect(() =>
      specOf(fileWith(elements({ a_b: { type: "string" } }), { aliases: { "elements[].a_b": "not valid" } })),
    ).toThrow(/alias override "elements\[\]\.a_b": "not valid" is not a valid identifier/);
  });

  it("names __proto__ and Object.prototype members at depth as at the top level", () => {
    // JSON.parse: a `__proto__` key in an object literal would set the prototype instead.
    const members = JSON.parse('{"__proto__": {"type": "string"}, "constructor": {"type": "integer"}}') as Record<
      string,
      unknown
    >;
    const spec = specOf(fileWith(elements(members)));
    expect(spec.fields[0]!.value.items!.properties!.map((property) => [property.key, property.alias])).toEqual([
      ["__proto__", "proto"],
      ["constructor", "fieldConstructor"],
    ]);
  });
});
