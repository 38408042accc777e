/**
 * Validator cold start, in a fresh process: `ours` imports one generated
 * model and validates once; `ajv` imports ajv, compiles the same schema (with
 * the same options) and validates once. Prints the milliseconds from just
 * before the first import to just after the first validation; arguments and
 * the baseline's schema file are read before the clock starts.
 */
import { readFileSync } from "node:fs";

const [mode, modelModule, schemaFile] = process.argv.slice(2);
const input = {
  "149_steps": 8,
  "143_image": "https://example.com/a.png",
  "160_video": "https://example.com/a.mp4",
  "155_positive_prompt": "woman acting",
  "169_valuex170_value": "720x720 (1:1)",
};
const baseline = mode === "ajv" ? JSON.parse(readFileSync(schemaFile, "utf8")) : undefined;

const started = performance.now();
let valid;
if (baseline === undefined) {
  const { model } = await import(modelModule);
  valid = model.validate(input).length === 0;
} else {
  const { default: AjvModule } = await import("ajv");
  valid = new AjvModule.default(baseline.options).compile(baseline.schema)(input);
}
const elapsed = performance.now() - started;
if (!valid) throw new Error("expected a valid input");
process.stdout.write(String(elapsed));
