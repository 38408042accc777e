/** Starts emulators for a test file and stops them afterwards; a clock that records waits. */
import { afterEach } from "vitest";
import { startEmulator, type Emulator, type EmulatorOptions } from "../../emulator/index.ts";
import { createClient, type ClientOptions, type Clock, type RunComfyClient } from "../../generated/index.js";
import { systemClock } from "../../generated/runtime/internal.js";

const running: Emulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.close()));
});

export async function emulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const started = await startEmulator({ durationMs: 150, capacity: 2, ...options });
  running.push(started);
  return started;
}

/** A client for `emu` that polls fast (tests use short jobs). */
export function clientFor(emu: Emulator, options: ClientOptions = {}): RunComfyClient {
  return createClient({
    baseUrl: emu.url,
    token: emu.token,
    poll: { minIntervalMs: 20, maxIntervalMs: 100 },
    ...options,
  });
}

/** A clock that records every requested wait, waits at most `capMs` for real, and never jitters. */
export function recordingClock(capMs = 5): { clock: Clock; sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    sleeps,
    clock: {
      now: () => Date.now(),
      random: () => 0,
      sleep: (ms, signal) => {
        sleeps.push(ms);
        return systemClock.sleep(Math.min(ms, capMs), signal);
      },
    },
  };
}

/** The required fields of each seed model (RunComfy's own example assets, as the pages pass them). */
export const FANTASY_INPUT = {
  image: "Runcomfy_example_1268_1.png",
  video: "Runcomfy_example_1268_1.mp4",
  prompt: "woman acting",
} as const;
export const VACE_INPUT = { prompt: "a lone figure at golden hour", image: "Runcomfy_Example_1290_1.png" } as const;
export const FUSIONX_INPUT = { prompt: "a woman smiles", image: "RunComfy_examples_1235_1.png" } as const;
export const TALK_INPUT = {
  prompt: "a woman is talking",
  image: "Runcomfy_example_1278_1.png",
  audio: "Runcomfy_example_1278_1.mp3",
} as const;

/** The required input of each seed model, by id. */
export const SEED_INPUTS = {
  "community/fantasy-portrait/image-to-video": FANTASY_INPUT,
  "community/wan-2-1/fusionx/image-to-video": FUSIONX_INPUT,
  "community/wan-2-2/vace-fun": VACE_INPUT,
  "community/infinite-talk/image-to-video": TALK_INPUT,
} as const;
