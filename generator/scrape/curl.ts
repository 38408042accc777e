/**
 * The curl calls of a doc page: model ids in submit URLs, and which JSON
 * object is a request body.
 *
 * Every RunComfy model page shows `curl --request POST --url
 * https://model-api.runcomfy.net/v1/models/<model id> … --data '{…}'`. Only
 * that structure is used, never the (localised) words around it.
 */

export interface ModelUrl {
  readonly modelId: string;
  /** The id as the page writes it (before its `%` escapes are decoded). */
  readonly written: string;
  /** Offset of the URL in the page text. */
  readonly offset: number;
}

const MODELS_PATH = "/v1/models/";
/** Scheme and host right before `/v1/models/`. */
const ORIGIN_BEFORE = /https?:\/\/[A-Za-z0-9.-]+(?::[0-9]+)?$/;
/**
 * What ends a URL on a page: white space (but see `readId`), quotes and angle brackets; in prose also the full-width
 * punctuation of CJK text, which no URL holds (`…/vace-fun。接下来`). Anything else is part of the id, read whole
 * (`acme/x:y`, `acme/x?y`, `acme/ünï`) for `checkModelId` and `scrapePage` to accept or refuse, never cut short into
 * another model's id.
 */
const URL_END = /[\s"'`<>]/;
const PROSE_URL_END = /[\s"'`<>\u3001\u3002\uff08\uff09\uff0c\uff1a\uff1b\uff01\uff1f]/;
const SPACE = /[ \t\u00a0]/;
/** Punctuation of the sentence around a URL in prose (`…/vace-fun.`, `…/vace-fun:`), not part of the id. */
const PROSE_END = /[.,;:!?]/;
/** Closing brackets of the sentence around a URL in prose (`(… /v1/models/a/b)`), when the id opens none. */
const CLOSING: Readonly<Record<string, string>> = { ")": "(", "]": "[" };

/** Whether `text` just before `end` is a curl option `name` (`--url`, `-d`) followed by spaces and an optional quote. */
function optionBefore(text: string, end: number, names: readonly string[]): boolean {
  const isSpace = (at: number): boolean => at >= 0 && /\s/.test(text[at]!);
  let index = end;
  // An opening quote, possibly with a line break between it and the value.
  let quote = index;
  while (isSpace(quote - 1)) quote--;
  if (text[quote - 1] === "'" || text[quote - 1] === '"') index = quote - 1;
  if (text[index - 1] === "=") index--;
  else {
    const afterSpace = index;
    while (isSpace(index - 1)) index--;
    if (index === afterSpace) return false;
  }
  return names.some(
    (name) => text.endsWith(name, index) && (index === name.length || isSpace(index - name.length - 1)),
  );
}

/**
 * Reads a model id after `/v1/models/`. Ids are `/`-separated words; one page
 * even shows spaces (`minimax/Hailuo Video 01 Live`). A space continues the
 * id only in the value of `--url`, and only when a word follows (not the
 * ` \` line continuation or the next ` --option`); in prose a URL ends at
 * the first space, and the sentence's punctuation after it is not the id's.
 */
function readId(text: string, from: number, curlUrl: boolean): string {
  const urlEnd = curlUrl ? URL_END : PROSE_URL_END;
  let end = from;
  for (;;) {
    while (end < text.length && !urlEnd.test(text[end]!)) end++;
    let next = end;
    while (next < text.length && SPACE.test(text[next]!)) next++;
    if (!curlUrl || next === end || next >= text.length || !/[A-Za-z0-9]/.test(text[next]!)) break;
    end = next;
  }
  let id = text.slice(from, end);
  // A trailing slash or dot is never an id's; in prose, neither is the sentence's punctuation after the URL.
  for (;;) {
    const last = id.slice(-1);
    const open = CLOSING[last];
    if (last === "/" || last === "." || (!curlUrl && PROSE_END.test(last))) id = id.slice(0, -1);
    else if (!curlUrl && open !== undefined && !id.includes(open)) id = id.slice(0, -1);
    else return id;
  }
}

/**
 * The id a URL path names: each `/`-separated segment decoded (`Hailuo%20Video` → `Hailuo Video`). A segment kept
 * as written when it cannot be decoded (a stray `%`) or would decode to a `/` of its own (`a%2Fb`): the id is then
 * the one the URL writes, and `checkModelId` refuses its `%` as it refuses it in `pull acme/a%2Fb`; decoded, the
 * escape would turn into one more segment and name another model.
 */
function decodeId(raw: string): string {
  return raw
    .split("/")
    .map((segment) => {
      try {
        const decoded = decodeURIComponent(segment);
        return decoded.includes("/") ? segment : decoded;
      } catch {
        return segment;
      }
    })
    .join("/");
}

/** Every `https://<host>/v1/models/<model id>` of the text, in page order (templates such as `{model_id}` are skipped). */
export function findModelUrls(text: string): ModelUrl[] {
  const found: ModelUrl[] = [];
  let index = text.indexOf(MODELS_PATH);
  while (index !== -1) {
    const origin = ORIGIN_BEFORE.exec(text.slice(Math.max(0, index - 300), index));
    if (origin) {
      const urlStart = index - origin[0].length;
      const raw = readId(text, index + MODELS_PATH.length, optionBefore(text, urlStart, ["--url"]));
      if (raw.includes("/")) found.push({ modelId: decodeId(raw), written: raw, offset: urlStart });
    }
    index = text.indexOf(MODELS_PATH, index + MODELS_PATH.length);
  }
  return found;
}

/** Whether the JSON object starting at `start` is the body of a curl call (`--data '{…}'`, `-d`, `--data-raw`, `--json`, …). */
export function isCurlBody(text: string, start: number): boolean {
  return optionBefore(text, start, ["--data", "--data-raw", "--data-binary", "--data-ascii", "--json", "-d"]);
}
