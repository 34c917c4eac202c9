// The one wording of a field that failed its schema, and what it builds on: the nearest valid name to a typo,
// and unions of literals that carry their meanings, so that Swagger and the errors say the same thing.
import { type SchemaOptions, Type as T, type TLiteral, type TUnion } from "@sinclair/typebox";

/** Edits (insert, delete, replace one character) from `a` to `b`, ignoring case. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let row = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const next = [i];
    for (let j = 1; j <= y.length; j++) {
      const replace = (row[j - 1] as number) + (x[i - 1] === y[j - 1] ? 0 : 1);
      next.push(Math.min(replace, (row[j] as number) + 1, (next[j - 1] as number) + 1));
    }
    row = next;
  }
  return row[y.length] as number;
}

/** The name of `names` closest to `typed`, when it is near enough to be what was meant (a third of it wrong at most). */
export function nearest(typed: string, names: readonly string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of names) {
    const d = distance(typed, name);
    if (!best || d < best.d) best = { name, d };
  }
  const allowed = Math.max(1, Math.floor(typed.length / 3));
  return best && best.d <= allowed ? best.name : undefined;
}

/** "did you mean X?" when one name is near, else the names to choose from (the first `max`). */
export function suggest(typed: string, names: readonly string[], what: string, max = 30): string {
  const near = nearest(typed, names);
  if (near) return `did you mean ${near}?`;
  const shown = names.length === 0 ? "none" : names.slice(0, max).join(", ");
  return `${what}: ${shown}${names.length > max ? `, … (${names.length} in all)` : ""}`;
}

/**
 * A union of literals, each with what it means as its `title`, short enough for an option of a select
 * ("Video", "Images"). One meaning per value, in the schema: the OpenAPI document shows it, the dashboard's
 * form offers it and a refusal lists it ("must be one of 0 (Video), 1 (Images)"). The field itself has a
 * `title` and a `description` in the operator's words, as every script_config field has.
 */
export function choice<const V extends string | number>(
  meanings: readonly (readonly [V, string])[],
  options: SchemaOptions & { title: string; description: string },
) {
  return T.Union(
    meanings.map(([v, m]) => T.Literal(v, { title: m })),
    options,
  ) as unknown as TUnion<[TLiteral<V>]>;
}

/** What a validator says of one field: its JSON pointer, its message, and the schema that failed. */
export interface FieldError {
  path: string;
  message: string;
  schema?: Record<string, unknown>;
}

/**
 * The message of `e` in plain words, saying what to type. `owner` names the object the path starts in
 * ("POST /api/v1/task", "post's script_config"); a field nested deeper is named by its parent's key.
 */
export function explain(e: FieldError, owner: string): string {
  const s = e.schema ?? {};
  if (e.message === "Unexpected property") {
    const parts = e.path.split("/").slice(1);
    const key = parts.at(-1) ?? "";
    const of = parts.length > 1 ? (parts.at(-2) as string) : owner;
    const fields = Object.keys((s.properties as Record<string, unknown> | undefined) ?? {});
    return `is not a field of ${of}: ${suggest(key, fields, "its fields are")}`;
  }
  const variants = (s.anyOf as Record<string, unknown>[] | undefined) ?? [];
  const numeric = s.type === "integer" || variants.some((v) => v.type === "integer");
  if (numeric) {
    const inner = variants.find((v) => v.type === "integer") ?? s;
    const range =
      inner.minimum !== undefined && inner.maximum !== undefined
        ? ` from ${inner.minimum} to ${inner.maximum}`
        : inner.minimum !== undefined
          ? ` of at least ${inner.minimum}`
          : "";
    return `must be a whole number${range}`;
  }
  if (variants.length > 0 && variants.every((v) => "const" in v)) {
    const values = variants.map((v) => `${JSON.stringify(v.const)}${v.title ? ` (${v.title})` : ""}`);
    return `must be one of ${values.join(", ")}`;
  }
  // a pattern with a title and an example says the format in words ("HH:MM, 24-hour, e.g. 14:30"); a
  // script_config field's title is its label, and it has no examples
  const example = (s.examples as unknown[] | undefined)?.[0];
  if (s.pattern !== undefined && typeof s.title === "string" && example !== undefined) {
    return `must be ${s.title}, e.g. ${example}`;
  }
  return `${e.message.charAt(0).toLowerCase()}${e.message.slice(1)}`;
}
