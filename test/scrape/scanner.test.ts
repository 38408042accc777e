/** The scraper's parts: JSON scanner, page text (HTML and plain), curl model ids and bodies, locale-free URLs. */
import { describe, expect, it } from "vitest";
import { findModelUrls, isCurlBody } from "../../generator/scrape/curl.ts";
import { JsonScanError, scanJsonObjects } from "../../generator/lib/json-scan.ts";
import { looksLikeHtml, readPage } from "../../generator/scrape/page-text.ts";
import { localeFreeOutputSchema, localeFreeUrl, mergeSources } from "../../generator/schemas/to-schema-file.ts";

function scanError(text: string): JsonScanError {
  try {
    scanJsonObjects(text);
  } catch (error) {
    if (error instanceof JsonScanError) return error;
    throw error;
  }
  throw new Error("expected broken JSON");
}

describe("scanJsonObjects", () => {
  it("finds concatenated objects with text glued to the braces", () => {
    const text = 'Text。{"a": {"b": [1, 2.5e3, true, null]}}{"output": {}}Mehr Text';
    const blocks = scanJsonObjects(text);
    expect(blocks.map((block) => block.value)).toEqual([{ a: { b: [1, 2500, true, null] } }, { output: {} }]);
    expect(text.slice(blocks[1]!.start, blocks[1]!.end)).toBe('{"output": {}}');
  });

  it("keeps braces, quotes and no-break spaces inside strings, and accepts CRLF and no-break spaces between tokens", () => {
    const text = '{\r\n\u00a0\u00a0"d": "use {name} and \\"}\\" here",\r\n\u00a0"e":\u202f"a\u00a0b"\r\n}';
    expect(scanJsonObjects(text).map((block) => block.value)).toEqual([
      { d: 'use {name} and "}" here', e: "a\u00a0b" },
    ]);
  });

  it("leaves prose braces alone: URL templates and empty-looking text are not JSON", () => {
    expect(scanJsonObjects("GET /v1/requests/{request_id}/status {。} { x }")).toEqual([]);
  });

  it("keeps a __proto__ key as data", () => {
    const [block] = scanJsonObjects('{"__proto__": {"x": 1}}');
    expect(Object.getPrototypeOf(block!.value)).toBe(Object.prototype);
    expect(Object.keys(block!.value)).toEqual(["__proto__"]);
  });

  it("reports broken JSON where it breaks and where the object started", () => {
    const text = 'intro\n{\n  "a": 1\n  "b": 2\n}';
    const error = scanError(text);
    expect(error.offset).toBe(text.indexOf('"b"'));
    expect(error.start).toBe(text.indexOf("{"));
    expect(error.message).toBe(`expected "," or "}" after a property value, found '"'`);
  });

  it.each([
    ['{"a": 1,}', "expected a property name in double quotes"],
    ['{"a": "line\nbreak"}', "a line break inside a string"],
    ['{"a": 01}', 'expected "," or "}"'],
    ['{"a": tru}', "expected a JSON value"],
    ['{"a": "\\x"}', "invalid escape \\x"],
    ['{"a": 1, "a": 2}', 'duplicate property "a"'],
    ['{"a": [1 2]}', 'expected "," or "]"'],
    ['{"a": "open', "unterminated string"],
  ])("rejects %j", (text, message) => {
    expect(scanError(text).message).toContain(message);
  });
});

describe("readPage", () => {
  it("tells HTML from text by how the page starts", () => {
    expect(looksLikeHtml("<!DOCTYPE html><p>x</p>")).toBe(true);
    expect(looksLikeHtml("\ufeff  <div class=a>x</div>")).toBe(true);
    expect(looksLikeHtml("Authorization: Bearer <token>\n<div>")).toBe(false);
    expect(looksLikeHtml("<token> is a placeholder")).toBe(false);
  });

  it("decodes entities, skips script/style/nav/template/hidden, and ends lines at blocks", () => {
    const page = readPage(
      '<html><head><title>T</title><script>{"x": 1}</script><style>a{b:c}</style></head><body><nav>Menu</nav>' +
        "<p>A&amp;B&#x2F;C&quot;</p><p>D<span>E</span>F</p><template>tpl</template><div hidden>hid</div>G<br>H</body></html>",
    );
    expect(page.text).toBe('A&B/C"\nDEF\nG\nH\n');
  });

  it("maps text offsets back to lines of the markup (and of CRLF text)", () => {
    const html = '<html><body>\n<pre>\nline a\n<span>x</span>{"k": 1}\n</pre></body></html>';
    const page = readPage(html);
    expect(page.locate(page.text.indexOf('{"k"'))).toEqual({ line: 4, column: 15 });
    const text = readPage("a\r\nb\r\n  c");
    expect(text.text).toBe("a\nb\n  c");
    expect(text.locate(text.text.indexOf("c"))).toEqual({ line: 3, column: 3 });
  });

  it("reads the canonical URL, else og:url", () => {
    expect(
      readPage(
        '<html><head><link rel="canonical" href="https://x.test/de/a"><meta property="og:url" content="https://x.test/b"></head></html>',
      ).canonicalUrl,
    ).toBe("https://x.test/de/a");
    expect(readPage('<html><head><meta property="og:url" content="https://x.test/b"></head></html>').canonicalUrl).toBe(
      "https://x.test/b",
    );
    expect(readPage("<p>none</p>").canonicalUrl).toBeUndefined();
  });
});

describe("curl calls", () => {
  it.each([
    [
      "kling/kling-3.0/pro/image-to-video",
      "--url https://model-api.runcomfy.net/v1/models/kling/kling-3.0/pro/image-to-video \\\n",
    ],
    [
      "kling/kling-video-o3/4K/image-to-video",
      '--url "https://model-api.runcomfy.net/v1/models/kling/kling-video-o3/4K/image-to-video"',
    ],
    [
      "minimax/Hailuo Video 01 Live",
      "--url https://model-api.runcomfy.net/v1/models/minimax/Hailuo Video 01 Live \\\n  --header x",
    ],
    [
      "minimax/Hailuo Video 01 Live",
      "--url https://model-api.runcomfy.net/v1/models/minimax/Hailuo%20Video%2001%20Live --header x",
    ],
    ["a/b/c/d/e/f", "curl -X POST --url=https://model-api-int.runcomfy.net:8443/v1/models/a/b/c/d/e/f -H x"],
    [
      "community/wan-2-2/vace-fun",
      "Siehe https://model-api.runcomfy.net/v1/models/community/wan-2-2/vace-fun. Danach mehr.",
    ],
    // An escaped `/` is not decoded into one more segment: the id stays as written, for checkModelId to refuse.
    ["acme/a%2Fb", "--url https://model-api.runcomfy.net/v1/models/acme/a%2Fb \\\n"],
    ["acme/a%2fb/c\\d", "--url https://model-api.runcomfy.net/v1/models/acme/a%2fb/c%5Cd \\\n"],
    // Read whole, for checkModelId to accept or refuse: never cut at `:`, `?`, `#`, `\` or a non-ASCII letter.
    ["acme/x:y", "--url https://model-api.runcomfy.net/v1/models/acme/x:y \\\n"],
    ["acme/x?y#z", "--url 'https://model-api.runcomfy.net/v1/models/acme/x?y#z'"],
    ["acme/x\\y", "--url https://model-api.runcomfy.net/v1/models/acme/x\\y \\\n"],
    ["acme/ünï", "--url https://model-api.runcomfy.net/v1/models/acme/ünï \\\n"],
    ["acme/x，y", "--url https://model-api.runcomfy.net/v1/models/acme/x，y \\\n"],
    ["a/b(1)", "Siehe https://model-api.runcomfy.net/v1/models/a/b(1), danach."],
    // In prose, the sentence's punctuation after a URL is not the id's.
    ["a/b", "(siehe https://model-api.runcomfy.net/v1/models/a/b)"],
    ["a/b", "Endpunkt: https://model-api.runcomfy.net/v1/models/a/b: POST"],
    ["a/b", "提交到 https://model-api.runcomfy.net/v1/models/a/b。然后"],
    ["a/b", "<code>https://model-api.runcomfy.net/v1/models/a/b</code>"],
  ])("reads %s", (modelId, text) => {
    expect(findModelUrls(text).map((url) => url.modelId)).toEqual([modelId]);
  });

  it("skips URL templates and non-model paths", () => {
    expect(
      findModelUrls(
        "GET https://model-api.runcomfy.net/v1/models/{model_id} and /v1/requests/{id}/status and https://x/v1/models/categories",
      ),
    ).toEqual([]);
  });

  it("recognises request bodies of curl calls only", () => {
    const text = 'curl --data \'{"a": 1}\' -d \'\n{"b": 2}\' --data-raw={"c": 3} plain {"d": 4} the-data {"e": 5}';
    const starts = scanJsonObjects(text).map((block) => isCurlBody(text, block.start));
    expect(starts).toEqual([true, true, true, false, false]);
  });
});

describe("locale-free rules", () => {
  it.each([
    ["https://www.runcomfy.com/de/models/community/x/api", "https://www.runcomfy.com/models/community/x/api"],
    [
      "https://www.runcomfy.com/zh-CN/models/community/x/api?utm=1#schema",
      "https://www.runcomfy.com/models/community/x/api",
    ],
    ["https://www.runcomfy.com/models/community/x/api", "https://www.runcomfy.com/models/community/x/api"],
    ["https://www.runcomfy.com/playground/a/b/api", "https://www.runcomfy.com/playground/a/b/api"],
  ])("%s → %s", (url, expected) => {
    expect(localeFreeUrl(url)).toBe(expected);
  });

  it("resolves a relative canonical URL against the fetched one and refuses other schemes", () => {
    expect(localeFreeUrl("/ja/models/a/api", "https://www.runcomfy.com/ja/models/a/api?x")).toBe(
      "https://www.runcomfy.com/models/a/api",
    );
    expect(localeFreeUrl("/ja/models/a/api")).toBeUndefined();
    expect(localeFreeUrl("javascript:alert(1)")).toBeUndefined();
  });

  it("merges sources without duplicates in a fixed order", () => {
    const merged = mergeSources(
      [{ kind: "catalog" }, { kind: "page", url: "https://b" }],
      [{ kind: "page" }, { kind: "page", url: "https://a" }, { kind: "catalog" }],
    );
    expect(merged).toEqual([
      { kind: "page" },
      { kind: "page", url: "https://a" },
      { kind: "page", url: "https://b" },
      { kind: "catalog" },
    ]);
  });

  it("drops descriptions and root titles of output schemas, but not a property named description", () => {
    const published = {
      title: "Ausgabeschema",
      output: {
        type: "object",
        title: "Ausgabe",
        properties: {
          images: {
            type: "array",
            description: "mehrere Bild-URLs",
            items: { type: "string", description: "eine URL" },
          },
          description: { type: "string", title: "Description", description: "Text" },
        },
      },
    };
    expect(localeFreeOutputSchema(published)).toEqual({
      output: {
        type: "object",
        properties: {
          images: { type: "array", items: { type: "string" } },
          description: { type: "string", title: "Description" },
        },
      },
    });
  });
});
