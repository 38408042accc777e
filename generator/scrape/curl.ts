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
  /** Offset of the URL in the page text. */
  readonly offset: number;
}

const MODELS_PATH = "/v1/models/";
/** Scheme and host right before `/v1/models/`. */
const ORIGIN_BEFORE = /https?:\/\/[A-Za-z0-9.-]+(?::[0-9]+)?$/;
/** Characters of a model id as RunComfy's own clients accept them, plus `%` escapes and spaces (see `readId`). */
const ID_CHAR = /[A-Za-z0-9_.\-/%]/;
const SPACE = /[ \t\u00a0]/;

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
 * the first space.
 */
function readId(text: string, from: number, curlUrl: boolean): string {
  let end = from;
  for (;;) {
    while (end < text.length && ID_CHAR.test(text[end]!)) end++;
    let next = end;
    while (next < text.length && SPACE.test(text[next]!)) next++;
    if (!curlUrl || next === end || next >= text.length || !/[A-Za-z0-9]/.test(text[next]!)) break;
    end = next;
  }
  return text.slice(from, end).replace(/[./]+$/, "");
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
      if (raw.includes("/")) found.push({ modelId: decodeId(raw), offset: urlStart });
    }
    index = text.indexOf(MODELS_PATH, index + MODELS_PATH.length);
  }
  return found;
}

/** Whether the JSON object starting at `start` is the body of a curl call (`--data '{…}'`, `-d`, `--data-raw`, `--json`, …). */
export function isCurlBody(text: string, start: number): boolean {
  return optionBefore(text, start, ["--data", "--data-raw", "--data-binary", "--data-ascii", "--json", "-d"]);
}
