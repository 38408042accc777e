/**
 * Generated packages for tests: a scratch project holding the given schema
 * files, generated once, plus the child process that exercises a package
 * like a user would (`test/fixtures/exercise-package.mjs`).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Emulator } from "../../emulator/index.ts";
import type { ModelSpec } from "../../generator/model/types.ts";
import { generate, type GenerateReport } from "../../generator/package/generate.ts";
import { STRICT_CONSUMER_OPTIONS, typecheck, type TypecheckResult } from "./typecheck.ts";
import { placeSchemaFiles, ROOT, runProcess, tempProject, type ProcessResult, type TempProject } from "./project.ts";

export interface GeneratedPackage extends TempProject {
  readonly report: GenerateReport;
  /** The package's models. */
  readonly specs: readonly ModelSpec[];
  /** `<root>/generated`. */
  readonly dir: string;
  /** `<root>/schemas`. */
  readonly schemasDir: string;
  /** Imports a module of the package by its path below generated/ (`index.js`, `models/x/y.js`). */
  load<T = Record<string, unknown>>(path: string): Promise<T>;
}

/** Generates a package from schema file texts (and the checked-in seeds, when asked) in a scratch project. */
export async function generatedPackage(
  texts: readonly string[],
  options: { withSeeds?: boolean } = {},
): Promise<GeneratedPackage> {
  const project = await tempProject({ withSchemas: options.withSeeds ?? false });
  try {
    // An empty catalog is a schemas/ folder without files (a root without the folder is an error).
    await mkdir(join(project.root, "schemas"), { recursive: true });
    await placeSchemaFiles(project.root, texts);
    const report = await generate({ root: project.root, cache: false });
    const dir = join(project.root, "generated");
    return {
      ...project,
      report,
      specs: await report.loadSpecs(),
      dir,
      schemasDir: join(project.root, "schemas"),
      load: async <T>(path: string) => (await import(pathToFileURL(join(dir, path)).href)) as T,
    };
  } catch (error) {
    await project.cleanup();
    throw error;
  }
}

export interface ExerciseReport {
  /** The canary traps fired on a deliberate write (a clean `fired` means something). */
  readonly trapsWork: boolean;
  /** Canary hits: code from a schema that ran. */
  readonly fired: readonly string[];
  /** Every `.js` file of the package, imported. */
  readonly imported: readonly string[];
  readonly models: readonly {
    readonly id: string;
    /** `JSON.stringify` of the built wire body. */
    readonly body: string;
    /** Problems `validateInput` found in the (valid) sample input. */
    readonly issues: number;
    /** `build(toFriendly(body))` gave the same body. */
    readonly roundTripEqual: boolean;
    readonly requestId: string;
    readonly status: string;
    readonly output?: Record<string, unknown>;
  }[];
  readonly flows: Readonly<Record<string, string | number>>;
  /** `new Function` threw an EvalError. */
  readonly evalBlocked: boolean;
}

export const EXERCISE_SCRIPT = join(ROOT, "test/fixtures/exercise-package.mjs");

/** Runs `exercise-package.mjs` on a generated package against `emu`, in a child Node process. */
export async function exercisePackage(
  dir: string,
  emu: Emulator,
  nodeFlags: readonly string[] = [],
): Promise<{ run: ProcessResult; report: ExerciseReport }> {
  const run = await runProcess(process.execPath, [...nodeFlags, EXERCISE_SCRIPT, dir, emu.url, emu.token]);
  if (run.code !== 0) throw new Error(`exercise-package.mjs exited with ${run.code ?? run.signal}:\n${run.stderr}`);
  return { run, report: JSON.parse(run.stdout) as ExerciseReport };
}

/**
 * Type-checks `scope` in `root` as a strict consumer would (`STRICT_CONSUMER_OPTIONS`, written to
 * `tsconfig.<name>.json` there), with the generated declarations' no-check line blanked so they are checked too.
 */
export async function strictTsc(
  root: string,
  name: string,
  scope: { readonly files: readonly string[] } | { readonly include: readonly string[] },
): Promise<TypecheckResult> {
  const config = join(root, `tsconfig.${name}.json`);
  await writeFile(config, JSON.stringify({ compilerOptions: STRICT_CONSUMER_OPTIONS, ...scope }));
  return typecheck(config);
}
