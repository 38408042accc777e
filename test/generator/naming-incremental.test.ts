/**
 * `namesFor` (generator/model/naming.ts) names an id set from the memo of an earlier set by looking only at the ids
 * added or removed since, when that provably changes no other id's names. Held to `assignModelNames` over seeded
 * random sets built to collide: readable names that read the same (`a/b-c`, `a-b/c`), `X` and `XRaw`, ids that differ
 * only in case in any segment, a folder and a file of the same name.
 */
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../emulator/faults.ts";
import { assignModelNames, namesFor } from "../../generator/model/naming.ts";

const VENDORS = ["acme", "Acme", "acme-ai", "acmeai", "kling", "Kling", "x"];
const FAMILIES = ["wan-2", "wan2", "Wan-2", "video", "Video", "o3", "O3", "flux.1", "flux-1", "4k", "4K"];
const TASKS = ["edit", "Edit", "edit-raw", "editRaw", "t2v", "T2V", "image-to-video", "image/to-video", "video"];

function randomId(random: () => number): string {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const depth = 1 + Math.floor(random() * 3);
  return [pick(VENDORS), ...Array.from({ length: depth - 1 }, () => pick(FAMILIES)), pick(TASKS)].join("/");
}

function randomSet(random: () => number, size: number): string[] {
  return [...new Set(Array.from({ length: size }, () => randomId(random)))];
}

describe("incremental model naming", () => {
  it("gives assignModelNames' names for sets that grow and shrink, and its memo chains", () => {
    let incremental = 0;
    let fallback = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const random = seededRandom(seed);
      let ids = randomSet(random, 2 + Math.floor(random() * 40));
      let { memo } = namesFor(ids);
      for (let step = 0; step < 4; step++) {
        const kept = ids.filter(() => random() > 0.15);
        const added = randomSet(random, Math.floor(random() * 3)).filter((id) => !kept.includes(id));
        ids = [...kept, ...added];
        const changed = added.length > 0 || kept.length < memo.names.size;
        const result = namesFor(ids, memo);
        const expected = assignModelNames(ids);
        expect([...result.names.keys()], `seed ${seed}`).toEqual([...expected.keys()]);
        for (const [id, names] of expected) expect(result.names.get(id), `seed ${seed}: ${id}`).toEqual(names);
        // The memo it hands on is the one a full assignment would (so the next step starts right).
        const fresh = namesFor(ids).memo;
        expect(new Map(result.memo.readable), `seed ${seed}`).toEqual(new Map(fresh.readable));
        expect(new Map(result.memo.keys), `seed ${seed}`).toEqual(new Map(fresh.keys));
        // Which way it went: a kept id's record is the memo's own object only when nothing was assigned again.
        if (changed && kept.length > 0) {
          if (result.names.get(kept[0]!) === memo.names.get(kept[0]!)) incremental++;
          else fallback++;
        }
        memo = result.memo;
      }
    }
    // Both ways are exercised.
    expect(incremental).toBeGreaterThan(100);
    expect(fallback).toBeGreaterThan(100);
  });

  it("names a set exactly from the memo of a set several changes back, and counts the changes", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = seededRandom(seed);
      let ids = randomSet(random, 2 + Math.floor(random() * 40));
      const { memo } = namesFor(ids);
      for (let step = 0; step < 6; step++) {
        const kept = ids.filter(() => random() > 0.1);
        ids = [...kept, ...randomSet(random, Math.floor(random() * 3)).filter((id) => !kept.includes(id))];
        // Always the first memo, never the last result's.
        const result = namesFor(ids, memo);
        const expected = assignModelNames(ids);
        expect([...result.names.keys()], `seed ${seed}`).toEqual([...expected.keys()]);
        for (const [id, names] of expected) expect(result.names.get(id), `seed ${seed}: ${id}`).toEqual(names);
        if (result.changes !== undefined) {
          const before = new Set(memo.names.keys());
          const now = new Set(ids);
          const came = ids.filter((id) => !before.has(id)).length;
          const went = [...before].filter((id) => !now.has(id)).length;
          expect(result.changes, `seed ${seed}`).toBe(came + went);
        }
      }
    }
    expect(namesFor(["acme/video/edit"], namesFor(["acme/video/edit"]).memo).changes).toBe(0);
    expect(namesFor(["acme/video/edit"]).changes).toBeUndefined();
  });

  it("adds a plain id without assigning the others again, and falls back when it meets one", () => {
    const ids = ["acme/video/edit", "acme/wan-2/t2v", "kling/o3/edit"];
    const { memo } = namesFor(ids);
    const plain = namesFor([...ids, "x/video/edit"], memo);
    // The other ids' records are the memo's own: nothing was assigned again.
    for (const id of ids) expect(plain.names.get(id)).toBe(memo.names.get(id));
    expect(plain.names.get("x/video/edit")?.typeName).toBe("XVideoEdit");

    // `Acme/video/edit` differs from `acme/video/edit` only in case: both are renamed, as a full assignment does.
    const clash = namesFor([...ids, "Acme/video/edit"], memo);
    expect(clash.names).toEqual(assignModelNames([...ids, "Acme/video/edit"]));
    expect(clash.names.get("acme/video/edit")).not.toEqual(memo.names.get("acme/video/edit"));
    // Removing it again gives back the original names.
    expect(namesFor(ids, clash.memo).names).toEqual(assignModelNames(ids));
  });

  it("throws what assignModelNames throws for an invalid added id", () => {
    const { memo } = namesFor(["acme/video/edit"]);
    expect(() => namesFor(["acme/video/edit", "no-slash"], memo)).toThrow(/invalid model id "no-slash"/);
  });
});
