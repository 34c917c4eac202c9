// A running task's progress on the service's clock: elapsed time, the step it is on, the script's estimate,
// and the events it causes, at most one per task per second.
import { expect, test } from "bun:test";
import { ManualClock } from "../../src/tasks/clock.ts";
import { PROGRESS_GAP_MS, ProgressBoard } from "../../src/tasks/progress.ts";

const START = Date.parse("2026-11-28T09:00:00.000Z");

function board() {
  const clock = new ManualClock(START);
  const told: { id: number; at: number }[] = [];
  const b = new ProgressBoard(clock, (id) => told.push({ id, at: clock.now() - START }));
  return { clock, told, b };
}

test("elapsed time moves with the clock; the estimate is kept between 0 and 1; none after the end", () => {
  const { clock, b } = board();
  expect(b.of(1)).toBeNull();
  const sink = b.begin(1);
  expect(b.of(1)).toEqual({ elapsed_s: 0, fraction: null, step: null, detail: null });
  clock.advance(12_340);
  sink.report(0.25, "3 video(s) watched");
  expect(b.of(1)).toEqual({ elapsed_s: 12.3, fraction: 0.25, step: null, detail: "3 video(s) watched" });
  clock.advance(60_000);
  sink.report(1.7, null);
  expect(b.of(1)).toMatchObject({ elapsed_s: 72.3, fraction: 1, detail: null });
  sink.report(Number.NaN, null);
  expect(b.of(1)?.fraction).toBeNull();
  b.end(1);
  expect(b.of(1)).toBeNull();
});

test("the step is the innermost one running; once it is left, the enclosing one, else the last entered", () => {
  const { b } = board();
  const sink = b.begin(2);
  sink.enterStep("video 1");
  sink.enterStep("like");
  expect(b.of(2)?.step).toBe("like");
  sink.leaveStep();
  expect(b.of(2)?.step).toBe("video 1");
  sink.leaveStep();
  expect(b.of(2)?.step).toBe("video 1");
  sink.enterStep("video 2");
  expect(b.of(2)?.step).toBe("video 2");
});

test("changes are told at most once a second per task, the last one carried; an ended task tells nothing", () => {
  const { clock, told, b } = board();
  const one = b.begin(1);
  const two = b.begin(2);
  // the start itself was told (the "running" event): the first change waits for the gap
  one.enterStep("open the app");
  one.report(0.1, null);
  two.enterStep("mark");
  expect(told).toEqual([]);
  clock.advance(PROGRESS_GAP_MS - 1);
  expect(told).toEqual([]);
  clock.advance(1);
  expect(told).toEqual([
    { id: 1, at: 1000 },
    { id: 2, at: 1000 },
  ]);
  // quiet for a while: the next change is told at once, the ones right after it a second later
  clock.advance(5000);
  for (let i = 0; i < 50; i++) one.report(i / 100, `${i}`);
  expect(told).toHaveLength(3);
  expect(told[2]).toEqual({ id: 1, at: 6000 });
  clock.advance(PROGRESS_GAP_MS);
  expect(told).toHaveLength(4);
  expect(b.of(1)?.detail).toBe("49");
  // an event still due when the task ends is never sent
  one.report(0.9, null);
  b.end(1);
  clock.advance(10 * PROGRESS_GAP_MS);
  expect(told).toHaveLength(4);
});
