/**
 * `npm run emulator -- [options]`: the RunComfy Model API emulator as a
 * standalone server, until Ctrl-C.
 */
import { existsSync } from "node:fs";
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { parseFaultSpec, type FaultRule } from "./faults.ts";
import { emulatorOptionProblems } from "./cli-options.ts";
import { DEFAULT_TOKEN, startEmulator } from "./index.ts";

const args = await yargs(hideBin(process.argv))
  .scriptName("npm run emulator --")
  .usage(
    "$0 [options]\n\nA local emulator of the RunComfy Model API (submit, status, result, cancel, catalog) on loopback.",
  )
  .option("port", { type: "number", default: 8787, describe: "Port to listen on (0 picks a free one)" })
  .option("host", { type: "string", default: "127.0.0.1", describe: "Interface to listen on" })
  .option("schemas", { type: "string", describe: "Folder of schema files (default: this project's schemas/)" })
  .option("token", {
    type: "array",
    string: true,
    default: [DEFAULT_TOKEN],
    describe: "Accepted Bearer token(s); jobs are visible only to the token that submitted them",
  })
  .option("capacity", { type: "number", default: 2, describe: "Jobs that run at the same time (the rest queue)" })
  .option("duration", { type: "number", default: 1500, describe: "Run time of each job in milliseconds" })
  .option("fail-rate", {
    type: "number",
    default: 0,
    describe: "Share of jobs that fail (0-1); any input containing [emulator:fail] always fails",
  })
  .option("unknown-model-status", {
    choices: [400, 404] as const,
    default: 400 as const,
    describe: "Answer to a submit for an unknown model",
  })
  .option("fault", {
    type: "array",
    string: true,
    default: [] as string[],
    describe:
      "Inject a fault: route:kind[@probability][xCount]; routes submit|status|result|cancel|catalog|files|*; kinds 429:retry-after=2, 500, drop, drop-after, slow=300, error-200=400002, hang-body, partial-body[=bytes], slow-body=500; result only: failed=500100, lagging=2 (see docs/emulator.md)",
  })
  .option("seed", { type: "number", default: 1, describe: "Seed of the fault and failure dice" })
  .example("$0 --port 8787 --duration 3000", "Jobs take 3 s, two at a time")
  .example(
    "$0 --fault status:429:retry-after=1@0.2 --fault result:drop@0.05",
    "Rate-limit 20 % of status calls and drop 5 % of result calls",
  )
  .strict()
  // A usage error exits 64, like the generator's commands.
  .fail((message, error) => {
    process.stderr.write(`${message ?? error?.message}\n\nRun with --help for the options.\n`);
    process.exit(64);
  })
  .help()
  .alias("help", "h")
  .version(false)
  .parseAsync();

let faults: FaultRule[];
try {
  faults = args.fault.map(parseFaultSpec);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(64);
}
const problems = emulatorOptionProblems(args);
if (problems.length > 0) {
  process.stderr.write(`${problems.join("\n")}\n`);
  process.exit(64);
}
if (args.schemas !== undefined && !existsSync(args.schemas)) {
  process.stderr.write(`--schemas ${args.schemas}: no such folder\n`);
  process.exit(64);
}

let emulator: Awaited<ReturnType<typeof startEmulator>>;
try {
  emulator = await startEmulator({
    port: args.port,
    host: args.host,
    ...(args.schemas ? { schemasDir: args.schemas } : {}),
    tokens: args.token,
    capacity: args.capacity,
    durationMs: args.duration,
    failRate: args["fail-rate"],
    unknownModelStatus: args["unknown-model-status"],
    faults,
    seed: args.seed,
  });
} catch (error) {
  // A port in use, a schemas folder it cannot read: one line, no stack.
  process.stderr.write(`the emulator could not start: ${(error as Error).message}\n`);
  process.exit(1);
}
process.stdout.write(`RunComfy Model API emulator on ${emulator.url} (token: ${emulator.token}); Ctrl-C to stop\n`);
process.stdout.write(`  export RUNCOMFY_MODEL_API_BASE=${emulator.url} RUNCOMFY_API_TOKEN=${emulator.token}\n`);
const stop = async () => {
  await emulator.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
