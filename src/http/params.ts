// Whole numbers in paths and query strings. They arrive as text, and only plain decimal digits count:
// Number() would also take "0x10", "1e3", "+1", "01", " 1" and "1.0", and round anything past 2^53 to
// another id. The OpenAPI document shows them as what they are: integers with their range.
import { Kind, Type as T, TypeRegistry } from "@sinclair/typebox";

const DIGITS = /^(0|[1-9][0-9]*)$/;

interface Range {
  minimum: number;
  maximum?: number;
  default?: number;
  /** Shown by Swagger's "Try it out". */
  example?: number;
  description?: string;
}

TypeRegistry.Set<Range>("WholeNumber", (range, value) => {
  // a number here is a default Elysia filled in
  const n =
    typeof value === "number" ? value : typeof value === "string" && DIGITS.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n >= range.minimum && n <= (range.maximum ?? Number.MAX_SAFE_INTEGER);
});

/** A whole number in a path or query, decoded to a number once it is known to be one. */
export function WholeNumber(range: Range) {
  // typed as the number it decodes to: the handlers' view (Elysia types a route by its schemas' Static)
  const schema = T.Unsafe<number>({
    [Kind]: "WholeNumber",
    type: "integer",
    maximum: Number.MAX_SAFE_INTEGER,
    ...range,
  });
  return T.Transform(schema)
    .Decode((value) => Number(value))
    .Encode((n) => n);
}

/** A row id in a path: 1 or more. */
export const Id = (description: string) => WholeNumber({ minimum: 1, description });
