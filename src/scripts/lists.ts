/** Targets given as an array or as one string separated by commas or new lines, trimmed and deduplicated. */
export function splitList(list: unknown, text: unknown): string[] {
  const items =
    Array.isArray(list) && list.length > 0 ? (list as string[]) : String(text ?? "").split(/[,\n]/);
  return [...new Set(items.map((s) => s.trim()).filter(Boolean))];
}
