/**
 * The UI toolkit scripts drive apps with: dump the screen, find nodes by resource-id, text, content-desc,
 * class (exact or regex, combined), know which page is shown by its anchors, tap the centre of a node's
 * bounds and wait for the tap's effect, wait for one of several outcomes (abortable, with a timeout) while
 * dismissing known popups. A real phone takes 300–800 ms to change screens and a dump during the change
 * shows the old one: nothing is acted on before the last tap's effect is seen. Dumps cost 1–3 s on a real
 * phone: they are counted, and a wait dumps again only after a pause. Pauses and timeouts are measured on
 * the run's clock.
 */
import {
  type Bounds,
  type Phone,
  parseUiDump,
  ScreenNotIdle,
  type UiNode,
  walkUi,
} from "../../devices/index.ts";
import { abortableSleep, type Clock, systemClock } from "../../tasks/clock.ts";

/** One way to recognise a node: every given field must match (regexes are case-insensitive). */
export interface Matcher {
  id?: string;
  /** The resource-id by regex: a role in any package (`permissioncontroller:id/permission_allow_button$`). */
  idRegex?: string;
  text?: string;
  textRegex?: string;
  desc?: string;
  descRegex?: string;
  class?: string;
  package?: string;
  packageRegex?: string;
  clickable?: boolean;
  enabled?: boolean;
  selected?: boolean;
  focused?: boolean;
}

/** Alternatives: a node matches the selector when it matches any of them (the first alternative wins). */
export type Selector = Matcher[];

const regexCache = new Map<string, RegExp>();
function regex(source: string): RegExp {
  let r = regexCache.get(source);
  if (!r) {
    r = new RegExp(source, "i");
    regexCache.set(source, r);
  }
  return r;
}

export function matches(node: UiNode, m: Matcher): boolean {
  return (
    (m.id === undefined || node.resourceId === m.id) &&
    (m.idRegex === undefined || regex(m.idRegex).test(node.resourceId)) &&
    (m.text === undefined || node.text === m.text) &&
    (m.textRegex === undefined || regex(m.textRegex).test(node.text)) &&
    (m.desc === undefined || node.contentDesc === m.desc) &&
    (m.descRegex === undefined || regex(m.descRegex).test(node.contentDesc)) &&
    (m.class === undefined || node.className === m.class) &&
    (m.package === undefined || node.packageName === m.package) &&
    (m.packageRegex === undefined || regex(m.packageRegex).test(node.packageName)) &&
    (m.clickable === undefined || node.clickable === m.clickable) &&
    (m.enabled === undefined || node.enabled === m.enabled) &&
    (m.selected === undefined || node.selected === m.selected) &&
    (m.focused === undefined || node.focused === m.focused)
  );
}

export function center(b: Bounds): { x: number; y: number } {
  return { x: Math.round((b.x1 + b.x2) / 2), y: Math.round((b.y1 + b.y2) / 2) };
}

/**
 * A page of an app, known by its anchors: every `has` selector finds a node on it and no `not` selector
 * does (the TikTok editor shows its Next and no gallery cells). Defined once per app, in the selector file.
 */
export interface Page {
  /** How errors name it: "the post screen". */
  name: string;
  has: Selector[];
  not: Selector[];
}

/** One dump of the screen. */
export class Screen {
  readonly nodes: UiNode[];

  constructor(readonly root: UiNode) {
    this.nodes = [...walkUi(root)];
  }

  static fromXml(xml: string): Screen {
    return new Screen(parseUiDump(xml));
  }

  /** Every node the selector matches, in the order of its alternatives, then screen order. */
  findAll(selector: Selector): UiNode[] {
    const found: UiNode[] = [];
    for (const m of selector)
      for (const n of this.nodes) if (matches(n, m) && !found.includes(n)) found.push(n);
    return found;
  }

  find(selector: Selector): UiNode | undefined {
    for (const m of selector) {
      const n = this.nodes.find((node) => matches(node, m));
      if (n) return n;
    }
    return undefined;
  }

  has(selector: Selector): boolean {
    return this.find(selector) !== undefined;
  }

  /** Whether this is `page`: all its anchors here, none of what it must not show. */
  shows(page: Page): boolean {
    return page.has.every((s) => this.has(s)) && !page.not.some((s) => this.has(s));
  }
}

/** A screen (or state) that did not show up in time: `what` names it. */
export class ScreenNeverCame extends Error {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
  ) {
    super(`${what} did not appear within ${Math.round(timeoutMs / 1000)} s`);
  }
}

/** A tap whose effect never showed (twice, when it was safe to tap again): "the post screen is still shown". */
export class TapHadNoEffect extends ScreenNeverCame {
  constructor(
    readonly tapped: string,
    readonly unchanged: string,
    timeoutMs: number,
  ) {
    super(`the effect of the tap on ${tapped}`, timeoutMs);
    this.message = `the tap on ${tapped} had no effect: ${unchanged}`;
  }
}

/**
 * A dialog that covers the screen: recognised by `when` (default: its button), dismissed by tapping `tap`
 * (the button the data file chose: "Allow" for media, "Don't allow" for contacts).
 */
export interface Popup {
  name: string;
  when?: Selector;
  tap: Selector;
}

/** The first of `popups` on `screen` and its button to tap. */
export function popupOn(screen: Screen, popups: Popup[]): { popup: Popup; button: UiNode } | undefined {
  for (const popup of popups) {
    if (popup.when && !screen.has(popup.when)) continue;
    const button = screen.find(popup.tap);
    if (button) return { popup, button };
  }
  return undefined;
}

/** How long a wait for a screen lasts by default, and how long it pauses between dumps. */
export const WAIT_TIMEOUT_MS = 15_000;
export const WAIT_INTERVAL_MS = 500;
/** How long a tap may take to show its effect (a real phone changes screens in 300–800 ms). */
export const TAP_EFFECT_MS = 5000;
/** How long after a swipe the next video is first looked for, and the pace of light reads. */
export const TAP_SETTLE_MS = 300;
/** How long a tap's light read (`TapEffect.light`) is asked before dumps look for its effect. */
export const LIGHT_EFFECT_MS = 1500;
/** After a popup's button was tapped, or a dump found the screen not idle, the screen is looked at again this soon. */
export const POPUP_LOOK_MS = 250;
/**
 * A screen dumped this recently, with nothing sent to the phone since, is still the screen: a wait looks at
 * it before it dumps (an app may change by itself, a popup may come: never older than this).
 */
export const REUSE_MS = 1000;
/** A popup just tapped that is still on screen is closing: waited out this long before it is tapped again. */
export const POPUP_CLOSING_MS = 3000;

const KEYCODE_BACK = 4;

export interface WaitOptions {
  /** Default WAIT_TIMEOUT_MS. */
  timeoutMs?: number;
  /**
   * Pause between dumps while waiting (default WAIT_INTERVAL_MS); a list: one after the other, the last
   * repeated; a function: the pause after look `n` (0-based), asked after that look.
   */
  intervalMs?: number | number[] | ((n: number) => number);
  /**
   * A screen dumped after the last input (what a tap's effect was seen on): looked at before dumping. By
   * default `current()`: the last dump, when nothing was sent to the phone since.
   */
  first?: Screen;
  /** A pause before the first look (a screen change takes a moment: a dump at once shows the old screen). */
  delayMs?: number;
  /** Shown each screen looked at while waiting, popups gone (to read a progress the wait passes by). */
  onScreen?: (screen: Screen) => void;
}

/** The pause before look `n` + 1 (0-based `n`). */
function intervalAt(intervalMs: WaitOptions["intervalMs"], n: number): number {
  if (intervalMs === undefined) return WAIT_INTERVAL_MS;
  if (typeof intervalMs === "number") return intervalMs;
  if (typeof intervalMs === "function") return intervalMs(n);
  return intervalMs[Math.min(n, intervalMs.length - 1)] ?? WAIT_INTERVAL_MS;
}

/** What a tap is for: the effect that shows it worked, and what to do when it shows none. */
export interface TapEffect<T> {
  /** The effect on a screen dumped after the tap (undefined: not yet). */
  check: (screen: Screen) => T | undefined;
  /** What the failure says stayed as it was: "the post screen is still shown". */
  unchanged: string;
  /**
   * Tap once more when the first tap had no effect (a tap during a screen change is lost): the node this
   * selector finds on the latest dump. Only for taps that cannot do harm twice.
   */
  retry?: Selector;
  /** Default TAP_EFFECT_MS. */
  timeoutMs?: number;
  /**
   * A light read (no dump) that can see the effect (the keyboard coming up): asked first, for up to
   * LIGHT_EFFECT_MS; what it finds is the effect. Without an answer, dumps look for it as `check` says.
   */
  light?: () => Promise<T | undefined>;
}

export interface UiOptions {
  /** Known popups, dismissed by tapping their button whenever a wait sees one. */
  popups?: Popup[];
  log?: (message: string) => void;
  /** What waits are measured on (default the system's). */
  clock?: Clock;
}

/** Drives one phone's screen on behalf of one task (aborted with `signal`). */
export class Ui {
  /** UI dumps taken so far (the costly part of driving a real phone), those that failed included. */
  dumps = 0;
  /** Dumps that found the screen not idle ("could not get idle state"): tried again later. */
  notIdle = 0;
  /** Light reads (`dumpsys input_method`, `dumpsys window`) taken instead of a dump. */
  probes = 0;
  /** Every tap, in order: what was tapped and where. */
  readonly taps: { what: string; x: number; y: number }[] = [];
  /** When the last tap reached the phone (its `input` command returned), on `clock`. */
  tappedAt: number | undefined;
  /** The last screen dumped (kept for error messages). */
  last: Screen | undefined;
  readonly clock: Clock;
  /** The phone's action count and the clock when `last` was dumped (`current()`). */
  #lastRead = { actions: -1, at: 0 };
  /** The popup tapped last and when: while it is still on screen it is closing, not tapped again. */
  #popupTapped: { name: string; at: number } | undefined;

  constructor(
    readonly phone: Phone,
    readonly signal: AbortSignal,
    readonly options: UiOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
  }

  async dump(): Promise<Screen> {
    this.signal.throwIfAborted();
    this.dumps++;
    const actions = this.phone.actions;
    return this.#read(await this.phone.dumpUi({ signal: this.signal }), actions);
  }

  /** One dump for a wait: undefined when the screen would not settle (the wait looks again later). */
  async #look(): Promise<Screen | undefined> {
    this.signal.throwIfAborted();
    this.dumps++;
    const actions = this.phone.actions;
    try {
      return this.#read(await this.phone.dumpUi({ signal: this.signal, idleAttempts: 1 }), actions);
    } catch (e) {
      if (!(e instanceof ScreenNotIdle)) throw e;
      this.notIdle++;
      return undefined;
    }
  }

  /** `root`, dumped when the phone's action count was `actions`, as the last screen. */
  #read(root: UiNode, actions: number): Screen {
    this.last = new Screen(root);
    this.#lastRead = { actions, at: this.clock.now() };
    return this.last;
  }

  /**
   * The last screen dumped when it is still the screen: nothing sent to the phone since (no tap, key, text,
   * app start, shell command) and dumped within REUSE_MS. Undefined when a dump is needed.
   */
  current(): Screen | undefined {
    const { actions, at } = this.#lastRead;
    if (actions !== this.phone.actions || this.clock.now() - at > REUSE_MS) return undefined;
    return this.last;
  }

  async tap(node: Pick<UiNode, "bounds">, what: string): Promise<void> {
    const { x, y } = center(node.bounds);
    this.taps.push({ what, x, y });
    await this.phone.tap(x, y, { signal: this.signal });
    this.tappedAt = this.clock.now();
  }

  /**
   * Deals with the popup on `screen`, if any: taps its button once, and while it is still shown after
   * (closing: a second tap would land on what lies under it) leaves it alone. Its name, or null for none.
   */
  async dismissPopup(screen: Screen): Promise<string | null> {
    const on = popupOn(screen, this.options.popups ?? []);
    if (!on) {
      this.#popupTapped = undefined;
      return null;
    }
    const { name } = on.popup;
    const tapped = this.#popupTapped;
    if (tapped?.name === name && this.clock.now() - tapped.at < POPUP_CLOSING_MS) return name;
    await this.tap(on.button, `popup "${name}"`);
    this.#popupTapped = { name, at: this.clock.now() };
    this.options.log?.(`dismissed popup "${name}"`);
    return name;
  }

  /**
   * Dumps until one of `outcomes` is on screen (popups dismissed on the way); returns which one and
   * its node. Throws ScreenNeverCame naming `what` after `timeoutMs`.
   */
  async waitFor<K extends string>(
    what: string,
    outcomes: Record<K, Selector>,
    options: WaitOptions = {},
  ): Promise<{ key: K; node: UiNode; screen: Screen }> {
    return this.waitUntil(
      what,
      (screen) => {
        for (const key of Object.keys(outcomes) as K[]) {
          const node = screen.find(outcomes[key]);
          if (node) return { key, node, screen };
        }
        return undefined;
      },
      options,
    );
  }

  /** Dumps until one of `pages` is shown (popups dismissed on the way): which one, and that screen. */
  async waitForPage<K extends string>(
    pages: Record<K, Page>,
    options: WaitOptions = {},
  ): Promise<{ key: K; screen: Screen }> {
    const keys = Object.keys(pages) as K[];
    return this.waitUntil(
      keys.map((k) => pages[k].name).join(" or "),
      (screen) => {
        const key = keys.find((k) => screen.shows(pages[k]));
        return key === undefined ? undefined : { key, screen };
      },
      options,
    );
  }

  /** Waits for `page`, then for `target` on it; the node and its screen. */
  async onPage(page: Page, what: string, target: Selector, options: WaitOptions = {}) {
    return this.waitUntil(
      `${what} on ${page.name}`,
      (screen) => {
        const node = screen.shows(page) ? screen.find(target) : undefined;
        return node && { node, screen };
      },
      options,
    );
  }

  /**
   * Dumps until `check` finds what it looks for on the screen (popups dismissed on the way) and returns it.
   * For conditions one selector cannot say (a page without the feed's bar, one more matching row). A dump
   * that finds the screen not idle is no answer: looked at again after the pause.
   */
  async waitUntil<T>(
    what: string,
    check: (screen: Screen) => T | undefined,
    options: WaitOptions = {},
  ): Promise<T> {
    const timeoutMs = options.timeoutMs ?? WAIT_TIMEOUT_MS;
    const deadline = this.clock.now() + timeoutMs;
    // no dump when the last one is still the screen (and no pause: nothing was done that takes time to show)
    const first = options.first ?? this.current();
    if (options.delayMs && !first) await this.pause(options.delayMs, deadline, what, timeoutMs);
    for (let n = 0; ; n++) {
      const screen = n === 0 && first ? first : await this.#look();
      // A popup covers the screen (what lies under it is in the dump but takes no taps): it is dealt
      // with first, and the screen looked at again soon, once it had time to close.
      const popup = screen ? await this.dismissPopup(screen) : null;
      if (screen && !popup) options.onScreen?.(screen);
      const found = screen && !popup ? check(screen) : undefined;
      if (found !== undefined) return found;
      const pause = intervalAt(options.intervalMs, n);
      // a popup just tapped, or a screen that would not settle: looked at again soon
      await this.pause(popup || !screen ? Math.min(pause, POPUP_LOOK_MS) : pause, deadline, what, timeoutMs);
    }
  }

  /** Asks `probe` (a light read, no dump: `keyboardUp`, `inFront`) until it answers, paced and bounded on the clock. */
  async poll<T>(what: string, probe: () => Promise<T | undefined>, options: WaitOptions = {}): Promise<T> {
    const timeoutMs = options.timeoutMs ?? WAIT_TIMEOUT_MS;
    const deadline = this.clock.now() + timeoutMs;
    for (;;) {
      this.signal.throwIfAborted();
      const found = await probe();
      if (found !== undefined) return found;
      await this.pause(intervalAt(options.intervalMs, 0), deadline, what, timeoutMs);
    }
  }

  /** Waits `ms` before looking again, or throws ScreenNeverCame when that would pass `deadline`. */
  async pause(ms: number, deadline: number, what: string, timeoutMs: number): Promise<void> {
    if (this.clock.now() + ms > deadline) throw new ScreenNeverCame(what, timeoutMs);
    await abortableSleep(ms, this.signal, this.clock);
  }

  /**
   * Taps `node` and waits until the tap's effect shows (a screen dumped before it took effect is never
   * acted on). No effect: tapped once more when `effect.retry` allows it, else a `TapHadNoEffect`.
   */
  async tapUntil<T>(node: Pick<UiNode, "bounds">, what: string, effect: TapEffect<T>): Promise<T> {
    // looked for at once: a dump takes its time on a real phone, and a frozen clock must not stop a walk
    // whose taps take effect at once
    const wait = { timeoutMs: effect.timeoutMs ?? TAP_EFFECT_MS };
    const look = (timeoutMs: number) =>
      this.waitUntil(`the effect of the tap on ${what}`, effect.check, { timeoutMs });
    const effectOf = async () => {
      const seen = effect.light && (await this.#lightEffect(what, effect.light));
      if (seen !== undefined) return seen;
      const before = this.last;
      return look(wait.timeoutMs).catch((e: unknown) => {
        // every dump since the tap refused (a playing video that will not idle): no sign yet of no effect
        if (!(e instanceof ScreenNeverCame) || this.last !== before) throw e;
        this.options.log?.(`the screen after the tap on ${what} would not settle: looked at longer`);
        return look(WAIT_TIMEOUT_MS);
      });
    };
    const tapped = this.last;
    await this.tap(node, what);
    let again: UiNode | undefined;
    try {
      return await effectOf();
    } catch (e) {
      if (!(e instanceof ScreenNeverCame)) throw e;
      // not one screen read since the tap: what it did is unknown (never tapped again on the old screen)
      if (this.last === tapped) throw e;
      again = effect.retry && this.last?.find(effect.retry);
      if (!again) throw new TapHadNoEffect(what, effect.unchanged, wait.timeoutMs);
      this.options.log?.(`the tap on ${what} had no effect: tapped once more`);
    }
    await this.tap(again, what);
    return effectOf().catch((e: unknown) => {
      throw e instanceof ScreenNeverCame ? new TapHadNoEffect(what, effect.unchanged, wait.timeoutMs) : e;
    });
  }

  /** What `light` sees within LIGHT_EFFECT_MS of a tap on `what`; undefined when it saw nothing. */
  async #lightEffect<T>(what: string, light: () => Promise<T | undefined>): Promise<T | undefined> {
    const wait = { timeoutMs: LIGHT_EFFECT_MS, intervalMs: TAP_SETTLE_MS };
    return this.poll(`the effect of the tap on ${what}`, light, wait).catch((e: unknown) => {
      if (e instanceof ScreenNeverCame) return undefined;
      throw e;
    });
  }

  /**
   * Taps `node` on `from` to leave it: done (the new screen returned) once `from` is gone or one of `to`
   * shows. `retry`: the target to tap once more when the first tap was lost (safe taps only).
   */
  async tapToLeave(
    node: UiNode,
    what: string,
    from: Page,
    options: { to?: Page[]; retry?: Selector; timeoutMs?: number } = {},
  ): Promise<Screen> {
    const to = options.to ?? [];
    return this.tapUntil(node, what, {
      check: (screen) => (!screen.shows(from) || to.some((p) => screen.shows(p)) ? screen : undefined),
      unchanged: `${from.name} is still shown`,
      retry: options.retry,
      timeoutMs: options.timeoutMs,
    });
  }

  /**
   * Taps `node` on `from` to leave it when the step after needs a dump of its own anyway (the upload's looks
   * after Post): the effect is the app's activity in front changing (a light read of `dumpsys window`, asked
   * first for LIGHT_EFFECT_MS), else a dump without `from` or with one of `to`, as `tapToLeave`. Undefined:
   * left, seen without a dump (the activity changed); else the screen that showed it. `before`: the app and
   * activity in front on `from`, when the caller read them already (else read here, before the tap). Tapped
   * twice only with `retry`.
   */
  async tapToLeaveActivity(
    node: Pick<UiNode, "bounds">,
    what: string,
    from: Page,
    options: {
      to?: Page[];
      timeoutMs?: number;
      before?: { pkg: string; activity: string };
      retry?: Selector;
    } = {},
  ): Promise<Screen | undefined> {
    const to = options.to ?? [];
    const before = options.before ?? (await this.foreground());
    // the page's own activity, read before the tap: another activity of the same app in front is the page left
    const light = before?.activity
      ? async () => {
          const now = await this.foreground();
          return now && now.pkg === before.pkg && now.activity !== before.activity ? null : undefined;
        }
      : undefined;
    const seen = await this.tapUntil<Screen | null>(node, what, {
      check: (screen) => (!screen.shows(from) || to.some((p) => screen.shows(p)) ? screen : undefined),
      unchanged: `${from.name} is still shown`,
      timeoutMs: options.timeoutMs,
      retry: options.retry,
      light,
    });
    return seen ?? undefined;
  }

  /** Waits for `target` on `page`, taps it and waits until `page` is left (tapped again once if lost). */
  async leaveBy(
    page: Page,
    what: string,
    target: Selector,
    options: WaitOptions & { to?: Page[] } = {},
  ): Promise<Screen> {
    const { node } = await this.onPage(page, what, target, options);
    return this.tapToLeave(node, what, page, { to: options.to, retry: target });
  }

  /**
   * Hides the soft keyboard when `dumpsys input_method` says it is shown (BACK only then: with no
   * keyboard up, BACK would leave the page) and waits until it is down. Whether it was up.
   */
  async hideKeyboard(): Promise<boolean> {
    if (!(await this.keyboardUp())) return false;
    await this.phone.keyEvent(KEYCODE_BACK, { signal: this.signal });
    await this.poll("the keyboard to go down", async () => ((await this.keyboardUp()) ? undefined : true), {
      timeoutMs: TAP_EFFECT_MS,
    });
    return true;
  }

  /** Whether the soft keyboard is shown: a light read of `dumpsys input_method`, no dump. */
  async keyboardUp(): Promise<boolean> {
    this.probes++;
    return this.phone.keyboardShown({ signal: this.signal });
  }

  /**
   * Waits until `pkg`'s window is in front, from `dumpsys window` (a light read, no dump): after starting an
   * app, its splash and cold start cost no dumps.
   */
  async waitForApp(pkg: string, what: string, options: WaitOptions = {}): Promise<void> {
    const inFront = async () => ((await this.inFront(pkg)) ? true : undefined);
    await this.poll(`${what} in front`, inFront, { intervalMs: TAP_SETTLE_MS, ...options });
  }

  /** Whether `pkg`'s window has the focus: a light read of `dumpsys window`, no dump. */
  async inFront(pkg: string): Promise<boolean> {
    return (await this.foreground())?.pkg === pkg;
  }

  /** The focused window's package and activity: a light read of `dumpsys window`, no dump. */
  async foreground(): Promise<{ pkg: string; activity: string } | null> {
    this.probes++;
    return this.phone.foreground({ signal: this.signal });
  }

  /** Waits for `selector` and taps it. */
  async waitAndTap(what: string, selector: Selector, options?: WaitOptions): Promise<Screen> {
    const { node, screen } = await this.waitFor(what, { target: selector }, options);
    await this.tap(node, what);
    return screen;
  }
}
