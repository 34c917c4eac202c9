/**
 * Typing text exactly: `input text` types printable ASCII only; anything else (emoji, accents, line breaks)
 * needs ADBKeyBoard. Checked before a flow changes anything, so a text that would arrive mangled is a clear
 * permanent failure instead. `typeInto` types into a field and checks it holds the text, keyboard down.
 */

import type { UiNode } from "../../devices/index.ts";
import type { ScriptContext } from "../context.ts";
import { ScriptError } from "../errors.ts";
import type { AppSession } from "./app.ts";
import {
  type Page,
  type Screen,
  ScreenNeverCame,
  type Selector,
  TapHadNoEffect,
  WAIT_TIMEOUT_MS,
} from "./index.ts";
import { missedPlace, PLACE_EFFECT_MS, placeInFront, placeOf, rememberPlace } from "./places.ts";

const KEYCODE_BACK = 4;

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

/**
 * Types `text` into `field` on `page` and checks it took: the field tapped on the page, its focus seen (as the
 * keyboard coming up when it was down, a light read; else on a dump), the text typed, the soft keyboard hidden
 * when it is shown (it may cover the page's buttons), a suggestion list (`suggestions`) still over the page
 * closed, and a fresh dump must show the field holding exactly `text` (that screen is returned). Seen by the
 * keyboard alone, the focus is proven by that dump: a text found nowhere on it went nowhere, and the field is
 * tapped again with its focus seen on a dump. A field that holds something else is a retryable failure.
 * `first`: a screen dumped after the last input, looked at before dumping. `place`: the field's place name
 * (places.ts): with no `first`, the field is tapped there when its page's activity is in front, without a dump
 * first (the dump after typing judges it); a tap there that focused nothing is the path without a place.
 */
export async function typeInto(
  ctx: ScriptContext,
  s: AppSession,
  page: Page,
  field: Selector,
  text: string,
  what: string,
  options: { suggestions?: Selector; first?: Screen; place?: string } = {},
): Promise<Screen> {
  const { ui } = s;
  const { suggestions, first } = options;
  const holds = (screen: Screen) => screen.find(field)?.text === text;
  const listed = (screen: Screen) => suggestions !== undefined && screen.has(suggestions);
  const settled = (screen: Screen) =>
    screen.shows(page) && holds(screen) && !listed(screen) ? screen : undefined;
  // a screen playing video (a comment sheet over it) may refuse dumps for seconds: no answer, not a failure
  const wait = { timeoutMs: WAIT_TIMEOUT_MS };
  let light = true;
  let aim = options.place;
  for (;;) {
    // no screen since the last input: the field where this phone shows it, when its page's activity is in front
    const place = light && !first && aim ? await placeOf(s, aim) : undefined;
    const aimed = place && (await placeInFront(s, place, 0)) ? place : undefined;
    const found = aimed ? undefined : (await ui.onPage(page, what, field, light ? { first } : {})).node;
    // text typed before the field has focus goes nowhere: the focus is seen first
    const focused = field.map((m) => ({ ...m, focused: true }));
    const byKeyboard = light && !(await ui.keyboardUp());
    try {
      await ui.tapUntil(aimed ?? (found as UiNode), aimed ? `${what} (where this phone shows it)` : what, {
        check: (screen) => (screen.shows(page) && screen.has(focused) ? true : undefined),
        light: byKeyboard ? async () => ((await ui.keyboardUp()) ? true : undefined) : undefined,
        unchanged: `${what} did not take the focus`,
        retry: aimed ? undefined : field,
        ...(aimed ? { timeoutMs: PLACE_EFFECT_MS } : {}),
      });
    } catch (e) {
      if (!(aim && aimed && e instanceof TapHadNoEffect)) throw e;
      await missedPlace(s, aim);
      aim = undefined;
      ctx.log(`the tap where ${what} lies did not focus it: it is looked for on the screen`);
      continue;
    }
    // where the field lies, from the dump that showed it: the next task on this phone taps it there
    const learn = async (screen: Screen) => {
      if (options.place && found) await rememberPlace(s, options.place, found.bounds);
      return screen;
    };
    const before = ui.last;
    await typeExactly(ctx, text, what);
    await ui.hideKeyboard();
    try {
      return await learn(await ui.waitUntil(`${what} to hold the text`, settled, wait));
    } catch (e) {
      if (!(e instanceof ScreenNeverCame)) throw e;
      // a tap where the field lies that put the text elsewhere, or nowhere: that place is not used again
      if (aim && aimed) await missedPlace(s, aim);
      const last = ui.last;
      // the keyboard came up, but the text is nowhere on a screen dumped long after it was typed: it was
      // typed before the field had the focus (never judged on the first dumps, nor on one from before)
      const fresh = last !== undefined && last !== before;
      if (byKeyboard && fresh && last.shows(page) && !last.nodes.some((n) => n.text.includes(text))) {
        ctx.log(`${what} did not get the text typed: its focus is seen on a dump this time`);
        light = false;
        continue;
      }
      if (!last?.shows(page) || !holds(last) || !listed(last)) {
        const got = last?.find(field)?.text;
        throw ScriptError.retryable(
          `${what} holds ${got === undefined ? "nothing (the field is gone)" : `"${got}"`}, not "${text}"`,
        );
      }
    }
    // the keyboard is down and a suggestion list still hangs over the page: BACK closes it (the page stays)
    await ctx.phone.keyEvent(KEYCODE_BACK, { signal: ctx.signal });
    return learn(await ui.waitUntil(`${page.name} without the suggestion list`, settled, wait));
  }
}
