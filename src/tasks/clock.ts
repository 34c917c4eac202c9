// Time, injectable: the runner asks the clock for "now" and to be woken at a moment. Tests use a manual
// clock and move it forward instead of waiting.
import { Cron } from "croner";

export interface Clock {
  now(): number;
  /** Calls `wake` at `when` (ms since the epoch); returns a cancel function. */
  wakeAt(when: number, wake: () => void): () => void;
}

/** croner for waits measured in seconds or more (it survives long sleeps); a timer for the last moment. */
export const systemClock: Clock = {
  now: () => Date.now(),
  wakeAt(when, wake) {
    const delay = when - Date.now();
    // croner fires on whole seconds and never for a moment already past
    if (delay < 2000) {
      const timer = setTimeout(wake, Math.max(0, delay));
      return () => clearTimeout(timer);
    }
    const job = new Cron(new Date(when), { maxRuns: 1 }, wake);
    return () => job.stop();
  },
};

/** A clock that moves only when told to. */
export class ManualClock implements Clock {
  private waiting: { when: number; wake: () => void }[] = [];

  constructor(private time: number) {}

  now(): number {
    return this.time;
  }

  wakeAt(when: number, wake: () => void): () => void {
    const entry = { when, wake };
    this.waiting.push(entry);
    return () => {
      this.waiting = this.waiting.filter((e) => e !== entry);
    };
  }

  /** Moves time forward and calls every wake-up that came due. */
  advance(ms: number): void {
    this.set(this.time + ms);
  }

  set(time: number): void {
    this.time = time;
    const due = this.waiting.filter((e) => e.when <= time);
    this.waiting = this.waiting.filter((e) => e.when > time);
    for (const e of due) e.wake();
  }
}

/** Waits `ms`, unless `signal` aborts first (then rejects with its reason). */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
