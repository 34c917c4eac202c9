// Numeric flags of a benchmark: `--name N`, each with its default.
import { parseArgs } from "node:util";

export function numberFlags<K extends string>(defaults: Record<K, number>): Record<K, number> {
  const options = Object.fromEntries(
    Object.entries(defaults).map(([k, v]) => [k, { type: "string" as const, default: String(v) }]),
  );
  const { values } = parseArgs({ options });
  return Object.fromEntries(Object.keys(defaults).map((k) => [k, Number(values[k])])) as Record<K, number>;
}
