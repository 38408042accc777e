/**
 * Pairs input fields that only moved to another ComfyUI node.
 *
 * When a workflow is re-exported, node ids change: `143_image` becomes
 * `150_image` while the field stays the same. oasdiff would see one property
 * removed and another added; the generator knows better, because aliases
 * never depend on node numbers (`model/aliases.ts`). A removed and an added
 * field are paired when both are node-ID keys with the same node input
 * name(s), the same title, the same types and the same media kind, and that
 * pairing is unambiguous (exactly one candidate on each side). Anything else
 * stays a removal plus an addition: a guess would hide a real change.
 */
import type { FieldSpec } from "../model/types.ts";

export interface Renumbering {
  readonly before: FieldSpec;
  readonly after: FieldSpec;
}

export interface PairingResult {
  readonly pairs: readonly Renumbering[];
  readonly removed: readonly FieldSpec[];
  readonly added: readonly FieldSpec[];
}

/** What must stay equal for two keys to be the same field on renumbered nodes; undefined for plain keys. */
function signature(field: FieldSpec): string | undefined {
  if (field.nodes.length === 0) return undefined;
  const value = field.value;
  return JSON.stringify([
    field.nodes.map((node) => node.input),
    value.title ?? null,
    [...value.types].sort(),
    value.media ?? null,
    value.items?.media ?? null,
  ]);
}

function bySignature(fields: readonly FieldSpec[]): Map<string, FieldSpec[]> {
  const groups = new Map<string, FieldSpec[]>();
  for (const field of fields) {
    const key = signature(field);
    if (key !== undefined) groups.set(key, [...(groups.get(key) ?? []), field]);
  }
  return groups;
}

export function pairRenumbered(removed: readonly FieldSpec[], added: readonly FieldSpec[]): PairingResult {
  const removedGroups = bySignature(removed);
  const addedGroups = bySignature(added);
  const pairs: Renumbering[] = [];
  for (const [key, candidates] of removedGroups) {
    const counterparts = addedGroups.get(key);
    if (candidates.length === 1 && counterparts?.length === 1)
      pairs.push({ before: candidates[0]!, after: counterparts[0]! });
  }
  const paired = new Set(pairs.flatMap((pair) => [pair.before, pair.after]));
  return {
    pairs,
    removed: removed.filter((field) => !paired.has(field)),
    added: added.filter((field) => !paired.has(field)),
  };
}
