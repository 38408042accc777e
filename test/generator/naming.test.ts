import { describe, expect, it } from "vitest";
import { createClient } from "../../generated/runtime/client.js";
import { GeneratorErrors } from "../../generator/lib/diagnostics.ts";
import { loadModels } from "../../generator/model/load.ts";
import { assignModelNames, readableTypeName, RESERVED_MEMBER_NAMES } from "../../generator/model/naming.ts";
import { checkModelId, modulePathFor } from "../../generator/lib/model-id.ts";
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

describe("model ids to names", () => {
  it("keeps plain ids as module paths", () => {
    expect(modulePathFor("community/fantasy-portrait/image-to-video")).toBe(
      "community/fantasy-portrait/image-to-video",
    );
    expect(modulePathFor("kling/kling-3.0/pro/image-to-video")).toBe("kling/kling-3.0/pro/image-to-video");
  });

  it("encodes segments that are not safe on every file system", () => {
    expect(modulePathFor("kling/kling-video-o3/4K/image-to-video")).toMatch(
      /^kling\/kling-video-o3\/4k~[0-9a-f]{6}\/image-to-video$/,
    );
    expect(modulePathFor("minimax/Hailuo Video 01 Live")).toMatch(/^minimax\/hailuo-video-01-live~[0-9a-f]{6}$/);
    expect(modulePathFor("vendor/aux")).toMatch(/^vendor\/aux~[0-9a-f]{6}$/);
  });

  it("maps every id to a distinct path (also case-insensitively) and a distinct valid identifier", () => {
    const names = assignModelNames(TRICKY_IDS);
    const paths = TRICKY_IDS.map((id) => names.get(id)!.modulePath.toLowerCase());
    const types = TRICKY_IDS.map((id) => names.get(id)!.typeName);
    const members = TRICKY_IDS.map((id) => names.get(id)!.memberName);
    expect(new Set(paths).size).toBe(TRICKY_IDS.length);
    expect(new Set(types).size).toBe(TRICKY_IDS.length);
    expect(new Set(members).size).toBe(TRICKY_IDS.length);
    for (const type of types) expect(type).toMatch(/^[A-Z][A-Za-z0-9_]*$/);
    for (const member of members) expect(member).toMatch(/^[a-z][A-Za-z0-9_]*$/);
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
    expect(assignModelNames(["community/wan-2-2/vace-fun"]).get("community/wan-2-2/vace-fun")).toEqual({
      modulePath: "community/wan-2-2/vace-fun",
      typeName: "CommunityWan22VaceFun",
      memberName: "communityWan22VaceFun",
    });
  });

  it("suffixes member names that would be a reserved word, an index binding or a client member", () => {
    const ids = [
      "default/!!",
      "run/--",
      "constructor/~",
      "models/!!",
      "create-client/!!",
      "community/wan-2-2/vace-fun",
    ];
    const members = assignModelNames(ids);
    expect(ids.map((id) => members.get(id)!.memberName)).toEqual([
      expect.stringMatching(/^default_[0-9a-f]{6}$/),
      expect.stringMatching(/^run_[0-9a-f]{6}$/),
      expect.stringMatching(/^constructor_[0-9a-f]{6}$/),
      expect.stringMatching(/^models_[0-9a-f]{6}$/),
      expect.stringMatching(/^createClient_[0-9a-f]{6}$/),
      "communityWan22VaceFun",
    ]);
  });

  it("reserves every property of the client", () => {
    for (const key of Object.keys(createClient({ token: "t" }))) expect(RESERVED_MEMBER_NAMES.has(key), key).toBe(true);
  });

  it.each([["single"], ["a//b"], ["a/../b"], ["a/b/c/d/e/f/g"], [" a/b"], ["a/b?x"]])(
    "rejects the invalid id %j with a reason",
    (id) => {
      expect(() => checkModelId(id)).toThrow(/invalid model id/);
    },
  );

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
    expect(problem!.message).toContain("give that field another alias in schemas/acme/foo.json");
    // Any other alias is fine.
    expect(
      load([model("acme/foo", { properties, aliases: { "169_valuex170_value": "size" } })]).specs[0]!.types.sizes.get(
        "size",
      ),
    ).toBe("AcmeFooSize");
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

function load(files: ReturnType<typeof model>[]) {
  return loadModels(
    files.map((file) => ({ file: `schemas/${file.modelId}.json`, text: JSON.stringify(file) })),
    "schemas/",
  );
}

function exportedTypes(spec: ModelSpec): string[] {
  return [spec.types.input, spec.types.rawInput, spec.types.output, ...spec.types.sizes.values()];
}
