// Task and phone state changes, for whoever listens: the SSE stream, the webhook.
import { EventEmitter } from "node:events";
import type { DeviceState } from "../domain.ts";
import type { TaskChange } from "./lifecycle.ts";
import type { TaskProgress } from "./progress.ts";
import type { WaitingFor } from "./waiting.ts";

export interface TaskEvent {
  type: "task";
  id: number;
  serial: string | null;
  /** The new status, or "deleted". */
  status: TaskChange;
  error: string | null;
  /** Why a pending task has not started (see waiting.ts); null for the other changes. */
  waiting_for: WaitingFor | null;
  /** How far a running task has got (see progress.ts); null for the other changes. */
  progress: TaskProgress | null;
  at: string;
}

export interface DeviceEvent {
  type: "device";
  serial: string;
  state: DeviceState;
  at: string;
}

export type FarmEvent = TaskEvent | DeviceEvent;

export class EventBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  publish(event: FarmEvent): void {
    this.emitter.emit("event", event);
  }

  subscribe(listener: (event: FarmEvent) => void): () => void {
    this.emitter.on("event", listener);
    return () => this.emitter.off("event", listener);
  }
}
