/**
 * A doc page (HTML or plain text) → the text a reader sees, with a way back
 * to line and column in the page as given.
 *
 * HTML goes through parse5, never through regular expressions: entities are
 * decoded, `<script>`, `<style>`, `<nav>` and other non-content elements are
 * skipped (their braces and URLs must not look like page content), and block
 * elements end a line so that text of two paragraphs never runs together.
 * Whitespace is kept as it is, because it may sit inside a JSON string.
 */
import { parse, type DefaultTreeAdapterTypes } from "parse5";

type Node = DefaultTreeAdapterTypes.Node;
type Element = DefaultTreeAdapterTypes.Element;

export interface Position {
  readonly line: number;
  readonly column: number;
}

export interface PageText {
  readonly format: "html" | "text";
  /** What a reader sees; line breaks are `\n`. */
  readonly text: string;
  /** Line and column (1-based) of a `text` offset in the page as given (for HTML, in the markup). */
  locate(offset: number): Position;
  /** `<link rel="canonical">` or `og:url` of an HTML page, as written there. */
  readonly canonicalUrl?: string;
}

/** Elements whose content is not page text. */
const SKIPPED = new Set([
  "head",
  "script",
  "style",
  "noscript",
  "template",
  "nav",
  "svg",
  "math",
  "iframe",
  "object",
  "embed",
  "canvas",
  "select",
  "button",
]);

/** Elements that start and end a line of text. */
const BLOCKS = new Set([
  "address",
  "article",
  "aside",
  "blockquote",
  "body",
  "br",
  "caption",
  "dd",
  "details",
  "dialog",
  "div",
  "dl",
  "dt",
  "fieldset",
  "figcaption",
  "figure",
  "footer",
  "form",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "header",
  "hgroup",
  "hr",
  "html",
  "li",
  "main",
  "ol",
  "p",
  "pre",
  "section",
  "summary",
  "table",
  "tbody",
  "td",
  "tfoot",
  "th",
  "thead",
  "tr",
  "ul",
]);

/** Tags an HTML page or fragment may start with (besides `<!doctype`, `<!--`, `<?xml`). */
const OPENING_TAGS = new Set([
  ...BLOCKS,
  "head",
  "meta",
  "link",
  "title",
  "base",
  "script",
  "style",
  "nav",
  "span",
  "a",
  "code",
  "img",
]);

/**
 * Plain text unless the page starts with markup (`<!doctype`, `<html`,
 * `<div …`). Text pages start with words; `<token>` (as in `Bearer <token>`)
 * is not a tag.
 */
export function looksLikeHtml(raw: string): boolean {
  const start = /^\s*<(!doctype|!--|\?xml|[a-z][a-z0-9]*)[\s/>]/i.exec(raw.replace(/^\ufeff/, ""))?.[1]?.toLowerCase();
  return start !== undefined && (start.startsWith("!") || start === "?xml" || OPENING_TAGS.has(start));
}

export function readPage(raw: string, format: "html" | "text" = looksLikeHtml(raw) ? "html" : "text"): PageText {
  return format === "html" ? readHtml(raw) : readText(raw);
}

/** Offsets of the first character of every line. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/** Index of the last entry of the sorted `values` that is `<= target`. */
function lastAtOrBefore(values: readonly number[], target: number): number {
  let low = 0;
  let high = values.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (values[middle]! <= target) low = middle;
    else high = middle - 1;
  }
  return low;
}

function readText(raw: string): PageText {
  // CRLF and lone CR become LF, so lines count the same as in any editor.
  const text = raw.replace(/^\ufeff/, "").replace(/\r\n?/g, "\n");
  const starts = lineStarts(text);
  return {
    format: "text",
    text,
    locate: (offset) => {
      const index = lastAtOrBefore(starts, offset);
      return { line: index + 1, column: offset - starts[index]! + 1 };
    },
  };
}

/** A run of extracted text that came from one text node, and where that node starts in the markup. */
interface Segment {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

function attribute(element: Element, name: string): string | undefined {
  return element.attrs.find((attr) => attr.name === name)?.value;
}

function isElement(node: Node): node is Element {
  return "tagName" in node;
}

/** Every element of the tree, in document order (template contents included). */
function* elements(node: Node): Generator<Element> {
  if (isElement(node)) yield node;
  const children =
    node.nodeName === "template" && "content" in node
      ? node.content.childNodes
      : "childNodes" in node
        ? node.childNodes
        : [];
  for (const child of children) yield* elements(child);
}

/** `<link rel="canonical" href>` first, else `<meta property="og:url" content>`; they may sit anywhere in broken markup. */
function canonicalUrlOf(document: Node): string | undefined {
  let ogUrl: string | undefined;
  for (const element of elements(document)) {
    if (
      element.tagName === "link" &&
      (attribute(element, "rel") ?? "").toLowerCase().split(/\s+/).includes("canonical")
    ) {
      const href = attribute(element, "href")?.trim();
      if (href) return href;
    }
    if (element.tagName === "meta" && ogUrl === undefined && attribute(element, "property") === "og:url")
      ogUrl = attribute(element, "content")?.trim() || undefined;
  }
  return ogUrl;
}

function readHtml(raw: string): PageText {
  const document = parse(raw, { sourceCodeLocationInfo: true });
  let text = "";
  const segments: Segment[] = [];

  const newline = (): void => {
    if (text !== "" && !text.endsWith("\n")) text += "\n";
  };
  const visit = (node: Node): void => {
    if (node.nodeName === "#text" && "value" in node) {
      const location = node.sourceCodeLocation;
      if (location) segments.push({ offset: text.length, line: location.startLine, column: location.startCol });
      text += node.value;
      return;
    }
    if (!isElement(node)) {
      if ("childNodes" in node) for (const child of node.childNodes) visit(child);
      return;
    }
    if (SKIPPED.has(node.tagName) || attribute(node, "hidden") !== undefined) return;
    const block = BLOCKS.has(node.tagName);
    if (block) newline();
    for (const child of node.childNodes) visit(child);
    if (block) newline();
  };
  visit(document);

  const starts = segments.map((segment) => segment.offset);
  const canonicalUrl = canonicalUrlOf(document);
  return {
    format: "html",
    text,
    locate: (offset) => {
      if (segments.length === 0) return { line: 1, column: 1 };
      const segment = segments[lastAtOrBefore(starts, offset)]!;
      // Entities and tags earlier on the same line can shift the column; the line is exact.
      const before = text.slice(segment.offset, offset);
      const lastBreak = before.lastIndexOf("\n");
      if (lastBreak === -1) return { line: segment.line, column: segment.column + before.length };
      return { line: segment.line + before.split("\n").length - 1, column: before.length - lastBreak };
    },
    ...(canonicalUrl === undefined ? {} : { canonicalUrl }),
  };
}
