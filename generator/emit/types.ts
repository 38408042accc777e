/**
 * Type declarations of one model, via json-schema-to-typescript.
 *
 * Names come from the model id (`CommunityFantasyPortraitImageToVideoInput`),
 * never from titles: titles are moved into the TSDoc before compiling. Inputs
 * are closed; a field is optional unless listed in `required` (a default does
 * not make it optional); outputs are open (unknown keys kept). Every nested
 * object, at any depth, is its own exported interface: `<Model><Path>` with
 * friendly member names (`…ElementsItem { frontalImageUrl }`) and
 * `<Model>Raw<Path>` with wire keys.
 */
import { compile, type Options } from "json-schema-to-typescript";
import { GeneratorError } from "../lib/diagnostics.ts";
import { fieldProperty } from "../model/fields.ts";
import type { FieldSpec, ModelSpec, PropertySpec, ValueSpec } from "../model/types.ts";
import type { JsonObject } from "../lib/json.ts";
import { catalogLines, commentSafe, fieldDoc, memberDoc, outputDoc, rawFieldDoc, rawMemberDoc } from "./docs.ts";
import { objectSchema, scopeOf, valueSchema, type SchemaOptions } from "./json-schema.ts";

const JSTT_OPTIONS: Partial<Options> = {
  bannerComment: "",
  format: false,
  additionalProperties: false,
  strictIndexSignatures: false,
  unknownAny: true,
  ignoreMinAndMaxItems: true,
  declareExternallyReferenced: true,
  enableConstEnums: false,
  unreachableDefinitions: false,
};

/**
 * json-schema-to-typescript calls `node.hasOwnProperty(…)` on every object it
 * walks, so a field named `hasOwnProperty` crashes it. Such keys are compiled
 * under a stand-in name that is put back in the emitted text.
 */
const HAS_OWN = "hasOwnProperty";
const HAS_OWN_STAND_IN = "__runcomfyCodegenHasOwnProperty__";

function withStandIn(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withStandIn);
  if (typeof value !== "object" || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    // A `required` list names properties: rename there too.
    const renamed =
      key === "required" && Array.isArray(child)
        ? child.map((name) => (name === HAS_OWN ? HAS_OWN_STAND_IN : name))
        : withStandIn(child);
    // defineProperty keeps a "__proto__" key an ordinary own key.
    Object.defineProperty(copy, key === HAS_OWN ? HAS_OWN_STAND_IN : key, {
      value: renamed,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}

/**
 * Compiled declarations by schema text, compiled under a placeholder name and
 * renamed per model: models whose output schemas are the same (most of a
 * catalog) compile it once per run. The type's own doc comment is added
 * after compiling, so it does not split the cache.
 */
const compiled = new Map<string, Promise<string>>();
const PLACEHOLDER = "RuncomfyCodegenDeclaration";

async function compileNamed(schema: JsonObject, name: string, doc: string, model: string): Promise<string> {
  const key = JSON.stringify(schema);
  let pending = compiled.get(key);
  if (!pending) {
    const standIn = key.includes(`"${HAS_OWN}"`);
    const input = (standIn ? withStandIn(schema) : schema) as Parameters<typeof compile>[0];
    pending = compile(input, PLACEHOLDER, JSTT_OPTIONS).then((text) =>
      standIn ? text.replaceAll(HAS_OWN_STAND_IN, HAS_OWN) : text,
    );
    compiled.set(key, pending);
  }
  let text: string;
  try {
    text = await pending;
  } catch (error) {
    throw new GeneratorError(
      "types-compile",
      `json-schema-to-typescript failed for ${name}: ${(error as Error).message}`,
      { model },
    );
  }
  // json-schema-to-typescript may re-case the name it was given; find what it declared.
  const declared = /^export (interface|type) (\S+) /m.exec(text);
  if (!declared)
    throw new GeneratorError("types-compile", `json-schema-to-typescript produced no declaration for ${name}`, {
      model,
    });
  const comment = `/**\n${commentSafe(doc)
    .split("\n")
    .map((line) => ` * ${line}`.trimEnd())
    .join("\n")}\n */\n`;
  return comment + text.replace(declared[0], `export ${declared[1]} ${name} `);
}

/** The field's size table as a `SizeValue<[...]>` type: one tuple per size, expanded by the compiler. */
function sizeType(field: FieldSpec): string {
  const rows = field.sizes!.map(
    (size) =>
      `[${[JSON.stringify(size.label), size.width, size.height, ...(size.short ? [JSON.stringify(size.short)] : [])].join(", ")}]`,
  );
  return `SizeValue<[${rows.join(", ")}]>`;
}

/** Every nested object value of the inputs, with its path of raw keys (`["elements", "[]"]`), outermost first. */
function nestedObjects(fields: readonly FieldSpec[]): { path: readonly string[]; value: ValueSpec }[] {
  const found: { path: readonly string[]; value: ValueSpec }[] = [];
  const visit = (value: ValueSpec, path: readonly string[]): void => {
    if (value.properties) {
      found.push({ path, value });
      for (const property of value.properties) visit(property.value, [...path, property.key]);
    }
    if (value.items) visit(value.items, [...path, "[]"]);
  };
  for (const field of fields) visit(field.value, [field.key]);
  return found;
}

/** Declarations of the input, raw input and output types (no imports, no header). */
export async function emitTypeDeclarations(spec: ModelSpec): Promise<string> {
  const names = spec.types;
  const byKey = new Map(spec.fields.map((field) => [field.key, field]));
  const describeFriendly = (property: PropertySpec, path: readonly string[]) =>
    path.length === 1 ? fieldDoc(byKey.get(property.key)!) : memberDoc(property);
  const describeRaw = (property: PropertySpec, path: readonly string[]) =>
    path.length === 1 ? rawFieldDoc(byKey.get(property.key)!) : rawMemberDoc(property);
  const friendlyOptions: SchemaOptions = {
    closed: true,
    keyOf: (property) => property.alias ?? property.key,
    describe: describeFriendly,
    tsType: (property, path) =>
      path.length === 1 && byKey.get(property.key)?.sizes ? names.sizes.get(byKey.get(property.key)!.alias) : undefined,
    named: (path) => names.nested.get(scopeOf(path))?.friendly,
  };
  const rawOptions: SchemaOptions = {
    closed: true,
    describe: describeRaw,
    named: (path) => names.nested.get(scopeOf(path))?.raw,
  };
  const properties = spec.fields.map((field) => fieldProperty(field));
  const friendlySchema = objectSchema(properties, friendlyOptions);
  const rawSchema = objectSchema(properties, rawOptions);
  const outputSchema = objectSchema(spec.output, {
    closed: false,
    describe: (property) => outputDoc(property) || undefined,
  });

  const nested = nestedObjects(spec.fields).flatMap(({ path, value }) => {
    const scope = scopeOf(path);
    const name = names.nested.get(scope)!;
    const where =
      path[path.length - 1] === "[]" ? `An item of \`${scopeOf(path.slice(0, -1))}\`` : `The value of \`${scope}\``;
    const title = value.title ? ` (${value.title})` : "";
    // The node itself, not a reference to it: valueSchema at the root path never names it.
    const node = (options: SchemaOptions) => valueSchema({ ...value, types: ["object"] }, options, []);
    const nestedOptions = (options: SchemaOptions, describe: (property: PropertySpec) => string | undefined) => {
      const { tsType: _sizes, ...rest } = options;
      return { ...rest, named: (inner: readonly string[]) => options.named?.([...path, ...inner]), describe };
    };
    return [
      compileNamed(
        node(nestedOptions(friendlyOptions, memberDoc)),
        name.friendly,
        `${where}${title} in \`${spec.id}\`, with friendly member names.`,
        spec.id,
      ),
      compileNamed(
        node(nestedOptions(rawOptions, rawMemberDoc)),
        name.raw,
        `${where}${title} in \`${spec.id}\`, as sent (wire keys).`,
        spec.id,
      ),
    ];
  });

  const parts = await Promise.all([
    compileNamed(
      friendlySchema,
      names.input,
      [
        `Input of \`${spec.id}\`, with friendly field names. Pass it to \`build()\` or \`client.run()\`.`,
        ...catalogLines(spec),
      ].join("\n"),
      spec.id,
    ),
    compileNamed(
      rawSchema,
      names.rawInput,
      `Wire body of \`${spec.id}\`: the exact JSON RunComfy receives (raw keys).`,
      spec.id,
    ),
    ...nested,
    compileNamed(
      outputSchema,
      names.output,
      `Output of \`${spec.id}\` (the result's \`output\` object). Unknown keys are kept.`,
      spec.id,
    ),
  ]);
  const sizeTypes = spec.fields
    .filter((field) => field.sizes)
    .map(
      (field) =>
        `/** Allowed values of \`${field.alias}\`: the exact label, \`"WxH"\`, or \`{ width, height }\`. */\nexport type ${names.sizes.get(field.alias)} = ${sizeType(field)};\n`,
    );
  return [...sizeTypes, ...parts].join("\n");
}
