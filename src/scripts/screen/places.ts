/**
 * Places: where a node lies for one app version on one screen size, and the activity that draws it. A tab bar,
 * or a page's fixed button or field, is layout, not state: one app version on one screen draws it in the same
 * place each time. A tap can go to a place before any dump of its page, once that activity is in front (a light
 * read of `dumpsys window`); a place is never an answer: what the tap did is judged by the dump (or the
 * activity change) after it, and a place that missed is forgotten.
 *
 * Where a place comes from: this phone's last dump of the node (same package, version and `wm size`: learnt),
 * else the data file's `places` for this version and `wm size` (taken from real dumps).
 */
import type { Bounds, ScreenSize } from "../../devices/index.ts";
import type { AppSession } from "./app.ts";
import {
  type Page,
  type Screen,
  ScreenNeverCame,
  type Selector,
  TAP_EFFECT_MS,
  TAP_SETTLE_MS,
  TapHadNoEffect,
} from "./index.ts";

export interface Place {
  bounds: Bounds;
  activity: string;
}

/** How long the dumps after a tap aimed by a place look for its effect (a real dump takes 0.8–2.5 s: one look). */
export const PLACE_EFFECT_MS = 1500;

/**
 * `serial pkg version size name` → the place this phone showed the node at last; null: a tap at the place
 * missed on this phone, so none is used (not the data file's either) until a dump shows the node again.
 */
const learnt = new Map<string, Place | null>();
/** The screen's size per session (its Ui): one `wm size` per task at most. */
const sizes = new WeakMap<object, Promise<ScreenSize | null>>();

/** The screen's size (`wm size`, a light read), read once per session. */
function sizeOf(s: AppSession): Promise<ScreenSize | null> {
  let size = sizes.get(s.ui);
  if (!size) {
    size = s.ui.phone.screenSize({ signal: s.ui.signal }).catch(() => null);
    sizes.set(s.ui, size);
  }
  return size;
}

/** A learnt place holds for one phone, app version and screen size (`wm size` changed: learnt again). */
async function keyOf(s: AppSession, name: string): Promise<string> {
  const size = await sizeOf(s);
  return `${s.ui.phone.serial} ${s.pkg} ${s.version} ${size ? `${size.width}x${size.height}` : "?"} ${name}`;
}

/** Forgets every learnt place (tests: each phone starts as a phone never seen). */
export function forgetPlaces(): void {
  learnt.clear();
}

/**
 * Where this phone draws `name` (`screen.selector`): learnt from its dumps, else the data file's, else none (also
 * after a miss, until a dump shows it).
 */
export async function placeOf(s: AppSession, name: string): Promise<Place | undefined> {
  const key = await keyOf(s, name);
  if (learnt.has(key)) return learnt.get(key) ?? undefined;
  const places = (s.selectors.places[name] ?? []).filter(
    (p) => !p.versions || p.versions.some((v) => s.version.startsWith(v)),
  );
  if (places.length === 0) return undefined;
  const { width, height } = (await sizeOf(s)) ?? {};
  const place = places.find((p) => p.screen[0] === width && p.screen[1] === height);
  if (!place) return undefined;
  const [x1 = 0, y1 = 0, x2 = 0, y2 = 0] = place.bounds;
  return { bounds: { x1, y1, x2, y2 }, activity: place.activity };
}

/**
 * `name` was seen at `bounds` on a dump of its page: learnt with the activity in front (`activity`, else read
 * once), unless that is the place already known.
 */
export async function rememberPlace(
  s: AppSession,
  name: string,
  bounds: Bounds,
  activity?: string,
): Promise<void> {
  const key = await keyOf(s, name);
  const known = learnt.get(key);
  const same = (a: Bounds, b: Bounds) => a.x1 === b.x1 && a.y1 === b.y1 && a.x2 === b.x2 && a.y2 === b.y2;
  if (known && same(known.bounds, bounds) && (activity === undefined || activity === known.activity)) return;
  const now = activity === undefined ? await s.ui.foreground() : { pkg: s.pkg, activity };
  if (now?.pkg === s.pkg) learnt.set(key, { bounds, activity: now.activity });
}

/**
 * A tap at `name`'s place missed: the next task on this phone looks for it on the screen (and learns it there),
 * so a data file's place that does not hold for this phone (another density) fails once, not every time.
 */
export async function missedPlace(s: AppSession, name: string): Promise<void> {
  learnt.set(await keyOf(s, name), null);
}

/**
 * Waits (light reads, up to `timeoutMs`) until `place`'s activity of the app is in front: whether it came. A
 * place is tapped only then (never on a splash, nor on another activity's screen).
 */
export async function placeInFront(s: AppSession, place: Place, timeoutMs = TAP_EFFECT_MS): Promise<boolean> {
  const inFront = async () => {
    const now = await s.ui.foreground();
    return now?.pkg === s.pkg && now.activity === place.activity ? true : undefined;
  };
  return s.ui
    .poll(`${s.label}'s ${place.activity}`, inFront, { timeoutMs, intervalMs: TAP_SETTLE_MS })
    .catch((e: unknown) => {
      if (e instanceof ScreenNeverCame) return false;
      throw e;
    });
}

/**
 * Leaves `page` for `to`, a page of another activity, by `target` (a button of fixed place: TikTok's editor
 * Next). With a place for `name` and nothing dumped since the last input (`first`), the target is tapped
 * there once `page`'s activity is in front, without a dump of `page`; else it is found on a dump of `page`,
 * and its place learnt. Either way the tap's effect is that activity giving way (a light read), else a dump
 * without `page` or with `to` (`Ui.tapToLeaveActivity`); tapped once more when lost. A place whose tap showed no
 * effect is forgotten and the target looked for on the screen. Undefined: left, seen by the activity alone (the
 * next step looks at `to` itself before it acts); else the screen that showed it.
 */
export async function leaveByPlace(
  s: AppSession,
  name: string,
  page: Page,
  what: string,
  target: Selector,
  options: { to: Page; first?: Screen },
): Promise<Screen | undefined> {
  const { ui } = s;
  const to = [options.to];
  const place = options.first ? undefined : await placeOf(s, name);
  if (place && (await placeInFront(s, place))) {
    try {
      return await ui.tapToLeaveActivity(place, `${what} (where this phone shows it)`, page, {
        to,
        before: { pkg: s.pkg, activity: place.activity },
        retry: target,
      });
    } catch (e) {
      if (!(e instanceof TapHadNoEffect)) throw e;
      await missedPlace(s, name);
      ui.options.log?.(`the tap where ${what} lies had no effect: it is looked for on the screen`);
    }
  }
  const { node } = await ui.onPage(page, what, target, { first: options.first });
  const before = await ui.foreground();
  const left = await ui.tapToLeaveActivity(node, what, page, {
    to,
    retry: target,
    ...(before ? { before } : {}),
  });
  if (before?.pkg === s.pkg) await rememberPlace(s, name, node.bounds, before.activity);
  return left;
}
