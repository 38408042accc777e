/**
 * Invalid inputs, generated from each model's published schema (the seeds
 * plus a fixture with truly required fields): every invalid one is rejected
 * locally with an error naming alias and raw key, and nothing is sent; every
 * valid one is accepted (and the emulator takes it). Each verdict is checked
 * against an independent JSON Schema validator (@cfworker/json-schema, not
 * ajv) applied to the published schema with the documented leniency. Media
 * fetchability is the client's own verdict and is tested on its own.
 */
import { Validator } from "@cfworker/json-schema";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lenientSchema } from "../../emulator/catalog.ts";
import { startEmulator } from "../../emulator/index.ts";
import type { AnyModel, RunComfyClient, ValidationIssue } from "../../generated/index.js";
import { schemaFilePath } from "../../generator/schemas/schema-file.ts";
import {
  fetchableMedia,
  inputCases,
  mediaKind,
  unfetchableMedia,
  type Body,
  type InputCase,
  type PublishedInput,
} from "../helpers/input-cases.ts";
import { generatedPackage } from "../helpers/package.ts";
import { ROOT } from "../helpers/project.ts";

const FIXTURE = join(ROOT, "test/fixtures/invalid-inputs/required-fields.json");
const pkg = await generatedPackage([await readFile(FIXTURE, "utf8")], { withSeeds: true });
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

const MODELS: readonly ModelUnderTest[] = await Promise.all(
  pkg.report.specs.map(async (spec) => {
    const published = (
      JSON.parse(await readFile(join(pkg.schemasDir, schemaFilePath(spec.id)), "utf8")) as {
        inputSchema: PublishedInput;
      }
    ).inputSchema;
    // Same leniency as documented (and as the emulator applies): float = number, required-with-default optional, closed.
    const contract = new Validator(
      { ...(lenientSchema(published) as object), additionalProperties: false },
      "7",
      false,
    );
    return {
      id: spec.id,
      model: (generated.models as unknown as Record<string, AnyModel>)[spec.id]!,
      published,
      contract,
    };
  }),
);

const aliasOf = (model: AnyModel, key: string): string => model.fields.find((field) => field.key === key)?.alias ?? key;
/** The same body under friendly names (unknown keys stay as they are). */
const friendly = (model: AnyModel, body: Body): Record<string, unknown> =>
  Object.fromEntries(Object.entries(body).map(([key, value]) => [aliasOf(model, key), value]));
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

function expectNamed(issues: readonly ValidationIssue[], alias: string, key: string): void {
  expect(issues.length).toBeGreaterThan(0);
  for (const issue of issues) {
    expect(issue).toMatchObject({ alias, key });
    expect(issue.message).toContain(alias);
    if (alias !== key) expect(issue.message).toContain(`"${key}"`);
  }
}

const caseRows = MODELS.flatMap((subject) =>
  inputCases(subject.published).map(
    (entry) =>
      [
        `${subject.id} › ${entry.key ? `${aliasOf(subject.model, entry.key)} ("${entry.key}")` : "input"} ${entry.what} (${entry.valid ? "valid" : "invalid"})`,
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
      if (!entry.valid) expectNamed(issues, aliasOf(subject.model, entry.key), entry.key);
    },
  );

  it("has cases for every field and every constraint of every model", () => {
    for (const subject of MODELS) {
      const covered = new Set(
        inputCases(subject.published)
          .filter((entry) => !entry.valid)
          .map((entry) => entry.key),
      );
      for (const key of Object.keys(subject.published.properties))
        expect(covered.has(key), `${subject.id} ${key}`).toBe(true);
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
  });
});

const mediaRows = MODELS.flatMap((subject) =>
  Object.entries(subject.published.properties).flatMap(([key, schema]) => {
    const media = mediaKind(schema);
    return media ? [[`${subject.id} › ${aliasOf(subject.model, key)} ("${key}")`, subject, key, media] as const] : [];
  }),
);

describe("media references", () => {
  it("are found by the published rule exactly where the generated model checks them", () => {
    for (const subject of MODELS) {
      const published = Object.entries(subject.published.properties)
        .filter(([, schema]) => mediaKind(schema))
        .map(([key]) => key);
      const generatedMedia = subject.model.fields
        .filter((field) => field.media ?? field.mediaItems)
        .map((field) => field.key);
      expect(generatedMedia, subject.id).toEqual(published);
    }
  });

  it.each(mediaRows)(
    "%s: a reference a server cannot fetch is stopped locally, naming the field, and nothing is sent",
    async (_, subject, key, media) => {
      const base = inputCases(subject.published)[0]!.body;
      for (const value of unfetchableMedia(media.kind)) {
        const body = { ...base, [key]: media.array ? ["https://example.com/ok.png", value] : value };
        // The published schema cannot tell: to it, every one of these is a fine string.
        expect(subject.contract.validate(body).valid, value).toBe(true);
        const issues = await submitExpecting(subject, friendly(subject.model, body), false);
        expectNamed(issues, aliasOf(subject.model, key), key);
        expect(
          issues.map((issue) => [issue.rule, issue.path]),
          value,
        ).toEqual([["media", media.array ? `/${key}/1` : `/${key}`]]);
      }
    },
  );

  it.each(mediaRows)("%s: a reference a server can fetch is accepted and sent", async (_, subject, key, media) => {
    const base = inputCases(subject.published)[0]!.body;
    for (const value of fetchableMedia(media.kind)) {
      const body = { ...base, [key]: media.array ? [value] : value };
      expect(subject.model.validate(body), value).toEqual([]);
      await submitExpecting(subject, friendly(subject.model, body), true);
    }
  });
});
