// The webhook: a signed POST for each task that completes or fails, delivered in the background with
// retries, so that a slow or dead receiver never holds up the runner. It watches this PC's lifecycle, never the
// events relayed from the farm's other PCs (tasks/relay.ts): each is sent once farm-wide, by the PC where the
// task ended.
import { createHmac, randomUUID } from "node:crypto";
import type { Logger } from "../log.ts";
import { maskUrl, type Scrub, scrubber, secretsIn } from "../secrets.ts";
import type { TaskLifecycle } from "../tasks/lifecycle.ts";

export const SIGNATURE_HEADER = "x-farm-signature";
/** Seconds before each new attempt; after the last one the delivery is dropped (and logged). */
const BACKOFF_S = [1, 5, 30, 120, 600];
const MAX_QUEUE = 10_000;
const TIMEOUT_MS = 10_000;

export function sign(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

interface Delivery {
  id: string;
  event: string;
  body: string;
  attempt: number;
}

export class Webhook {
  private readonly queue: Delivery[] = [];
  private sending = false;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The URL as the log shows it, and the log's words without its secrets (a receiver's ?token=, user:pass@). */
  private readonly shownUrl: string;
  private readonly scrub: Scrub;

  constructor(
    private readonly url: string,
    private readonly secret: string,
    private readonly log: Logger,
    private readonly backoffS: number[] = BACKOFF_S,
  ) {
    this.shownUrl = maskUrl(url);
    this.scrub = scrubber(secretsIn({ url }));
  }

  /** Sends a delivery for every task that completes or fails, with the task as `describe` shows it. */
  watch(lifecycle: TaskLifecycle, describe: (id: number) => Promise<unknown>): () => void {
    // in the order the changes came
    let described = Promise.resolve();
    return lifecycle.onChange((ids, change) => {
      if (change !== "completed" && change !== "failed") return;
      for (const id of ids) {
        described = described
          .then(() => describe(id))
          .then((task) => {
            if (task) this.enqueue(`task.${change}`, { event: `task.${change}`, task });
          })
          .catch((e) => this.log.error(`webhook: task ${id} could not be read: ${(e as Error).message}`));
      }
    });
  }

  enqueue(event: string, payload: unknown): void {
    if (this.stopped) return;
    if (this.queue.length >= MAX_QUEUE) {
      const dropped = this.queue.shift();
      this.log.warn(`webhook: queue full, dropped delivery ${dropped?.id} (${dropped?.event})`);
    }
    this.queue.push({ id: randomUUID(), event, body: JSON.stringify(payload), attempt: 0 });
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.sending || this.stopped) return;
    this.sending = true;
    try {
      while (this.queue.length > 0 && !this.stopped) {
        const d = this.queue[0] as Delivery;
        const ok = await this.send(d);
        if (ok) {
          this.queue.shift();
          continue;
        }
        d.attempt++;
        if (d.attempt > this.backoffS.length) {
          this.queue.shift();
          this.log.error(`webhook: gave up on delivery ${d.id} (${d.event}) after ${d.attempt} attempts`);
          continue;
        }
        // wait, then go on with the same delivery: order is kept
        const delay = (this.backoffS[d.attempt - 1] ?? 600) * 1000;
        await new Promise<void>((resolve) => {
          this.timer = setTimeout(resolve, delay);
        });
      }
    } finally {
      this.sending = false;
    }
  }

  private async send(d: Delivery): Promise<boolean> {
    try {
      const res = await fetch(this.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          [SIGNATURE_HEADER]: sign(this.secret, d.body),
          "x-farm-event": d.event,
          "x-farm-delivery": d.id,
        },
        body: d.body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (res.ok) return true;
      this.log.warn(`webhook: ${this.shownUrl} answered ${res.status} to delivery ${d.id}`);
    } catch (e) {
      this.log.warn(
        `webhook: ${this.shownUrl} unreachable for delivery ${d.id}: ${this.scrub((e as Error).message)}`,
      );
    }
    return false;
  }

  /** Pending deliveries are dropped; they live in memory only. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.queue.length > 0)
      this.log.warn(`webhook: ${this.queue.length} delivery(ies) not sent at shutdown`);
  }
}
