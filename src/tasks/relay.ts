// Events across the farm's PCs, on PostgreSQL: every event published on this PC is sent to the others with
// NOTIFY on `farm_events`, and theirs arrive here by LISTEN and are told to this PC's bus as "remote" (the
// SSE streams show them; the runner wakes on a task created or retried elsewhere, see server.ts).
//
// Exactly once: PostgreSQL delivers a notification once to each listening connection, and a PC ignores its
// own (the envelope names its origin), whose listeners heard them when they were published. The webhook is
// not fed from here: each PC sends its own changes only (see notify/webhook.ts), so once farm-wide.
//
// No invented events: while the listening connection is down (the server restarts), what the other PCs send
// is lost here, and while this PC cannot NOTIFY, what it sends is lost for the others; each change of state
// is logged once. An SSE client may see a gap then; GET /api/v1/task shows the state as it is.
//
// On SQLite (one PC) there is no relay: nothing here runs.
import { randomUUID } from "node:crypto";
import type { SQL } from "bun";
import type { Logger } from "../log.ts";
import type { EventBus, FarmEvent, TaskEvent } from "./events.ts";

export const EVENTS_CHANNEL = "farm_events";
/** PostgreSQL refuses a payload of 8000 bytes or more ("payload string too long"; its default build). */
export const PAYLOAD_MAX_BYTES = 7999;
/** Events waiting for their NOTIFY while the database is slow; past that the oldest give way. */
const MAX_QUEUE = 10_000;
/** How long a shutdown waits for the last events to be sent. */
const FLUSH_MS = 3000;
/** The longest texts are cut to these many characters, then fewer, until the event fits. */
const TEXT_LIMITS = [2000, 500, 100, 20, 1];

/** What one notification carries: the sending PC's id, and its events in order. */
export interface Envelope {
  o: string;
  e: FarmEvent[];
}

const byteLength = (text: string) => Buffer.byteLength(text, "utf8");

/** At most `max` characters (whole code points: never half of a pair), ending with "…" when cut. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const points = Array.from(text);
  if (points.length <= max) return text;
  return `${points.slice(0, Math.max(0, max - 1)).join("")}…`;
}

function cutTask(e: TaskEvent, limit: number): TaskEvent {
  const cut = (text: string | null) => (text === null ? null : cutText(text, limit));
  return {
    ...e,
    error: cut(e.error),
    waiting_for: e.waiting_for && {
      ...e.waiting_for,
      message: cutText(e.waiting_for.message, limit),
      task_ids: e.waiting_for.task_ids.slice(0, limit),
    },
    progress: e.progress && { ...e.progress, step: cut(e.progress.step), detail: cut(e.progress.detail) },
  };
}

/**
 * The event as it can travel in `maxBytes` of JSON: itself when it fits, else a task event with its texts
 * (error, waiting_for's message and task ids, progress's step and detail) cut shorter until it does; null
 * when even that does not fit (never for the events this service makes).
 */
export function fitEvent(event: FarmEvent, maxBytes: number): FarmEvent | null {
  if (byteLength(JSON.stringify(event)) <= maxBytes) return event;
  if (event.type !== "task") return null;
  for (const limit of TEXT_LIMITS) {
    const cut = cutTask(event, limit);
    if (byteLength(JSON.stringify(cut)) <= maxBytes) return cut;
  }
  return null;
}

/** The bytes an envelope from `origin` takes around its events. */
export function envelopeBytes(origin: string): number {
  return byteLength(JSON.stringify({ o: origin, e: [] } satisfies Envelope));
}

/**
 * As many of `events` (from the first, in order) as fit in one payload of `maxBytes`; each must fit alone
 * (see fitEvent), so at least one is taken when there is one.
 */
export function pack(
  origin: string,
  events: readonly FarmEvent[],
  maxBytes = PAYLOAD_MAX_BYTES,
): { payload: string; taken: number } {
  let size = envelopeBytes(origin);
  const parts: string[] = [];
  for (const event of events) {
    const part = JSON.stringify(event);
    const more = byteLength(part) + (parts.length > 0 ? 1 : 0);
    if (size + more > maxBytes) break;
    parts.push(part);
    size += more;
  }
  return { payload: `{"o":${JSON.stringify(origin)},"e":[${parts.join(",")}]}`, taken: parts.length };
}

export interface RelayOptions {
  /** The farm's PostgreSQL: the listening connection is a client of its own (its drops are logged). */
  url: string;
  /** The service's pool, which sends the notifications. */
  pool: Notifier;
  bus: EventBus;
  log: Logger;
}

/** What sends a notification: the service's pool (`Bun.SQL`), or a test's stand-in. */
export interface Notifier {
  notify(channel: string, payload: string): Promise<void>;
}

/**
 * This PC's events to the others, in order: each cut to fit (fitEvent), packed several to a notification,
 * one NOTIFY at a time. A NOTIFY that fails loses its events for the other PCs (they are not retried: one
 * sent twice would be told twice); the first failure is logged, and the first success after it.
 */
export class EventSender {
  private readonly queue: FarmEvent[] = [];
  private sending: Promise<void> | null = null;
  /** Whether the last NOTIFY failed. */
  private failing = false;
  /** Whether the queue has been full since it was last empty (logged once). */
  private overflowing = false;
  private readonly maxEventBytes: number;

  constructor(
    private readonly origin: string,
    private readonly notifier: Notifier,
    private readonly log: Logger,
    private readonly maxQueue = MAX_QUEUE,
  ) {
    this.maxEventBytes = PAYLOAD_MAX_BYTES - envelopeBytes(origin);
  }

  send(event: FarmEvent): void {
    const fitted = fitEvent(event, this.maxEventBytes);
    if (fitted === null) {
      this.log.warn(`events: a ${event.type} event too big for a notification was not sent to the other PCs`);
      return;
    }
    if (this.queue.length >= this.maxQueue) {
      this.queue.shift();
      if (!this.overflowing) {
        this.overflowing = true;
        this.log.warn("events: the database is slow to take notifications; the oldest events give way");
      }
    }
    this.queue.push(fitted);
    this.sending ??= this.pump().finally(() => {
      this.sending = null;
    });
  }

  /** Settles once the queue is sent (or `timeoutMs` passes). */
  async flushed(timeoutMs = FLUSH_MS): Promise<void> {
    if (!this.sending) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.sending, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }

  private async pump(): Promise<void> {
    while (this.queue.length > 0) {
      const { payload, taken } = pack(this.origin, this.queue);
      this.queue.splice(0, taken);
      try {
        await this.notifier.notify(EVENTS_CHANNEL, payload);
        if (this.failing) {
          this.failing = false;
          this.log.info("events: reaching the other PCs again");
        }
      } catch (e) {
        if (!this.failing) {
          this.failing = true;
          this.log.warn(
            `events: not reaching the other PCs (${(e as Error).message}); those meanwhile are not sent`,
          );
        }
      }
    }
    this.overflowing = false;
  }
}

export class EventRelay {
  /** This process's id in the envelopes (a restarted service is another sender). */
  readonly origin = randomUUID();
  private readonly sender: EventSender;
  private listening = false;
  private stopping = false;
  private readonly listener: SQL;
  private subscription: SQL.ListenSubscription | null = null;
  private readonly unsubscribe: () => void;

  private constructor(private readonly o: RelayOptions) {
    this.sender = new EventSender(this.origin, o.pool, o.log);
    // one connection, only for LISTEN; Bun reconnects it with backoff (250 ms doubling to 32 s) and listens again
    this.listener = new Bun.SQL(o.url, { max: 1, connectionTimeout: 10, onclose: (e) => this.dropped(e) });
    this.unsubscribe = o.bus.subscribe((event, origin) => {
      if (origin === "local") this.sender.send(event);
    });
  }

  /** Listening (the server has acknowledged it) and relaying this PC's events. */
  static async start(options: RelayOptions): Promise<EventRelay> {
    const relay = new EventRelay(options);
    try {
      relay.subscription = await relay.listener.listen(
        EVENTS_CHANNEL,
        (payload) => relay.received(payload),
        () => relay.listened(),
      );
    } catch (e) {
      await relay.stop();
      throw e;
    }
    return relay;
  }

  private listened(): void {
    if (this.stopping) return;
    if (!this.listening && this.subscription !== null) {
      this.o.log.info(
        "events: listening to the other PCs again (what they sent while the connection was down was missed)",
      );
    }
    this.listening = true;
  }

  private dropped(e: Error | null): void {
    if (this.stopping || !this.listening) return;
    this.listening = false;
    this.o.log.warn(
      `events: the connection that hears the other PCs was lost (${e?.message ?? "closed"}); reconnecting, ` +
        "their events are missed until it is back",
    );
  }

  private received(payload: string): void {
    try {
      const envelope = JSON.parse(payload) as Envelope;
      // this PC's own: its listeners heard them when they were published
      if (envelope.o === this.origin || this.stopping) return;
      for (const event of envelope.e) this.o.bus.receive(event);
    } catch (e) {
      // a listener that throws here would be an uncaught exception (Bun's LISTEN callback)
      this.o.log.warn(`events: a notification from another PC was not told (${(e as Error).message})`);
    }
  }

  /** Sends what is queued (a few seconds at most), then stops listening. */
  async stop(): Promise<void> {
    this.unsubscribe();
    await this.sender.flushed();
    this.stopping = true;
    await this.subscription?.unlisten().catch(() => {});
    await this.listener.close().catch(() => {});
  }
}
