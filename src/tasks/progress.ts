// How far each running task has got: how long it has run (on the service's clock), the step it is on and the
// script's own estimate. Kept in memory only (a running task's progress is worth nothing after a restart), and
// told to listeners at most once per task per PROGRESS_GAP_MS, so that the event stream never floods.
import type { Clock } from "./clock.ts";

/** A running task's progress, as the API shows it. */
export interface TaskProgress {
  /** Seconds since it started, on the service's clock. */
  elapsed_s: number;
  /** 0..1 when the script has an estimate, else null. */
  fraction: number | null;
  /** The step it is on (the innermost one running, else the last one entered). */
  step: string | null;
  /** What the script says of where it is ("upload 45%"). */
  detail: string | null;
}

/** What a run tells the board (the script context holds it). */
export interface ProgressSink {
  enterStep(name: string): void;
  leaveStep(): void;
  report(fraction: number | null, detail: string | null): void;
}

/** The least time between two progress events of one task. */
export const PROGRESS_GAP_MS = 1000;

interface Entry {
  startedAt: number;
  fraction: number | null;
  detail: string | null;
  /** Steps entered and not yet left, innermost last. */
  open: string[];
  step: string | null;
  /** When listeners last heard of this task (its start is the first time). */
  toldAt: number;
  /** Cancels the event already due, which will carry the latest progress. */
  cancelTell?: () => void;
}

export class ProgressBoard {
  private readonly entries = new Map<number, Entry>();

  /** `changed(id)` is called when task `id`'s step or estimate changed, at most once per `gapMs`. */
  constructor(
    private readonly clock: Clock,
    private readonly changed: (id: number) => void,
    private readonly gapMs = PROGRESS_GAP_MS,
  ) {}

  /** Task `id` starts now: its elapsed time counts from here. */
  begin(id: number): ProgressSink {
    const now = this.clock.now();
    const e: Entry = { startedAt: now, fraction: null, detail: null, open: [], step: null, toldAt: now };
    this.entries.set(id, e);
    return {
      enterStep: (name) => {
        e.open.push(name);
        e.step = name;
        this.tell(id, e);
      },
      leaveStep: () => {
        e.open.pop();
        const step = e.open.at(-1) ?? e.step;
        if (step === e.step) return;
        e.step = step;
        this.tell(id, e);
      },
      report: (fraction, detail) => {
        e.fraction = fraction === null || Number.isNaN(fraction) ? null : Math.min(1, Math.max(0, fraction));
        e.detail = detail;
        this.tell(id, e);
      },
    };
  }

  /** Task `id` ended: it has no progress any more, and an event still due is not sent. */
  end(id: number): void {
    this.entries.get(id)?.cancelTell?.();
    this.entries.delete(id);
  }

  /** Task `id`'s progress now; null when it is not running here. */
  of(id: number): TaskProgress | null {
    const e = this.entries.get(id);
    if (!e) return null;
    const elapsed_s = Math.round((this.clock.now() - e.startedAt) / 100) / 10;
    return { elapsed_s, fraction: e.fraction, step: e.step, detail: e.detail };
  }

  private tell(id: number, e: Entry): void {
    if (e.cancelTell) return;
    const due = e.toldAt + this.gapMs;
    const told = () => {
      e.cancelTell = undefined;
      e.toldAt = this.clock.now();
      this.changed(id);
    };
    if (this.clock.now() >= due) told();
    else e.cancelTell = this.clock.wakeAt(due, told);
  }
}
