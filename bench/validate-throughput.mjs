/**
 * Validation throughput, in a fresh process, so what ran before in the bench (generation, other imports of the
 * runtime's helpers) cannot shape either side's JIT state: `standalone` is the generated model's ajv code on its own
 * (a module the bench cut out of the model module), the baseline ajv compiling the same schema with the same options.
 * Two warm-up rounds, then rounds that alternate which goes first. Prints `{ ours, ajv }`, validations per second per
 * round.
 */
import { readFileSync } from "node:fs";

const [standaloneModule, schemaFile, roundsText] = process.argv.slice(2);
const rounds = Number(roundsText ?? "11");
const { schema, options } = JSON.parse(readFileSync(schemaFile, "utf8"));
const { default: standalone } = await import(standaloneModule);
const { default: AjvModule } = await import("ajv");
const compiled = new AjvModule.default(options).compile(schema);

const inputs = [
  {
    "149_steps": 8,
    "143_image": "https://example.com/a.png",
    "160_video": "https://example.com/a.mp4",
    "155_positive_prompt": "woman acting",
    "169_valuex170_value": "720x720 (1:1)",
    "149_cfg": 1.2,
  },
  { "149_steps": 30, "174_value": 99, extra: true },
];
// Both must agree before they are timed: the valid input is valid, the other one is not.
for (const validate of [standalone, compiled])
  if (validate(inputs[0]) !== true || validate(inputs[1]) !== false) throw new Error("validators disagree");

const rate = (validate) => {
  const iterations = 300_000;
  const started = performance.now();
  for (let index = 0; index < iterations; index++) validate(inputs[index & 1]);
  return iterations / ((performance.now() - started) / 1000);
};
const ours = [];
const ajv = [];
for (let round = 0; round < 2; round++) {
  rate(standalone);
  rate(compiled);
}
for (let round = 0; round < rounds; round++) {
  if (round % 2 === 0) {
    ours.push(rate(standalone));
    ajv.push(rate(compiled));
  } else {
    ajv.push(rate(compiled));
    ours.push(rate(standalone));
  }
}
process.stdout.write(JSON.stringify({ ours, ajv }));
