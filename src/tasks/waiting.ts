// Why a pending task has not started: worked out when asked, from the live state of the runner, the phones
// and adb (it changes without the task changing, so it is never stored). With several PCs (nodes), a phone
// another node holds is that node's to run: this PC's adb says nothing of it, and its running task is known
// from the farm's rows and events (RunningElsewhere).
import { type DeviceState, TaskStatus, type Transport } from "../domain.ts";
import type { TaskRow } from "../store/schema.ts";
import { wallClock } from "./schedule.ts";

export const WAIT_REASONS = [
  "adb_unreachable",
  "phone_offline",
  "phone_unauthorized",
  "schedule",
  "interval",
  "phone_busy",
  "plan_limit",
  "starting",
] as const;
export type WaitReason = (typeof WAIT_REASONS)[number];

export interface WaitingFor {
  reason: WaitReason;
  /** The same, as a sentence for a person. */
  message: string;
  /** When the task becomes due (ISO); null: due now. */
  scheduled_at: string | null;
  /** The tasks it waits behind: the phone's running task, or those holding the plan's slots. */
  task_ids: number[];
}

export const ADB_UNREACHABLE = "the adb server does not answer: no phone behind it can start a task";

/** What the queue looks like now: the runner's, the phones', adb's and the plan's state. */
export interface QueueState {
  now(): number;
  timezone: string;
  /** The task running on each busy phone of the farm, by serial. */
  running(): ReadonlyMap<string, number>;
  plan(): { name: string; limit: number };
  /** The phone as the farm's rows show it, with the node that holds it (null: this PC, from before nodes). */
  phone(
    serial: string,
  ): { state: DeviceState; transport: Transport; hint: string | null; node?: string | null } | undefined;
  /** This PC's name among the farm's nodes. */
  node?: string;
  adbReachable(): boolean;
  /** The farm's PC (node) that ran the phone when that PC stopped, if it did (many PCs). */
  stoppedNode?(serial: string): string | undefined;
}

/** The first thing that holds `task` back, in the order the runner meets them; null unless it is pending. */
export function waitingFor(task: TaskRow, q: QueueState): WaitingFor | null {
  if (task.status !== TaskStatus.pending) return null;
  const now = q.now();
  const due = task.scheduledAt !== null && task.scheduledAt > now ? task.scheduledAt : null;
  const wait = (reason: WaitReason, message: string, task_ids: number[] = []): WaitingFor => ({
    reason,
    message,
    scheduled_at: due === null ? null : new Date(due).toISOString(),
    task_ids,
  });
  const phone = q.phone(task.serial);
  const holder = phone?.node ?? null;
  const elsewhere = holder !== null && q.node !== undefined && holder !== q.node ? holder : null;
  if (elsewhere === null && phone?.transport !== "direct" && !q.adbReachable()) {
    return wait("adb_unreachable", ADB_UNREACHABLE);
  }
  if (phone?.state === "unauthorized") {
    return wait(
      "phone_unauthorized",
      `phone ${task.serial} is unauthorized: ${phone.hint ?? "allow USB debugging on its screen"}`,
    );
  }
  if (phone?.state !== "online") {
    const node = q.stoppedNode?.(task.serial);
    if (node !== undefined) {
      return wait(
        "phone_offline",
        `phone ${task.serial} is offline: node ${node}, which ran it, stopped; it starts when ${node} is back`,
      );
    }
    return wait("phone_offline", `phone ${task.serial} is offline: it starts when the phone is back`);
  }
  if (due !== null) {
    const at = wallClock(due, q.timezone);
    if (task.startTime !== null && at.slice(11, 16) === task.startTime) {
      return wait("schedule", `due at ${at} (start_time ${task.startTime})`);
    }
    const why = task.retryCount > 0 ? `automatic retry ${task.retryCount}` : "min_interval/max_interval gap";
    return wait("interval", `due at ${at} (${why})`);
  }
  const running = q.running();
  const busy = running.get(task.serial);
  if (busy !== undefined) return wait("phone_busy", `phone ${task.serial} is running task ${busy}`, [busy]);
  const plan = q.plan();
  if (running.size >= plan.limit) {
    const ids = [...running.values()].sort((a, b) => a - b);
    return wait(
      "plan_limit",
      `${running.size} of ${plan.limit} slots of the ${plan.name} plan in use (tasks ${ids.join(", ")})`,
      ids,
    );
  }
  if (elsewhere !== null) {
    return wait("starting", `due now, and its phone is free: it starts on node ${elsewhere} in a moment`);
  }
  return wait("starting", "due now, and its phone is free: it starts in a moment");
}

/**
 * The tasks the farm's other nodes run, by serial: read from the tasks' rows on each heartbeat, and kept by
 * their relayed events in between.
 */
export class RunningElsewhere {
  private readonly bySerial = new Map<string, number>();

  /** The rows say so (`running`: the other nodes' running tasks). */
  replace(running: { id: number; serial: string }[]): void {
    this.bySerial.clear();
    for (const { id, serial } of running) this.bySerial.set(serial, id);
  }

  /** Another node told of a change of task `id`. */
  heard(id: number, serial: string | null, status: string): void {
    if (status === "running" && serial !== null) {
      this.bySerial.set(serial, id);
      return;
    }
    for (const [at, running] of this.bySerial) if (running === id) this.bySerial.delete(at);
  }

  /** `here` (this node's running tasks) with the others'. */
  withLocal(here: ReadonlyMap<string, number>): ReadonlyMap<string, number> {
    if (this.bySerial.size === 0) return here;
    const all = new Map(this.bySerial);
    for (const [serial, id] of here) all.set(serial, id);
    return all;
  }
}
