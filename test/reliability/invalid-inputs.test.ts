/**
 * Invalid inputs, generated from each model's published schema (the seeds, a
 * fixture with one keyword of each kind, and realistic catalog entries with
 * nested objects and arrays of objects): every invalid one is rejected
 * locally with an error naming the friendly and the raw place, and nothing
 * is sent; every valid one is accepted (and the emulator takes it). Each
 * verdict is checked against an independent JSON Schema validator
 * (@cfworker/json-schema, not ajv) applied to the published schema with the
 * documented leniency. Media fetchability is the client's own verdict and is
 * tested on its own, at every depth.
 */
import { Validator } from "@cfworker/json-schema";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lenientSchema } from "../../emulator/catalog.ts";
import { startEmulator } from "../../emulator/index.ts";
import type {
  AnyModel,
  FieldDefinition,
  RunComfyClient,
  ValidationIssue,
  ValueDefinition,
} from "../../generated/index.js";
import { catalogSchemaTexts } from "../helpers/catalog.ts";
import {
  fetchableMedia,
  inputCases,
  mediaSites,
  replaceAt,
  unfetchableMedia,
  validValue,
  type Body,
  type InputCase,
  type Json,
  type PublishedInput,
} from "../helpers/input-cases.ts";
import { generatedPackage } from "../helpers/package.ts";
import { ROOT } from "../helpers/project.ts";

const FIXTURE = join(ROOT, "test/fixtures/invalid-inputs/required-fields.json");
const pkg = await generatedPackage([await readFile(FIXTURE, "utf8"), ...(await catalogSchemaTexts())], {
  withSeeds: true,
});
const generated = await pkg.load<typeof import("../../generated/index.js")>("index.js");
const emu = await startEmulator({ schemasDir: pkg.schemasDir, capacity: 1000, durationMs: 10 });
const client = generated.createClient({ baseUrl: emu.url, token: emu.token }) as RunComfyClient;
afterAll(async () => {
  await emu.close();
  await pkg.cleanup();
});

interface ModelUnderTest {
  readonly id: string;
  readonly model: AnyModel;
  readonly published: PublishedInput;
  /** The documented contract as a JSON Schema, judged by @cfworker/json-schema. */
  readonly contract: Validator;
}

type Schema = Record<string, unknown>;

/** The documented rule for nested objects: one that lists its properties is closed unless it says otherwise. */
function closeNested(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeNested);
  if (typeof schema !== "object" || schema === null) return schema;
  const copy: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    copy[key] =
      key === "properties" && typeof value === "object" && value !== null
        ? Object.fromEntries(Object.entries(value).map(([name, child]) => [name, closeNested(child)]))
        : closeNested(value);
  }
  if (copy["properties"] !== undefined && copy["additionalProperties"] === undefined)
    copy["additionalProperties"] = false;
  return copy;
}

const MODELS: readonly ModelUnderTest[] = await Promise.all(
  pkg.specs.map(async (spec) => {
    const published = (
      JSON.parse(await readFile(join(pkg.root, spec.schemaFile), "utf8")) as { inputSchema: PublishedInput }
    ).inputSchema;
    // The documented leniency (as the emulator applies it): float = number, a `required` entry naming no property
    // ignored, required stays required also with a default; inputs and their nested objects closed.
    const contract = new Validator(closeNested(lenientSchema(published)) as Schema, "7", false);
    return { id: spec.id, model: (await generated.loadModel(spec.id))!, published, contract };
  }),
);

/** The definition of a top-level field by raw key. */
const fieldOf = (model: AnyModel, key: string): FieldDefinition | undefined =>
  model.fields.find((field) => field.key === key);
const aliasOf = (model: AnyModel, key: string): string => fieldOf(model, key)?.alias ?? key;

/** A wire value under friendly names, at every depth (unknown keys stay as they are). */
function friendlyValue(definition: ValueDefinition | undefined, value: Json): unknown {
  if (definition?.members && typeof value === "object" && value !== null && !Array.isArray(value))
    return Object.fromEntries(
      Object.entries(value).map(([key, child]) => {
        const member = definition.members!.find((candidate: FieldDefinition) => candidate.key === key);
        return [member?.alias ?? key, friendlyValue(member, child)];
      }),
    );
  if (definition?.items && Array.isArray(value)) return value.map((item) => friendlyValue(definition.items, item));
  return value;
}

/** The same body under friendly names. */
const friendly = (model: AnyModel, body: Body): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(body).map(([key, value]) => [aliasOf(model, key), friendlyValue(fieldOf(model, key), value)]),
  );

/** How messages name a place below a field: friendly (`multiPrompt[0].duration`) and raw (`multi_prompt[0].duration`). */
function placeNames(model: AnyModel, key: string, below: readonly string[]): { friendly: string; raw: string } {
  let definition: ValueDefinition | undefined = fieldOf(model, key);
  let friendlyName = aliasOf(model, key);
  let raw = key;
  for (const segment of below) {
    if (/^\d+$/.test(segment)) {
      friendlyName += `[${segment}]`;
      raw += `[${segment}]`;
      definition = definition?.items;
    } else {
      const member: FieldDefinition | undefined = definition?.members?.find(
        (candidate: FieldDefinition) => candidate.key === segment,
      );
      friendlyName += `.${member?.alias ?? segment}`;
      raw += `.${segment}`;
      definition = member;
    }
  }
  return { friendly: friendlyName, raw };
}

const requestsSoFar = (): number => Object.values(emu.stats().requests).reduce((sum, count) => sum + count, 0);

/** Submits through the client: a handle for a valid input; for an invalid one a ValidationError, and no request at all. */
async function submitExpecting(
  subject: ModelUnderTest,
  input: Record<string, unknown>,
  valid: boolean,
): Promise<readonly ValidationIssue[]> {
  const before = requestsSoFar();
  const outcome = await client.submit(subject.id as never, input as never).then(
    (handle) => ({ handle }),
    (error: unknown) => ({ error }),
  );
  if (valid) {
    expect(outcome).toMatchObject({ handle: { modelId: subject.id, requestId: expect.any(String) } });
    expect(requestsSoFar()).toBe(before + 1);
    return [];
  }
  expect(outcome).toMatchObject({ error: { name: "ValidationError" } });
  expect(requestsSoFar()).toBe(before);
  return (outcome as { error: { issues: readonly ValidationIssue[] } }).error.issues;
}

/** Every issue names the top-level field (alias and key), and its message names the place, friendly and raw. */
function expectNamed(
  issues: readonly ValidationIssue[],
  subject: ModelUnderTest,
  key: string,
  below: readonly string[],
): void {
  expect(issues.length).toBeGreaterThan(0);
  const alias = aliasOf(subject.model, key);
  const names = placeNames(subject.model, key, below);
  for (const issue of issues) {
    expect(issue).toMatchObject({ alias, key });
    // A missing or unknown member is reported on the object that holds it: its path is named.
    expect(issue.message).toContain(names.friendly.replace(/\.[^.[]+$/, ""));
    if (names.friendly !== names.raw) expect(issue.message).toContain(`"${names.raw.replace(/\.[^.[]+$/, "")}`);
  }
}

function caseLabel(subject: ModelUnderTest, entry: InputCase): string {
  if (!entry.key) return "input";
  const names = placeNames(subject.model, entry.key, entry.below);
  return names.friendly === names.raw ? names.friendly : `${names.friendly} ("${names.raw}")`;
}

const caseRows = MODELS.flatMap((subject) =>
  inputCases(subject.published).map(
    (entry) =>
      [
        `${subject.id} › ${caseLabel(subject, entry)} ${entry.what} (${entry.valid ? "valid" : "invalid"})`,
        subject,
        entry,
      ] as const,
  ),
);

describe("inputs generated from the published schemas", () => {
  it.each(caseRows)(
    "%s: the client agrees with the published schema, and sends only what is valid",
    async (_, subject, entry: InputCase) => {
      const verdict = entry.valid ? "valid" : "invalid";
      expect(subject.contract.validate(entry.body).valid ? "valid" : "invalid", "independent validator").toBe(verdict);
      expect(subject.model.validate(entry.body).length === 0 ? "valid" : "invalid", "client, raw keys").toBe(verdict);
      const input = friendly(subject.model, entry.body);
      expect(subject.model.validate(input).length === 0 ? "valid" : "invalid", "client, friendly names").toBe(verdict);
      const issues = await submitExpecting(subject, input, entry.valid);
      if (!entry.valid) expectNamed(issues, subject, entry.key, entry.below);
      // What is sent is the wire body itself: friendly names at every depth map back to the raw keys.
      if (entry.valid) expect(subject.model.build(input)).toEqual(entry.body);
    },
  );

  it("names a nested place by its friendly and its raw path, and the rule", () => {
    const kling = MODELS.find((subject) => subject.id === "kling/kling-3.0/4k/image-to-video")!;
    const base = friendly(kling.model, inputCases(kling.published)[0]!.body);
    const issues = kling.model.validate({ ...base, multiPrompt: [{ prompt: "a" }, { prompt: "b", duration: 11 }] });
    expect(issues.map(({ path, rule, message }) => ({ path, rule, message }))).toEqual([
      {
        path: "/multi_prompt/0/duration",
        rule: "required",
        message: 'multiPrompt[0].duration ("multi_prompt[0].duration"): is required',
      },
      {
        path: "/multi_prompt/1/duration",
        rule: "maximum",
        message: 'multiPrompt[1].duration ("multi_prompt[1].duration"): must be <= 10; allowed 1 to 10, got 11',
      },
    ]);
  });

  it("says an exclusive bound as one: > 0 and <= 2, not 0 to 2", () => {
    const flux = MODELS.find((subject) => subject.id === "blackforestlabs/flux-3/keyframes-to-video")!;
    const base = friendly(flux.model, inputCases(flux.published)[0]!.body) as Record<string, unknown>;
    const messages = flux.model.validate({ ...base, camera: { speed: 0 } }).map(({ message }) => message);
    expect(messages).toEqual(["camera.speed: must be > 0; allowed > 0 and <= 2, got 0"]);
  });

  it("has cases for every field, every nested member and every constraint of every model", () => {
    for (const subject of MODELS) {
      const covered = new Set(
        inputCases(subject.published)
          .filter((entry) => !entry.valid)
          .map((entry) => [entry.key, ...entry.below.filter((segment) => !/^\d+$/.test(segment))].join(".")),
      );
      const members = (properties: Record<string, Record<string, unknown>>, prefix: string): string[] =>
        Object.entries(properties).flatMap(([key, schema]) => {
          const items = (schema["items"] ?? {}) as Record<string, unknown>;
          const nested = (schema["properties"] ?? items["properties"]) as
            Record<string, Record<string, unknown>> | undefined;
          return [`${prefix}${key}`, ...(nested ? members(nested, `${prefix}${key}.`) : [])];
        });
      for (const place of members(subject.published.properties as Record<string, Record<string, unknown>>, ""))
        expect(covered.has(place), `${subject.id} ${place}`).toBe(true);
    }
    const rules = new Set(
      MODELS.flatMap((subject) => inputCases(subject.published).map((entry) => entry.what.replace(/ \(.*\)$/, ""))),
    );
    for (const what of [
      "just outside minimum",
      "just outside exclusiveMaximum",
      "not a multiple of multipleOf",
      "below minLength",
      "above maxItems",
      "below minItems",
      "with a repeated item",
      "outside the allowed values",
      "of the wrong type",
      "missing",
      "an unknown key",
    ]) {
      expect(
        [...rules].some((rule) => rule.startsWith(what)),
        what,
      ).toBe(true);
    }
    // Nested cases exist: a required member missing and an unknown member, below arrays of objects and objects.
    const nested = MODELS.flatMap((subject) => inputCases(subject.published).filter((entry) => entry.below.length > 0));
    expect(nested.some((entry) => entry.what === "missing (required member)" && entry.below[0] === "0")).toBe(true);
    expect(nested.some((entry) => entry.what === "an unknown key (member)" && !/^\d+$/.test(entry.below[0]!))).toBe(
      true,
    );
  });
});

const mediaRows = MODELS.flatMap((subject) =>
  mediaSites(subject.published).map((site) => {
    const names = placeNames(subject.model, site.key, site.below);
    return [`${subject.id} › ${names.friendly} ("${names.raw}")`, subject, site] as const;
  }),
);

/** A valid body with the media place `site` set to `value` (or, for an array, `[a fine URL, value]`). */
function withMedia(subject: ModelUnderTest, site: (typeof mediaRows)[number][2], value: string): Body {
  const base = inputCases(subject.published)[0]!.body;
  const media: Json = site.array ? ["https://example.com/ok.png", value] : value;
  const top = base[site.key] ?? validValue(subject.published.properties[site.key]!, site.key);
  return { ...base, [site.key]: replaceAt(top, site.below, media) };
}

describe("media references", () => {
  it("are found by the documented rule exactly where the generated model checks them, at every depth", () => {
    for (const subject of MODELS) {
      const published = mediaSites(subject.published)
        .map((site) => [site.key, ...site.below.filter((segment) => !/^\d+$/.test(segment))].join("."))
        .sort();
      const checked: string[] = [];
      const visit = (definition: ValueDefinition, path: string): void => {
        if (definition.media ?? definition.mediaItems) checked.push(path);
        for (const member of definition.members ?? []) visit(member, `${path}.${member.key}`);
        if (definition.items) visit(definition.items, path);
      };
      for (const field of subject.model.fields) visit(field, field.key);
      expect(checked.sort(), subject.id).toEqual(published);
    }
  });

  it("include every realistic shape: format, title with or without URL, plain media keys, nested members", () => {
    const places = new Set(
      MODELS.flatMap((subject) =>
        mediaSites(subject.published).map(
          (site) => `${subject.id} ${[site.key, ...site.below.filter((segment) => !/^\d+$/.test(segment))].join(".")}`,
        ),
      ),
    );
    for (const place of [
      "kling/kling-3.0/4k/image-to-video image_url", // format image_uri
      "kling/kling-3.0/4k/image-to-video end_image_url", // title "End Image URL", no format
      "kling/kling-3.0/4k/image-to-video elements.frontal_image_url", // nested, title "Frontal Image URL"
      "kling/kling-3.0/4k/image-to-video elements.reference_image_urls", // nested array of URLs
      "google-deepmind/veo-3-1/fast/first-last-frame-to-video first_frame_url", // key first_frame_url, title "First Frame"
      "bytedance/seedream-4-5/edit images", // items with format image_uri
      "minimax/Hailuo Video 01 Live first_frame_image", // title "First Frame Image"
      "blackforestlabs/flux-3/keyframes-to-video keyframes.image_url", // in a required array of objects
      "ideogram-ai/ideogram-v3/edit image", // format image_uri_with_mask_image_ideogramv3
      "ideogram-ai/ideogram-v3/edit source", // title "Video URL"
      "ideogram-ai/ideogram-v3/edit ref", // title "Reference Image URL"
    ])
      expect(places.has(place), place).toBe(true);
    for (const place of [
      "tongyi-mai/z-image/turbo/controlnet/lora image_size", // "Image Size"
      "tongyi-mai/z-image/turbo/controlnet/lora num_images", // "Number of Images"
      "bytedance/seedream-4-5/edit image_size",
    ])
      expect(places.has(place), place).toBe(false);
  });

  it.each(mediaRows)(
    "%s: a reference a server cannot fetch is stopped locally, naming the place, and nothing is sent",
    async (_, subject, site) => {
      for (const value of unfetchableMedia(site.kind)) {
        const body = withMedia(subject, site, value);
        // The published schema cannot tell: to it, every one of these is a fine string.
        expect(subject.contract.validate(body).valid, value).toBe(true);
        const issues = await submitExpecting(subject, friendly(subject.model, body), false);
        expect(issues.map((issue) => [issue.alias, issue.key])).toEqual([[aliasOf(subject.model, site.key), site.key]]);
        const pointer = `/${[site.key, ...site.below, ...(site.array ? ["1"] : [])].join("/")}`;
        expect(
          issues.map((issue) => [issue.rule, issue.path]),
          value,
        ).toEqual([["media", pointer]]);
        const names = placeNames(subject.model, site.key, [...site.below, ...(site.array ? ["1"] : [])]);
        expect(issues[0]!.message).toContain(
          names.friendly === names.raw ? names.friendly : `${names.friendly} ("${names.raw}"`,
        );
      }
    },
  );

  it.each(mediaRows)("%s: a reference a server can fetch is accepted and sent", async (_, subject, site) => {
    for (const value of fetchableMedia(site.kind)) {
      const body = withMedia(subject, site, value);
      expect(subject.model.validate(body), value).toEqual([]);
      await submitExpecting(subject, friendly(subject.model, body), true);
    }
  });
});
