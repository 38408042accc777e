/**
 * Type-level contract of the generated package, checked by `tsc --strict`
 * (`npm run typecheck`): what must compile, and (`@ts-expect-error`) what must not. Each directive names the
 * error it expects (code and message fragment), checked by `test/types/expect-errors.test.ts`.
 */
import {
  createClient,
  loadModel,
  untypedModel,
  type JobResult,
  type ModelId,
  type ModelMap,
} from "../../generated/index.js";
import * as fantasy from "../../generated/models/community/fantasy-portrait/image-to-video.js";
import type { CommunityFantasyPortraitImageToVideoInput } from "../../generated/models/community/fantasy-portrait/image-to-video.js";
import * as infinite from "../../generated/models/community/infinite-talk/image-to-video.js";
import * as fusionx from "../../generated/models/community/wan-2-1/fusionx/image-to-video.js";
import * as vace from "../../generated/models/community/wan-2-2/vace-fun.js";

// Required fields (listed in `required`, also with a default) are required: media as https URLs or RunComfy asset names.
const portrait = { image: "https://x/a.png", video: "https://x/a.mp4", prompt: "woman acting" } as const;

// Builders: friendly names, compound sizes in all three forms, raw keys as escape hatch.
const body: fantasy.RawInput = fantasy.build({ ...portrait, resolution: "720x720", steps: 8 });
fantasy.build({ ...portrait, resolution: { width: 1280, height: 720 } });
fantasy.build({ ...portrait, resolution: "1280x720 (16:9)", frames: 141 });
fantasy.buildRaw({
  "143_image": "https://x/a.png",
  "160_video": "https://x/a.mp4",
  "155_positive_prompt": "x",
  "149_steps": 8,
  "169_valuex170_value": "720x720 (1:1)",
});
fusionx.build({ prompt: "x", image: "https://x/a.png", resolution: "480x720" });
vace.build({ prompt: "x", image: "Runcomfy_Example_1290_1.png", steps: 40, shift: 29.5 });
infinite.build({ prompt: "x", image: "https://x/a.png", audio: "https://x/a.mp3", frames: 250 });
const friendly: CommunityFantasyPortraitImageToVideoInput = fantasy.toFriendly(body);
void friendly;

// @ts-expect-error TS2561 "'steps'" -- unknown field: inputs are closed
fantasy.build({ ...portrait, steps: 8, stepz: 9 });
// @ts-expect-error TS2345 "Property 'image' is missing" -- image is required although the schema gives it a default (RunComfy's sample)
fantasy.build({ video: "https://x/a.mp4", prompt: "x" });
// @ts-expect-error TS2820 "721x720" -- not an allowed size
fantasy.build({ ...portrait, resolution: "721x720" });
// @ts-expect-error TS2322 "'721'" -- not an allowed size object
fantasy.build({ ...portrait, resolution: { width: 721, height: 720 } });
// @ts-expect-error TS2322 "'100'" -- frames is 81 or 141
fantasy.build({ ...portrait, frames: 100 });
// @ts-expect-error TS2322 "'string' is not assignable to type 'number'" -- steps is a number
fantasy.build({ ...portrait, steps: "8" });

// The model map: known ids autocomplete, unknown ids are still allowed as strings; it is types only.
const known: ModelId = "community/wan-2-2/vace-fun";
// @ts-expect-error TS2322 "vendor/some-new-model" -- ModelId is a known id only
const unknown: ModelId = "vendor/some-new-model";
const vaceId: ModelMap["community/wan-2-2/vace-fun"]["id"] = "community/wan-2-2/vace-fun";
void [known, unknown, vaceId];

async function usage(): Promise<void> {
  const client = createClient({ token: "t", baseUrl: "http://127.0.0.1:1" });
  // `client.run(id, input)`: the model's module is loaded on first use; input and output are typed by id.
  const viaId = await client.run("community/fantasy-portrait/image-to-video", portrait, {
    onStatus: (update) => void update.queuePosition,
  });
  if (viaId.status === "succeeded") {
    const video: string | undefined = viaId.output.video;
    void video;
  }
  const talk = await client.run("community/infinite-talk/image-to-video", {
    prompt: "x",
    image: "https://x/a.png",
    audio: "https://x/a.mp3",
  });
  const done: JobResult<infinite.Output> = talk;
  switch (done.status) {
    case "succeeded":
      void done.output.videos;
      break;
    case "failed":
      void done.message;
      break;
    case "cancelled":
      break;
    default: {
      const exhaustive: never = done;
      void exhaustive;
    }
  }
  const handle = await client.submit(vace.model, { prompt: "x", image: "https://x/a.png" });
  const resumed = await client.wait(handle);
  if (resumed.status === "succeeded") void resumed.output.image;
  await client.run(untypedModel("vendor/some-new-model"), { anything: 1 });
  // @ts-expect-error TS2561 "'audio'" -- a known model's input is checked
  await client.run("community/infinite-talk/image-to-video", { audoi: "https://x/a.mp3" });
  // @ts-expect-error TS2345 "Property 'image' is missing" -- a known model's required fields too
  await client.run("community/wan-2-2/vace-fun", { prompt: "x" });
  // @ts-expect-error TS2339 "communityWan22VaceFun" -- there are no per-model namespaces: models are called by id
  void client.communityWan22VaceFun;

  // Loading a model by id: typed for a known id, `undefined` possible for any other.
  const loaded = await loadModel("community/wan-2-2/vace-fun");
  const rawBody: vace.RawInput = loaded.build({ prompt: "x", image: "https://x/a.png" });
  void rawBody;
  const maybe = await loadModel("vendor/other");
  void maybe?.id;
}
void usage;
