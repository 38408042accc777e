import { describe, expect, it } from "vitest";
import { GeneratorErrors } from "../../generator/lib/diagnostics.ts";
import { loadModels } from "../../generator/model/load.ts";
import { emitModelTypes } from "../../generator/emit/declarations.ts";
import { assignModelNames, NAMED_ENUM_MIN, readableTypeName } from "../../generator/model/naming.ts";
import {
  assignModelPaths,
  checkModelId,
  encodeSegment,
  MAX_SEGMENT_NAME,
  modulePathFor,
} from "../../generator/lib/model-id.ts";
import type { ModelSpec } from "../../generator/model/types.ts";

const TRICKY_IDS = [
  "community/fantasy-portrait/image-to-video",
  "kling/kling-3.0/pro/image-to-video",
  "kling/kling-3-0/pro/image-to-video",
  "kling/kling30/pro/image-to-video",
  "kling/kling-video-o3/4K/image-to-video",
  "kling/kling-video-o3/4k/image-to-video",
  "minimax/Hailuo Video 01 Live",
  "minimax/hailuo-video-01-live",
  "3d-lab/mesh/text-to-3d",
  "a/b-c",
  "a-b/c",
  "a/b/c",
  "vendor/aux",
  "vendor/con.json",
  "google/nano-banana-2/edit",
  "tongyi-mai/z-image/turbo/controlnet/lora",
  "x/a.b/c/d/e/f",
];

/** Characters a file or subpath name must not hold on some platform (Windows, URLs, import specifiers); `~` starts an escape. */
const UNSAFE = /[<>:"|?*\\\s#%{}^`[\]]/;

describe("model ids to paths", () => {
  it("keeps ids as they are, case included, whenever every file system can hold them", () => {
    for (const id of [
      "community/fantasy-portrait/image-to-video",
      "kling/kling-3.0/pro/image-to-video",
      "kling/kling-video-o3/4K/image-to-video",
      "bytedance/seedance-2.0/pro",
      "google-deepmind/veo-3-1/fast/first-last-frame-to-video",
      "tongyi-mai/z-image/turbo/controlnet/lora",
      "runwayml/runway-gen-4/turbo/image-to-video",
    ])
      expect(modulePathFor(id), id).toBe(id);
  });

  it.each([
    ["minimax/Hailuo Video 01 Live", "minimax/Hailuo~20Video~2001~20Live"],
    ["vendor/aux", "vendor/~61ux"],
    ["vendor/CON.json", "vendor/~43ON.json"],
    ["vendor/lpt1", "vendor/~6cpt1"],
    ["vendor/v1.", "vendor/v1~2e"],
    ["vendor/a~b", "vendor/a~7eb"],
    ["vendor/a*b", "vendor/a~2ab"],
    ['vendor/say"hi"', "vendor/say~22hi~22"],
    ["vendor/ü", "vendor/~c3~bc"],
    ["vendor/x:y|z", "vendor/x~3ay~7cz"],
  ])("encodes only what some file system or specifier cannot hold: %s → %s", (id, path) => {
    expect(modulePathFor(id)).toBe(path);
    for (const segment of path.split("/")) expect(segment, path).not.toMatch(UNSAFE);
  });

  it("encodes reversibly: ~ and two hex digits per UTF-8 byte, so no two ids share a path", () => {
    const decode = (segment: string) =>
      new TextDecoder().decode(
        Uint8Array.from(
          segment.replace(/~([0-9a-f]{2})|./gs, (all, hex: string | undefined) =>
            hex ? String.fromCharCode(parseInt(hex, 16)) : all,
          ),
          (c) => c.charCodeAt(0),
        ),
      );
    for (const segment of ["Hailuo Video 01 Live", "a~b", "aux", "v1.", "ü*", "~7e", "a b~20c"])
      expect(decode(encodeSegment(segment)), segment).toBe(segment);
    expect(encodeSegment("a b")).not.toBe(encodeSegment("a~20b"));
  });

  it("suffixes a hash only where two ids differ in case alone, keeping the all-lower-case one as it is", () => {
    const paths = assignModelPaths([
      "kling/kling-video-o3/4K/image-to-video",
      "kling/kling-video-o3/4k/image-to-video",
      "kling/kling-video-o3/pro/image-to-video",
    ]);
    expect(paths.get("kling/kling-video-o3/4k/image-to-video")).toEqual({
      path: "kling/kling-video-o3/4k/image-to-video",
      collidesWith: ["kling/kling-video-o3/4K/image-to-video"],
      suffixed: false,
    });
    expect(paths.get("kling/kling-video-o3/4K/image-to-video")).toEqual({
      path: expect.stringMatching(/^kling\/kling-video-o3\/4K~~[0-9a-f]{6}\/image-to-video$/),
      collidesWith: ["kling/kling-video-o3/4k/image-to-video"],
      suffixed: true,
    });
    expect(paths.get("kling/kling-video-o3/pro/image-to-video")).toEqual({
      path: "kling/kling-video-o3/pro/image-to-video",
      collidesWith: [],
      suffixed: false,
    });
    // Alone, the upper-case id keeps its own name.
    expect(
      assignModelPaths(["kling/kling-video-o3/4K/image-to-video"]).get("kling/kling-video-o3/4K/image-to-video")!.path,
    ).toBe("kling/kling-video-o3/4K/image-to-video");
  });

  it("finds collisions of folders too (a/Foo/x and a/foo/y would share a folder)", () => {
    const paths = assignModelPaths(["a/Foo/x", "a/foo/y", "a/FOO/z"]);
    expect(paths.get("a/foo/y")!.path).toBe("a/foo/y");
    expect(paths.get("a/Foo/x")!.path).toMatch(/^a\/Foo~~[0-9a-f]{6}\/x$/);
    expect(paths.get("a/FOO/z")!.path).toMatch(/^a\/FOO~~[0-9a-f]{6}\/z$/);
    expect(paths.get("a/Foo/x")!.collidesWith).toEqual(["a/FOO/z", "a/foo/y"]);
    // Without an all-lower-case spelling, every spelling gets a suffix.
    const none = assignModelPaths(["a/Ab/x", "a/aB/x"]);
    expect([...none.values()].every((path) => path.suffixed)).toBe(true);
  });

  it("maps every id to a distinct path (also case-insensitively), whatever the order", () => {
    const forward = assignModelPaths(TRICKY_IDS);
    const backward = assignModelPaths([...TRICKY_IDS].reverse());
    for (const id of TRICKY_IDS) expect(backward.get(id)).toEqual(forward.get(id));
    const folded = TRICKY_IDS.map((id) => forward.get(id)!.path.toLowerCase());
    expect(new Set(folded).size).toBe(TRICKY_IDS.length);
    // And no path is a folder of another one's file: every prefix is distinct from every file name.
    const files = new Set(folded.flatMap((path) => [`${path}.js`, `${path}.json`, `${path}.d.ts`]));
    for (const path of folded) {
      const parts = path.split("/");
      for (let length = 1; length < parts.length; length++)
        expect(files.has(parts.slice(0, length).join("/"))).toBe(false);
    }
  });

  it("says in a warning which ids collide and where each one went", () => {
    const { specs } = load(
      [model("kling/kling-video-o3/4K/image-to-video"), model("kling/kling-video-o3/4k/image-to-video")],
      (id) =>
        assignModelPaths(["kling/kling-video-o3/4K/image-to-video", "kling/kling-video-o3/4k/image-to-video"]).get(id)!
          .path,
    );
    const upper = specs.find((spec) => spec.id === "kling/kling-video-o3/4K/image-to-video")!;
    const lower = specs.find((spec) => spec.id === "kling/kling-video-o3/4k/image-to-video")!;
    expect(lower.warnings.filter((warning) => warning.code === "model-path-case")).toEqual([]);
    expect(upper.warnings.find((warning) => warning.code === "model-path-case")?.message).toMatch(
      /^model id "kling\/kling-video-o3\/4K\/image-to-video" differs only in case from "kling\/kling-video-o3\/4k\/image-to-video", which would share a file on case-insensitive file systems; its modules and schema file are at kling\/kling-video-o3\/4K~~[0-9a-f]{6}\/image-to-video/,
    );
  });
});

describe("model ids to type names", () => {
  it("gives every id a distinct valid type name", () => {
    const names = assignModelNames(TRICKY_IDS);
    const types = TRICKY_IDS.map((id) => names.get(id)!.typeName);
    expect(new Set(types).size).toBe(TRICKY_IDS.length);
    for (const type of types) expect(type).toMatch(/^[A-Z][A-Za-z0-9_]*$/);
  });

  it("is deterministic and does not depend on order", () => {
    const forward = assignModelNames(TRICKY_IDS);
    const backward = assignModelNames([...TRICKY_IDS].reverse());
    for (const id of TRICKY_IDS) expect(backward.get(id)).toEqual(forward.get(id));
  });

  it("reads naturally in the common case", () => {
    expect(readableTypeName("community/wan-2-1/fusionx/image-to-video")).toBe("CommunityWan21FusionxImageToVideo");
    expect(readableTypeName("kling/kling-video-o3/4K/image-to-video")).toBe("KlingKlingVideoO34KImageToVideo");
    expect(readableTypeName("3d-lab/mesh")).toBe("M3DLabMesh");
    expect(assignModelNames(["community/wan-2-2/vace-fun"]).get("community/wan-2-2/vace-fun")).toMatchObject({
      modulePath: "community/wan-2-2/vace-fun",
      typeName: "CommunityWan22VaceFun",
    });
  });

  it("needs no member names: ids that were reserved words or client methods read plainly", () => {
    const names = assignModelNames(["default/model", "run/model", "constructor/model"]);
    expect([...names.values()].map((name) => name.typeName)).toEqual(["DefaultModel", "RunModel", "ConstructorModel"]);
  });

  it.each([["single"], ["a//b"], ["a/../b"], ["a/b/c/d/e/f/g"], [" a/b"], ["a/b?x"]])(
    "rejects the invalid id %j with a reason",
    (id) => {
      expect(() => checkModelId(id)).toThrow(/invalid model id/);
    },
  );

  it("refuses a segment too long for a file name once encoded (an update's temp file would exceed 255 bytes)", () => {
    expect(() => checkModelId(`acme/${"x".repeat(MAX_SEGMENT_NAME)}`)).not.toThrow();
    expect(() => checkModelId(`acme/${"x".repeat(MAX_SEGMENT_NAME + 1)}`)).toThrow(
      /segment "x{24}…" is 201 characters as a file name .*at most 200 are supported/,
    );
    // Encoded, a non-ASCII character takes three characters per UTF-8 byte: 33 × "ü" is 198, 34 × "ü" is 204.
    expect(() => checkModelId(`acme/${"ü".repeat(33)}`)).not.toThrow();
    expect(() => checkModelId(`${"ü".repeat(34)}/model`)).toThrow(/is 204 characters as a file name/);
    // The longest accepted id fits every file it names, the case-collision suffix and an atomic write's temp suffix.
    const path = modulePathFor(`acme/${"x".repeat(MAX_SEGMENT_NAME)}`);
    expect(Buffer.byteLength(`${path.split("/").at(-1)}~~abcdef.d.ts.tmp-4194304-999-0123abcd`)).toBeLessThanOrEqual(
      255,
    );
  });

  it("gives `X` and `XRaw` distinct type names (`XRawInput` would be both)", () => {
    const names = assignModelNames(["acme/foo", "acme/foo-raw", "acme/bar"]);
    expect(names.get("acme/foo")!.typeName).toMatch(/^AcmeFoo_[0-9a-f]{6}$/);
    expect(names.get("acme/foo-raw")!.typeName).toMatch(/^AcmeFooRaw_[0-9a-f]{6}$/);
    expect(names.get("acme/bar")!.typeName).toBe("AcmeBar");
    const { specs } = load([model("acme/foo"), model("acme/foo-raw")]);
    const declared = specs.flatMap(exportedTypes);
    expect(new Set(declared).size).toBe(declared.length);
  });

  it("fails, naming both declarations and the fix, when a size field's type would take another type's name", () => {
    const properties = { "169_valuex170_value": { type: "string", enum: ["720x720 (1:1)", "1280x720 (16:9)"] } };
    const sized = model("acme/foo", { properties, aliases: { "169_valuex170_value": "input" } });
    let error: unknown;
    try {
      load([sized]);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GeneratorErrors);
    const [problem] = (error as GeneratorErrors).errors;
    expect(problem!.code).toBe("type-name-collision");
    expect(problem!.message).toContain(
      'type name AcmeFooInput would be declared twice: the input type of "acme/foo" and the size type of field "input" of "acme/foo"',
    );
    expect(problem!.message).toContain(
      'give "169_valuex170_value" of "acme/foo" another alias in schemas/acme/foo.json ("aliases": { "169_valuex170_value": "otherName" })',
    );
    // Any other alias is fine.
    expect(
      load([model("acme/foo", { properties, aliases: { "169_valuex170_value": "size" } })]).specs[0]!.types.sizes.get(
        "size",
      ),
    ).toBe("AcmeFooSize");
  });
});

describe("nested type names", () => {
  it("fails a nested type that would take another nested type's name, naming the aliases key that renames it", () => {
    const properties = {
      camera: { type: "object", properties: { angle: { type: "string" } } },
      raw_camera: { type: "object", properties: { lens: { type: "string" } } },
    };
    let error: unknown;
    try {
      load([model("acme/foo", { properties })]);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GeneratorErrors);
    const [problem] = (error as GeneratorErrors).errors;
    expect(problem!.code).toBe("type-name-collision");
    const rename = /another alias in schemas\/acme\/foo\.json \("aliases": \{ "([^"]+)": "otherName" \}\)/.exec(
      problem!.message,
    );
    expect(problem!.message).toMatch(/type name AcmeFooRawCamera would be declared twice/);
    expect(rename?.[1]).toMatch(/^(camera|raw_camera)$/);
    // The hint works as given.
    const fixed = load([model("acme/foo", { properties, aliases: { [rename![1]!]: "otherName" } })]).specs[0]!;
    expect(new Set(exportedTypes(fixed)).size).toBe(exportedTypes(fixed).length);
  });
});

describe("named value types", () => {
  it("a top-level enum of NAMED_ENUM_MIN values or more, and a size field's labels, get named types", () => {
    const properties = {
      sampler: { type: "string", enum: ["euler", "euler_a", "dpm", "dpm_2", "ddim", "lms"] },
      scheduler: { type: "string", enum: ["karras", "simple"] },
      "169_valuex170_value": { type: "string", enum: ["720x720 (1:1)", "1280x720 (16:9)"] },
    };
    const [spec] = load([model("acme/foo", { properties })]).specs;
    expect([...spec!.types.enums]).toEqual([["sampler", "AcmeFooSampler"]]);
    expect([...spec!.types.labels.values()]).toEqual(["AcmeFooResolutionLabel"]);
    const dts = emitModelTypes(spec!);
    expect(dts).toContain('export type AcmeFooSampler = "euler" | "euler_a" | "dpm" | "dpm_2" | "ddim" | "lms";');
    expect(dts).toContain("sampler?: AcmeFooSampler | undefined;");
    expect(dts).toContain('scheduler?: "karras" | "simple" | undefined;');
    expect(dts).toContain('"169_valuex170_value"?: AcmeFooResolutionLabel | undefined;');
    expect(NAMED_ENUM_MIN).toBe(5);
  });
});

function model(id: string, extra: { properties?: Record<string, unknown>; aliases?: Record<string, string> } = {}) {
  return {
    modelId: id,
    sources: [],
    inputSchema: { type: "object", properties: extra.properties ?? { prompt: { type: "string" } } },
    ...(extra.aliases ? { aliases: extra.aliases } : {}),
  };
}

function load(files: ReturnType<typeof model>[], pathOf: (id: string) => string = (id) => id) {
  return loadModels(
    files.map((file) => ({ file: `schemas/${pathOf(file.modelId)}.json`, text: JSON.stringify(file) })),
    "schemas/",
  );
}

function exportedTypes(spec: ModelSpec): string[] {
  return [
    spec.types.input,
    spec.types.rawInput,
    spec.types.output,
    ...spec.types.sizes.values(),
    ...spec.types.labels.values(),
    ...spec.types.enums.values(),
  ];
}
