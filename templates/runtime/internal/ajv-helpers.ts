/**
 * The two run-time helpers ajv's standalone validators call, as ESM.
 *
 * ajv's standalone code loads `ajv/dist/runtime/ucs2length` and
 * `ajv/dist/runtime/equal` with CommonJS `require`; the generator rewrites
 * those to imports of this module, so the generated package needs no ajv, no
 * CommonJS and no code generation at run time.
 */

/** String length in Unicode code points, as JSON Schema counts `minLength`/`maxLength`. */
export function ucs2length(text: string): number {
  let length = 0;
  for (let index = 0; index < text.length; index++) {
    length++;
    const code = text.charCodeAt(index);
    if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length && (text.charCodeAt(index + 1) & 0xfc00) === 0xdc00) index++;
  }
  return length;
}

/** Deep equality of JSON values (enum/const of objects, `uniqueItems`). */
export function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return a !== a && b !== b;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, index) => equal(item, b[index]));
  }
  if (Array.isArray(b)) return false;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every((key) => Object.prototype.hasOwnProperty.call(right, key) && equal(left[key], right[key]));
}
