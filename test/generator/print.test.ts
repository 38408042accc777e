/** One line per schema file a command wrote: what changed, and where a moved file came from (never "()"). */
import { describe, expect, it } from "vitest";
import { printModelUpdate } from "../../generator/cli/print.ts";

describe("printModelUpdate", () => {
  const cases: [string, Parameters<typeof printModelUpdate>[1], string[], string][] = [
    ["created", { status: "created", path: "schemas/a.json", parts: [] }, [], "created   schemas/a.json"],
    [
      "updated with parts",
      { status: "updated", path: "schemas/a.json", parts: ["inputSchema", "sources"] },
      [],
      "updated   schemas/a.json (inputSchema, sources)",
    ],
    [
      "moved to make room for an id that differs only in case",
      { status: "updated", path: "schemas/Acme~~37036c/X.json", parts: [], previousPath: "schemas/Acme/X.json" },
      [],
      "updated   schemas/Acme~~37036c/X.json (moved from schemas/Acme/X.json)",
    ],
    [
      "updated with parts, moved, and a note",
      { status: "updated", path: "schemas/b.json", parts: ["inputSchema"], previousPath: "schemas/a.json" },
      ["2 pages"],
      "updated   schemas/b.json (inputSchema; moved from schemas/a.json; 2 pages)",
    ],
    ["unchanged", { status: "unchanged", path: "schemas/a.json", parts: [] }, [], "unchanged schemas/a.json"],
  ];
  it.each(cases)("%s", (_, update, notes, line) => {
    const lines: string[] = [];
    printModelUpdate({ out: (text) => lines.push(text), err: () => {}, color: false }, update, notes);
    expect(lines).toEqual([line]);
  });
});
