/**
 * The output contract of the generated package: every emitted file is what
 * Prettier (the pinned version, with the package's options) prints for it,
 * except the code ajv compiles into each model module (between its markers),
 * which is emitted as ajv prints it. The generator prints files directly (no formatter runs on the
 * hot path), so this test is what proves the format: it runs the full
 * formatter over the committed package (the seed models), over a package of
 * hostile schemas, and over a sample of the synthetic catalog with nested
 * inputs and plain-key catalog shapes.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { format } from "prettier";
import { afterAll, describe, expect, it } from "vitest";
import { PACKAGE_FORMAT } from "../../generator/emit/print/layout.ts";
import { VALIDATOR_END, VALIDATOR_START } from "../../generator/emit/validator.ts";
import { listFiles } from "../../generator/lib/files.ts";
import { writeSyntheticCatalog } from "../../bench/catalog.ts";
import { generatedPackage, type GeneratedPackage } from "../helpers/package.ts";
import { fixtureTexts, ROOT } from "../helpers/project.ts";
import { firstDifference } from "../helpers/text-diff.ts";

const PARSERS: Readonly<Record<string, string>> = {
  ".d.ts": "typescript",
  ".js": "babel",
  ".json": "json-stringify",
  ".md": "markdown",
};

function parserOf(path: string): string | undefined {
  const extension = Object.keys(PARSERS).find((suffix) => path.endsWith(suffix));
  return extension === undefined ? undefined : PARSERS[extension];
}

/** The part of a file the contract covers: a model module without ajv's code (its markers kept). */
function covered(path: string, text: string): string {
  if (!path.startsWith("models/") || !path.endsWith(".js")) return text;
  const start = text.indexOf(VALIDATOR_START);
  const end = text.indexOf(VALIDATOR_END);
  expect(start, `${path} marks where ajv's code starts`).toBeGreaterThan(0);
  expect(end, `${path} marks where ajv's code ends`).toBeGreaterThan(start);
  return text.slice(0, start + VALIDATOR_START.length + 1) + text.slice(end);
}

async function expectPrettierFormat(dir: string, paths: readonly string[]): Promise<number> {
  let checked = 0;
  for (const path of paths) {
    const parser = parserOf(path);
    // The schema snapshot is a verbatim copy of schemas/ (written by the generator's JSON serialiser, not emitted code).
    if (!parser || path.startsWith("schemas/")) continue;
    const text = covered(path, await readFile(join(dir, path), "utf8"));
    const formatted = await format(text, { ...PACKAGE_FORMAT, parser });
    if (formatted !== text) expect.fail(`${path}: ${firstDifference(text, formatted, ["emitted", "prettier"])}`);
    checked++;
  }
  return checked;
}

const packages: GeneratedPackage[] = [];
afterAll(() => Promise.all(packages.map((pkg) => pkg.cleanup())));

describe("every emitted file is what Prettier prints", () => {
  it("the committed package (seed models, runtime, index, registry, README, package.json)", async () => {
    const dir = join(ROOT, "generated");
    const checked = await expectPrettierFormat(dir, await listFiles(dir));
    expect(checked).toBeGreaterThan(80);
  });

  it("a package of hostile schemas", async () => {
    const pkg = await generatedPackage(await fixtureTexts(join(ROOT, "test/fixtures/hostile")));
    packages.push(pkg);
    const paths = (await listFiles(pkg.dir)).filter((path) => !path.startsWith("runtime/"));
    expect(await expectPrettierFormat(pkg.dir, paths)).toBeGreaterThan(20);
  });

  it("a sample of the synthetic catalog (nested inputs, plain-key catalog shapes, odd ids)", async () => {
    const pkg = await generatedPackage([]);
    packages.push(pkg);
    await writeSyntheticCatalog(ROOT, pkg.root, 40);
    const { generate } = await import("../../generator/package/generate.ts");
    await generate({ root: pkg.root, cache: false });
    const paths = (await listFiles(pkg.dir)).filter((path) => !path.startsWith("runtime/"));
    expect(await expectPrettierFormat(pkg.dir, paths)).toBeGreaterThan(100);
  });
});
