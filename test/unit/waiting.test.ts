// waiting_for from the live state: the first thing that holds a pending task back, in the runner's order.
import { expect, test } from "bun:test";
import { TaskStatus } from "../../src/domain.ts";
import type { TaskRow } from "../../src/store/schema.ts";
import { zonedIso } from "../../src/tasks/schedule.ts";
import { type QueueState, waitingFor } from "../../src/tasks/waiting.ts";

const NOW = Date.parse("2026-12-03T11:26:00.000Z");
const row = (over: Partial<TaskRow> = {}) =>
  ({
    id: 9,
    serial: "P1",
    status: TaskStatus.pending,
    scheduledAt: null,
    startTime: null,
    retryCount: 0,
    ...over,
  }) as TaskRow;
const queue = (over: Partial<QueueState> = {}): QueueState => ({
  now: () => NOW,
  timezone: "UTC",
  running: () => new Map(),
  plan: () => ({ name: "Free", limit: 2 }),
  phone: () => ({ state: "online", transport: "usb", hint: null }),
  adbReachable: () => true,
  ...over,
});

test("null unless pending; due, idle and free: starting", () => {
  expect(waitingFor(row({ status: TaskStatus.running }), queue())).toBeNull();
  expect(waitingFor(row(), queue())?.reason).toBe("starting");
});

test("adb first (not for a direct phone), then the phone's state, then time", () => {
  const later = row({ scheduledAt: NOW + 60_000 });
  expect(waitingFor(later, queue({ adbReachable: () => false }))?.reason).toBe("adb_unreachable");
  const direct = queue({
    adbReachable: () => false,
    phone: () => ({ state: "online", transport: "direct", hint: null }),
  });
  expect(waitingFor(later, direct)?.reason).toBe("interval");
  const unauthorized = queue({
    phone: () => ({ state: "unauthorized", transport: "usb", hint: "accept the prompt" }),
  });
  expect(waitingFor(later, unauthorized)?.message).toBe("phone P1 is unauthorized: accept the prompt");
  expect(waitingFor(later, queue({ phone: () => undefined }))?.reason).toBe("phone_offline");
});

test("a start_time's occurrence is schedule; a gap or a retry's delay is interval", () => {
  const at = Date.parse("2026-12-04T11:00:00.000Z");
  expect(waitingFor(row({ scheduledAt: at, startTime: "11:00" }), queue())).toEqual({
    reason: "schedule",
    message: "due at 2026-12-04 11:00 UTC (start_time 11:00)",
    scheduled_at: "2026-12-04T11:00:00.000Z",
    task_ids: [],
  });
  // the second task of a start_time request, a gap after the first
  expect(waitingFor(row({ scheduledAt: at + 300_000, startTime: "11:00" }), queue())?.reason).toBe(
    "interval",
  );
  expect(waitingFor(row({ scheduledAt: NOW + 5000, retryCount: 1 }), queue())?.message).toBe(
    "due at 2026-12-03 11:26 UTC (automatic retry 1)",
  );
});

test("phone_busy before plan_limit", () => {
  const running = () =>
    new Map([
      ["P1", 4],
      ["P2", 3],
    ]);
  expect(waitingFor(row(), queue({ running }))?.task_ids).toEqual([4]);
  const full = waitingFor(row({ serial: "P3" }), queue({ running }));
  expect(full?.message).toBe("2 of 2 slots of the Free plan in use (tasks 3, 4)");
  expect(full?.task_ids).toEqual([3, 4]);
});

test("zonedIso writes the zone's wall clock and offset, half hours too", () => {
  expect(zonedIso(NOW, "Europe/Madrid")).toBe("2026-12-03T12:26:00+01:00");
  expect(zonedIso(NOW, "America/New_York")).toBe("2026-12-03T06:26:00-05:00");
  expect(zonedIso(NOW, "Asia/Kolkata")).toBe("2026-12-03T16:56:00+05:30");
  expect(zonedIso(Date.parse("2026-07-01T00:00:00Z"), "Europe/Madrid")).toBe("2026-07-01T02:00:00+02:00");
});
