// The phones' screens for the API, cheap enough for a grid of a hundred refreshed every few seconds: one
// capture (`screencap -p`) per phone is shared by every request that arrives while it is being taken or while
// it is younger than the age the request accepts, and each width is scaled from it once (or not at all when
// the phone sent the very same PNG as before: its screen did not change).
//
// Why PNG from the phone and not raw `screencap` (RGBA, nothing to encode on the phone): a raw 1080×2400
// screen is 10 MB over USB or Wi-Fi, and in memory for each phone in flight, against ~100 KB of PNG, and the
// service spent no less CPU reading 10 MB off the adb stream than inflating the PNG (bench/screens.ts).
import type { Phone } from "./phone.ts";
import { decodePng, encodePng, scaleDown } from "./screen-image.ts";

/** What a request accepts: a width to scale down to, and how old a capture may be. */
export interface ScreenshotWish {
  /** The PNG is scaled down to at most this width (the aspect ratio kept; never enlarged). */
  maxWidth?: number;
  /** A capture younger than this is reused (0: never, unless it is being taken now). */
  maxAgeMs: number;
}

/** What a capture needs of a phone. */
export type Camera = Pick<Phone, "screenshot">;

export interface Screenshot {
  png: Uint8Array;
  /** When the phone was asked for it (ms since the epoch, the service's clock). */
  capturedAt: number;
}

/** A capture kept this long at most, whatever a request accepts (max_age_ms's upper limit). */
export const MAX_AGE_LIMIT_MS = 60_000;
export const DEFAULT_MAX_AGE_MS = 1000;

interface Capture {
  at: number;
  /** Settled: a later request may reuse it (when young enough) or replace it. */
  settled: boolean;
  png: Promise<Uint8Array>;
  /** The phone's PNG, once it came. */
  bytes?: Uint8Array;
  /** The PNG of each width asked for (0: the phone's own). */
  byWidth: Map<number, Promise<Uint8Array>>;
  /** When the phone sent the very same PNG as the capture before (the screen did not change): its PNGs. */
  unchanged?: Map<number, Promise<Uint8Array>>;
}

export class Screenshots {
  readonly #captures = new Map<string, Capture>();

  constructor(private readonly now: () => number) {}

  async take(serial: string, phone: Camera, wish: ScreenshotWish): Promise<Screenshot> {
    this.#forgetOld();
    let capture = this.#captures.get(serial);
    if (!capture || (capture.settled && this.now() - capture.at >= wish.maxAgeMs)) {
      capture = this.#capture(serial, phone);
    }
    const width = wish.maxWidth ?? 0;
    let png = capture.byWidth.get(width);
    if (!png) {
      const taken = capture;
      png = taken.png.then((full) => taken.unchanged?.get(width) ?? (width ? scaledPng(full, width) : full));
      capture.byWidth.set(width, png);
    }
    return { png: await png, capturedAt: capture.at };
  }

  #capture(serial: string, phone: Camera): Capture {
    const previous = this.#captures.get(serial);
    const capture: Capture = {
      at: this.now(),
      settled: false,
      png: phone.screenshot({ timeoutMs: 15_000 }).then((png) => {
        capture.bytes = png;
        // an idle phone's screen: nothing to decode and scale again
        if (previous?.bytes && Buffer.from(png.buffer, png.byteOffset, png.byteLength).equals(previous.bytes))
          capture.unchanged = previous.byWidth;
        return png;
      }),
      byWidth: new Map(),
    };
    this.#captures.set(serial, capture);
    capture.png.then(
      () => {
        capture.settled = true;
      },
      () => {
        // a failed capture is never reused: the next request asks the phone again
        if (this.#captures.get(serial) === capture) this.#captures.delete(serial);
      },
    );
    return capture;
  }

  /** Captures no request may reuse any more: their PNGs need not stay in memory. */
  #forgetOld(): void {
    const now = this.now();
    for (const [serial, c] of this.#captures) {
      if (c.settled && now - c.at >= MAX_AGE_LIMIT_MS) this.#captures.delete(serial);
    }
  }
}

/**
 * The phone's PNG scaled down to `maxWidth`; as it came when it is no wider, or of a kind not decoded here,
 * or damaged (the browser then shows what it can of it, or its broken-image sign).
 */
function scaledPng(png: Uint8Array, maxWidth: number): Uint8Array {
  let pixels: ReturnType<typeof decodePng>;
  try {
    pixels = decodePng(png);
  } catch {
    pixels = null; // inflate refused the data
  }
  if (!pixels || pixels.width <= maxWidth) return png;
  return encodePng(scaleDown(pixels, maxWidth));
}
