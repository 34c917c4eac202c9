/** Targets given as an array or as one string separated by commas or new lines, trimmed and deduplicated. */
export function splitList(list: string[], text: string): string[] {
  const items = list.length > 0 ? list : text.split(/[,\n]/);
  return [...new Set(items.map((s) => s.trim()).filter(Boolean))];
}

/** Fields naming the same targets, by name, in the order they win: the plural first. */
export type TargetFields = readonly (readonly [string, string[] | string])[];

const itemsOf = (value: string[] | string) =>
  typeof value === "string" ? splitList([], value) : splitList(value, "");

/**
 * The product's rule (TikMatrix's docs): of fields naming the same targets, the first one given wins and
 * the others are ignored. The winner (null when none is given) and its targets.
 */
export function winningList(fields: TargetFields): { field: string | null; items: string[] } {
  for (const [field, value] of fields) {
    const items = itemsOf(value);
    if (items.length > 0) return { field, items };
  }
  return { field: null, items: [] };
}

/** A warning for each field given but ignored because another won: nothing is dropped silently. */
export function ignoredFields(fields: TargetFields): string[] {
  const { field: winner } = winningList(fields);
  return fields
    .filter(([field, value]) => field !== winner && itemsOf(value).length > 0)
    .map(([field]) => `${field} is ignored: ${winner} is given, and it wins`);
}
