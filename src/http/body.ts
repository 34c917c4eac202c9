// Reading a JSON body so that a hostile one costs little: the size is capped while reading (never more than
// the limit in memory), the nesting depth is checked by a linear scan of the text before JSON.parse, so
// neither the parser nor the validators ever see a body thousands of levels deep.
import { AppError, Code } from "../errors.ts";
import { describeDetail } from "./envelope.ts";

export const MAX_BODY_BYTES = 1024 * 1024;
/** Far deeper than any body this API takes (the deepest is 3: script_config → material_list → item). */
const MAX_BODY_DEPTH = 32;

export const tooLarge = () => new AppError(Code.tooLarge, "request body is larger than 1 MiB");

/** `application/json`, optionally with `charset=utf-8`; any case, spaces around the parts. */
const JSON_TYPE = /^\s*application\/json\s*(;\s*charset\s*=\s*("utf-8"|utf-8)\s*)?$/i;

/** The body's bytes, or a 41301 as soon as more than MAX_BODY_BYTES have arrived. */
async function readCapped(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

/** True when `[` and `{` nest deeper than `max` outside strings: one pass, stops at the first excess. */
function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      // a backslash escapes the next character
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * Where the first own `__proto__` key is (a JSON pointer), or null. JSON.parse makes it a plain field, but
 * validators and copies treat it as the prototype, so it would pass unseen where any other unknown field is
 * refused.
 */
function protoKeyPath(value: object): string | null {
  // only objects are looked into, and a path is built only on the way back from a find: a body of 100k
  // numbers costs one pass
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const found = typeof item === "object" && item !== null ? protoKeyPath(item) : null;
      if (found) return `/${i}${found}`;
    }
    return null;
  }
  if (Object.hasOwn(value, "__proto__")) return "/__proto__";
  for (const key of Object.keys(value)) {
    const child: unknown = (value as Record<string, unknown>)[key];
    const found = typeof child === "object" && child !== null ? protoKeyPath(child) : null;
    if (found) return `/${key}${found}`;
  }
  return null;
}

/** The JSON object a request carries, or the AppError that says what is wrong with it. */
export async function readJsonObject(request: Request): Promise<Record<string, unknown>> {
  const contentType = request.headers.get("content-type") ?? "";
  if (!JSON_TYPE.test(contentType)) {
    throw AppError.invalid(
      `Content-Type must be application/json (optionally with charset=utf-8), got "${contentType || "none"}"`,
    );
  }
  const bytes = request.body ? await readCapped(request.body) : new Uint8Array();
  const text = new TextDecoder().decode(bytes);
  if (!text.trim()) throw AppError.invalid("body is empty: send a JSON object");
  if (nestsDeeperThan(text, MAX_BODY_DEPTH)) {
    throw AppError.invalid(`body: nested deeper than ${MAX_BODY_DEPTH} levels`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw AppError.invalid(`body is not valid JSON: ${(e as Error).message}`);
  }
  // every body this API takes is an object
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw AppError.invalid("body: must be a JSON object");
  }
  const proto = protoKeyPath(value);
  if (proto) {
    const detail = { path: proto, message: "is not a known field" };
    throw AppError.invalid(describeDetail(detail), [detail]);
  }
  return value as Record<string, unknown>;
}
