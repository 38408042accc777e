#!/usr/bin/env node
// Entry point of the `runcomfy-codegen` command (`npm run generate`, `npm run codegen`).
//
// The generator is TypeScript. It runs from a bundle that esbuild builds once per version of the generator's
// sources (node_modules/.cache/runcomfy-codegen/cli-<hash>/), so a command starts in about a fifth of the time a
// TypeScript loader needs. RUNCOMFY_CODEGEN_TSX=1 runs the sources through tsx instead (for debugging).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

const generator = resolve(dirname(fileURLToPath(import.meta.url)), "..");

if (process.env.RUNCOMFY_CODEGEN_TSX === "1") {
  const { register } = await import("tsx/esm/api");
  register();
  await import("./main.ts");
} else {
  await import(pathToFileURL(join(await bundle(), "main.js")).href);
}

/** The generator's TypeScript sources, sorted, relative to `generator/`. */
function sources(dir = generator) {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [],
    )
    .sort();
}

/**
 * The bundle of the current sources, built now if there is none yet. It is keyed by each source's path, size,
 * modification and change times and inode (no file is read on the way in): an edit always makes a new bundle, also
 * one that keeps the size and sets the modification time back (`touch -r`, `cp -p`, an archive's fixed times), since
 * no tool can set a change time back; a mere touch at worst rebuilds the same one.
 */
async function bundle() {
  const hash = createHash("sha256");
  // This file (the bundle's options) and the installed versions of the packages the bundle holds, then the sources.
  const require = createRequire(import.meta.url);
  const bundled = ["ajv", "fast-deep-equal", "fast-uri", "json-schema-traverse", "require-from-string", "prettier"];
  for (const file of [
    fileURLToPath(import.meta.url),
    ...bundled.map((name) => require.resolve(`${name}/package.json`)),
  ]) {
    const { size, mtimeMs, ctimeMs, ino } = statSync(file);
    hash.update(`${file}\0${size}\0${mtimeMs}\0${ctimeMs}\0${ino}\0`);
  }
  for (const file of sources()) {
    const { size, mtimeMs, ctimeMs, ino } = statSync(file);
    hash.update(`${relative(generator, file)}\0${size}\0${mtimeMs}\0${ctimeMs}\0${ino}\0`);
  }
  // The folder of `cacheFile` (lib/files.ts), spelled out: this file runs before any TypeScript can be loaded.
  const cache = join(generator, "..", "node_modules", ".cache", "runcomfy-codegen");
  const out = join(cache, `cli-${hash.digest("hex").slice(0, 16)}`);
  if (existsSync(join(out, "main.js"))) return out;
  const { build } = await import("esbuild");
  const temp = `${out}.tmp-${process.pid}`;
  await build({
    entryPoints: { main: join(generator, "cli", "main.ts"), worker: join(generator, "emit", "worker.ts") },
    outdir: temp,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    plugins: [dependencies()],
    logLevel: "error",
  });
  mkdirSync(cache, { recursive: true });
  try {
    renameSync(temp, out);
  } catch {
    // Another process built the same bundle first: use that one.
    rmSync(temp, { recursive: true, force: true });
  }
  prune(cache, out);
  return out;
}

/**
 * Which packages the bundle holds. Every package stays external (loaded from node_modules as it is) but those the
 * emitters of an added or edited model load (ajv and its dependencies, Prettier's document printer), so that loading
 * them is one chunk of the bundle rather than Node resolving and loading ajv's ~40 CommonJS files one by one.
 */
function dependencies() {
  const bundled = /^(?:ajv|fast-deep-equal|fast-uri|json-schema-traverse|require-from-string|prettier\/doc)(?:\/|$)/;
  return {
    name: "dependencies",
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (bundled.test(args.path) || /[\\/]node_modules[\\/](?:ajv|fast-uri)[\\/]/.test(args.importer))
          return undefined;
        return { path: args.path, external: true };
      });
    },
  };
}

/**
 * Removes old bundles and compiled runtimes (`runtime-<fingerprint>.json`, `emit/runtime.ts`) so the cache does not
 * grow with every edit or update of the generator: of each kind the newest few are kept (another checkout of the same
 * project may still use one), the rest once they are a day old. It runs when a new bundle is built, which is when the
 * generator's sources, and so its fingerprint, changed.
 */
function prune(cache, keep) {
  const KEEP_NEWEST = 4;
  const DAY_MS = 24 * 60 * 60 * 1000;
  try {
    const names = readdirSync(cache);
    for (const prefix of ["cli-", "runtime-"]) {
      const old = names
        .filter((name) => name.startsWith(prefix))
        .map((name) => ({ path: join(cache, name), mtimeMs: statSync(join(cache, name)).mtimeMs }))
        .filter((entry) => entry.path !== keep)
        .sort((a, b) => b.mtimeMs - a.mtimeMs)
        .slice(KEEP_NEWEST - 1)
        .filter((entry) => Date.now() - entry.mtimeMs > DAY_MS || entry.path.includes(".tmp-"));
      for (const entry of old) rmSync(entry.path, { recursive: true, force: true });
    }
  } catch {
    // Pruning is housekeeping: a race with another process or an unreadable entry changes nothing.
  }
}
