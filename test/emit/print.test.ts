/**
 * The printer behind the emitters (`generator/emit/print/`) against the
 * oracle it imitates: for hundreds of seeded random declarations and modules
 * built only from the constructs the emitters use, the printed text is a
 * fixed point of Prettier (pinned) with the package's options. A printer
 * change that Prettier would lay out differently fails here with the first
 * differing lines.
 */
import { format } from "prettier";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../emulator/faults.ts";
import {
  constDeclaration,
  exportDefault,
  exportFrom,
  importDeclaration,
  js,
  type Expression,
} from "../../generator/emit/print/js.ts";
import { hardline, join, layout, PACKAGE_FORMAT } from "../../generator/emit/print/layout.ts";
import { firstDifference } from "../helpers/text-diff.ts";
import { modelIdAlias } from "../../generator/emit/package.ts";
import ts from "typescript";
import {
  commentSafe,
  docComment,
  loadStringWidth,
  numberLiteral,
  stringLiteral,
} from "../../generator/emit/print/text.ts";
import {
  declareConst,
  declareFunction,
  exportTypeFrom,
  importType,
  interfaceDeclaration,
  statements,
  t,
  typeAlias,
  type Member,
  type TypeNode,
} from "../../generator/emit/print/ts.ts";

await loadStringWidth();

const KEYS = [
  "a",
  "id",
  "key",
  "name",
  "path",
  "kind",
  "alias",
  "nodes",
  "media",
  "range",
  "minimum",
  "143_image",
  "169_valuex170_value",
  "__proto__",
  "constructor",
  "x-y",
  "it's",
  'say "hi"',
  "漢字",
  "é",
  "with space",
  "back\\slash",
  "*/",
  "a\nb",
  "$dollar",
  "frontalImageUrl",
];
const STRINGS = [
  "720x720 (1:1)",
  "it's",
  'say "hi"',
  "漢字テキスト",
  "a\\b",
  "tab\there",
  "\u2028",
  "x".repeat(40),
  "x".repeat(90),
  "y".repeat(112),
  "z".repeat(114),
  "",
  "'",
  '"',
  "😀 emoji",
  "*/ end",
  "${x}",
  "`tick`",
];
const DOCS = [
  "One line.",
  "Title\n\nDescription with */ and\nmore lines   ",
  "  leading",
  "Range: 1 to 2.\n@default 5",
  "漢字の説明",
];

function generator(seed: number) {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const count = (max: number) => Math.floor(random() * max);
  const leaf = (): TypeNode =>
    pick([
      t.name("string"),
      t.name("number"),
      t.name("boolean"),
      t.name("unknown"),
      t.name("undefined"),
      t.literal(pick(STRINGS)),
      t.literal(count(2000) - 500),
      t.literal(random() * 10),
      t.literal(true),
      t.literal(null),
      t.name("CommunityFantasyPortraitImageToVideoResolution"),
    ]);
  const ref = (): TypeNode =>
    random() < 0.5 ? leaf() : t.ref(pick(["Model", "Readonly", "Record"]), Array.from({ length: 1 + count(4) }, leaf));
  const size = (): TypeNode =>
    t.object([
      { key: "width", readonly: true, type: t.literal(count(2000)) },
      { key: "height", readonly: true, type: t.literal(count(2000)) },
    ]);
  const type = (): TypeNode => {
    const r = random();
    if (r < 0.35) return ref();
    if (r < 0.65) return t.union(Array.from({ length: 2 + count(10) }, () => (random() < 0.2 ? size() : leaf())));
    if (r < 0.85) {
      const element = random() < 0.5 ? ref() : t.union(Array.from({ length: 2 + count(6) }, leaf));
      const which = random();
      if (which < 0.4) return t.array(element);
      if (which < 0.8) return t.readonlyArray(element);
      return t.readonlyArray(random() < 0.5 ? t.readonlyArray(element) : t.union([t.readonlyArray(element), leaf()]));
    }
    if (r < 0.92) return inline();
    return leaf();
  };
  /** An inline object type (an output's nested object): members with docs, perhaps an index signature. */
  const inline = (): TypeNode =>
    t.object(
      [...new Set(Array.from({ length: count(4) }, () => pick(KEYS)))].map((key) => ({
        key,
        optional: random() < 0.5,
        type: random() < 0.5 ? leaf() : t.array(ref()),
        ...(random() < 0.5 ? { doc: pick(DOCS) } : {}),
      })),
      random() < 0.5 ? t.name("unknown") : undefined,
    );
  const members = (max: number): Member[] =>
    [...new Set(Array.from({ length: count(max) }, () => pick(KEYS)))].map((key) => ({
      key,
      optional: random() < 0.5,
      readonly: random() < 0.2,
      type: type(),
      ...(random() < 0.5 ? { doc: pick(DOCS) } : {}),
    }));
  const value = (depth: number): Expression => {
    const r = random();
    if (depth > 3 || r < 0.35)
      return pick<Expression>([pick(STRINGS), count(3000) - 1000, random() * 5, true, false, null, js.name("id")]);
    if (r < 0.55) return Array.from({ length: count(6) }, () => (random() < 0.5 ? count(2000) : value(depth + 1)));
    if (r < 0.6) return Array.from({ length: 1 + count(30) }, () => count(100000));
    if (r < 0.9)
      return js.object(
        [...new Set(Array.from({ length: count(7) }, () => pick(KEYS)))].map((key) => ({
          key,
          value: value(depth + 1),
        })),
      );
    return js.arrow(["input"], js.call("model.build", [js.name("input")]));
  };
  return { random, pick, count, type, ref, members, value };
}

async function expectFixedPoint(text: string, parser: "typescript" | "babel"): Promise<void> {
  const formatted = await format(text, { ...PACKAGE_FORMAT, parser });
  if (formatted !== text) expect.fail(firstDifference(text, formatted, ["printed", "prettier"]));
}

describe("printed TypeScript declarations are what Prettier prints", () => {
  it.each(Array.from({ length: 8 }, (_, index) => index + 1))("seed %i: 40 random declaration files", async (seed) => {
    const g = generator(seed);
    for (let file = 0; file < 40; file++) {
      const doc = statements([
        "// Generated header",
        importType(
          ["AnnotatedSchema", "Model", ...Array.from({ length: g.count(12) }, (_, k) => `Name${k}LongishIdentifier`)],
          "../../../runtime/model.js",
        ),
        null,
        interfaceDeclaration({
          doc: "Input of `x`.",
          name: "CommunityFantasyPortraitImageToVideoInput",
          members: g.members(8),
          ...(g.random() < 0.3 ? { index: t.name("unknown") } : {}),
        }),
        null,
        typeAlias(
          g.random() < 0.5 ? "Alias doc." : undefined,
          "CommunityFantasyPortraitImageToVideoResolution",
          g.type(),
        ),
        exportTypeFrom(
          Array.from({ length: 1 + g.count(8) }, (_, k) => `CommunityFantasyPortraitImageToVideo${k}`),
          "./models/x.js",
        ),
        declareConst("Model id.", "model", g.type()),
        declareFunction("Build.", "build", [{ name: "input", type: g.ref() }], g.ref()),
      ]);
      await expectFixedPoint(layout(doc), "typescript");
    }
  });
});

describe("the root entry's ModelId union is what Prettier prints", () => {
  const long = `vendor/${"very-long-segment/".repeat(6)}image-to-video`;
  it.each<[string, string[]]>([
    ["no model", []],
    ["one short id", ["acme/x"]],
    ["one id too long for a line", [long]],
    ["short ids on one line", ["a/b", "c/d", "e/f"]],
    ["ids that break the line", ["acme/first-model", long, "acme/third"]],
    ["ids with quotes (Prettier picks the quote)", [`it's/a`, `say "hi"/b`, `both'"/c`]],
    ["many ids", Array.from({ length: 40 }, (_, index) => `vendor${index}/model-${index}`)],
  ])("%s", async (_, ids) => {
    await expectFixedPoint(`${modelIdAlias(ids)}\n`, "typescript");
  });
});

describe("printed JavaScript modules are what Prettier prints", () => {
  it.each(Array.from({ length: 8 }, (_, index) => index + 1))("seed %i: 40 random modules", async (seed) => {
    const g = generator(seed);
    for (let file = 0; file < 40; file++) {
      const models = [
        ...new Set(
          Array.from({ length: g.count(5) }, () =>
            g.pick(["a/b", "kling/kling-video-o3/4K/image-to-video", "x", `vendor/${"long-segment/".repeat(8)}x`]),
          ),
        ),
      ];
      const parts = [
        "// Generated header",
        importDeclaration(
          ["defineModel", ...Array.from({ length: g.count(10) }, (_, k) => `helperNumber${k}`)],
          "../../../runtime/model.js",
        ),
        exportFrom(["inputSchema", "outputSchema"], "./x.js"),
        constDeclaration(
          "fields",
          Array.from({ length: g.count(6) }, () => g.value(1)),
        ),
        constDeclaration("id", g.pick(STRINGS), true),
        constDeclaration(
          "model",
          js.call(
            "defineModel",
            [
              js.object([
                { key: "id", value: js.name("id"), shorthand: true },
                { key: "validate", value: js.name("validate"), shorthand: true },
              ]),
            ],
            true,
          ),
          true,
        ),
        constDeclaration("build", js.arrow(["input"], js.call("model.build", [js.name("input")])), true),
        constDeclaration(
          "models",
          js.object(models.map((key) => ({ key, value: js.arrow([], js.dynamicImport(`../models/${key}.js`)) }))),
          true,
        ),
        constDeclaration("data", g.value(0), true),
        exportDefault("model"),
      ];
      await expectFixedPoint(layout([join(hardline, parts), hardline]), "babel");
    }
  });
});

describe("tokens", () => {
  it.each([
    ["plain", '"plain"'],
    ["it's", '"it\'s"'],
    ['say "hi"', "'say \"hi\"'"],
    ['both \' and ""', "'both \\' and \"\"'"],
    ["back\\slash", '"back\\\\slash"'],
    ["line\nbreak", '"line\\nbreak"'],
  ])("string %j prints as %s", (value, printed) => {
    expect(stringLiteral(value)).toBe(printed);
  });

  it("numbers print in their canonical form", () => {
    expect([1, 0.5, 1e21, 1.5e-7, 2.5].map(numberLiteral)).toEqual(["1", "0.5", "1e21", "1.5e-7", "2.5"]);
    expect(() => numberLiteral(Number.NaN)).toThrow(RangeError);
  });
});

describe("doc comments from schema text", () => {
  // What TypeScript reads as tags in a doc comment (editors mark a field deprecated by its @deprecated tag).
  const tagsOf = (comment: string): string[] => {
    const file = ts.createSourceFile("a.ts", `${comment}\nexport const x = 1;`, ts.ScriptTarget.Latest, true);
    const statement = file.statements[0] as ts.VariableStatement;
    return ts.getJSDocTags(statement.declarationList.declarations[0]!).map((tag) => tag.tagName.text);
  };

  it.each([
    ["@deprecated do not use", "\\@deprecated do not use"],
    ["Upscale @2x images; @internal note", "Upscale \\@2x images; \\@internal note"],
    ["see {@link https://example.com}", "see {\\@link https://example.com}"],
    ["mail me at a@example.com", "mail me at a@example.com"],
    ["line one\n@param x y", "line one\n\\@param x y"],
  ])("escapes the tag-like @ of %j", (text, expected) => {
    expect(commentSafe(text)).toBe(expected);
    const comment = layout(docComment(`${text}\n@default 3`));
    expect(tagsOf(comment)).toEqual(["default"]);
  });
});
