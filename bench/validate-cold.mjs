/**
 * Validator cold start, in a fresh process: `ours` imports one generated
 * model and validates once; `ajv` imports ajv, compiles the same schema and
 * validates once. Prints the milliseconds from before the first import to
 * after the first validation.
 */
const started = performance.now();
const [mode, modelModule, schemaFile] = process.argv.slice(2);
const input = { "149_steps": 8, "143_image": "https://example.com/a.png", "169_valuex170_value": "720x720 (1:1)" };

if (mode === "ours") {
  const { model } = await import(modelModule);
  if (model.validate(input).length !== 0) throw new Error("expected a valid input");
} else {
  const { readFileSync } = await import("node:fs");
  const { default: AjvModule } = await import("ajv");
  const schema = JSON.parse(readFileSync(schemaFile, "utf8"));
  const ajv = new AjvModule.default({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);
  if (!validate(input)) throw new Error("expected a valid input");
}
process.stdout.write(String(performance.now() - started));
