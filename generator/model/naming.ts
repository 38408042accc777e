/**
 * Model id → TypeScript type names (paths: `lib/model-id.ts`).
 *
 * Model ids have 2–6 `/`-separated segments and may hold dots, upper case,
 * digits first, even spaces (`minimax/Hailuo Video 01 Live`).
 *
 * Type names are readable PascalCase words (`CommunityWan22VaceFun`) plus
 * `Input`, `RawInput`, `Output` and, per size field, `<typeName><Alias>`
 * (`modelTypeNames`). Readability loses separators (`a/b-c` and `a-b/c` read
 * the same), so `assignModelNames` checks the whole model set and gives every
 * id that shares a readable name a suffix made from a hash of its own id:
 * deterministic, and no collision. `X` and `XRaw` would both declare
 * `XRawInput`, so such pairs get the hash suffix too; any other clash (a size
 * field aliased `input`) fails generation (`checkTypeNames`).
 *
 * Models are called by id (`client.run(id, input)`), so ids need no member
 * names: no JavaScript identifier is made from an id.
 */
import { GeneratorError } from "../lib/diagnostics.ts";
import { sha256 } from "../lib/json.ts";
import { assignModelPaths, modulePathFor, type ModelPath } from "../lib/model-id.ts";
import type { FieldSpec, ModelNames, ModelSpec, ModelTypeNames, ValueSpec } from "./types.ts";

function shortHash(text: string): string {
  return sha256(text).slice(0, 6);
}

/** Words of an id: runs of ASCII letters and digits; other characters separate words. */
function words(id: string): string[] {
  return id
    .normalize("NFKD")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
}

/** Capitalises the first letter and every letter that follows a digit (`4k` → `4K`, as json-schema-to-typescript would). */
function pascalWord(word: string): string {
  return (word.charAt(0).toUpperCase() + word.slice(1)).replace(
    /([0-9])([a-z])/g,
    (_, digit: string, letter: string) => digit + letter.toUpperCase(),
  );
}

/** Readable PascalCase name, always a valid identifier: `Wan21FusionxImageToVideo`. */
export function readableTypeName(id: string): string {
  const name = words(id).map(pascalWord).join("");
  if (!name) return "Model";
  return /^[0-9]/.test(name) ? `M${name}` : name;
}

/**
 * Names for every model of one generation run. Ids whose readable names
 * collide all get `_<hash of id>`, so the result never depends on file order.
 * Paths come from `assignModelPaths` over the same set.
 */
export function assignModelNames(ids: readonly string[]): Map<string, ModelNames & { readonly path: ModelPath }> {
  const byReadable = new Map<string, string[]>();
  for (const id of ids) {
    const readable = readableTypeName(id);
    const list = byReadable.get(readable);
    if (list) list.push(id);
    else byReadable.set(readable, [id]);
  }
  const paths = assignModelPaths(ids);
  const result = new Map<string, ModelNames & { readonly path: ModelPath }>();
  for (const id of ids) {
    const readable = readableTypeName(id);
    const shared =
      (byReadable.get(readable)?.length ?? 0) > 1 ||
      // `X`'s `XRawInput` is `XRaw`'s input type.
      byReadable.has(`${readable}Raw`) ||
      (readable.endsWith("Raw") && byReadable.has(readable.slice(0, -3)));
    const path = paths.get(id)!;
    result.set(id, { modulePath: path.path, typeName: shared ? `${readable}_${shortHash(id)}` : readable, path });
  }
  return result;
}

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** A top-level enum of this many values or more gets a named type (shorter ones read better inline). */
export const NAMED_ENUM_MIN = 5;

/** The exported type names of one model. */
export function modelTypeNames(typeName: string, fields: readonly FieldSpec[]): ModelTypeNames {
  const sizes = new Map<string, string>();
  const labels = new Map<string, string>();
  const enums = new Map<string, string>();
  const nested = new Map<string, { friendly: string; raw: string }>();
  const visit = (value: ValueSpec, scope: string, path: string): void => {
    if (value.properties) {
      nested.set(scope, { friendly: `${typeName}${path}`, raw: `${typeName}Raw${path}` });
      for (const property of value.properties)
        visit(property.value, `${scope}.${property.key}`, `${path}${pascal(property.alias ?? property.key)}`);
    }
    if (value.items) visit(value.items, `${scope}[]`, `${path}Item`);
  };
  for (const field of fields) {
    if (field.sizes) {
      sizes.set(field.alias, `${typeName}${pascal(field.alias)}`);
      labels.set(field.alias, `${typeName}${pascal(field.alias)}Label`);
    } else if (field.value.enum && field.value.enum.length >= NAMED_ENUM_MIN && !field.value.properties)
      enums.set(field.alias, `${typeName}${pascal(field.alias)}`);
    visit(field.value, field.key, pascal(field.alias));
  }
  return {
    input: `${typeName}Input`,
    rawInput: `${typeName}RawInput`,
    output: `${typeName}Output`,
    sizes,
    labels,
    enums,
    nested,
  };
}

/** One error per type name that two declarations of the package would share (the index exports them all). */
export function checkTypeNames(specs: readonly ModelSpec[]): GeneratorError[] {
  // Almost always no name is shared: found with a set of names, before any owner is described.
  const seen = new Set<string>();
  let shared = false;
  const note = (name: string) => {
    if (seen.has(name)) shared = true;
    else seen.add(name);
  };
  for (const spec of specs) {
    note(spec.types.input);
    note(spec.types.rawInput);
    note(spec.types.output);
    for (const name of spec.types.sizes.values()) note(name);
    for (const name of spec.types.labels.values()) note(name);
    for (const name of spec.types.enums.values()) note(name);
    for (const name of spec.types.nested.values()) {
      note(name.friendly);
      note(name.raw);
    }
    if (shared) break;
  }
  if (!shared) return [];
  /** `rename`: the `aliases` key (a raw key, or a path of raw keys) whose override gives this type another name. */
  const owners = new Map<string, { spec: ModelSpec; what: string; rename?: string }[]>();
  const add = (name: string, spec: ModelSpec, what: string, rename?: string) => {
    const owner = { spec, what, ...(rename === undefined ? {} : { rename }) };
    const list = owners.get(name);
    if (list) list.push(owner);
    else owners.set(name, [owner]);
  };
  for (const spec of specs) {
    const keyOf = (alias: string) => spec.fields.find((field) => field.alias === alias)?.key ?? alias;
    add(spec.types.input, spec, "input type");
    add(spec.types.rawInput, spec, "raw input type");
    add(spec.types.output, spec, "output type");
    for (const [alias, name] of spec.types.sizes) add(name, spec, `size type of field "${alias}"`, keyOf(alias));
    for (const [alias, name] of spec.types.labels) add(name, spec, `size label type of field "${alias}"`, keyOf(alias));
    for (const [alias, name] of spec.types.enums) add(name, spec, `enum type of field "${alias}"`, keyOf(alias));
    for (const [scope, name] of spec.types.nested) {
      // Named from the aliases along the scope (raw keys): an override of its last member renames it.
      const member = scope.replace(/(\[\])+$/, "");
      add(name.friendly, spec, `type of "${scope}"`, member);
      add(name.raw, spec, `wire type of "${scope}"`, member);
    }
  }
  const errors: GeneratorError[] = [];
  for (const [name, list] of owners) {
    if (list.length < 2) continue;
    const field = list.find((owner) => owner.rename !== undefined);
    const fix = field
      ? `; give ${JSON.stringify(field.rename)} of ${JSON.stringify(field.spec.id)} another alias in ${field.spec.schemaFile} ("aliases": { ${JSON.stringify(field.rename)}: "otherName" })`
      : "";
    errors.push(
      new GeneratorError(
        "type-name-collision",
        `type name ${name} would be declared twice: ${list.map((owner) => `the ${owner.what} of ${JSON.stringify(owner.spec.id)}`).join(" and ")}${fix}`,
        {
          file: (field ?? list[0]!).spec.schemaFile,
          model: (field ?? list[0]!).spec.id,
        },
      ),
    );
  }
  return errors;
}

type AssignedNames = Map<string, ModelNames & { readonly path: ModelPath }>;

/**
 * What `assignModelNames` gave one id set, with what is needed to name a slightly different set without redoing it
 * (`namesFor`): how many ids have each readable name, and every name each folder of the paths holds, case folded
 * (`<final parent path>\0<lower-case name>` → the one entry, `folder:x` or `file:x`, and how many ids share it; a key
 * two entries share, a collision, has the entry ""). Plain data, so the spec cache can keep it between runs.
 */
export interface NamingMemo {
  readonly names: ReadonlyMap<string, ModelNames & { readonly path: ModelPath }>;
  readonly readable: ReadonlyMap<string, number>;
  readonly keys: ReadonlyMap<string, readonly [entry: string, count: number]>;
}

/** The folder keys of one id at every level of its path (see `NamingMemo`), as `assignModelPaths` compares them. */
function pathKeys(id: string, finalPath: string): { key: string; entry: string }[] {
  const segments = modulePathFor(id).split("/");
  const final = finalPath.split("/");
  const keys: { key: string; entry: string }[] = [];
  segments.forEach((segment, level) => {
    const leaf = level === segments.length - 1;
    const parent = final.slice(0, level).join("/");
    const entry = `${leaf ? "file" : "folder"}:${segment}`;
    for (const name of leaf ? [`${segment}.js`, `${segment}.d.ts`, `${segment}.json`] : [segment])
      keys.push({ key: `${parent}\u0000${name.toLowerCase()}`, entry });
  });
  return keys;
}

function addKeys(keys: Map<string, readonly [string, number]>, id: string, finalPath: string): void {
  for (const { key, entry } of pathKeys(id, finalPath)) {
    const known = keys.get(key);
    keys.set(key, known === undefined ? [entry, 1] : [known[0] === entry ? entry : "", known[1] + 1]);
  }
}

function memoOf(names: AssignedNames): NamingMemo {
  const readable = new Map<string, number>();
  const keys = new Map<string, readonly [string, number]>();
  for (const id of names.keys()) {
    const name = readableTypeName(id);
    readable.set(name, (readable.get(name) ?? 0) + 1);
    addKeys(keys, id, names.get(id)!.path.path);
  }
  return { names, readable, keys };
}

/**
 * `assignModelNames(ids)`, and its memo (`previous` itself for the same set). Given the memo of an earlier set, only the ids added or removed since are
 * looked at when that provably changes no other id's names: every added id meets no readable name and no folder
 * name (case folded) of the others, every removed id had met none; otherwise (or when `previous` is not a memo of
 * this shape) every name is assigned again. Either way the names are exactly `assignModelNames(ids)`'s, also from
 * the memo of a set several changes back.
 */
export function namesFor(
  ids: readonly string[],
  previous?: NamingMemo,
): {
  names: AssignedNames;
  memo: NamingMemo;
  /** How many ids came or went since `previous` when the names were made from it; undefined when assigned anew. */
  changes?: number;
} {
  const full = () => {
    const names = assignModelNames(ids);
    return { names, memo: memoOf(names) };
  };
  if (!previous) return full();
  try {
    const wanted = new Set(ids);
    const before = previous.names;
    const added = [...wanted].filter((id) => !before.has(id));
    const removed = [...before.keys()].filter((id) => !wanted.has(id));
    if (added.length === 0 && removed.length === 0) {
      const names: AssignedNames = new Map([...wanted].map((id) => [id, before.get(id)!]));
      return { names, memo: previous, changes: 0 };
    }
    const readable = new Map(previous.readable);
    const keys = new Map(previous.keys);
    for (const id of removed) {
      const names = before.get(id)!;
      const name = readableTypeName(id);
      // It shared nothing: its type name is its readable name and its path met no other.
      if (names.typeName !== name || names.path.suffixed || names.path.collidesWith.length > 0) return full();
      const count = readable.get(name) ?? 0;
      if (count <= 1) readable.delete(name);
      else readable.set(name, count - 1);
      for (const { key } of pathKeys(id, names.path.path)) {
        const known = keys.get(key);
        if (!known || known[1] <= 1) keys.delete(key);
        else keys.set(key, [known[0], known[1] - 1]);
      }
    }
    const fresh = new Map<string, ModelNames & { readonly path: ModelPath }>();
    for (const id of added) {
      const name = readableTypeName(id);
      if (readable.has(name) || readable.has(`${name}Raw`) || (name.endsWith("Raw") && readable.has(name.slice(0, -3))))
        return full();
      const path = modulePathFor(id);
      const own = pathKeys(id, path);
      if (own.some(({ key, entry }) => keys.has(key) && keys.get(key)![0] !== entry)) return full();
      readable.set(name, 1);
      addKeys(keys, id, path);
      fresh.set(id, { modulePath: path, typeName: name, path: { path, collidesWith: [], suffixed: false } });
    }
    const names: AssignedNames = new Map([...wanted].map((id) => [id, before.get(id) ?? fresh.get(id)!]));
    return { names, memo: { names, readable, keys }, changes: added.length + removed.length };
  } catch {
    return full();
  }
}
