// An event sent to the farm's other PCs fits PostgreSQL's NOTIFY payload (under 8000 bytes): long texts are
// cut on whole characters, several events share one payload in order, and nothing is ever split. The sender
// keeps the order, loses (never resends) what a failed NOTIFY carried, and says so once each way.
import { expect, test } from "bun:test";
import type { DeviceEvent, FarmEvent, TaskEvent } from "../../src/tasks/events.ts";
import {
  cutText,
  type Envelope,
  EVENTS_CHANNEL,
  EventSender,
  envelopeBytes,
  fitEvent,
  PAYLOAD_MAX_BYTES,
  pack,
} from "../../src/tasks/relay.ts";
import { loggerInto } from "../helpers/log.ts";
import { waitFor } from "../helpers/wait.ts";

const bytes = (text: string) => Buffer.byteLength(text, "utf8");
const ORIGIN = "0b7c3d4e-1f2a-4b5c-8d9e-0f1a2b3c4d5e";

function task(over: Partial<TaskEvent> = {}): TaskEvent {
  return {
    type: "task",
    id: 101,
    serial: "R58M123ABC",
    status: "running",
    error: null,
    waiting_for: null,
    progress: { elapsed_s: 84.2, fraction: 0.45, step: "wait for the upload", detail: "upload 45%" },
    at: "2026-11-28T14:31:24.320Z",
    ...over,
  };
}

test("PostgreSQL's limit: a payload under 8000 bytes", () => {
  expect(PAYLOAD_MAX_BYTES).toBe(7999);
});

test("a text is cut on whole code points, with an ellipsis, and left alone when short enough", () => {
  expect(cutText("hello", 5)).toBe("hello");
  expect(cutText("hello world", 6)).toBe("hello…");
  // an emoji is two UTF-16 units: never cut in half
  const cut = cutText("😀😀😀😀", 3);
  expect(cut).toBe("😀😀…");
  expect(cut).not.toContain("\uFFFD");
  expect(cutText("😀😀", 2)).toBe("😀😀");
  expect(cutText("ñandú", 1)).toBe("…");
});

test("an event that fits travels unchanged", () => {
  const e = task();
  expect(fitEvent(e, 1000)).toBe(e);
  const d: DeviceEvent = { type: "device", serial: "X", state: "online", at: "2026-11-28T14:31:02.004Z" };
  expect(fitEvent(d, 200)).toBe(d);
});

test("a task event with a huge error and progress in many-byte characters is cut to fit, keeping the rest", () => {
  const budget = PAYLOAD_MAX_BYTES - envelopeBytes(ORIGIN);
  const e = task({
    status: "failed",
    error: `script failed: ${"ошибка ".repeat(3000)}`,
    progress: { elapsed_s: 3, fraction: null, step: "步".repeat(5000), detail: "😀".repeat(5000) },
  });
  const fitted = fitEvent(e, budget) as TaskEvent;
  expect(bytes(JSON.stringify(fitted))).toBeLessThanOrEqual(budget);
  expect(fitted).toMatchObject({ id: 101, serial: "R58M123ABC", status: "failed", at: e.at });
  expect(fitted.error?.startsWith("script failed: ошибка")).toBe(true);
  expect(fitted.error?.endsWith("…")).toBe(true);
  expect(fitted.progress?.detail).toMatch(/^(😀)+…$/u);
  expect(fitted.progress?.step).toMatch(/^步+…$/);
  // the original is not touched
  expect(e.error?.length).toBeGreaterThan(20_000);
});

test("a waiting_for naming thousands of tasks is cut too", () => {
  const e = task({
    status: "pending",
    progress: null,
    waiting_for: {
      reason: "plan_limit",
      message: `waiting for a slot: ${"task 1234, ".repeat(2000)}`,
      scheduled_at: null,
      task_ids: Array.from({ length: 5000 }, (_, i) => i + 1),
    },
  });
  const fitted = fitEvent(e, 4000) as TaskEvent;
  expect(bytes(JSON.stringify(fitted))).toBeLessThanOrEqual(4000);
  expect(fitted.waiting_for?.reason).toBe("plan_limit");
  expect(fitted.waiting_for?.task_ids.slice(0, 3)).toEqual([1, 2, 3]);
  expect(fitted.waiting_for?.message.endsWith("…")).toBe(true);
});

test("an event that cannot fit even cut is refused (null), not sent broken", () => {
  const d: DeviceEvent = { type: "device", serial: "S".repeat(9000), state: "online", at: "x" };
  expect(fitEvent(d, PAYLOAD_MAX_BYTES)).toBeNull();
  expect(fitEvent(task({ serial: "S".repeat(9000) }), PAYLOAD_MAX_BYTES)).toBeNull();
});

test("events are packed in order, as many as fit, each payload valid JSON under the limit", () => {
  const budget = PAYLOAD_MAX_BYTES - envelopeBytes(ORIGIN);
  const queue: FarmEvent[] = Array.from({ length: 300 }, (_, i) =>
    fitEvent(task({ id: i + 1, error: i % 7 === 0 ? "é".repeat(3000) : null }), budget),
  ) as FarmEvent[];
  const seen: number[] = [];
  let payloads = 0;
  while (queue.length > 0) {
    const { payload, taken } = pack(ORIGIN, queue);
    expect(taken).toBeGreaterThan(0);
    expect(bytes(payload)).toBeLessThanOrEqual(PAYLOAD_MAX_BYTES);
    const envelope = JSON.parse(payload) as Envelope;
    expect(envelope.o).toBe(ORIGIN);
    expect(envelope.e).toEqual(queue.slice(0, taken));
    seen.push(...envelope.e.map((e) => (e as TaskEvent).id));
    queue.splice(0, taken);
    payloads++;
  }
  expect(seen).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  expect(payloads).toBeGreaterThan(1);
  expect(payloads).toBeLessThan(300);
});

/** A stand-in for the pool: each NOTIFY's events, or a failure while `down`; `gate` holds them back. */
function notifier() {
  const sent: number[][] = [];
  const state = { down: false, gate: Promise.resolve(), calls: 0 };
  return {
    sent,
    state,
    async notify(channel: string, payload: string) {
      expect(channel).toBe(EVENTS_CHANNEL);
      state.calls++;
      await state.gate;
      if (state.down) throw new Error("Connection closed");
      const envelope = JSON.parse(payload) as Envelope;
      expect(envelope.o).toBe(ORIGIN);
      sent.push(envelope.e.map((e) => (e as TaskEvent).id));
    },
  };
}

test("the sender keeps the order and packs what queued up meanwhile into few notifications", async () => {
  const n = notifier();
  const lines: string[] = [];
  const sender = new EventSender(ORIGIN, n, loggerInto(lines));
  for (let id = 1; id <= 200; id++) sender.send(task({ id }));
  await sender.flushed();
  expect(n.sent.flat()).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  expect(n.sent.length).toBeLessThan(10);
  expect(lines).toEqual([]);
});

test("a failing NOTIFY loses its events (not resent) and is said once, and once again when one succeeds", async () => {
  const n = notifier();
  const lines: string[] = [];
  const sender = new EventSender(ORIGIN, n, loggerInto(lines));
  sender.send(task({ id: 1 }));
  await sender.flushed();
  n.state.down = true;
  for (let id = 2; id <= 4; id++) {
    sender.send(task({ id }));
    await sender.flushed();
  }
  n.state.down = false;
  sender.send(task({ id: 5 }));
  await sender.flushed();
  sender.send(task({ id: 6 }));
  await sender.flushed();
  expect(n.sent.flat()).toEqual([1, 5, 6]);
  expect(lines).toHaveLength(2);
  expect(lines[0]).toContain("events: not reaching the other PCs (Connection closed)");
  expect(lines[1]).toContain("events: reaching the other PCs again");
});

test("a database slow to take them: the oldest queued events give way, said once", async () => {
  const n = notifier();
  let open = () => {};
  n.state.gate = new Promise<void>((r) => {
    open = r;
  });
  const lines: string[] = [];
  const sender = new EventSender(ORIGIN, n, loggerInto(lines), 5);
  // the first goes out at once (held at the gate), then 5 may wait
  for (let id = 1; id <= 12; id++) sender.send(task({ id }));
  await waitFor("the first NOTIFY under way", () => n.state.calls === 1);
  open();
  await sender.flushed();
  expect(n.sent.flat()).toEqual([1, 8, 9, 10, 11, 12]);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain("the oldest events give way");
});
