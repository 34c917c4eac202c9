// Time, injectable: the runner, the scripts (their sleeps, screen waits and time budgets), the event
// stream's keep-alive, log stamps and device events ask the clock for "now" and to be woken at a moment.
// Tests use a manual clock and move it forward instead of waiting.
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

/**
 * `base` running `rate` times faster from `start` (the moment it is made, unless given): the test suite's build
 * runs a task that lasts minutes of its clock (a warmup's task_duration) in seconds of the test's, through the
 * executable. Several nodes of one test given the same `start` read the same time.
 */
export function fasterClock(rate: number, base: Clock = systemClock, start = base.now()): Clock {
  return {
    now: () => start + (base.now() - start) * rate,
    wakeAt: (when, wake) => base.wakeAt(start + (when - start) / rate, wake),
  };
}

/** A clock that moves only when told to. */
export class ManualClock implements Clock {
  protected waiting: { when: number; wake: () => void }[] = [];

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

/**
 * A manual clock that moves itself, for one script run against a virtual phone: a wait asked of it is
 * over as soon as the process has handled what is already due (a macrotask later), time jumping to the
 * earliest wake-up. A script waits on its clock only when it has nothing else to do (it runs one step
 * at a time), so its sleeps, polls and budgets cost no real time while the phone still answers over
 * real TCP in real time. Timeouts that race real I/O (cleanup, HTTP) are real timers, never clock waits:
 * on this clock they would fire at once. `hold()` makes it a manual clock until `release()`, for a test
 * that acts between a run's moments.
 */
export class AutoClock extends ManualClock {
  private ticking = false;
  private held = false;

  override wakeAt(when: number, wake: () => void): () => void {
    const cancel = super.wakeAt(when, wake);
    this.tick();
    return cancel;
  }

  /** From now on time moves only by `advance` and `set`, until `release`. */
  hold(): void {
    this.held = true;
  }

  release(): void {
    this.held = false;
    if (this.waiting.length > 0) this.tick();
  }

  private tick(): void {
    if (this.ticking || this.held) return;
    this.ticking = true;
    setImmediate(() => {
      this.ticking = false;
      if (this.held) return;
      const next = Math.min(...this.waiting.map((e) => e.when));
      if (Number.isFinite(next)) this.set(Math.max(next, this.now()));
      if (this.waiting.length > 0) this.tick();
    });
  }
}

/** Waits `ms` on `clock`, unless `signal` aborts first (then rejects with its reason). */
export function abortableSleep(ms: number, signal: AbortSignal, clock: Clock = systemClock): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const cancel = clock.wakeAt(clock.now() + ms, () => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    });
    const onAbort = () => {
      cancel();
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
