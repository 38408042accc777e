/** `add` end to end in scratch projects: what it writes, what it keeps, and that a bad page writes nothing. */
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { addPages } from "../../generator/commands/add.ts";
import { GeneratorErrors } from "../../generator/lib/diagnostics.ts";
import { parseSchemaFile, serializeSchemaFile } from "../../generator/schemas/schema-file.ts";
import { catalogFile } from "../../generator/schemas/to-schema-file.ts";
import { runCli } from "../helpers/cli.ts";
import { fetchTrustingTestCa, startPageServer, TEST_CA_FILE, type PageServer } from "../helpers/https.ts";
import { asHtml, checkedIn, FIXTURES, HTML_FIRST_TEXT_LINE, seed, snapshot } from "../helpers/pages.ts";
import { SEEDS, tempProject, type TempProject } from "../helpers/project.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function project(withGenerated = true): Promise<TempProject> {
  const created = await tempProject({ withGenerated });
  cleanups.push(created.cleanup);
  return created;
}

async function server(pages: Parameters<typeof startPageServer>[0]): Promise<PageServer> {
  const started = await startPageServer(pages);
  cleanups.push(started.close);
  return started;
}

/** The error `add` fails with, after checking that it left schemas/ and generated/ exactly as they were. */
async function failingAdd(
  root: string,
  pages: string[],
  options: Partial<Parameters<typeof addPages>[0]> = {},
): Promise<GeneratorErrors> {
  const before = await snapshot(root);
  const error = await addPages({ root, pages, cwd: FIXTURES, generate: false, ...options }).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(await snapshot(root)).toEqual(before);
  expect(error).toBeInstanceOf(GeneratorErrors);
  expect((error as Error).message).toMatch(/Nothing was written\.$/);
  return error as GeneratorErrors;
}

async function fixture(name: string): Promise<string> {
  return readFile(join(FIXTURES, name), "utf8");
}

/** 1-based line of the first line of `text` for which `test` holds. */
function lineWhere(text: string, test: (line: string, index: number, lines: string[]) => boolean): number {
  return text.split("\n").findIndex(test) + 1;
}

const VACE = "schemas/community/wan-2-2/vace-fun.json";
const TALK = "schemas/community/infinite-talk/image-to-video.json";

describe("add", () => {
  it("puts a removed model back byte for byte; adding the same page again changes nothing", async () => {
    const { root } = await project();
    const original = await snapshot(root);
    await rm(join(root, VACE));
    await rm(join(root, "generated/models/community/wan-2-2"), { recursive: true });

    const first = await addPages({ root, pages: [join(SEEDS, seed("003").name)] });
    expect(first.models.map((model) => [model.path, model.status])).toEqual([[VACE, "created"]]);
    expect(first.generate?.write?.written.filter((path) => path.includes("community/wan-2-2/vace-fun")).sort()).toEqual(
      [
        "models/community/wan-2-2/vace-fun.d.ts",
        "models/community/wan-2-2/vace-fun.js",
        "models/community/wan-2-2/vace-fun.md",
      ],
    );
    expect(await snapshot(root)).toEqual(original);

    const second = await addPages({ root, pages: [join(SEEDS, seed("003").name)] });
    expect(second.models.map((model) => model.status)).toEqual(["unchanged"]);
    expect(second.generate?.write?.written).toEqual([]);
    expect(second.generate?.write?.removed).toEqual([]);
    expect(await snapshot(root)).toEqual(original);
  });

  it("replaces the documented output default of a file created from the catalog by the page's output schema, and keeps the catalog's facts", async () => {
    const { root } = await project(false);
    const page = parseSchemaFile(checkedIn(VACE), VACE);
    // What `pull --all` writes for this model: catalog input schema, metadata and RunComfy's documented output contract.
    const fromCatalog = catalogFile({
      modelId: page.modelId,
      displayName: "Wan 2.2 VACE Fun",
      categories: ["image-to-video"],
      kind: "workflow",
      basePriceUsd: 0.2,
      priceUnit: "output",
      inputSchema: page.inputSchema,
    });
    expect(fromCatalog.sources).toEqual([{ kind: "catalog" }, { kind: "output-default" }]);
    await writeFile(join(root, VACE), serializeSchemaFile(fromCatalog));

    const report = await addPages({ root, pages: [join(SEEDS, seed("003").name)], generate: false });
    expect(report.models[0]?.parts).toEqual(["sources", "example", "outputSchema"]);
    const after = parseSchemaFile(await readFile(join(root, VACE), "utf8"), VACE);
    expect(after.outputSchema).toEqual(page.outputSchema);
    expect(after.example).toEqual(page.example);
    expect(after.sources).toEqual([...page.sources, { kind: "catalog" }]);
    expect(after).toMatchObject({
      displayName: "Wan 2.2 VACE Fun",
      categories: ["image-to-video"],
      kind: "workflow",
      basePriceUsd: 0.2,
      priceUnit: "output",
    });
  });

  it("merges several pages of one model and reports progress in argument order", async () => {
    const { root } = await project(false);
    const events: string[] = [];
    const pages = ["000", "002", "001"].map((prefix) => join(SEEDS, seed(prefix).name));
    const report = await addPages({
      root,
      pages,
      generate: false,
      onPage: (event) => events.push(`${event.index + 1}/${event.total} ${event.ok ? event.modelId : "failed"}`),
    });
    expect(events).toEqual([
      "1/3 community/fantasy-portrait/image-to-video",
      "2/3 community/wan-2-1/fusionx/image-to-video",
      "3/3 community/fantasy-portrait/image-to-video",
    ]);
    expect(report.models.map((model) => [model.modelId, model.pages.length, model.status])).toEqual([
      ["community/fantasy-portrait/image-to-video", 2, "unchanged"],
      ["community/wan-2-1/fusionx/image-to-video", 1, "unchanged"],
    ]);
  });

  it("keeps displayName, description and aliases, and what a compact page lacks (output schema, example)", async () => {
    const { root } = await project(false);
    const stored = parseSchemaFile(checkedIn(TALK), TALK);
    const { ["128_cfg"]: _dropped, ...fewer } = stored.inputSchema["properties"] as Record<string, never>;
    const edited = {
      ...stored,
      displayName: "Infinite Talk",
      description: "Talking portrait.",
      aliases: { "284_image": "portrait" },
      inputSchema: { ...stored.inputSchema, properties: fewer },
    };
    await writeFile(join(root, TALK), serializeSchemaFile(edited));
    // The page without its output schema and with its curl bodies in a file: only the model id and the input schema remain.
    const text = seed("004").text;
    const page =
      text.slice(0, text.indexOf('{\n"output"')).replace(/--data '\{[^']*\}'/g, "--data @body.json") +
      "\n" +
      text.slice(text.indexOf("RunComfy ist die"));
    expect(page).not.toContain('"output"');
    expect(page).not.toContain("--data '");

    const report = await addPages({ root, pages: ["-"], readStdin: async () => page, generate: false });
    expect(report.models[0]?.status).toBe("updated");
    expect(report.models[0]?.parts).toEqual(["inputSchema"]);
    expect(report.drift?.changes.filter((change) => change.key === "128_cfg").map((change) => change.rule)).toEqual([
      "new-optional-request-property",
    ]);
    expect(await readFile(join(root, TALK), "utf8")).toBe(
      serializeSchemaFile({
        ...stored,
        displayName: "Infinite Talk",
        description: "Talking portrait.",
        aliases: { "284_image": "portrait" },
      }),
    );
  });

  it.each([
    [
      "no-model-id.txt",
      () =>
        "no-model-id.txt: no model id found: expected a curl call to https://model-api.runcomfy.net/v1/models/<model id>",
    ],
    [
      "no-input-schema.txt",
      () =>
        'no-input-schema.txt: no input schema found: expected a JSON object schema with "properties" (the page\'s input schema)',
    ],
  ])("%s: names the page and what is missing, writes nothing", async (name, message) => {
    const { root } = await project();
    const error = await failingAdd(root, [name]);
    expect(error.errors.map((problem) => problem.message)).toEqual([message()]);
  });

  it("two different model ids: names both with their lines, writes nothing", async () => {
    const { root } = await project();
    const text = await fixture("two-model-ids.txt");
    const first = lineWhere(text, (line) => line.includes("/v1/models/community/infinite-talk/image-to-video"));
    const second = lineWhere(text, (line) => line.includes("/v1/models/community/infinite-talk/video-to-video"));
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(first);
    const error = await failingAdd(root, ["two-model-ids.txt"]);
    expect(error.errors.map((problem) => problem.message)).toEqual([
      `two-model-ids.txt: two different model ids: community/infinite-talk/image-to-video (line ${first}) and community/infinite-talk/video-to-video (line ${second})`,
    ]);
  });

  it("broken JSON: line and column where it breaks, in the text and in the HTML source; writes nothing", async () => {
    const { root } = await project();
    const text = await fixture("broken-json.txt");
    const breaks =
      lineWhere(
        text,
        (line, index, lines) =>
          line === '"type": "string"' && lines[index + 1] === '"default": "Runcomfy_example_1278_1.mp3"',
      ) + 1;
    const starts = lineWhere(text, (line, index, lines) => line === "{" && lines[index + 1] === '"type": "object",');
    expect(breaks).toBeGreaterThan(starts);
    const error = await failingAdd(root, ["broken-json.txt"]);
    expect(error.errors.map((problem) => problem.message)).toEqual([
      `broken-json.txt: broken JSON at line ${breaks}, column 1: expected "," or "}" after a property value, found '"' (the object starts at line ${starts}, column 1)`,
    ]);

    const html = await failingAdd(root, ["-"], { readStdin: async () => asHtml(text) });
    expect(html.errors[0]?.message).toContain(
      `stdin: broken JSON at line ${HTML_FIRST_TEXT_LINE + breaks - 1}, column `,
    );
  });

  it("reports every bad page of a run together and writes none of the good ones", async () => {
    const { root } = await project();
    await rm(join(root, VACE));
    const error = await failingAdd(root, [
      "no-model-id.txt",
      join(SEEDS, seed("003").name),
      "broken-json.txt",
      "two-model-ids.txt",
      "missing.html",
    ]);
    expect(error.errors.map((problem) => problem.location.file)).toEqual([
      "no-model-id.txt",
      "broken-json.txt",
      "two-model-ids.txt",
      "missing.html",
    ]);
    expect(error.errors[3]?.message).toBe("missing.html: cannot read the page: no such file");
  });

  it("refuses to replace a file that holds another model, or one that does not parse", async () => {
    const { root } = await project();
    await writeFile(join(root, TALK), checkedIn(VACE));
    const other = await failingAdd(root, [join(SEEDS, seed("004").name)]);
    expect(other.errors[0]?.message).toBe(
      `${TALK}: holds model "community/wan-2-2/vace-fun", not "community/infinite-talk/image-to-video"; refusing to replace it (move or fix that file first)`,
    );

    await writeFile(join(root, TALK), '{"modelId": ');
    const broken = await failingAdd(root, [join(SEEDS, seed("004").name)]);
    expect(broken.errors[0]?.message).toMatch(new RegExp(`^${TALK}: invalid JSON`));
  });

  it("refuses pages of one model that publish different schemas", async () => {
    const { root } = await project();
    const changed = seed("004").text.replace('"default": 7,', '"default": 8,');
    expect(changed).not.toBe(seed("004").text);
    const error = await failingAdd(root, [join(SEEDS, seed("004").name), "-"], { readStdin: async () => changed });
    expect(error.errors[0]?.message).toBe(
      `stdin: pages ${join(SEEDS, seed("004").name)} and stdin publish different input schemas for community/infinite-talk/image-to-video; add them in separate runs (the later one wins) or leave one out`,
    );
  });

  // The id of the page's URL whole, as `pull` would take it: refused with the rule it breaks, never cut short (`a%2Fb`
  // once made `acme/a/b`, `acme/x:y` made `acme/x`) nor lost (`acme/ünï` was "no model id found").
  const PULL_RULE = "it contains a control character, `\\`, `?`, `#` or `%`";
  it.each([
    ["acme/a%2Fb", PULL_RULE],
    ["acme/x?y", PULL_RULE],
    ["acme/x#y", PULL_RULE],
    ["acme/x\\y", PULL_RULE],
    ["acme/x%zz", PULL_RULE],
    ["acme/ünï", "it contains characters outside ASCII, which a URL holds only percent-encoded (`ü` as `%C3%BC`)"],
  ])("refuses a page whose URL names %s, naming the id and the rule", async (written, rule) => {
    const { root } = await project(false);
    const text = seed("003").text.replaceAll("community/wan-2-2/vace-fun", written);
    const error = await failingAdd(root, ["-"], { readStdin: async () => text });
    const messages = error.errors.map((problem) => problem.message);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(`stdin: invalid model id ${JSON.stringify(written)}: ${rule} (line `);
    expect(messages[0]).toMatch(/\(line \d+\)$/);
  });

  it.each([
    ["acme/x:y", "acme/x:y", "schemas/acme/x~3ay.json"],
    ["acme/%C3%BCn%20v2", "acme/ün v2", "schemas/acme/~c3~bcn~20v2.json"],
  ])("takes the id of a URL naming %s whole, as pull does: %s in %s", async (written, modelId, path) => {
    const { root } = await project(false);
    const text = seed("003").text.replaceAll("community/wan-2-2/vace-fun", written);
    const report = await addPages({ root, pages: ["-"], readStdin: async () => text, generate: false });
    expect(report.models.map((model) => [model.modelId, model.path, model.status])).toEqual([
      [modelId, path, "created"],
    ]);
    expect(parseSchemaFile(await readFile(join(root, path), "utf8"), path).modelId).toBe(modelId);
  });

  it("refuses a page whose schema would not generate", async () => {
    const { root } = await project();
    const text = seed("004").text.replace('"type": "integer",\n"default": 7', '"type": "decimal",\n"default": 7');
    expect(text).not.toBe(seed("004").text);
    const error = await failingAdd(root, ["-"], { readStdin: async () => text });
    expect(error.errors[0]?.message).toContain(`${TALK} › inputSchema/properties/128_steps/type`);
  });
});

describe("add from URLs", () => {
  const path = "/zh-CN/models/community/fantasy-portrait/api";

  it("fetches https pages and records their URL without the locale", async () => {
    const { root } = await project(false);
    const pages = await server({
      [path]: { body: asHtml(seed("001").text) },
      "/text": { body: seed("000").text, contentType: "text/plain" },
    });
    const report = await addPages({
      root,
      pages: [`${pages.origin}${path}?ref=x`, `${pages.origin}/text`],
      fetch: fetchTrustingTestCa,
      generate: false,
    });
    expect(pages.requests.sort()).toEqual(["/text", `${path}?ref=x`]);
    const stored = parseSchemaFile(checkedIn(report.models[0]!.path), "x");
    const expected = serializeSchemaFile({
      ...stored,
      sources: [
        ...stored.sources,
        { kind: "page", url: `${pages.origin}/models/community/fantasy-portrait/api` },
        { kind: "page", url: `${pages.origin}/text` },
      ],
    });
    expect(stored.sources).toEqual([{ kind: "page" }]);
    expect(await readFile(join(root, report.models[0]!.path), "utf8")).toBe(expected);
  });

  it("refuses plain http and other schemes, unknown pages, and certificates it does not trust", async () => {
    const { root } = await project();
    const pages = await server({});
    const refused = await failingAdd(root, ["http://127.0.0.1:1/page", "file:///etc/passwd", `${pages.origin}/nope`], {
      fetch: fetchTrustingTestCa,
    });
    expect(refused.errors.map((problem) => problem.message)).toEqual([
      "http://127.0.0.1:1/page: only https URLs are fetched (got http:); save the page and pass the file instead",
      "file:///etc/passwd: only https URLs are fetched (got file:); save the page and pass the file instead",
      `${pages.origin}/nope: cannot fetch the page: HTTP 404 Not Found`,
    ]);
    const untrusted = await failingAdd(root, [`${pages.origin}${path}`]);
    expect(untrusted.errors[0]?.message).toMatch(/cannot fetch the page: .*(SELF_SIGNED|CERT)/);
  });
});

describe("add on the command line", () => {
  it("prints progress and the result without colour when piped; reads a URL trusted through NODE_EXTRA_CA_CERTS", async () => {
    const { root } = await project(false);
    const pages = await server({ "/de/models/community/wan-2-2/vace-fun/api": { body: asHtml(seed("003").text) } });
    const url = `${pages.origin}/de/models/community/wan-2-2/vace-fun/api`;
    const result = await runCli(["add", "--root", root, "--no-generate", url, join(SEEDS, seed("004").name)], {
      env: { NODE_EXTRA_CA_CERTS: TEST_CA_FILE },
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")).toEqual([
      `[1/2] ${url} → community/wan-2-2/vace-fun (9 input fields, output schema, example)`,
      `[2/2] ${join(SEEDS, seed("004").name)} → community/infinite-talk/image-to-video (9 input fields, output schema, example)`,
      `updated   ${VACE} (sources)`,
      `unchanged ${TALK}`,
      "",
    ]);
    expect(await readFile(join(root, VACE), "utf8")).toContain(
      `"url": "${pages.origin}/models/community/wan-2-2/vace-fun/api"`,
    );
  });

  it.each([
    ["-", ["-"], ["[1/1] stdin → community/wan-2-2/vace-fun"]],
    [
      "- <file>",
      ["-", join(SEEDS, seed("004").name)],
      ["[1/2] stdin → community/wan-2-2/vace-fun", `[2/2] ${join(SEEDS, seed("004").name)} → community/infinite-talk`],
    ],
  ])("reads a page piped to `add %s` (- is stdin)", async (_label, pages, progress) => {
    const { root } = await project(false);
    const result = await runCli(["add", "--root", root, "--no-generate", ...pages], { input: seed("003").text });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    progress.forEach((line, index) => expect(lines[index]).toContain(line));
  });

  it("exits 1 listing every bad page, and 64 on usage errors", async () => {
    const { root } = await project(false);
    const bad = await runCli(["add", "--root", root, "no-model-id.txt", "broken-json.txt"], { cwd: FIXTURES });
    expect(bad.code).toBe(1);
    expect(bad.stderr).not.toContain("\u001b[");
    expect(bad.stderr).toMatch(
      /^error 2 problems:\n {2}- no-model-id\.txt: no model id found.*\n {2}- broken-json\.txt: broken JSON at line \d+, column \d+.*\nNothing was written\.\n$/,
    );
    const usage = await runCli(["add", "--root", root]);
    expect(usage.code).toBe(64);
    expect(usage.stderr).toContain("Not enough non-option arguments");
    const twice = await runCli(["add", "--root", root, "-", "-"], { input: seed("003").text });
    expect(twice.code).toBe(64);
    expect(twice.stderr).toBe("error stdin (-) can be read only once\nRun with --help for usage.\n");
  });
});
