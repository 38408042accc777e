/**
 * Type-level contract of the generated package, checked by `tsc --strict`
 * (`npm run typecheck`): what must compile, and (`@ts-expect-error`) what must not.
 */
import { createClient, models, type JobResult, type ModelId } from "../../generated/index.js";
import * as fantasy from "../../generated/models/community/fantasy-portrait/image-to-video.js";
import type { CommunityFantasyPortraitImageToVideoInput } from "../../generated/models/community/fantasy-portrait/image-to-video.js";
import * as infinite from "../../generated/models/community/infinite-talk/image-to-video.js";
import * as fusionx from "../../generated/models/community/wan-2-1/fusionx/image-to-video.js";
import * as vace from "../../generated/models/community/wan-2-2/vace-fun.js";

// Builders: friendly names, compound sizes in all three forms, raw keys as escape hatch.
const body: fantasy.RawInput = fantasy.build({ image: "https://x/a.png", resolution: "720x720", steps: 8 });
fantasy.build({ resolution: { width: 1280, height: 720 } });
fantasy.build({ resolution: "1280x720 (16:9)", frames: 141 });
fantasy.build({ "149_steps": 8, "169_valuex170_value": "720x720 (1:1)" });
fusionx.build({ prompt: "x", image: "https://x/a.png", resolution: "480x720" });
vace.build({ prompt: "x", steps: 40, shift: 29.5 });
infinite.build({ audio: "https://x/a.mp3", frames: 250 });
const friendly: CommunityFantasyPortraitImageToVideoInput = fantasy.toFriendly(body);
void friendly;

// @ts-expect-error -- unknown field: inputs are closed
fantasy.build({ image: "https://x/a.png", steps: 8, stepz: 9 });
// @ts-expect-error -- not an allowed size
fantasy.build({ resolution: "721x720" });
// @ts-expect-error -- not an allowed size object
fantasy.build({ resolution: { width: 721, height: 720 } });
// @ts-expect-error -- frames is 81 or 141
fantasy.build({ frames: 100 });
// @ts-expect-error -- steps is a number
fantasy.build({ steps: "8" });

// The model map: known ids autocomplete, unknown ids are still allowed as strings.
const known: ModelId = "community/wan-2-2/vace-fun";
const unknown: ModelId = "vendor/some-new-model";
void [known, unknown, models["community/wan-2-2/vace-fun"].id];

async function usage(): Promise<void> {
  const client = createClient({ token: "t", baseUrl: "http://127.0.0.1:1" });
  const viaNamespace = await client.communityFantasyPortraitImageToVideo.run(
    { image: "https://x/a.png" },
    { onStatus: (update) => void update.queuePosition },
  );
  if (viaNamespace.status === "succeeded") {
    const video: string | undefined = viaNamespace.output.video;
    void video;
  }
  const viaId = await client.run("community/infinite-talk/image-to-video", { audio: "https://x/a.mp3" });
  const done: JobResult<infinite.Output> = viaId;
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
  const handle = await client.submit(vace.model, { prompt: "x" });
  const resumed = await client.wait(handle);
  if (resumed.status === "succeeded") void resumed.output.image;
  await client.run("vendor/some-new-model", { anything: 1 });
  // @ts-expect-error -- a known model's input is checked
  await client.run("community/infinite-talk/image-to-video", { audoi: "https://x/a.mp3" });
  // @ts-expect-error -- namespaces take their model's input
  await client.communityWan22VaceFun.run({ frames: 100 });
}
void usage;
