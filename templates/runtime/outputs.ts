/** Helpers for job outputs (the result's `output` object). */

/**
 * Every http(s) URL in an output, in document order, without duplicates.
 * Works on any output shape (`video`, `images[]`, nested objects).
 */
export function outputUrls(output: unknown): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const visit = (value: unknown, depth: number): void => {
    if (depth > 16) return;
    if (typeof value === "string") {
      if (/^https?:\/\//i.test(value) && !seen.has(value)) {
        seen.add(value);
        found.push(value);
      }
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
    } else if (value && typeof value === "object") {
      for (const item of Object.values(value)) visit(item, depth + 1);
    }
  };
  visit(output, 0);
  return found;
}
