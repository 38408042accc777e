/** `pull` against the emulator's catalog: a changed model is refreshed, the others keep their bytes. */
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GeneratorErrors } from "../../generator/lib/diagnostics.ts";
import { pullSchemas } from "../../generator/commands/pull.ts";
import { parseSchemaFile, serializeSchemaFile, type SchemaFile } from "../../generator/schemas/schema-file.ts";
import { startEmulator } from "../../emulator/index.ts";
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
      /^4 problems:\n {2}- community\/fantasy-portrait\/image-to-video: catalog call failed: .*401/,
    );
    expect(await failure({ modelIds: ["community/nowhere/model"] })).toBe(
      "community/nowhere/model: no schema file schemas/community/nowhere/model.json; pull refreshes checked-in models (the catalog has no output schema or example): add the model from its doc page first\nNothing was written.",
    );
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
      /^community\/infinite-talk\/image-to-video: catalog call failed: .*404.*\nNothing was written\.$/s,
    );
  });

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
      `catalog ${emulator.url}: 4 models, 1 changed`,
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
