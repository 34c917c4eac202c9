// waiting_for from the live state: the first thing that holds a pending task back, in the runner's order.
import { expect, test } from "bun:test";
import { TaskStatus } from "../../src/domain.ts";
import type { TaskRow } from "../../src/store/schema.ts";
import { zonedIso } from "../../src/tasks/schedule.ts";
import { type QueueState, RunningElsewhere, waitingFor } from "../../src/tasks/waiting.ts";

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

test("a phone another node holds: judged by that node's report, not this PC's adb; busy with that node's run", () => {
  const held = (node: string | null, state: "online" | "offline" = "online") =>
    queue({
      node: "pc-a",
      adbReachable: () => false,
      phone: () => ({ state, transport: "usb", hint: null, node }),
    });
  expect(waitingFor(row(), held("pc-b"))).toMatchObject({
    reason: "starting",
    message: "due now, and its phone is free: it starts on node pc-b in a moment",
  });
  // this PC's own phone (or one of before the farm had nodes) still needs this PC's adb
  expect(waitingFor(row(), held("pc-a"))?.reason).toBe("adb_unreachable");
  expect(waitingFor(row(), held(null))?.reason).toBe("adb_unreachable");
  expect(waitingFor(row(), held("pc-b", "offline"))?.reason).toBe("phone_offline");
  // the farm's runs: another node's (kept from its rows and events) with this one's
  const elsewhere = new RunningElsewhere();
  elsewhere.replace([{ id: 40, serial: "P1" }]);
  elsewhere.heard(41, "P2", "running");
  const here = new Map([["P3", 42]]);
  const farm = queue({ node: "pc-a", running: () => elsewhere.withLocal(here) });
  expect(waitingFor(row(), farm)).toMatchObject({ reason: "phone_busy", task_ids: [40] });
  expect(waitingFor(row({ serial: "P4" }), farm)).toMatchObject({
    reason: "plan_limit",
    message: "3 of 2 slots of the Free plan in use (tasks 40, 41, 42)",
  });
  elsewhere.heard(40, "P1", "completed");
  elsewhere.heard(41, "P2", "deleted");
  expect([...elsewhere.withLocal(here)]).toEqual([["P3", 42]]);
  expect(elsewhere.withLocal(here)).toBe(here);
});
