/** `serializeManifest` (generator/package/manifest.ts) prints the units one by one: the bytes of sorted copies. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../emulator/faults.ts";
import {
  MANIFEST_FILE,
  readManifest,
  serializeManifest,
  serializeManifestObjects,
  type Manifest,
} from "../../generator/package/manifest.ts";
import { ROOT } from "../helpers/project.ts";

/** A name from a small alphabet that makes ties, prefixes, escapes, non-ASCII and array-index keys likely. */
function name(random: () => number): string {
  const parts = ["a", "B", "model:", "/", "0", "7", "10", ".js", "é", '"', "\\", "\u0000", "😀", "__proto__"];
  if (random() < 0.05) return String(Math.floor(random() * 20));
  return Array.from({ length: 1 + Math.floor(random() * 4) }, () => parts[Math.floor(random() * parts.length)]).join(
    "",
  );
}

describe("serializeManifest", () => {
  it("gives the committed manifest's bytes back", async () => {
    const stored = await readManifest(join(ROOT, "generated"));
    expect(stored).toBeDefined();
    expect(serializeManifest(stored!.manifest)).toBe(readFileSync(join(ROOT, "generated", MANIFEST_FILE), "utf8"));
  });

  it("prints what sorted copies and one JSON.stringify print, for any units, files and odd shapes", () => {
    let odd = 0;
    for (let seed = 1; seed <= 500; seed++) {
      const random = seededRandom(seed);
      const units: Record<string, unknown> = {};
      for (let unit = Math.floor(random() * 8); unit > 0; unit--) {
        const files: Record<string, unknown> = {};
        for (let file = Math.floor(random() * 4); file > 0; file--) files[name(random)] = name(random);
        const shape = random();
        if (shape < 0.03) files[name(random)] = 7;
        units[name(random)] =
          shape < 0.06
            ? { files }
            : shape < 0.08
              ? { key: 1, files }
              : shape < 0.1
                ? { key: "k", files: [] }
                : { key: name(random), files, extra: 1 };
        if (shape < 0.1) odd++;
      }
      const manifest = {
        version: 1,
        inputs: name(random),
        models: Math.floor(random() * 5),
        warnings: random() < 0.5 ? [] : [{ code: "c", message: name(random) }],
        units,
      } as unknown as Manifest;
      expect(serializeManifest(manifest), `seed ${seed}`).toBe(serializeManifestObjects(manifest));
    }
    expect(odd).toBeGreaterThan(10);
  });
});
