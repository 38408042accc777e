/**
 * The checks of the emulator command's numeric options (`cli.ts`): one message per bad value, naming the flag, the
 * rule and the value, before anything listens.
 */
export interface EmulatorCliNumbers {
  readonly port: number;
  readonly capacity: number;
  readonly duration: number;
  readonly "fail-rate": number;
  readonly seed: number;
}

const RULES: readonly [keyof EmulatorCliNumbers, string, (value: number) => boolean][] = [
  ["port", "an integer from 0 to 65535 (0 picks a free port)", (v) => Number.isInteger(v) && v >= 0 && v <= 65535],
  ["capacity", "an integer of at least 1", (v) => Number.isInteger(v) && v >= 1],
  ["duration", "a number of milliseconds, 0 or more", (v) => Number.isFinite(v) && v >= 0],
  ["fail-rate", "a number from 0 to 1", (v) => Number.isFinite(v) && v >= 0 && v <= 1],
  ["seed", "an integer", (v) => Number.isInteger(v)],
];

/** Every bad value, as `--flag must be <rule>, got <value>`; empty when all are good. */
export function emulatorOptionProblems(args: EmulatorCliNumbers): string[] {
  return RULES.filter(([flag, , ok]) => !ok(args[flag])).map(
    ([flag, rule]) =>
      `--${flag} must be ${rule}, got ${Number.isNaN(args[flag]) ? "a value that is not a number" : args[flag]}`,
  );
}
