/**
 * `pull` against the emulator's catalog: `pull [ids]` refreshes (or creates)
 * named models, the others keep their bytes; `pull --all` lists a catalog of
 * hundreds of realistic models page by page and creates, refreshes and
 * reports removed models, all or nothing.
 */
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GeneratorErrors } from "../../generator/lib/diagnostics.ts";
import { KEPT_TEXT, pullSchemas, type PullOptions } from "../../generator/commands/pull.ts";
import {
  parseSchemaFile,
  schemaFilePath,
  serializeSchemaFile,
  type SchemaFile,
} from "../../generator/schemas/schema-file.ts";
import { startEmulator, type Emulator } from "../../emulator/index.ts";
import { schemaFileOf, writeCatalogFolder } from "../helpers/catalog.ts";
import { SEED_IDS } from "../helpers/spec.ts";
import { runCli } from "../helpers/cli.ts";
import { snapshot } from "../helpers/pages.ts";
import { ROOT, tempProject } from "../helpers/project.ts";

const TOKEN = "pull-test-token";
const PORTRAIT = "schemas/community/fantasy-portrait/image-to-video.json";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** The upstream catalog: a copy of schemas/ with `edit` applied to one file, served by the emulator. */
async function catalog(edit?: { path: string; change: (file: SchemaFile) => SchemaFile }): Promise<{ url: string }> {
  const dir = await mkdtemp(join(tmpdir(), "runcomfy-catalog-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await cp(join(ROOT, "schemas"), dir, { recursive: true });
  if (edit) {
    const target = join(dir, edit.path.replace(/^schemas\//, ""));
    await writeFile(
      target,
      serializeSchemaFile(edit.change(parseSchemaFile(await readFile(target, "utf8"), edit.path))),
    );
  }
  const emulator = await startEmulator({ schemasDir: dir, tokens: [TOKEN] });
  cleanups.push(() => emulator.close());
  return emulator;
}

async function project(): Promise<string> {
  const created = await tempProject({ withGenerated: true });
  cleanups.push(created.cleanup);
  return created.root;
}

/** Upstream change: 149_steps allows 30, 149_denoise is new, 150_strength is gone, and the catalog has an English name. */
function upstream(file: SchemaFile): SchemaFile {
  const { ["150_strength"]: _gone, ...properties } = file.inputSchema["properties"] as Record<
    string,
    Record<string, unknown>
  >;
  return {
    ...file,
    displayName: "Fantasy Portrait",
    inputSchema: {
      ...file.inputSchema,
      properties: {
        ...properties,
        "149_steps": { ...properties["149_steps"], maximum: 30 },
        "149_denoise": { title: "Denoise", type: "number", default: 1, minimum: 0, maximum: 1 },
      } as never,
    },
  };
}

describe("pull", () => {
  it("refreshes the model that changed upstream and leaves the others byte-identical", async () => {
    const root = await project();
    const before = await snapshot(root, ["schemas"]);
    const emulator = await catalog({ path: PORTRAIT, change: upstream });

    const report = await pullSchemas({ root, baseUrl: emulator.url, token: TOKEN, generate: false });
    expect(report.models.map((model) => [model.path, model.status])).toEqual([
      [PORTRAIT, "updated"],
      ["schemas/community/infinite-talk/image-to-video.json", "unchanged"],
      ["schemas/community/wan-2-1/fusionx/image-to-video.json", "unchanged"],
      ["schemas/community/wan-2-2/vace-fun.json", "unchanged"],
    ]);
    expect(report.models[0]!.parts).toEqual(["displayName", "sources", "inputSchema"]);
    expect(report.kept).toEqual([]);
    // The drift report says what that means for users of the generated package.
    const drift = report.drift!.changes.map((change) => `${change.key ?? "(model)"} ${change.rule}`);
    expect(drift).toEqual(
      expect.arrayContaining([
        "149_denoise new-optional-request-property",
        "150_strength request-property-removed",
        "149_steps request-property-max-increased",
      ]),
    );
    expect(new Set(report.drift!.changes.map((change) => change.model))).toEqual(
      new Set(["community/fantasy-portrait/image-to-video"]),
    );

    const after = await snapshot(root, ["schemas"]);
    for (const [path, text] of before) if (path !== PORTRAIT) expect(after.get(path), path).toBe(text);
    const stored = parseSchemaFile(before.get(PORTRAIT)!, PORTRAIT);
    const expected = upstream(stored);
    // Catalog title dropped; output schema and example kept; the catalog joins the sources.
    expect(after.get(PORTRAIT)).toBe(
      serializeSchemaFile({ ...expected, sources: [...stored.sources, { kind: "catalog" }] }),
    );
    expect(after.get(PORTRAIT)).not.toContain("Input schema");

    const again = await pullSchemas({ root, baseUrl: emulator.url, token: TOKEN, generate: false });
    expect(again.models.every((model) => model.status === "unchanged")).toBe(true);
    expect(await snapshot(root, ["schemas"])).toEqual(after);
  });

  it("refreshes only the models asked for, and regenerates", async () => {
    const root = await project();
    const emulator = await catalog({ path: PORTRAIT, change: upstream });
    const report = await pullSchemas({
      root,
      modelIds: ["community/wan-2-2/vace-fun"],
      baseUrl: emulator.url,
      token: TOKEN,
    });
    expect(report.models.map((model) => [model.modelId, model.status])).toEqual([
      ["community/wan-2-2/vace-fun", "unchanged"],
    ]);
    expect(report.generate?.write?.written).toEqual([]);
  });

  it("writes nothing when a call fails, a model is not in the catalog, or no file exists to refresh", async () => {
    const root = await project();
    const before = await snapshot(root);
    const emulator = await catalog({ path: PORTRAIT, change: upstream });
    const failure = async (options: Partial<Parameters<typeof pullSchemas>[0]>): Promise<string> => {
      const error = await pullSchemas({ root, baseUrl: emulator.url, token: TOKEN, generate: false, ...options }).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(GeneratorErrors);
      expect(await snapshot(root)).toEqual(before);
      return (error as Error).message;
    };

    expect(await failure({ token: "wrong" })).toMatch(
      /^4 problems:\n {2}- community\/fantasy-portrait\/image-to-video: catalog call failed \(GET \/v1\/models\/\{id\}\): .*401/,
    );
    // A model that is not checked in is created from its catalog entry; one the catalog does not know fails the run.
    expect(await failure({ modelIds: ["community/wan-2-2/vace-fun", "community/nowhere/model"] })).toMatch(
      /^community\/nowhere\/model: catalog call failed \(GET \/v1\/models\/\{id\}\): .*404.*\nNothing was written\.$/s,
    );
    for (const [options, message] of [
      [{ search: "kling" }, "--search, --category, --kind and --prune need --all (a catalog listing)"],
      [{ prune: true }, "--search, --category, --kind and --prune need --all (a catalog listing)"],
      [{ modelIds: ["kling/*"] }, "globs filter a listing: add --all to match ids against the catalog"],
      [
        { all: true, modelIds: ["single"] },
        'invalid model id "single": it needs at least two `/`-separated segments (e.g. `vendor/model`)',
      ],
    ] as const) {
      const error = await pullSchemas({ root, baseUrl: emulator.url, token: TOKEN, generate: false, ...options }).catch(
        (reason: unknown) => reason,
      );
      expect((error as Error).message).toBe(message);
      expect(await snapshot(root)).toEqual(before);
    }
    // A model that is checked in but unknown upstream: the emulator answers 404.
    const onlyVace = await mkdtemp(join(tmpdir(), "runcomfy-small-catalog-"));
    cleanups.push(() => rm(onlyVace, { recursive: true, force: true }));
    await cp(join(ROOT, "schemas/community/wan-2-2"), join(onlyVace, "community/wan-2-2"), { recursive: true });
    const small = await startEmulator({ schemasDir: onlyVace, tokens: [TOKEN] });
    cleanups.push(() => small.close());
    const message = await failure({
      baseUrl: small.url,
      modelIds: ["community/infinite-talk/image-to-video", "community/wan-2-2/vace-fun"],
    });
    expect(message).toMatch(
      /^community\/infinite-talk\/image-to-video: catalog call failed \(GET \/v1\/models\/\{id\}\): .*404.*\nNothing was written\.$/s,
    );
  });

  // A proxy's or a login page's HTML answered with 200 instead of the catalog: said to be no JSON, its start quoted
  // (the listing was read as an empty page and reported as `has no "total"`).
  const HTML =
    "<!DOCTYPE html>\n<html>\n  <head><title>Sign in</title></head>\n  <body>Please sign in to continue.</body>\n</html>\n";
  const QUOTED = `answered HTTP 200 with a body that is not JSON (${JSON.stringify(`${HTML.replace(/\s+/g, " ").trim().slice(0, 77)}...`)})`;
  it.each([
    [
      "the listing (--all)",
      { all: true },
      (path: string) => path === "/v1/models",
      `catalog call failed (GET /v1/models at offset 0): GET /v1/models?limit=500&offset=0&include_schema=true ${QUOTED}`,
    ],
    [
      "an entry (pull <id>)",
      { modelIds: ["community/wan-2-2/vace-fun"] },
      (path: string) => path.startsWith("/v1/models/"),
      `community/wan-2-2/vace-fun: catalog call failed (GET /v1/models/{id}): GET /v1/models/community/wan-2-2/vace-fun ${QUOTED} (model community/wan-2-2/vace-fun)`,
    ],
  ] as const)(
    "says an HTML page answered for %s is not JSON, and writes nothing",
    async (_what, options, html, message) => {
      const root = await project();
      const before = await snapshot(root);
      const emulator = await catalog();
      const fetchHtml: typeof fetch = async (input, init) =>
        html(new URL(String(input instanceof Request ? input.url : input)).pathname)
          ? new Response(HTML, { status: 200, headers: { "content-type": "text/html" } })
          : fetch(input, init);
      const error = await pullSchemas({
        root,
        baseUrl: emulator.url,
        token: TOKEN,
        generate: false,
        fetch: fetchHtml,
        ...options,
      }).catch((reason: unknown) => reason);
      expect(error).toBeInstanceOf(GeneratorErrors);
      expect((error as Error).message).toBe(`${message}\nNothing was written.`);
      expect(await snapshot(root)).toEqual(before);
    },
  );

  it("on the command line: --base-url and the token from RUNCOMFY_API_TOKEN, a per-model summary", async () => {
    const root = await project();
    const emulator = await catalog({ path: PORTRAIT, change: upstream });
    const result = await runCli(["pull", "--root", root, "--no-generate", "--base-url", emulator.url], {
      env: { RUNCOMFY_API_TOKEN: TOKEN, RUNCOMFY_MODEL_API_BASE: "https://example.invalid" },
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines.slice(0, 5)).toEqual([
      `catalog ${emulator.url}: 4 models (0 created, 1 updated, 3 unchanged)`,
      `updated   ${PORTRAIT} (displayName, sources, inputSchema)`,
      "unchanged schemas/community/infinite-talk/image-to-video.json",
      "unchanged schemas/community/wan-2-1/fusionx/image-to-video.json",
      "unchanged schemas/community/wan-2-2/vace-fun.json",
    ]);
    // Then the drift report (generator/drift) of what changed.
    expect(lines[5]).toMatch(
      new RegExp(`^Schema drift schemas/ → catalog ${emulator.url}: .* in 1 model; suggested version bump: major$`),
    );
    for (const key of ["150_strength", "149_denoise", "149_steps"]) expect(result.stdout).toContain(`(${key})`);
  });
});

describe("pull --all", () => {
  const CATALOG_SIZE = 320;
  const PAGE = 100;

  /** A catalog of CATALOG_SIZE realistic models (test/fixtures/catalog under distinct ids), served by the emulator. */
  async function bigCatalog(): Promise<{ emulator: Emulator; dir: string; ids: string[] }> {
    const dir = await mkdtemp(join(tmpdir(), "runcomfy-big-catalog-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const ids = await writeCatalogFolder(dir, CATALOG_SIZE);
    const emulator = await startEmulator({ schemasDir: dir, tokens: [TOKEN] });
    cleanups.push(() => emulator.close());
    return { emulator, dir, ids };
  }

  /** The catalog entry the emulator serves for `id`, as `pull` would receive it. */
  async function entryOf(emulator: Emulator, id: string): Promise<unknown> {
    const response = await fetch(`${emulator.url}/v1/models/${id.split("/").map(encodeURIComponent).join("/")}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    return response.json();
  }

  /**
   * A project whose schemas/ holds the four seeds (not in the catalog), three catalog models as the catalog has them,
   * and two whose input schema is older than the catalog's.
   */
  async function projectWith(
    ids: readonly string[],
    emulator: Emulator,
  ): Promise<{ root: string; stale: string[]; same: string[] }> {
    const root = await project();
    const same = ids.slice(0, 3);
    const stale = ids.slice(3, 5);
    for (const id of same) await writeSchema(root, schemaFileOf(await entryOf(emulator, id)));
    for (const id of stale) {
      const file = schemaFileOf(await entryOf(emulator, id));
      const { prompt: _, ...older } = file.inputSchema["properties"] as Record<string, unknown>;
      await writeSchema(root, {
        ...file,
        inputSchema: { ...file.inputSchema, required: [], properties: older as never },
      });
    }
    return { root, stale, same };
  }

  async function writeSchema(root: string, file: SchemaFile): Promise<void> {
    const target = join(root, "schemas", schemaFilePath(file.modelId));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, serializeSchemaFile(file));
  }

  const pull = (root: string, emulator: Emulator, options: Partial<PullOptions> = {}) =>
    pullSchemas({ root, all: true, baseUrl: emulator.url, token: TOKEN, generate: false, pageSize: PAGE, ...options });

  it("creates every listed model, refreshes the checked-in ones, keeps and reports the ones it no longer lists; a second run writes nothing", async () => {
    const { emulator, ids } = await bigCatalog();
    const { root, stale, same } = await projectWith(ids, emulator);
    const pages: [number, number][] = [];
    const report = await pull(root, emulator, {
      onProgress: (done, total) => pages.push([done, total]),
      generate: true,
    });
    expect(pages).toEqual([
      [100, CATALOG_SIZE],
      [200, CATALOG_SIZE],
      [300, CATALOG_SIZE],
      [CATALOG_SIZE, CATALOG_SIZE],
    ]);
    const status = (wanted: string) =>
      report.models
        .filter((model) => model.status === wanted)
        .map((model) => model.modelId)
        .sort();
    expect(status("created")).toEqual(ids.filter((id) => !same.includes(id) && !stale.includes(id)).sort());
    expect(status("updated")).toEqual([...stale].sort());
    expect(status("unchanged")).toEqual([...same].sort());
    expect(status("removed")).toEqual([]);
    expect(report.removalScope).toBe("all");
    expect(report.kept).toEqual([...SEED_IDS].sort());

    // A created file is what the catalog says plus RunComfy's documented output contract, and says so.
    const kling = ids.find((id) => id.startsWith("kling/"))!;
    const created = parseSchemaFile(
      await readFile(join(root, "schemas", `${kling}.json`), "utf8"),
      `schemas/${kling}.json`,
    );
    expect(created).toEqual(schemaFileOf(await entryOf(emulator, kling)));
    expect(created.sources).toEqual([{ kind: "catalog" }, { kind: "output-default" }]);
    expect(Object.keys((created.outputSchema!["output"] as { properties: object }).properties)).toEqual([
      "image",
      "images",
      "video",
      "videos",
      "audio",
      "audios",
    ]);
    expect(created).toMatchObject({
      displayName: "Kling 3.0 4K Image to Video",
      categories: ["image-to-video"],
      kind: "model",
      basePriceUsd: 0.42,
      priceUnit: "second",
    });
    // Ids with spaces and upper case keep them in their paths.
    const hailuo = ids.find((id) => id.startsWith("minimax/"))!;
    expect(report.models.find((model) => model.modelId === hailuo)!.path).toBe(
      `schemas/${hailuo.replace(/ /g, "~20")}.json`,
    );

    // The drift report says what that means, kept models included.
    const removed = report.drift!.changes.filter((change) => change.rule === "model-removed");
    expect(removed.map((change) => [change.model, change.text])).toEqual(SEED_IDS.map((id) => [id, KEPT_TEXT]).sort());
    expect(report.drift!.changes.filter((change) => change.rule === "model-added")).toHaveLength(CATALOG_SIZE - 5);
    // The seeds are kept, and everything was generated.
    for (const id of SEED_IDS) expect(existsSync(join(root, "schemas", `${id}.json`)), id).toBe(true);
    expect(report.generate!.modelCount).toBe(CATALOG_SIZE + SEED_IDS.length);
    expect(existsSync(join(root, "generated/models", `${kling}.d.ts`))).toBe(true);

    const before = await snapshot(root);
    const again = await pull(root, emulator, { generate: true });
    expect(again.models.every((model) => model.status === "unchanged")).toBe(true);
    expect(again.kept).toEqual([...SEED_IDS].sort());
    expect(again.generate!.write!.written).toEqual([]);
    expect(await snapshot(root)).toEqual(before);
  }, 180_000);

  it("deletes what the catalog no longer lists with --prune, and generate removes its outputs", async () => {
    const { emulator, ids } = await bigCatalog();
    const root = await project();
    const report = await pull(root, emulator, { prune: true, modelIds: ["community/**", "kling/*"], generate: true });
    expect(report.removalScope).toBe("matching");
    expect(
      report.models
        .filter((model) => model.status === "removed")
        .map((model) => model.modelId)
        .sort(),
    ).toEqual([...SEED_IDS].sort());
    expect(
      report.models
        .filter((model) => model.status === "created")
        .map((model) => model.modelId)
        .sort(),
    ).toEqual(ids.filter((id) => id.startsWith("kling/")).sort());
    expect(report.kept).toEqual([]);
    for (const id of SEED_IDS) {
      expect(existsSync(join(root, "schemas", `${id}.json`)), id).toBe(false);
      expect(existsSync(join(root, "generated/models", `${id}.js`)), id).toBe(false);
    }
    expect(existsSync(join(root, "schemas/community"))).toBe(false);
    expect(report.generate!.write!.removed).toEqual(expect.arrayContaining(SEED_IDS.map((id) => `models/${id}.js`)));
    // The package's changelog records the removal.
    expect(await readFile(join(root, "generated/CHANGELOG.md"), "utf8")).toContain("`model-removed`");
  }, 120_000);

  it("judges removals only where the listing can: globs reach matching models, a server-side filter none", async () => {
    const { emulator, ids } = await bigCatalog();
    const root = await project();
    const globbed = await pull(root, emulator, { modelIds: ["**/image-to-video", "vendor/none/*"] });
    expect(
      globbed.models
        .filter((model) => model.status === "created")
        .map((model) => model.modelId)
        .sort(),
    ).toEqual(ids.filter((id) => id.endsWith("/image-to-video")).sort());
    // The seeds end in image-to-video too (but vace-fun does not): they match, and the catalog does not list them.
    expect(globbed.kept).toEqual(SEED_IDS.filter((id) => id.endsWith("/image-to-video")).sort());
    expect(globbed.unmatched).toEqual(["vendor/none/*"]);

    const filtered = await pull(root, emulator, { category: "image-to-image" });
    expect(filtered.removalScope).toBe("none");
    expect(filtered.kept).toEqual([]);
    expect(
      filtered.models
        .filter((model) => model.status === "created")
        .map((model) => model.modelId)
        .sort(),
    ).toEqual(ids.filter((id) => /^(bytedance|ideogram-ai|tongyi-mai)\//.test(id)).sort());
  }, 120_000);

  it("pull <ids> creates a named model that is not checked in from its catalog entry, as --all would", async () => {
    const { emulator, ids } = await bigCatalog();
    const root = await project();
    const kling = ids.find((id) => id.startsWith("kling/"))!;
    const before = await snapshot(root, ["schemas"]);
    const report = await pull(root, emulator, { all: false, modelIds: [kling] });
    expect(report.models.map((model) => [model.modelId, model.status])).toEqual([[kling, "created"]]);
    // The seeds, not named, are neither refreshed nor judged.
    const after = await snapshot(root, ["schemas"]);
    for (const [path, text] of before) expect(after.get(path), path).toBe(text);
    expect(report.removalScope).toBe("named");
    expect(report.kept).toEqual([]);
    expect(parseSchemaFile(await readFile(join(root, "schemas", `${kling}.json`), "utf8"), kling)).toEqual(
      schemaFileOf(await entryOf(emulator, kling)),
    );
  });

  it("writes nothing when a page fails, the catalog misbehaves, or an entry is invalid", async () => {
    const { emulator, ids } = await bigCatalog();
    const root = await project();
    const before = await snapshot(root);
    const failure = async (options: Partial<PullOptions>): Promise<string> => {
      const error = await pull(root, emulator, options).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(GeneratorErrors);
      expect(await snapshot(root)).toEqual(before);
      return (error as Error).message;
    };

    // The second page fails every time (retries included).
    emulator.faults.set([{ route: "catalog", fault: { type: "respond", status: 503 }, skip: 1 }]);
    expect(await failure({})).toMatch(
      /^catalog call failed \(GET \/v1\/models at offset 100\): .*503.*\nNothing was written\.$/s,
    );
    emulator.faults.clear();

    /** The emulator's answers, with the listing page at `offset` changed by `change`. */
    const tampered =
      (offset: number, change: (page: { models: Record<string, unknown>[]; total: number }) => unknown): typeof fetch =>
      async (input, init) => {
        const response = await fetch(input, init);
        const url = new URL(String(input instanceof Request ? input.url : input));
        if (url.pathname !== "/v1/models" || url.searchParams.get("offset") !== String(offset)) return response;
        const page = (await response.json()) as { models: Record<string, unknown>[]; total: number };
        return new Response(JSON.stringify(change(page)), {
          status: 200,
          headers: { "content-type": "application/json" },
        });
      };
    expect(
      await failure({
        fetch: tampered(100, (page) => ({
          ...page,
          models: [page.models[0], ...page.models.slice(1)].map((entry, index) =>
            index === 0 ? { ...entry, model_id: ids.sort()[0] } : entry,
          ),
        })),
      }),
    ).toContain("catalog page at offset 100: lists");
    expect(await failure({ fetch: tampered(100, (page) => ({ ...page, total: page.total + 1 })) })).toContain(
      `catalog page at offset 100: "total" changed from ${CATALOG_SIZE} to ${CATALOG_SIZE + 1} between pages`,
    );
    expect(await failure({ fetch: tampered(200, (page) => ({ ...page, models: [] })) })).toContain(
      `catalog page at offset 200: has no entries, but ${CATALOG_SIZE - 200} of ${CATALOG_SIZE} models are still to come`,
    );
    expect(await failure({ fetch: tampered(0, (page) => ({ models: page.models })) })).toContain(
      'catalog page at offset 0: has no "total"',
    );
    // Entries: each problem names the model and the field.
    const broken = await failure({
      fetch: tampered(0, (page) => ({
        ...page,
        models: page.models.map((entry, index) =>
          index === 0
            ? { ...entry, base_price_usd: "cheap", display_name: 3, price_unit: 5, kind: 7 }
            : index === 1
              ? { ...entry, input_schema: undefined }
              : index === 2
                ? { ...entry, model_id: "single" }
                : index === 3
                  ? "x".repeat(100)
                  : entry,
        ),
      })),
    });
    // Every problem of one entry, not only its first.
    expect(broken).toMatch(/^7 problems:/);
    expect(broken).toContain(
      'catalog entry #1 of the listing: "base_price_usd" must be a number of US dollars, 0 or more, got "cheap"',
    );
    for (const [field, value] of [
      ["display_name", 3],
      ["price_unit", 5],
      ["kind", 7],
    ] as const)
      expect(broken).toContain(`catalog entry #1 of the listing: "${field}" must be a string, got ${value}`);
    expect(broken).toContain('catalog entry #2 of the listing: has no "input_schema" with "properties"');
    expect(broken).toContain('catalog entry #3 of the listing: "model_id": invalid model id "single"');
    // A value that is not an entry is shown cut short, as every generator message shows a value.
    expect(broken).toContain(`catalog entry #4 of the listing: must be an object, got "${"x".repeat(56)}...`);
    // A schema that would not generate (a keyword the generator does not implement) stops the run too.
    const unsupported = await failure({
      fetch: tampered(0, (page) => ({
        ...page,
        models: page.models.map((entry, index) =>
          index === 0 ? { ...entry, input_schema: { type: "object", properties: { x: { oneOf: [] } } } } : entry,
        ),
      })),
    });
    expect(unsupported).toContain('unsupported keyword "oneOf"');
  }, 120_000);

  it("on the command line: a summary of what changed, kept models in the drift report, no progress into a pipe", async () => {
    const { emulator } = await bigCatalog();
    const root = await project();
    const result = await runCli(["pull", "--all", "--root", root, "--no-generate", "--base-url", emulator.url], {
      env: { RUNCOMFY_API_TOKEN: TOKEN },
    });
    expect(result.code, result.stderr).toBe(0);
    // stderr is a pipe here: no `[n/total]` progress.
    expect(result.stderr).not.toMatch(/\[\d+\/\d+\]/);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe(
      `catalog ${emulator.url}: ${CATALOG_SIZE} models (${CATALOG_SIZE} created, 0 updated, 0 unchanged, 4 no longer listed (kept))`,
    );
    expect(result.stdout).toContain("created   schemas/kling/kling-3.0-v3/4k/image-to-video.json");
    expect(result.stdout).toContain(
      "created   schemas/minimax/Hailuo~20Video~2001~20Live-v1.json (minimax/Hailuo Video 01 Live-v1)",
    );
    for (const id of SEED_IDS) expect(result.stdout).toContain(`  ${id}\n    ERR  (model): ${KEPT_TEXT}`);

    const filtered = await runCli(
      ["pull", "--all", "--category", "image-to-image", "--root", root, "--no-generate", "--base-url", emulator.url],
      {
        env: { RUNCOMFY_API_TOKEN: TOKEN },
      },
    );
    expect(filtered.code, filtered.stderr).toBe(0);
    expect(filtered.stdout).toContain(
      "note: a server-side filter (--search, --category, --kind) lists part of the catalog",
    );
  }, 120_000);
});
