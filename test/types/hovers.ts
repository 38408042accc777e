/**
 * The lines whose hovers `hover.test.ts` snapshots (through the TypeScript language service): a size field, a
 * numeric field with its range and default, and a wait option. Compiled with the other consumer files.
 */
import { createClient } from "runcomfy-models";
import { build } from "runcomfy-models/community/fantasy-portrait/image-to-video";

const portrait = { image: "https://x/a.png", video: "https://x/a.mp4", prompt: "woman acting" } as const;

export const body = build({ ...portrait, resolution: "720x720", steps: 8 });

export const result = createClient().run("community/fantasy-portrait/image-to-video", portrait, { timeoutMs: 60_000 });
