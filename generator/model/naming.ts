/**
 * Model id → TypeScript identifiers (module paths: `lib/model-id.ts`).
 *
 * Model ids have 2–6 `/`-separated segments and may hold dots, upper case,
 * digits first, even spaces (`minimax/Hailuo Video 01 Live`).
 *
 * - Identifiers are readable PascalCase/camelCase words. Readability loses
 *   separators (`a/b-c` and `a-b/c` read the same), so `assignModelNames`
 *   checks the whole model set and gives every id that shares a readable name
 *   (or whose member name is reserved, see `RESERVED_MEMBER_NAMES`) a suffix
 *   made from a hash of its own id: deterministic, and no collision.
 *
 * Type names are `<typeName>Input`, `…RawInput`, `…Output` and, per size
 * field, `<typeName><Alias>` (`modelTypeNames`). `X` and `XRaw` would both
 * declare `XRawInput`, so such pairs get the hash suffix too; any other clash
 * (a size field aliased `input`) fails generation (`checkTypeNames`).
 */
import { GeneratorError } from "../lib/diagnostics.ts";
import { sha256 } from "../lib/json.ts";
import { modulePathFor } from "../lib/model-id.ts";
import type { FieldSpec, ModelNames, ModelSpec, ModelTypeNames } from "./types.ts";

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

function camelFromPascal(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/**
 * Member names a model must not take: a readable name can shrink to one word
 * (`default/!!` → `default`), and the member name becomes an import binding in
 * the index (a reserved word is a syntax error there; `models`/`createClient`
 * are the index's own bindings), a client property (`client.run` is a method;
 * `constructor` is on every object, and the client refuses to shadow it).
 * Such names get the hash suffix, like colliding names.
 */
export const RESERVED_MEMBER_NAMES: ReadonlySet<string> = new Set([
  // JavaScript reserved words (strict mode and modules included) and restricted names.
  ..."await break case catch class const continue debugger default delete do else enum export extends false finally for function if implements import in instanceof interface let new null package private protected public return static super switch this throw true try typeof var void while with yield arguments eval undefined NaN Infinity".split(
    " ",
  ),
  // Bindings of the generated index module.
  "models",
  "createClient",
  "createRuntimeClient",
  // Properties of the client object (templates/runtime/client.ts) and of every object.
  ..."baseUrl run submit wait status result cancel catalog".split(" "),
  ...Object.getOwnPropertyNames(Object.prototype),
]);

/**
 * Names for every model of one generation run. Ids whose readable names
 * collide all get `_<hash of id>`, so the result never depends on file order.
 */
export function assignModelNames(ids: readonly string[]): Map<string, ModelNames> {
  const byReadable = new Map<string, string[]>();
  for (const id of ids) {
    const readable = readableTypeName(id);
    byReadable.set(readable, [...(byReadable.get(readable) ?? []), id]);
  }
  const paths = new Map<string, string>();
  const result = new Map<string, ModelNames>();
  for (const id of ids) {
    const readable = readableTypeName(id);
    const shared =
      (byReadable.get(readable)?.length ?? 0) > 1 ||
      RESERVED_MEMBER_NAMES.has(camelFromPascal(readable)) ||
      // `X`'s `XRawInput` is `XRaw`'s input type.
      byReadable.has(`${readable}Raw`) ||
      (readable.endsWith("Raw") && byReadable.has(readable.slice(0, -3)));
    const typeName = shared ? `${readable}_${shortHash(id)}` : readable;
    const modulePath = modulePathFor(id);
    const clash = paths.get(modulePath.toLowerCase());
    if (clash !== undefined && clash !== id) {
      throw new GeneratorError(
        "model-path-collision",
        `model ids ${JSON.stringify(clash)} and ${JSON.stringify(id)} map to the same module path ${modulePath}`,
      );
    }
    paths.set(modulePath.toLowerCase(), id);
    result.set(id, { modulePath, typeName, memberName: camelFromPascal(typeName) });
  }
  return result;
}

/** The exported type names of one model. */
export function modelTypeNames(typeName: string, fields: readonly FieldSpec[]): ModelTypeNames {
  const sizes = new Map<string, string>();
  for (const field of fields) {
    if (field.sizes) sizes.set(field.alias, `${typeName}${field.alias.charAt(0).toUpperCase()}${field.alias.slice(1)}`);
  }
  return { input: `${typeName}Input`, rawInput: `${typeName}RawInput`, output: `${typeName}Output`, sizes };
}

/** One error per type name that two declarations of the package would share (the index exports them all). */
export function checkTypeNames(specs: readonly ModelSpec[]): GeneratorError[] {
  const owners = new Map<string, { spec: ModelSpec; what: string; alias?: string }[]>();
  const add = (name: string, spec: ModelSpec, what: string, alias?: string) =>
    owners.set(name, [...(owners.get(name) ?? []), { spec, what, ...(alias === undefined ? {} : { alias }) }]);
  for (const spec of specs) {
    add(spec.types.input, spec, "input type");
    add(spec.types.rawInput, spec, "raw input type");
    add(spec.types.output, spec, "output type");
    for (const [alias, name] of spec.types.sizes) add(name, spec, `size type of field "${alias}"`, alias);
  }
  const errors: GeneratorError[] = [];
  for (const [name, list] of owners) {
    if (list.length < 2) continue;
    const field = list.find((owner) => owner.alias !== undefined);
    const fix = field
      ? `; give that field another alias in ${field.spec.schemaFile} ("aliases": { "<raw key>": "otherName" })`
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
