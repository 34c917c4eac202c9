// GET /health: is the service alive, is its database answering, can it reach adb.
import { type Static, Type as T } from "@sinclair/typebox";
import { type DocumentDecoration, Elysia } from "elysia";
import { VERSION } from "../config.ts";
import { type AdbState, adbDown } from "../devices/index.ts";
import { zonedIso } from "../tasks/schedule.ts";

export interface HealthProbe {
  /** Why the database cannot take writes now (full disk, data folder removed, not answering); null when it can. */
  db(): string | null;
  /** Why a write would not reach the disk (data folder removed, disk full or failing): requests that write are refused with these words. */
  writeRefusal(): string | null;
  /** Recognises a storage failure (full disk, I/O error), marks the database degraded, says what to do. */
  storageFailure(error: unknown): string | null;
  adb(): AdbState;
  devicesOnline(): number;
  plan(): string;
  /**
   * The farm's nodes (one query for the nodes, one for the leases); throws what the database threw. While
   * the database is known not to answer, this node alone, from what it knows.
   */
  nodes(): Promise<NodeHealth[]>;
  /** The service's time zone: start_time and the dashboard's times are read in it. */
  timezone: string;
  now(): number;
}

export const NodeHealthSchema = T.Object({
  name: T.String({ description: "the node's name (--node)" }),
  version: T.String({ description: "the version the node runs" }),
  started_at: T.String({ description: "when the node started, ISO 8601" }),
  heartbeat_at: T.String({
    description:
      "its last heartbeat (every 10 s, PostgreSQL only), ISO 8601; on SQLite, and for this node while the " +
      "database does not answer, the time of this answer or of the last heartbeat saved",
  }),
  state: T.Union([T.Literal("running"), T.Literal("stopped")], {
    description:
      "stopped: its heartbeat stood still for the lease (30 s); its phones went to the other nodes",
  }),
  phones: T.Array(T.String(), {
    description: "the serials of the phones it runs (on PostgreSQL, those whose lease it holds)",
  }),
  this: T.Boolean({ description: "true for the node that answers" }),
});
export type NodeHealth = Static<typeof NodeHealthSchema>;

export const HealthSchema = T.Object({
  status: T.Union([T.Literal("ok"), T.Literal("degraded")]),
  version: T.String(),
  uptime_s: T.Integer(),
  db: T.Union([T.Literal("ok"), T.Literal("error")]),
  /** Only when degraded: what is wrong and what to do (the database first, then adb). */
  reason: T.Optional(T.String()),
  adb: T.Union([
    T.Literal("ok"),
    T.Literal("checking"),
    T.Literal("not_installed"),
    T.Literal("unreachable"),
    T.Literal("off"),
  ]),
  devices_online: T.Integer(),
  plan: T.String(),
  timezone: T.String({ description: "the service's time zone (IANA name): start_time is read in it" }),
  time: T.String({ description: "the service's current time, ISO 8601 with the zone's offset" }),
  nodes: T.Array(NodeHealthSchema, {
    description:
      "the farm's PCs (one on SQLite: this one), by name; while the database does not answer, this node " +
      "alone, with the phones it still runs",
  }),
});

/** The examples' answering node. */
const EXAMPLE_NODE = {
  name: "pc-a",
  version: VERSION,
  started_at: "2026-11-28T08:12:40.000Z",
  heartbeat_at: "2026-11-28T09:12:40.000Z",
  state: "running",
  phones: ["R58M123ABC", "R58M456DEF"],
  this: true,
};

// plain JSON Schema inside: the OpenAPI types cannot see that TypeBox objects are JSON Schema
const HEALTH_DOC: Record<string, unknown> = {
  summary: "Health of the service",
  description:
    "No envelope, no token, no license check. HTTP 503, with `reason`, when the database does not answer; " +
    "when a write failed for lack of disk space or an I/O error and a probe write (64 KiB) still fails; or " +
    "when the data folder was removed or replaced while the service ran (then until a restart). " +
    "HTTP 200 with `status: degraded` and `reason` when adb is `not_installed` (no adb executable: where it " +
    "looked, how to install it) or `unreachable` (its server at HOST:PORT does not answer): the service " +
    "works, but no phone behind adb can be seen. `checking`: the first look at start-up is not over; `off`: no adb " +
    "server is used. `nodes`: the farm's PCs, each with its version, start, last heartbeat, state (`stopped` " +
    "once its heartbeat stood still for the lease, 30 s) and the phones whose lease it holds; on SQLite, this one.",
  tags: ["service"],
  responses: {
    200: {
      description: "the service is up (degraded when adb is missing or does not answer)",
      content: {
        "application/json": {
          schema: HealthSchema,
          examples: {
            ok: {
              value: {
                status: "ok",
                version: VERSION,
                uptime_s: 3600,
                db: "ok",
                adb: "ok",
                devices_online: 12,
                plan: "Pro",
                timezone: "Europe/Madrid",
                time: "2026-11-28T10:12:44+01:00",
                nodes: [
                  EXAMPLE_NODE,
                  {
                    name: "pc-b",
                    version: VERSION,
                    started_at: "2026-11-27T18:00:02.000Z",
                    heartbeat_at: "2026-11-28T09:12:38.000Z",
                    state: "running",
                    phones: ["emulator-5554"],
                    this: false,
                  },
                ],
              },
            },
            adb_down: {
              value: {
                status: "degraded",
                version: VERSION,
                uptime_s: 3600,
                db: "ok",
                reason:
                  'adb server at 127.0.0.1:5037 does not answer, and "/usr/bin/adb -P 5037 start-server" did not ' +
                  "start it: run that command to see why, or fix --adb",
                adb: "unreachable",
                devices_online: 0,
                plan: "Pro",
                timezone: "Europe/Madrid",
                time: "2026-11-28T10:12:44+01:00",
                nodes: [EXAMPLE_NODE],
              },
            },
          },
        },
      },
    },
    503: {
      description: "the database does not answer, its disk is full or failing, or its folder was removed",
      content: {
        "application/json": {
          schema: HealthSchema,
          example: {
            status: "degraded",
            version: VERSION,
            uptime_s: 3600,
            db: "error",
            reason:
              "the database postgres://farm:***@db.lan:5432/farm does not take writes (Connection closed): " +
              "nothing was saved",
            adb: "ok",
            devices_online: 12,
            plan: "Pro",
            timezone: "Europe/Madrid",
            time: "2026-11-28T10:12:44+01:00",
            // the last heartbeat saved: the node runs on what it started
            nodes: [{ ...EXAMPLE_NODE, heartbeat_at: "2026-11-28T09:12:20.000Z" }],
          },
        },
      },
    },
  },
};

/** A database that does not answer within this is taken as unreachable: /health is polled, it must not hang. */
const NODES_TIMEOUT_MS = 3000;

function withTimeout<V>(work: Promise<V>, ms: number): Promise<V> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      work.catch(() => {});
      reject(Object.assign(new Error(`no answer within ${ms / 1000} s`), { code: "ETIMEDOUT" }));
    }, ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

export function healthRoutes(probe: HealthProbe, startedAt = Date.now()) {
  return new Elysia().get(
    "/health",
    async ({ set }) => {
      let nodes: NodeHealth[];
      try {
        nodes = await withTimeout(probe.nodes(), NODES_TIMEOUT_MS);
      } catch (e) {
        // the database not answering is this answer's 503; anything else is a bug (500)
        if (!probe.storageFailure(e)) throw e;
        nodes = await probe.nodes();
      }
      const dbReason = probe.db();
      const adb = probe.adb();
      // 503 is the database's: without adb the service still takes, keeps and answers tasks
      if (dbReason) set.status = 503;
      const reason = dbReason ?? (adbDown(adb) ? adb.message : null);
      return {
        status: reason ? "degraded" : "ok",
        version: VERSION,
        uptime_s: Math.floor((Date.now() - startedAt) / 1000),
        db: dbReason ? "error" : "ok",
        ...(reason ? { reason } : {}),
        adb: adb.state,
        devices_online: probe.devicesOnline(),
        plan: probe.plan(),
        timezone: probe.timezone,
        time: zonedIso(probe.now(), probe.timezone),
        nodes,
      };
    },
    {
      // an answer drifting from the documented one is our fault (500), not the poller's
      response: { 200: HealthSchema, 503: HealthSchema },
      detail: HEALTH_DOC as DocumentDecoration,
    },
  );
}
