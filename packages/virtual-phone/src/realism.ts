/**
 * How much the phone behaves like a real one (`VirtualPhone.start({ realistic })`): off by default, every knob
 * settable on its own so that a flow can be tried both ways.
 */

export interface RealismOptions {
  /** A screen change commits this long after the input that caused it, ms [min, max] ([0, 0]: at once). */
  changeMs?: [number, number];
  /** A tap during a change: "lost", or it reaches the old screen (a closing dialog lets it through). */
  tapsDuringChange?: "lost" | "old-screen";
  /** The soft keyboard shows while a field has focus (`mInputShown`); BACK then only hides it. */
  keyboard?: boolean;
  /** The keyboard covers the lower 40 % of the screen: taps there reach the keyboard, not the app. */
  keyboardCoversBottom?: boolean;
  /**
   * Success texts after an upload: "shown" (TikTok's "Video posted!" and Instagram's "Your reel has been
   * shared." in dumps for a couple of seconds); "transient" as the real apps: TikTok's is a toast (never in a
   * dump), Instagram's row reads "Posted! Nicely done." for 2 s (a story: no text); "none": never any.
   */
  successText?: "shown" | "transient" | "none";
  /** Share of `uiautomator dump`s on a screen that plays video that fail "could not get idle state." (0–1). */
  idleFailureShare?: number;
  /** The runtime permission dialog's package. */
  permissionPackage?: string;
  /**
   * The media dialog is worded as the phone's Android version words it (14 on: "Allow all", a limited
   * choice); denying or limiting leaves the gallery empty. Off: "Allow" / "Don’t allow", deny asks again.
   */
  permissionByVersion?: boolean;
  /** TikTok's caption: a `#` word opens a hashtag suggestion list over the lower screen. */
  hashtagSuggestions?: boolean;
  /** A share intent to Instagram without a component shows the system chooser ("Share with"). */
  shareChooser?: boolean;
  /** Instagram's Create ("+") tab has no id, text or description, as in the real 410 home feed. */
  unlabelledCreate?: boolean;
  /** Seeds the phone's random choices (change times, failing dumps); default: from the serial. */
  seed?: number;
}

export type Realism = Required<RealismOptions>;

export const GOOGLE_PERMISSION_PKG = "com.google.android.permissioncontroller";
export const AOSP_PERMISSION_PKG = "com.android.permissioncontroller";

/** Today's simulation: everything instant, labelled and in the dumps. */
const OFF: Omit<Realism, "seed"> = {
  changeMs: [0, 0],
  tapsDuringChange: "old-screen",
  keyboard: false,
  keyboardCoversBottom: false,
  successText: "shown",
  idleFailureShare: 0,
  permissionPackage: AOSP_PERMISSION_PKG,
  permissionByVersion: false,
  hashtagSuggestions: false,
  shareChooser: false,
  unlabelledCreate: false,
};

/** What `realistic: true` means: the behaviour of the real apps on a Pixel. */
const ON: Omit<Realism, "seed"> = {
  changeMs: [300, 800],
  tapsDuringChange: "old-screen",
  keyboard: true,
  keyboardCoversBottom: true,
  successText: "transient",
  idleFailureShare: 0.35,
  permissionPackage: GOOGLE_PERMISSION_PKG,
  permissionByVersion: true,
  hashtagSuggestions: true,
  shareChooser: true,
  unlabelledCreate: true,
};

/** The knobs of `realistic` (false/undefined: all off; true: all on; an object: on, but for what it sets). */
export function resolveRealism(realistic: boolean | RealismOptions | undefined, serial: string): Realism {
  const seed = [...serial].reduce((h, ch) => Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0, 2166136261);
  if (!realistic) return { ...OFF, seed };
  return { ...ON, seed, ...(realistic === true ? {} : realistic) };
}

/** A seeded generator of numbers in [0, 1) (mulberry32): the same phone makes the same choices. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
