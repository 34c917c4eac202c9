// GET /api/v1/events: a Server-Sent Events stream of task and phone state changes, so clients need not poll.
import { Elysia } from "elysia";
import { type Clock, systemClock } from "../tasks/clock.ts";
import type { EventBus } from "../tasks/events.ts";
import { PROGRESS_GAP_MS } from "../tasks/progress.ts";
import { type FullCap, peerOf, refusal, Slots } from "./clients.ts";
import { AppError, Code } from "./envelope.ts";

/** How often a quiet stream gets a comment line (shorter than Bun's default idle timeout of 10 s would cut). */
export const KEEPALIVE_MS = 15_000;
/** Event streams one client address, and all clients together, may keep open: each holds a connection. */
export const MAX_STREAMS_PER_CLIENT = 8;
export const MAX_STREAMS = 32;

/**
 * The open event streams of one app, each by its end, so that a shutdown can end them instead of waiting
 * forever; and when their keep-alive comes (every `keepAliveMs` on `clock`).
 */
export class EventStreams {
  private readonly open = new Set<() => void>();
  readonly clock: Clock;
  readonly keepAliveMs: number;

  constructor(options: { clock?: Clock; keepAliveMs?: number } = {}) {
    this.clock = options.clock ?? systemClock;
    this.keepAliveMs = options.keepAliveMs ?? KEEPALIVE_MS;
  }

  add(end: () => void): void {
    this.open.add(end);
  }

  delete(end: () => void): void {
    this.open.delete(end);
  }

  /** Ends every open stream (the service is shutting down). */
  closeAll(): void {
    for (const end of this.open) end();
  }
}

const DESCRIPTION = `A \`text/event-stream\` that stays open. Each change is one event:

\`\`\`
event: task
data: {"type":"task","id":101,"serial":"R58M123ABC","status":"running","error":null,"waiting_for":null,"progress":{"elapsed_s":0,"fraction":null,"step":null,"detail":null},"at":"2026-11-28T14:30:00.120Z"}

event: task
data: {"type":"task","id":102,"serial":"R58M123ABC","status":"pending","error":null,"waiting_for":{"reason":"phone_busy","message":"phone R58M123ABC is running task 101","scheduled_at":null,"task_ids":[101]},"progress":null,"at":"2026-11-28T14:30:00.130Z"}

event: task
data: {"type":"task","id":101,"serial":"R58M123ABC","status":"running","error":null,"waiting_for":null,"progress":{"elapsed_s":84.2,"fraction":0.45,"step":"wait for the upload","detail":"upload 45%"},"at":"2026-11-28T14:31:24.320Z"}

event: device
data: {"type":"device","serial":"R58M123ABC","state":"offline","at":"2026-11-28T14:31:02.004Z"}
\`\`\`

Task \`status\` is pending, running, completed, failed or deleted; a pending one's \`waiting_for\` says why it
has not started (as on GET /api/v1/task/{task_id}, at the moment of the event), null for the others. A running
one's \`progress\` says how far it has got (as on GET /api/v1/task/{task_id}); a running task is told again when
its step or estimate changes, at most once every ${PROGRESS_GAP_MS / 1000} s per task. A comment
line (\`: keep-alive\`) comes every ${KEEPALIVE_MS / 1000} s; the stream stays open however long it is quiet.
Try it: \`curl -N http://127.0.0.1:50809/api/v1/events\`.

On a farm of several PCs (\`--database postgres://…\`) every PC's stream also carries the other PCs' events,
each once. One from another PC may have its long texts (\`error\`, \`waiting_for\`, \`progress\`) cut, ending with
…, to fit a PostgreSQL notification (GET the task for them whole); events are not stored, so those sent while
this PC's connection to the database was down are missed (read the tasks again after a gap).

When the service has a token, a browser's \`EventSource\` (which cannot send headers) may give it as
\`/api/v1/events?token=TOKEN\`; only this endpoint takes the token in the query.

A stream holds its connection, so there are caps: at most ${MAX_STREAMS_PER_CLIENT} streams per client address (past that
${Code.tooManyConnections}, HTTP 429) and ${MAX_STREAMS} in all (past that ${Code.streamsFull}, HTTP 503); each stream also counts
against the client's \`--max-connections-per-client\`. A refusal closes its connection. Only a stream the
token and license checks accepted is exempt from the idle timeout (\`--idle-timeout\`).`;

function streamRefusal(full: FullCap, address: string): Response {
  return refusal(
    full === "client"
      ? new AppError(
          Code.tooManyConnections,
          `too many event streams from ${address}: at most ${MAX_STREAMS_PER_CLIENT} per client; close one and try again`,
        )
      : new AppError(
          Code.streamsFull,
          `the service already serves ${MAX_STREAMS} event streams, its limit: close one or try again later`,
        ),
  );
}

export function eventRoutes(bus: EventBus, openStreams: EventStreams) {
  const streams = new Slots(MAX_STREAMS_PER_CLIENT, MAX_STREAMS);
  return new Elysia().get(
    "/api/v1/events",
    ({ request }) => {
      // the guard has let this request in (host, origin, token, plan): only now may it stay open
      const peer = peerOf(request);
      const slot = streams.take(peer.address);
      if (typeof slot === "string") return streamRefusal(slot, peer.address);
      const letGo = peer.keepOpen();
      const encoder = new TextEncoder();
      let unsubscribe = () => {};
      let stopKeepAlive = () => {};
      let end = () => {};
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          const send = (text: string) => {
            try {
              controller.enqueue(encoder.encode(text));
            } catch {
              close();
            }
          };
          const close = () => {
            slot();
            letGo();
            unsubscribe();
            stopKeepAlive();
            openStreams.delete(end);
          };
          end = () => {
            close();
            try {
              controller.close();
            } catch {}
          };
          openStreams.add(end);
          send(": connected\n\n");
          unsubscribe = bus.subscribe((e) => send(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`));
          const { clock, keepAliveMs } = openStreams;
          const keepAlive = () => {
            stopKeepAlive = clock.wakeAt(clock.now() + keepAliveMs, () => {
              // the next one first: a send that fails closes the stream, and that cancels it
              keepAlive();
              send(": keep-alive\n\n");
            });
          };
          keepAlive();
          request.signal.addEventListener("abort", end);
        },
        cancel() {
          end();
        },
      });
      return new Response(stream, {
        headers: {
          "content-type": "text/event-stream",
          "cache-control": "no-cache",
          connection: "keep-alive",
        },
      });
    },
    {
      detail: {
        summary: "Live task and phone state changes (Server-Sent Events)",
        description: DESCRIPTION,
        tags: ["service"],
        security: [{ bearer: [] }, {}],
        parameters: [
          {
            name: "token",
            in: "query",
            required: false,
            description: "the API token, for clients that cannot send an Authorization header (EventSource)",
            schema: { type: "string" },
          },
        ],
        responses: {
          200: {
            description: "an endless event stream",
            content: { "text/event-stream": { schema: { type: "string" } } },
          },
          401: { description: `code ${Code.unauthorized}` },
          403: { description: `code ${Code.planForbidsApi} or ${Code.foreignRequest}` },
          429: {
            description: `code ${Code.tooManyConnections}: the client holds its cap of streams or connections`,
          },
          503: { description: `code ${Code.streamsFull}: the service holds ${MAX_STREAMS} streams` },
        },
      },
    },
  );
}
