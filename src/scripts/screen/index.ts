/**
 * The UI toolkit scripts drive apps with: dump the screen, find nodes by resource-id, text, content-desc,
 * class (exact or regex, combined), tap the centre of their bounds, wait for one of several outcomes
 * (abortable, with a timeout) while dismissing known popups. Dumps cost 1–3 s on a real phone: they are
 * counted, and a wait dumps again only after a pause. Pauses and timeouts are measured on the run's clock.
 */
import { type Bounds, type Phone, parseUiDump, type UiNode, walkUi } from "../../devices/index.ts";
import { abortableSleep, type Clock, systemClock } from "../../tasks/clock.ts";

/** One way to recognise a node: every given field must match (regexes are case-insensitive). */
export interface Matcher {
  id?: string;
  text?: string;
  textRegex?: string;
  desc?: string;
  descRegex?: string;
  class?: string;
  package?: string;
  clickable?: boolean;
  enabled?: boolean;
  selected?: boolean;
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
    (m.text === undefined || node.text === m.text) &&
    (m.textRegex === undefined || regex(m.textRegex).test(node.text)) &&
    (m.desc === undefined || node.contentDesc === m.desc) &&
    (m.descRegex === undefined || regex(m.descRegex).test(node.contentDesc)) &&
    (m.class === undefined || node.className === m.class) &&
    (m.package === undefined || node.packageName === m.package) &&
    (m.clickable === undefined || node.clickable === m.clickable) &&
    (m.enabled === undefined || node.enabled === m.enabled) &&
    (m.selected === undefined || node.selected === m.selected)
  );
}

export function center(b: Bounds): { x: number; y: number } {
  return { x: Math.round((b.x1 + b.x2) / 2), y: Math.round((b.y1 + b.y2) / 2) };
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

export interface Popup {
  name: string;
  tap: Selector;
}

/** How long a wait for a screen lasts by default, and how long it pauses between dumps. */
export const WAIT_TIMEOUT_MS = 15_000;
export const WAIT_INTERVAL_MS = 500;

export interface WaitOptions {
  /** Default WAIT_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Pause between dumps while waiting (default WAIT_INTERVAL_MS). */
  intervalMs?: number;
  /** Shown each screen dumped while waiting, popups gone (to read a progress the wait passes by). */
  onScreen?: (screen: Screen) => void;
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
  /** UI dumps taken so far (the costly part of driving a real phone). */
  dumps = 0;
  /** Every tap, in order: what was tapped and where. */
  readonly taps: { what: string; x: number; y: number }[] = [];
  /** The last screen dumped (kept for error messages). */
  last: Screen | undefined;
  readonly clock: Clock;

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
    this.last = new Screen(await this.phone.dumpUi({ signal: this.signal }));
    return this.last;
  }

  async tap(node: UiNode, what: string): Promise<void> {
    const { x, y } = center(node.bounds);
    this.taps.push({ what, x, y });
    await this.phone.tap(x, y, { signal: this.signal });
  }

  /** Taps the first known popup's button on `screen`; its name, or null when there is none. */
  async dismissPopup(screen: Screen): Promise<string | null> {
    for (const popup of this.options.popups ?? []) {
      const button = screen.find(popup.tap);
      if (button) {
        await this.tap(button, `popup "${popup.name}"`);
        this.options.log?.(`dismissed popup "${popup.name}"`);
        return popup.name;
      }
    }
    return null;
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

  /**
   * Dumps until `check` finds what it looks for on the screen (popups dismissed on the way) and returns it.
   * For conditions one selector cannot say (a page without the feed's bar, one more matching row).
   */
  async waitUntil<T>(
    what: string,
    check: (screen: Screen) => T | undefined,
    options: WaitOptions = {},
  ): Promise<T> {
    const timeoutMs = options.timeoutMs ?? WAIT_TIMEOUT_MS;
    const intervalMs = options.intervalMs ?? WAIT_INTERVAL_MS;
    const deadline = this.clock.now() + timeoutMs;
    for (;;) {
      const screen = await this.dump();
      // A popup covers the screen (what lies under it is in the dump but takes no taps): dismiss it first
      // and look again at once.
      if (await this.dismissPopup(screen)) continue;
      options.onScreen?.(screen);
      const found = check(screen);
      if (found !== undefined) return found;
      await this.pause(intervalMs, deadline, what, timeoutMs);
    }
  }

  /** Waits `ms` before looking again, or throws ScreenNeverCame when that would pass `deadline`. */
  async pause(ms: number, deadline: number, what: string, timeoutMs: number): Promise<void> {
    if (this.clock.now() + ms > deadline) throw new ScreenNeverCame(what, timeoutMs);
    await abortableSleep(ms, this.signal, this.clock);
  }

  /** Waits for `selector` and taps it. */
  async waitAndTap(what: string, selector: Selector, options?: WaitOptions): Promise<Screen> {
    const { node, screen } = await this.waitFor(what, { target: selector }, options);
    await this.tap(node, what);
    return screen;
  }
}
