/**
 * Validators: ajv standalone code, compiled here at generate time and emitted
 * as an ES module. The generated package never compiles a schema, never calls
 * `new Function` and never `require`s anything: ajv's two run-time helpers are
 * rewritten to imports of the runtime (`runtime/model.js`).
 *
 * The code is emitted as ajv prints it with `code.lines` (one statement per
 * line, so diffs stay line-sized) and is not run through Prettier: formatting
 * compiled validators measured ~18 ms per model, several times the cost of
 * everything else together, for output nobody edits.
 */
import AjvModule from "ajv";
import standaloneModule from "ajv/dist/standalone/index.js";
import { GeneratorError } from "../lib/diagnostics.ts";
import { isJsonObject } from "../lib/json.ts";
import type { JsonObject } from "../lib/json.ts";

// ajv ships CommonJS with `exports.default`; under ESM interop the class sits one level down.
const Ajv = AjvModule.default;
const standaloneCode = standaloneModule.default;

const HELPERS: Readonly<Record<string, string>> = {
  "ajv/dist/runtime/ucs2length": "ucs2length",
  "ajv/dist/runtime/equal": "equal",
};

/**
 * ajv never validates a property literally named `__proto__`: its code
 * generator drops that name from `properties` (and a schema literal
 * `{"__proto__": …}` would set a prototype, not a key), so such a field would
 * go unchecked and count as an unknown key. An exact-match pattern property
 * checks the same key through `data[key]`, which reads the own property.
 */
export function protoSafeSchema(schema: JsonObject): JsonObject {
  const copy: JsonObject = { ...schema };
  const items = schema["items"];
  if (isJsonObject(items)) copy["items"] = protoSafeSchema(items);
  const properties = schema["properties"];
  if (isJsonObject(properties)) {
    const kept: JsonObject = {};
    for (const [key, value] of Object.entries(properties)) {
      const safe = isJsonObject(value) ? protoSafeSchema(value) : value;
      if (key === "__proto__") copy["patternProperties"] = { "^__proto__$": safe };
      else kept[key] = safe;
    }
    copy["properties"] = kept;
  }
  return copy;
}

/** The ajv options of every generated validator (the benchmark compiles its baseline with the same). */
/** Where ajv's code ends in a validator module; what follows is printed like every other emitted file. */
export const VALIDATOR_END = "// End of ajv's code.";

/**
 * A JSON value as a JavaScript expression, one property per line. JSON is
 * JavaScript except for one key: `{"__proto__": …}` in an object literal
 * sets the prototype, so that key is written as a computed key.
 */
export function jsonLiteral(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/^(\s*)"__proto__":/gm, '$1["__proto__"]:');
}

export const VALIDATOR_OPTIONS = {
  allErrors: true,
  strict: true,
  strictTypes: false,
  allowUnionTypes: true,
  messages: false,
  validateSchema: false,
  unicodeRegExp: true,
  // Without it a missing `constructor` or `toString` field reads Object.prototype's (a function).
  ownProperties: true,
} as const;

/**
 * Compiles `schema` and returns the body of a validator module (without the
 * provenance header). `helpersImport` is the relative specifier of
 * `runtime/model.js` from the module's location.
 */
export function compileValidator(schema: JsonObject, helpersImport: string, model: string): string {
  // `meta: false`: no meta-schemas to add (schemas are never validated against them), a third of the compile time.
  const ajv = new Ajv({ ...VALIDATOR_OPTIONS, meta: false, code: { source: true, esm: true, lines: true } });
  let code: string;
  try {
    code = standaloneCode(ajv, ajv.compile(protoSafeSchema(schema)));
  } catch (error) {
    throw new GeneratorError(
      "validator-compile",
      `ajv could not compile the input schema: ${(error as Error).message}`,
      { model },
    );
  }
  const imports: string[] = [];
  code = code
    .replace(/^"use strict";\n?/, "")
    .replace(/^export const validate = (validate\d+);\nexport default \1;\n/, "")
    .replace(/const (func\d+) = require\("([^"]+)"\)\.default;\n?/g, (_, local: string, module: string) => {
      const helper = HELPERS[module];
      if (!helper)
        throw new GeneratorError(
          "validator-require",
          `ajv emitted a run-time dependency this generator cannot map: ${module}`,
          { model },
        );
      imports.push(`import { ${helper} as ${local} } from ${JSON.stringify(helpersImport)};`);
      return "";
    });
  if (/\brequire\(/.test(code))
    throw new GeneratorError("validator-require", "ajv emitted a require() call that could not be rewritten", {
      model,
    });
  // The schema constants ajv embeds (for `allowedValues` and the like), one property per line: a one-field change is a few-line diff.
  code = code.replace(/^const (schema\d+) = (.*);$/gm, (line, constant: string, json: string) => {
    try {
      return `const ${constant} = ${jsonLiteral(JSON.parse(json))};`;
    } catch {
      return line;
    }
  });
  const name = /function (validate\d+)\(/.exec(code)?.[1];
  if (!name) throw new GeneratorError("validator-shape", "unexpected ajv output: no validate function", { model });
  return `${imports.join("\n")}${imports.length ? "\n" : ""}${code.trimEnd()}\nexport default ${name};\n`;
}
