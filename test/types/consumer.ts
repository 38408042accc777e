/**
 * Type-level tests of the generated package as a consumer sees it (`runcomfy-models`, strict,
 * `exactOptionalPropertyTypes`, NodeNext; see tsconfig.json). Compiled by `npm run typecheck` (`tsc -p test/types`):
 * every mistake below carries `@ts-expect-error`, so the check fails the day one of them starts to compile, and
 * every other line must compile as it is. Each directive names the error it expects (`TS2561 "'prompt'"`: the code
 * and a fragment of the message), which `expect-errors.test.ts` holds it to, so a mistake that fails for another
 * reason (a missing required field, TS2353 on a union instead of "Did you mean") fails the test.
 */
import {
  AbortError,
  createClient,
  isRequestHandle,
  ResultNotFoundError,
  untypedModel,
  WaitTimeoutError,
  type CommunityFantasyPortraitImageToVideoOutput,
  type JobResult,
  type RequestHandle,
  type RequestStatus,
  type SizeValue,
  type StatusUpdate,
} from "runcomfy-models";
import { build, buildRaw, type RawInput } from "runcomfy-models/community/fantasy-portrait/image-to-video";

const FANTASY = "community/fantasy-portrait/image-to-video";
const portrait = { image: "https://x/a.png", video: "https://x/a.mp4", prompt: "woman acting" } as const;
const client = createClient({ token: "t", baseUrl: "http://127.0.0.1:1" });
declare const maybeSteps: number | undefined;
declare const maybeSearch: string | undefined;
declare const stored: string;

export async function mistakes(): Promise<void> {
  // 1. The friendly call takes friendly names only.
  // @ts-expect-error TS2561 "'prompt'" -- misspelled field ("Did you mean 'prompt'?")
  build({ image: portrait.image, video: portrait.video, promt: "x" });
  // @ts-expect-error TS2561 "'prompt'" -- misspelled field in client.run
  await client.run(FANTASY, { image: portrait.image, video: portrait.video, promt: "x" });
  // @ts-expect-error TS2353 "149_steps" -- a raw key in the friendly call
  await client.run(FANTASY, { ...portrait, "149_steps": 8 });
  // @ts-expect-error TS2353 "149_steps" -- alias and raw key of one field together
  build({ ...portrait, steps: 8, "149_steps": 9 });
  // @ts-expect-error TS2353 "'steps'" -- a friendly name in the raw call
  buildRaw({ "143_image": "https://x/a.png", "160_video": "https://x/a.mp4", "155_positive_prompt": "x", steps: 8 });
  // @ts-expect-error TS2322 "'100'" -- wrong enum value (frames is 81 or 141)
  build({ ...portrait, frames: 100 });
  // @ts-expect-error TS2820 "721x720" -- not an allowed size
  build({ ...portrait, resolution: "721x720" });

  // 2. Known ids only.
  // @ts-expect-error TS2345 "image-to-vdeo" -- misspelled model id
  await client.run("community/fantasy-portrait/image-to-vdeo", { ...portrait });
  // @ts-expect-error TS2345 "vendor/new-model" -- an unknown id as a plain string
  await client.submit("vendor/new-model", { anything: 1 });
  // @ts-expect-error TS2353 "'models'" -- the root client knows every generated model (models is the runtime's option)
  createClient({ models: [] });

  // 4. Outputs are closed.
  const result = await client.run(FANTASY, portrait);
  if (result.status === "succeeded") {
    // @ts-expect-error TS2551 "Did you mean 'video'" -- output typo
    void result.output.vidoe;
  }

  // 6. Statuses are literal unions.
  await client.wait(await client.submit(FANTASY, portrait), {
    onStatus: (update) => {
      // @ts-expect-error TS2367 "'RequestStatus'" -- "queued" is a server word (in serverStatus), not a status
      if (update.status === "queued") return;
    },
  });

  // 3. A handle resumed from an error keeps its model only when narrowed to it.
  try {
    await client.run(FANTASY, portrait, { timeoutMs: 1000 });
  } catch (error) {
    if (error instanceof WaitTimeoutError) {
      const again = await client.wait(error.handle);
      // @ts-expect-error TS18046 "again.output" -- an error's handle is any model's: its output is untyped until narrowed
      const video: string | undefined = again.status === "succeeded" ? again.output.video : undefined;
      void video;
    }
  }
  const parsed: unknown = JSON.parse(stored);
  // @ts-expect-error TS2769 "Argument of type 'unknown'" -- a parsed value is not a handle until checked (isRequestHandle)
  await client.wait(parsed);
}

export async function correct(): Promise<void> {
  // 5. exactOptionalPropertyTypes: an optional field takes `undefined`.
  build({ ...portrait, steps: maybeSteps });
  await client.run(FANTASY, { ...portrait, steps: maybeSteps, seed: undefined });
  // ... and so do options.
  await client.run(FANTASY, portrait, { timeoutMs: maybeSteps, onStatus: undefined });
  await client.catalog.list({ search: maybeSearch, limit: maybeSteps });
  // The raw path, typed by the wire body.
  const body: RawInput = buildRaw({
    "143_image": "https://x/a.png",
    "160_video": "https://x/a.mp4",
    "155_positive_prompt": "x",
    "149_steps": 8,
  });
  await client.runRaw(FANTASY, body);
  await client.submitRaw(FANTASY, { ...body, "149_steps": maybeSteps });
  // The escape hatch for a model this package does not know: plain records in and out.
  const other = await client.run(untypedModel("vendor/new-model"), { anything: 1 });
  if (other.status === "succeeded") void other.output["whatever"];

  // 3. Handles keep the model id: onEnqueue, errors, wait.
  const result = await client.run(FANTASY, portrait, {
    onEnqueue: (handle) => {
      const typed: RequestHandle<typeof FANTASY> = handle;
      void typed;
    },
    onStatus: (update: StatusUpdate<typeof FANTASY>) => {
      const status: RequestStatus = update.status;
      if (status === "in_queue") void update.queuePosition;
      void update.serverStatus.toUpperCase();
    },
  });
  const typedResult: JobResult<CommunityFantasyPortraitImageToVideoOutput, typeof FANTASY> = result;
  void typedResult;
  if (result.status === "succeeded") {
    const video: string | undefined = result.output.video;
    const extra: Readonly<Record<string, unknown>> | undefined = result.output.extra;
    void [video, extra];
  }
  try {
    await client.run(FANTASY, portrait);
  } catch (error) {
    if (error instanceof WaitTimeoutError || error instanceof ResultNotFoundError) {
      const handle: RequestHandle = error.handle;
      if (isRequestHandle(handle, FANTASY)) {
        const again = await client.wait(handle);
        if (again.status === "succeeded") void again.output.video;
      }
    }
    if (error instanceof AbortError && error.handle !== undefined) await client.wait(error.handle);
  }
  const timeout = new WaitTimeoutError<typeof FANTASY>("x", {
    outcome: { job: "left-running" },
    handle: { modelId: FANTASY, requestId: "r", submittedAt: "" },
  });
  const resumed = await client.wait(timeout.handle);
  if (resumed.status === "succeeded") void resumed.output.images;
  // A parsed handle, narrowed.
  const parsed: unknown = JSON.parse(stored);
  if (isRequestHandle(parsed)) await client.wait(parsed);
  // @ts-expect-error TS2554 "Expected 2 arguments" -- a model's handle is narrowed only with its id, which is checked
  if (isRequestHandle<typeof FANTASY>(parsed)) await client.wait(parsed);
  if (isRequestHandle(parsed, FANTASY)) {
    const done = await client.wait(parsed);
    if (done.status === "succeeded") void done.output.video;
  }
}

// A size two labels share: only its labels name it ("WxH" and { width, height } would be ambiguous); a size of one
// label takes all three forms.
type Sizes = SizeValue<
  [["720x720 (1:1)", 720, 720], ["720 x 720 (square)", 720, 720], ["1280×720 (16:9)", 1280, 720, "1280x720"]]
>;
export const sizeByLabel: Sizes = "720 x 720 (square)";
export const sizeByShort: Sizes = "1280x720";
export const sizeByObject: Sizes = { width: 1280, height: 720 };
// @ts-expect-error TS2322 "not assignable" -- two labels are 720x720: pass one of them
export const sharedSize: Sizes = { width: 720, height: 720 };
