/**
 * Which input values are media references (a URL RunComfy's servers fetch):
 * the one place that decides it, at every depth of an input schema.
 *
 * A string, or an array of strings, without `enum` is media when any of:
 * 1. its `format` says so: `image_uri`, `video_uri`, `audio_uri`, the `_uris`
 *    forms, and any other format that starts with a media kind
 *    (`image_uri_with_mask_image_ideogramv3`, `video`, `audio_url`);
 * 2. its title is a media phrase: a media word last, optionally followed by
 *    "URL"/"URLs"/"URI"/"Link" ("Image", "Video URL", "Reference Image URL",
 *    "Input Audio", "Reference Images");
 * 3. its key is such a phrase (`image_url`, `video_url`, `audio_url`,
 *    `start_image_url`, `image_urls`, `reference_image_urls`, `img_url`,
 *    `promptImage`), or a frame/mask URL (`first_frame_url`, `mask_url`).
 * A phrase with a word that makes it a property of a file rather than the
 * file ("Image Size", "Number of Images", "Video Duration", `image_format`)
 * is never media, and neither is one of more than four words.
 */
import type { MediaKind } from "./types.ts";

/**
 * Media words (plural included) and their kind. Maps, not object literals: a word of a schema's key or title is looked
 * up, and `constructor` or `toString` must find nothing (an object literal would answer with `Object.prototype`'s).
 */
const MEDIA_WORDS: ReadonlyMap<string, MediaKind> = new Map([
  ["image", "image"],
  ["images", "image"],
  ["img", "image"],
  ["imgs", "image"],
  ["video", "video"],
  ["videos", "video"],
  ["audio", "audio"],
  ["audios", "audio"],
]);
/** Words that name an image only as a URL: `first_frame_url` is an image, `num_frames` is a count. */
const URL_ONLY_WORDS: ReadonlyMap<string, MediaKind> = new Map([
  ["frame", "image"],
  ["frames", "image"],
  ["mask", "image"],
]);
const URL_WORDS: ReadonlySet<string> = new Set(["url", "urls", "uri", "uris", "link", "links"]);

/** Words that make "… image" a property of a media file rather than the file itself ("Size of image"). */
const NOT_MEDIA_WORDS: ReadonlySet<string> = new Set([
  "of",
  "size",
  "sizes",
  "count",
  "number",
  "num",
  "format",
  "type",
  "ratio",
  "strength",
  "scale",
  "weight",
  "resolution",
  "quality",
  "width",
  "height",
  "length",
  "duration",
  "mode",
  "name",
]);

/** `"Reference Image URL"`, `"start_image_url"`, `"promptImage"` → lower-case words. */
function words(text: string): string[] {
  return text
    .replace(/\([^)]*\)/g, " ")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** The media kind a phrase (a title or a key) names, if any. */
export function mediaFromPhrase(text: string | undefined): MediaKind | undefined {
  if (text === undefined) return undefined;
  const list = words(text);
  let url = false;
  while (list.length > 1 && URL_WORDS.has(list[list.length - 1]!)) {
    list.pop();
    url = true;
  }
  if (list.length === 0 || list.length > 4 || list.some((word) => NOT_MEDIA_WORDS.has(word))) return undefined;
  const last = list[list.length - 1]!;
  return MEDIA_WORDS.get(last) ?? (url ? URL_ONLY_WORDS.get(last) : undefined);
}

export interface MediaFormat {
  readonly kind: MediaKind;
  /** `*_uris`: the value is an array of references. */
  readonly array: boolean;
}

/** `image_uri` → image; `video_uris` → an array of videos; `image_uri_with_mask_image_ideogramv3` → image; `uri` → none. */
export function mediaFromFormat(format: string): MediaFormat | undefined {
  const match = /^(image|video|audio)(s?)(?:$|[_\-.\s])/i.exec(format);
  if (!match) return undefined;
  const kind = match[1]!.toLowerCase() as MediaKind;
  return { kind, array: /^(?:image|video|audio)s?_uris(?:$|[_\-.\s])/i.test(format) };
}

/** What a string-valued node needs to be checked for the title and key rules. */
export interface MediaCandidate {
  readonly key?: string;
  readonly title?: string;
}

/** The title rule, then the key rule (see the module comment). */
export function mediaFromNames(candidate: MediaCandidate): MediaKind | undefined {
  return mediaFromPhrase(candidate.title) ?? mediaFromPhrase(candidate.key);
}
