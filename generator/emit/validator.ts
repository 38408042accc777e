/**
 * Validators: ajv standalone code, compiled here at generate time and placed
 * in each model's module (`model-module.ts`), between `VALIDATOR_START` and
 * `VALIDATOR_END`. The generated package never compiles a schema, never calls
 * `new Function` and never `require`s anything: ajv's two run-time helpers are
 * rewritten to imports of the runtime (`runtime/model.js`).
 *
 * The code is emitted as ajv prints it with `code.lines` (one statement per
 * line, its embedded schema constants one property per line, so diffs stay
 * line-sized), less the `schemaPath` of its error objects, with each error
 * recorded in one statement and its function parenthesized (`eagerly`), and
 * is the one part of the package not in Prettier's format.
 */
import AjvModule from "ajv";
import standaloneModule from "ajv/dist/standalone/index.js";
import { GeneratorError } from "../lib/diagnostics.ts";
import { isJsonObject } from "../lib/json.ts";
import type { JsonObject } from "../lib/json.ts";
import { MULTIPLE_OF_PRECISION } from "../model/types.ts";

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
/** Where ajv's code starts and ends in a model module; everything else is printed like every other emitted file. */
export const VALIDATOR_START = "// Compiled by ajv at generate time (emitted as ajv prints it, not formatted):";
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
  // A decimal step is a multiple within float rounding: 0.3 / 0.1 is 2.9999999999999996, which ajv's exact check
  // refuses (a "step 0.1" field refused 0.3, 0.6, 0.7, …). The normaliser holds enum values to the same test.
  multipleOfPrecision: MULTIPLE_OF_PRECISION,
} as const;

/** ajv's compiled code for one schema, ready to be placed in a module. */
export interface CompiledValidatorCode {
  /** Run-time helpers the code calls, each imported from `runtime/model.js` under ajv's local name. */
  readonly helpers: readonly { readonly name: string; readonly local: string }[];
  /** ajv's code (no imports, no exports), one statement per line. */
  readonly code: string;
  /** The validation function the code declares (`validate0`). */
  readonly name: string;
}

/** Compiles `schema` with ajv standalone (at generate time; the package never compiles a schema). */
export function compileValidator(schema: JsonObject, model: string): CompiledValidatorCode {
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
  const helpers: { name: string; local: string }[] = [];
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
      helpers.push({ name: helper, local });
      return "";
    });
  if (/\brequire\(/.test(code))
    throw new GeneratorError("validator-require", "ajv emitted a require() call that could not be rewritten", {
      model,
    });
  // Every error object ajv builds carries a `schemaPath` ("#/properties/149_steps/maximum") that nothing reads: the
  // runtime reports an error by its instancePath, keyword and params. Dropping it takes a tenth of the builder's
  // gzipped bundle and an eighth of the code V8 compiles on a first validation. The pattern is anchored on both
  // sides (a string literal in the code never holds an unescaped `"`), so it can only match the property itself.
  code = code.replace(/,schemaPath:"#(?:[^"\\]|\\.)*"(?=,keyword:)/g, "");
  // ajv records each error in seven lines (`const err0 = {…};` then `if(vErrors === null){ vErrors = [err0]; } else
  // { vErrors.push(err0); }`): one statement that does the same (`vErrors` is null or an array) is a third less code
  // for V8 to compile when the module loads and for a bundle to carry. The error object moves into the call only when
  // no other statement names it.
  const recorded = code.replace(
    /^if\(vErrors === null\)\{\nvErrors = \[(err\d+)\];\n\}\nelse \{\nvErrors\.push\(\1\);\n\}$/gm,
    "(vErrors ??= []).push($1);",
  );
  const inlined = recorded.replace(
    /^const (err\d+) = (\{.*\});\n\(vErrors \?\?= \[\]\)\.push\(\1\);$/gm,
    "(vErrors ??= []).push($2);",
  );
  code = /\berr\d+\b/.test(inlined) ? recorded : inlined;
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
  return { helpers, code: eagerly(code.trim(), name), name };
}

/**
 * The validation function as a parenthesized function expression, `const validate0 = (function validate0(…) {…});`:
 * V8 reads `(function` as a sign the function runs soon and compiles it with the module, instead of pre-parsing it at
 * import and parsing it again on its first call (every use of a model validates). Only when it is the last statement
 * of ajv's code and nothing is declared after it; otherwise the code is left as it is.
 */
function eagerly(code: string, name: string): string {
  const start = new RegExp(`^function ${name}\\(`, "m").exec(code)?.index;
  if (start === undefined || !code.endsWith("\n}") || code.includes("\nfunction ", start)) return code;
  return `${code.slice(0, start)}const ${name} = (${code.slice(start)});`;
}
