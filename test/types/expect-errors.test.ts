/**
 * Every `@ts-expect-error` of the consumer files fails for the reason it names (see `test/helpers/expect-errors.ts`:
 * `// @ts-expect-error TS2561 "'prompt'" -- why`), so a mistake that fails for another reason (a missing required
 * field, TS2353 on a union instead of "Did you mean 'prompt'?") fails this test, and every other line compiles.
 */
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { expectedErrors } from "../helpers/expect-errors.ts";
import { ROOT } from "../helpers/project.ts";

describe.each([
  ["test/types", "consumer.ts"],
  ["test/typecheck", "consumer.ts"],
])("the @ts-expect-error lines of %s/%s", (folder, name) => {
  const report = expectedErrors(join(ROOT, folder, "tsconfig.json"), join(ROOT, folder, name));

  it("are compiled as a strict consumer would (strict, exactOptionalPropertyTypes, NodeNext)", () => {
    expect(report.options.strict).toBe(true);
    expect(report.options.exactOptionalPropertyTypes).toBe(true);
    expect(report.options.moduleResolution).toBe(ts.ModuleResolutionKind.NodeNext);
    expect(report.directives).toBeGreaterThan(5);
  });

  it("each name the error they expect", () => {
    expect(report.unnamed).toEqual([]);
  });

  it("each fail with exactly that error, and no other line fails", () => {
    expect(report.unexpected).toEqual([]);
    expect(report.silent).toEqual([]);
  });
});
