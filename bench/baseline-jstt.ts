/**
 * Baseline for generation: json-schema-to-typescript with its default
 * options (Prettier formatting included) over the same input schemas, one
 * `.d.ts` per model. Run in a fresh process by `bench/run.ts`.
 *
 * The published schemas need two fixes every tool needs (see the research
 * notes, pitfalls 1 and 4): `"type": "float"` read as number (JSTT would
 * otherwise type it as an object), and the localised root title dropped (it
 * would name the type). Nothing else is changed.
 */
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { compile } from "json-schema-to-typescript";

const [schemasDir, outDir] = process.argv.slice(2) as [string, string];

function floatToNumber(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(floatToNumber);
  if (!value || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      key === "type" && inner === "float" ? "number" : floatToNumber(inner),
    ]),
  );
}

async function files(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await files(full)));
    else if (entry.name.endsWith(".json")) found.push(full);
  }
  return found.sort();
}

for (const file of await files(schemasDir)) {
  const parsed = JSON.parse(await readFile(file, "utf8")) as { inputSchema: Record<string, unknown> };
  const { title: _title, ...schema } = floatToNumber(parsed.inputSchema) as Record<string, unknown>;
  const code = await compile(schema as Parameters<typeof compile>[0], "Input");
  const target = join(outDir, relative(schemasDir, file).replace(/\.json$/, ".d.ts"));
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, code);
}
