/** Targets given as an array or as one string separated by commas or new lines, trimmed and deduplicated. */
export function splitList(list: string[], text: string): string[] {
  const items = list.length > 0 ? list : text.split(/[,\n]/);
  return [...new Set(items.map((s) => s.trim()).filter(Boolean))];
}
