/** Where two texts first differ, with a few lines of each around it (for failure messages). */
export function firstDifference(ours: string, theirs: string, labels: readonly [string, string]): string {
  const a = ours.split("\n");
  const b = theirs.split("\n");
  let line = 0;
  while (a[line] === b[line]) line++;
  const around = (lines: string[]) => lines.slice(Math.max(0, line - 3), line + 5).join("\n");
  return `first difference at line ${line + 1}\n--- ${labels[0]}\n${around(a)}\n--- ${labels[1]}\n${around(b)}`;
}
