/**
 * Layout of emitted code: the emitters build Prettier documents (the same
 * intermediate form Prettier's own printers build from a syntax tree) and
 * lay them out with Prettier's document printer (`prettier/doc`, which loads
 * in a few milliseconds). No source text is parsed and no formatter pass
 * runs on the hot path; that the result is exactly what Prettier prints for
 * it is checked by tests that run the full formatter over emitted files.
 */
import { builders, printer } from "prettier/doc";

export type Doc = builders.Doc;

export const {
  align,
  conditionalGroup,
  fill,
  group,
  hardline,
  ifBreak,
  indent,
  indentIfBreak,
  join,
  line,
  lineSuffixBoundary,
  softline,
} = builders;

/** The formatting options of every emitted file (part of the output contract): Prettier prints them unchanged with these. */
export const PACKAGE_FORMAT = {
  printWidth: 120,
  tabWidth: 2,
  useTabs: false,
  endOfLine: "lf",
  trailingComma: "all",
  // Keys are quoted exactly when they are not plain identifiers, as the printer decides (`text.ts`).
  quoteProps: "preserve",
  // Code examples in the README are written as they should read.
  embeddedLanguageFormatting: "off",
} as const;

/** Lays a document out at the package's print width, with two-space indentation and `\n` line ends. */
export function layout(doc: Doc): string {
  return printer.printDocToString(doc, PACKAGE_FORMAT).formatted;
}
