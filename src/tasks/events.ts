// Task and phone state changes, for whoever listens: the SSE stream; on PostgreSQL the relay (relay.ts), which
// carries them to the farm's other PCs and brings theirs. The webhook listens to the lifecycle instead, which
// only hears this PC's changes: each event is sent once farm-wide, by the PC where it happened.
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

/** Where an event happened: on this PC ("local"), or on another PC of the farm, relayed through PostgreSQL. */
export type EventOrigin = "local" | "remote";

export type EventListener = (event: FarmEvent, origin: EventOrigin) => void;

export class EventBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  /** A change that happened here. */
  publish(event: FarmEvent): void {
    this.emitter.emit("event", event, "local");
  }

  /** A change another PC published (the relay): told to the listeners here, never relayed again. */
  receive(event: FarmEvent): void {
    this.emitter.emit("event", event, "remote");
  }

  subscribe(listener: EventListener): () => void {
    this.emitter.on("event", listener);
    return () => this.emitter.off("event", listener);
  }
}
