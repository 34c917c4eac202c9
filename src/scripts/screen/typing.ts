/**
 * Typing text exactly: `input text` types printable ASCII only; anything else (emoji, accents, line breaks)
 * needs ADBKeyBoard. Checked before a flow changes anything, so a text that would arrive mangled is a clear
 * permanent failure instead.
 */
import type { ScriptContext } from "../context.ts";
import { ScriptError } from "../errors.ts";

/** Printable ASCII: all `input text` can type. */
const TYPEABLE = /^[\x20-\x7e]*$/;

/** Whether `input text` can type `text` as it is (else it needs ADBKeyBoard). */
export const typesPlainly = (text: string): boolean => TYPEABLE.test(text);

/** Emoji `insert_emoji` appends (one picked per text). */
export const EMOJI = ["😍", "🔥", "👏", "😂", "💯", "🙌", "❤️", "✨", "👍", "🤩"];

/** `text` with one emoji appended, picked by `random` (0 ≤ random() < 1). */
export function withEmoji(text: string, random: () => number = Math.random): string {
  return `${text} ${EMOJI[Math.floor(random() * EMOJI.length)] ?? EMOJI[0]}`;
}

/**
 * The step "check the keyboard" when any of `texts` needs ADBKeyBoard: a permanent failure naming `what`
 * (e.g. "the caption") when it is not installed.
 */
export async function checkCanType(ctx: ScriptContext, texts: string[], what: string): Promise<void> {
  if (texts.every((t) => TYPEABLE.test(t))) return;
  await ctx.step("check the keyboard", async () => {
    if (!(await ctx.phone.hasAdbKeyboard({ signal: ctx.signal }))) {
      throw ScriptError.permanent(
        `${what} has characters \`input text\` cannot type (emoji, accents, line breaks…) and ADBKeyBoard is not installed on ${ctx.phone.serial}: install it, or use plain ASCII`,
      );
    }
  });
}

/** Types `text` into the focused field; a failure to type is permanent (typing again would not help). */
export async function typeExactly(ctx: ScriptContext, text: string, what: string): Promise<void> {
  try {
    await ctx.phone.typeText(text, { signal: ctx.signal });
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    throw ScriptError.permanent(`could not type ${what}: ${(e as Error).message}`);
  }
}
