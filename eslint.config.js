// ESLint: typescript-eslint's recommended rules, plus the import direction of the pipeline
// (ARCHITECTURE.md › "Import direction"): a stage imports only from the stages before it and from lib/.
import importPlugin from "eslint-plugin-import";
import tseslint from "typescript-eslint";

/** Stages of the generator in pipeline order: each may import from those before it, never from those after. */
const STAGES = ["lib", "scrape", "schemas", "model", "emit", "drift", "package", "commands", "cli"];
/** Stages that are independent of each other although one comes first (emit and drift both read model specs). */
const INDEPENDENT = { drift: ["emit"] };

const stageZones = STAGES.map((stage, index) => ({
  target: `./generator/${stage}`,
  from: [...STAGES.slice(index + 1), ...(INDEPENDENT[stage] ?? [])].map((later) => `./generator/${later}`),
  message: `generator/${stage} must not import a later stage (see ARCHITECTURE.md › Import direction).`,
}));

const zones = [
  ...stageZones,
  // Later stages see the model stage through its boundary only: ModelSpec (types.ts), fieldProperty (fields.ts),
  // loadModels (load.ts) and the spec cache (spec-cache.ts); the normaliser's internals stay inside model/.
  {
    target: STAGES.slice(STAGES.indexOf("model") + 1).map((stage) => `./generator/${stage}`),
    from: "./generator/model",
    except: ["./types.ts", "./fields.ts", "./load.ts", "./spec-cache.ts"],
    message: "import the model stage through types.ts, fields.ts, load.ts or spec-cache.ts, not its internals.",
  },
  // A use case never calls another one: what add and pull share lives in commit.ts (or in an earlier stage).
  {
    target: "./generator/commands",
    from: "./generator/commands",
    except: ["./commit.ts"],
    message: "a command must not import another command: shared steps go in generator/commands/commit.ts.",
  },
  // Only the emitters (types of the runtime they emit against) and commands (pull uses the client) read the runtime.
  ...["lib", "scrape", "schemas", "model", "drift", "package", "cli"].map((stage) => ({
    target: `./generator/${stage}`,
    from: "./templates",
    message: "only generator/emit and generator/commands may import the runtime templates.",
  })),
  {
    target: "./generator",
    from: ["./test", "./bench", "./emulator", "./generated"],
    message: "the generator must not depend on tests, benchmarks, the emulator or its own output.",
  },
  {
    target: "./templates",
    from: ["./generator", "./emulator", "./test", "./bench", "./generated"],
    message: "the runtime ships inside the package: it imports only itself.",
  },
  {
    target: "./emulator/!(demo).ts",
    from: ["./generator", "./templates", "./generated", "./test"],
    message: "the emulator is independent of what it tests: it reads schema files, not the generator.",
  },
];

export default tseslint.config(
  { ignores: ["node_modules/", "generated/", "test/__snapshots__/", "test/fixtures/", "bench/results/"] },
  ...tseslint.configs.recommended,
  {
    plugins: { import: importPlugin },
    settings: { "import/resolver": { node: { extensions: [".ts", ".js", ".mjs"] } } },
    rules: {
      "import/no-restricted-paths": ["error", { zones }],
      "import/no-duplicates": "error",
      "@typescript-eslint/consistent-type-imports": [
        "error",
        { fixStyle: "inline-type-imports", disallowTypeAnnotations: false },
      ],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
      eqeqeq: ["error", "always", { null: "ignore" }],
      "no-console": "off",
    },
  },
  {
    files: ["templates/runtime/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(?!\\.|node:)",
              message: "the runtime has no dependencies: import only runtime files and node: built-ins.",
            },
          ],
        },
      ],
    },
  },
);
