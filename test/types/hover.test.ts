/**
 * What a consumer's editor shows: the exact hover text (quickinfo: signature, documentation and tags) of three fields
 * of `hovers.ts`, asked from the TypeScript language service with this folder's tsconfig (strict, NodeNext, the
 * generated package). A change to the generated TSDoc or to how a type is named shows up in this snapshot's diff.
 * Also what the editor completes inside `client.run(id, { | })`: the model's friendly names, no raw key.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import fantasy from "../../generated/models/community/fantasy-portrait/image-to-video.js";
import { storedModelIds } from "../../generator/schemas/store.ts";
import { ROOT } from "../helpers/project.ts";

const DIR = import.meta.dirname;

/** Consumer files that exist only in memory (for completions at a cursor), by path. */
const VIRTUAL = new Map<string, string>();

function languageService(): ts.LanguageService {
  const configPath = join(DIR, "tsconfig.json");
  const config = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, dirname(configPath));
  const host: ts.LanguageServiceHost = {
    getCompilationSettings: () => parsed.options,
    getScriptFileNames: () => [join(DIR, "hovers.ts"), ...VIRTUAL.keys()],
    getScriptVersion: () => "1",
    getScriptSnapshot: (path) => {
      const text = VIRTUAL.get(path) ?? ts.sys.readFile(path);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => DIR,
    getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
    fileExists: (path) => VIRTUAL.has(path) || ts.sys.fileExists(path),
    readFile: (path) => ts.sys.readFile(path),
    readDirectory: (...args) => ts.sys.readDirectory(...args),
    directoryExists: (path) => ts.sys.directoryExists(path),
    getDirectories: (path) => ts.sys.getDirectories(path),
  };
  return ts.createLanguageService(host, ts.createDocumentRegistry());
}

/** The hover of the first `name` after `after` in hovers.ts, as an editor prints it. */
function hover(service: ts.LanguageService, after: string, name: string): string {
  const file = join(DIR, "hovers.ts");
  const text = readFileSync(file, "utf8");
  const position = text.indexOf(`${name}:`, text.indexOf(after));
  if (position < 0) throw new Error(`no ${name} after ${after} in hovers.ts`);
  const info = service.getQuickInfoAtPosition(file, position);
  if (!info) throw new Error(`no hover for ${name}`);
  const signature = ts.displayPartsToString(info.displayParts);
  const documentation = ts.displayPartsToString(info.documentation);
  const tags = (info.tags ?? []).map((tag) => `@${tag.name} ${ts.displayPartsToString(tag.text)}`.trimEnd());
  return [signature, documentation, ...tags].filter((part) => part !== "").join("\n");
}

describe("hovers of the generated package", () => {
  it("show named types, units and defaults", async () => {
    const service = languageService();
    const hovers = [
      ["build({ … resolution })", hover(service, "build(", "resolution")],
      ["build({ … steps })", hover(service, "build(", "steps")],
      ["client.run(…, { timeoutMs })", hover(service, ".run(", "timeoutMs")],
    ];
    const text = hovers.map(([where, shown]) => `## ${where}\n\n${shown}\n`).join("\n");
    // Named types, not their members: the size field names its type instead of listing 30 values.
    expect(hovers[0]![1]).toContain("resolution?: CommunityFantasyPortraitImageToVideoResolution | undefined");
    await expect(text).toMatchFileSnapshot("../__snapshots__/types/hovers.md");
  });

  it('complete the known model ids inside client.run("|")', async () => {
    const file = join(DIR, "completing-id.ts");
    const before = `import { createClient } from "runcomfy-models";\nvoid createClient().run("`;
    VIRTUAL.set(file, `${before}", {});\n`);
    const completions = languageService().getCompletionsAtPosition(file, before.length, {});
    const names = (completions?.entries ?? []).map((entry) => entry.name).sort();
    // Exactly the ids of the checked-in schema files: the `ModelId` union, nothing else.
    expect(names).toEqual([...(await storedModelIds(ROOT))].sort());
    expect(names).toContain(fantasy.id);
  });

  it("complete the friendly names only inside client.run(id, { | }): no raw key", () => {
    const file = join(DIR, "completing.ts");
    const before = `import { createClient } from "runcomfy-models";\nvoid createClient().run("${fantasy.id}", { `;
    VIRTUAL.set(file, `${before} });\n`);
    const completions = languageService().getCompletionsAtPosition(file, before.length, {});
    const names = (completions?.entries ?? []).map((entry) => entry.name).sort();
    expect(names).toEqual(fantasy.fields.map((field) => field.alias).sort());
    expect(names.filter((name) => fantasy.fields.some((field) => field.key === name && field.alias !== name))).toEqual(
      [],
    );
  });
});
