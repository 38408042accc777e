/** Facts read straight from the real doc pages in ../shared/seeds (an oracle independent of the generator). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, SEEDS } from "./project.ts";

export const SEED_PAGES: Readonly<Record<string, string>> = {
  "community/fantasy-portrait/image-to-video": "000_72d4e565c0f3f5e2.txt",
  "community/wan-2-1/fusionx/image-to-video": "002_27e00e6469cfad75.txt",
  "community/wan-2-2/vace-fun": "003_6092198e1012f146.txt",
  "community/infinite-talk/image-to-video": "004_c01371f4dad721e6.txt",
};

/** The exact JSON text of the page's first curl `--data '…'` body, re-serialised compactly. */
export function curlBody(modelId: string): string {
  const page = readFileSync(join(SEEDS, SEED_PAGES[modelId]!), "utf8");
  const data = /--data '(\{[\s\S]*?\})'/.exec(page)?.[1];
  if (!data) throw new Error(`no curl body in the page of ${modelId}`);
  return JSON.stringify(JSON.parse(data));
}

/** The published input schema of a checked-in model (raw, un-normalised). */
export function publishedInput(modelId: string): {
  required?: string[];
  properties: Record<string, Record<string, unknown>>;
} {
  return JSON.parse(readFileSync(join(ROOT, "schemas", `${modelId}.json`), "utf8")).inputSchema;
}
