// fasterClock: the test build's clock for long tasks through the executable, over a clock the test moves.
import { expect, test } from "bun:test";
import { fasterClock, ManualClock } from "../../src/tasks/clock.ts";

test("fasterClock runs its base's time N times faster from its start, and wakes at its own moments", () => {
  const base = new ManualClock(1_000_000);
  const fast = fasterClock(5, base);
  base.advance(2_000);
  expect(fast.now()).toBe(1_010_000);
  const woken: number[] = [];
  fast.wakeAt(fast.now() + 30_000, () => woken.push(fast.now()));
  base.advance(5_999);
  expect(woken).toEqual([]);
  base.advance(1);
  expect(woken).toEqual([1_040_000]);
});

test("fasterClock from a given start: two made at different moments read the same time", () => {
  const base = new ManualClock(1_000_000);
  const first = fasterClock(5, base, 1_000_000);
  base.advance(3_000);
  const second = fasterClock(5, base, 1_000_000);
  expect(second.now()).toBe(first.now());
  expect(second.now()).toBe(1_015_000);
});
