import { describe, expect, test } from "bun:test";
import { nextOccurrence, randomGapMs } from "../../src/tasks/schedule.ts";

const local = (d: Date, timeZone: string) =>
  new Intl.DateTimeFormat("en-GB", { timeZone, dateStyle: "short", timeStyle: "short" }).format(d);

describe("start_time", () => {
  test("today if still ahead, else tomorrow", () => {
    const now = new Date("2026-11-28T12:00:00Z"); // 13:00 in Madrid
    expect(nextOccurrence("14:30", "Europe/Madrid", now).toISOString()).toBe("2026-11-28T13:30:00.000Z");
    expect(nextOccurrence("09:00", "Europe/Madrid", now).toISOString()).toBe("2026-11-29T08:00:00.000Z");
    expect(nextOccurrence("13:00", "Europe/Madrid", now).toISOString()).toBe("2026-11-29T12:00:00.000Z");
  });

  test("DST-safe: the wall clock reads HH:MM on both sides of a change", () => {
    // Europe/Madrid springs forward on 2026-03-29 and falls back on 2026-10-25
    const before = nextOccurrence("10:00", "Europe/Madrid", new Date("2026-03-28T12:00:00Z"));
    expect(local(before, "Europe/Madrid")).toBe("29/03/2026, 10:00");
    expect(before.toISOString()).toBe("2026-03-29T08:00:00.000Z");
    const after = nextOccurrence("10:00", "Europe/Madrid", new Date("2026-10-24T12:00:00Z"));
    expect(after.toISOString()).toBe("2026-10-25T09:00:00.000Z");
    // 02:30 does not exist on the spring-forward day: the next valid moment, never a silent skip of days
    const gap = nextOccurrence("02:30", "Europe/Madrid", new Date("2026-03-28T12:00:00Z"));
    expect(gap.getTime() - Date.parse("2026-03-29T00:00:00Z")).toBeLessThan(24 * 3600_000);
  });

  test("other zones", () => {
    const now = new Date("2026-11-28T12:00:00Z");
    // 12:00Z is 07:00 in New York: 08:15 is still ahead today
    expect(nextOccurrence("08:15", "America/New_York", now).toISOString()).toBe("2026-11-28T13:15:00.000Z");
    expect(nextOccurrence("23:59", "Asia/Tokyo", now).toISOString()).toBe("2026-11-28T14:59:00.000Z");
  });

  test("random gaps stay within [min, max] whole minutes", () => {
    expect(randomGapMs(2, 5, () => 0)).toBe(2 * 60_000);
    expect(randomGapMs(2, 5, () => 0.9999)).toBe(5 * 60_000);
    expect(randomGapMs(3, 3)).toBe(3 * 60_000);
  });
});
