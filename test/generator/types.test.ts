import { describe, expect, it } from "vitest";
import { emitTypeDeclarations } from "../../generator/emit/types.ts";
import { fileWith, specOf } from "../helpers/spec.ts";

const OUTPUT = {
  type: "object",
  properties: { output: { type: "object", properties: { video: { type: "string" } } } },
};

describe("type declarations", () => {
  it("gives each model its own names and docs when models share an output schema (compiled once, renamed per model)", async () => {
    const first = specOf({ ...fileWith({ prompt: { type: "string" } }), modelId: "acme/first", outputSchema: OUTPUT });
    const second = specOf({ ...fileWith({ seed: { type: "integer" } }), modelId: "acme/second", outputSchema: OUTPUT });
    const [a, b] = await Promise.all([emitTypeDeclarations(first), emitTypeDeclarations(second)]);
    for (const [text, spec, other] of [
      [a, first, second],
      [b, second, first],
    ] as const) {
      expect(text).toContain(
        `/**\n * Output of \`${spec.id}\` (the result's \`output\` object). Unknown keys are kept.\n */\nexport interface ${spec.types.output} {`,
      );
      expect(text).toContain(`export interface ${spec.types.input} {`);
      expect(text).toContain(`export interface ${spec.types.rawInput} {`);
      expect(text).not.toContain(other.id);
      expect(text).not.toContain(other.names.typeName);
      expect(text).not.toContain("RuncomfyCodegenDeclaration");
    }
  });
});
