/**
 * Doc pages for scraper tests: the real seed pages, and the same content
 * rewritten the ways real pages differ (HTML with entities and noise, CRLF,
 * other locales' wording).
 */
import { readdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { listFiles } from "../../generator/lib/files.ts";
import { serializeSchemaFile } from "../../generator/schemas/schema-file.ts";
import { contributionOf, fileFromPages } from "../../generator/commands/add.ts";
import { ROOT, SEEDS } from "./project.ts";

export const FIXTURES = join(ROOT, "test/fixtures/pages");

export interface Seed {
  /** `000_72d4e565c0f3f5e2.txt` */
  readonly name: string;
  readonly text: string;
  /** The checked-in file the seed must scrape to. */
  readonly schemaPath: string;
}

/** Which checked-in file each seed page describes (000 German and 001 Chinese are the same model). */
const SEED_FILES: Readonly<Record<string, string>> = {
  "000": "schemas/community/fantasy-portrait/image-to-video.json",
  "001": "schemas/community/fantasy-portrait/image-to-video.json",
  "002": "schemas/community/wan-2-1/fusionx/image-to-video.json",
  "003": "schemas/community/wan-2-2/vace-fun.json",
  "004": "schemas/community/infinite-talk/image-to-video.json",
};

export function seeds(): Seed[] {
  return readdirSync(SEEDS)
    .sort()
    .map((name) => ({
      name,
      text: readFileSync(join(SEEDS, name), "utf8"),
      schemaPath: SEED_FILES[name.slice(0, 3)]!,
    }));
}

export function seed(prefix: string): Seed {
  const found = seeds().find((candidate) => candidate.name.startsWith(prefix));
  if (!found) throw new Error(`no seed ${prefix}`);
  return found;
}

export function checkedIn(path: string): string {
  return readFileSync(join(ROOT, path), "utf8");
}

/** The schema file bytes `add` would write for these pages into an empty schemas/ (the pure part of `add`). */
export function scrapeToFile(...pages: { name: string; content: string }[]): string {
  const contributions = pages.map((page) => contributionOf(page.content, page.name).contribution);
  return serializeSchemaFile(fileFromPages(undefined, contributions));
}

const ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "/": "&#x2F;",
  "{": "&#123;",
  "}": "&#x7D;",
  ":": "&colon;",
};

/** One line as highlighted code: chunks of five characters in spans, every special character as an entity, indentation as &nbsp;. */
function htmlLine(line: string): string {
  const indent = /^ */.exec(line)![0].length;
  const chunks = line.slice(indent).match(/[\s\S]{1,5}/g) ?? [];
  return (
    "&nbsp;".repeat(indent) +
    chunks
      .map((chunk) => `<span class="t">${[...chunk].map((char) => ENTITIES[char] ?? char).join("")}</span>`)
      .join("")
  );
}

/** Markup the scraper must ignore: each piece holds another model's URL or a schema-like object. */
const NOISE_HEAD = [
  '<style>.line { white-space: pre } pre > code { color: #333 } /* {"properties": {}} */</style>',
  '<script>window.__NEXT_DATA__ = {"props": {"properties": {"evil": {"type": "string"}}, "url": "https://model-api.runcomfy.net/v1/models/evil/script"}};</script>',
  '<script type="application/ld+json">{"@context": "https://schema.org", "url": "https://model-api.runcomfy.net/v1/models/evil/ld-json"}</script>',
];
const NOISE_NAV =
  '<nav><a href="/models">Modelle</a> <a href="/de/api">curl --url https://model-api.runcomfy.net/v1/models/evil/nav</a> <span>{"properties": {"nav": {}}}</span></nav>';
const NOISE_TAIL = [
  '<!-- {"properties": {"comment": {}}} https://model-api.runcomfy.net/v1/models/evil/comment -->',
  "<noscript>https://model-api.runcomfy.net/v1/models/evil/noscript</noscript>",
  '<template><p>{"properties": {"template": {}}}</p></template>',
  '<div hidden>{"output": {"type": "object", "properties": {"hidden": {}}}}</div>',
];

/**
 * The page as HTML the way a site renders it: every line a block of
 * highlighted spans, entities everywhere, and script/nav/comment noise that
 * would change the result if it were read. `main` starts on line 12.
 */
export function asHtml(text: string, options: { canonical?: string } = {}): string {
  const head = [
    "<!DOCTYPE html>",
    '<html lang="de">',
    "<head>",
    '<meta charset="utf-8">',
    "<title>API &amp; Schema</title>",
    options.canonical
      ? `<link rel="alternate canonical" href="${options.canonical}">`
      : '<meta name="robots" content="index">',
    ...NOISE_HEAD,
    "</head>",
    `<body>${NOISE_NAV}`,
  ];
  const lines = text.split("\n").map((line) => `<div class="line">${htmlLine(line)}</div>`);
  return [
    ...head,
    `<main>${lines.join("\n")}</main>`,
    ...NOISE_TAIL,
    "<footer>Folge uns</footer>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

/** Line of the HTML source that holds line 1 of the page text in `asHtml` output. */
export const HTML_FIRST_TEXT_LINE = 12;

/** The localised words inside the JSON of every German seed page (schema title, output descriptions), and their translations. */
const JSON_WORDING: Readonly<Record<string, readonly string[]>> = {
  de: ["Eingabeschema", "Einzelbild-URL", "Einzelvideo-URL", "mehrere Bild-URLs", "mehrere Video-URLs"],
  ja: ["入力スキーマ", "単一画像の URL", "単一動画の URL", "複数画像の URL", "複数動画の URL"],
  fr: ["Schéma d’entrée", "URL d’une image", "URL d’une vidéo", "URL de plusieurs images", "URL de plusieurs vidéos"],
  en: ["Input schema", "Single image URL", "Single video URL", "Multiple image URLs", "Multiple video URLs"],
};

/** Prose of the German pages (full pages have all of it, compact pages some), with braces and no-break spaces thrown in. */
const PROSE_WORDING: Readonly<Record<string, readonly (readonly [string, string])[]>> = {
  ja: [
    ["Ausgabeschema", "出力スキーマ"],
    ["Erste Schritte", "はじめに"],
    ["Authentifizierung", "認証"],
    ["Nutzen Sie die RunComfy-API, um", "RunComfy API で"],
    ["auszuführen.", "を実行します。"],
    ["Zulässige Ein- und Ausgaben finden Sie im Schema.", "入力と出力は「スキーマ」を参照してください{。}"],
  ],
  fr: [
    ["Ausgabeschema", "Schéma de sortie"],
    ["Erste Schritte", "Premiers pas"],
    ["Nutzen Sie die RunComfy-API, um", "Utilisez l’API RunComfy\u00a0: {« exécuter »}"],
    ["Zulässige Ein- und Ausgaben finden Sie im Schema.", "Voir le schéma\u00a0: « entrées » et « sorties »."],
  ],
  en: [
    ["Ausgabeschema", "Output schema"],
    ["Nutzen Sie die RunComfy-API, um", "Use the RunComfy API to run"],
  ],
};

export const LOCALES: readonly string[] = Object.keys(PROSE_WORDING);

/**
 * The German page with another locale's wording. Every localised word inside
 * the JSON must be there to replace (so the test cannot pass by replacing
 * nothing); prose is replaced where the page has it.
 */
export function inLocale(text: string, locale: string): string {
  let result = text;
  JSON_WORDING["de"]!.forEach((german, index) => {
    if (!result.includes(german)) throw new Error(`phrase ${JSON.stringify(german)} is not on the page`);
    result = result.split(german).join(JSON_WORDING[locale]![index]!);
  });
  for (const [german, other] of PROSE_WORDING[locale]!) result = result.split(german).join(other);
  return result;
}

/** Every file below `dirs` of `root` with its content: compare two of these to prove nothing was written. */
export async function snapshot(
  root: string,
  dirs: readonly string[] = ["schemas", "generated"],
): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const dir of dirs)
    for (const path of await listFiles(join(root, dir)))
      files.set(`${dir}/${path}`, await readFile(join(root, dir, path), "utf8"));
  return files;
}
