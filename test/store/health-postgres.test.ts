// GET /health shows the farm's nodes: on SQLite this PC alone; on PostgreSQL every node, its heartbeat, the
// phones whose lease it holds and whether the others take it as stopped. PostgreSQL stopped under a running
// service: /health answers 503 naming the database (password masked), a new task is refused with the storage
// envelope; PostgreSQL started again: /health answers 200 again, and what was acknowledged is still there.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { testScript } from "../../src/scripts/test-sleep/index.ts";
import { type PrivatePostgres, skipPostgres, startPostgres } from "../helpers/postgres.ts";
import { startTestService, type TestService } from "../helpers/service.ts";
import { waitFor } from "../helpers/wait.ts";

let pg: PrivatePostgres;
const services: TestService[] = [];

beforeAll(async () => {
  if (skipPostgres) return;
  pg = await startPostgres();
});

afterAll(async () => {
  for (const s of services) await s.stop();
  pg?.stop();
});

async function createTask(s: TestService, serial: string) {
  return s.call("POST", "/api/v1/task", {
    serials: [serial],
    script_name: "test_sleep",
    script_config: { seconds: 30 },
  });
}

test("SQLite: /health shows one node, this one, running, with the phones it holds", async () => {
  const s = await startTestService({ node: "solo" }, { scripts: [testScript] });
  services.push(s);
  const res = await s.call("GET", "/health");
  expect(res.status).toBe(200);
  const health = res.body as unknown as { nodes: Record<string, unknown>[] };
  expect(health.nodes).toHaveLength(1);
  expect(health.nodes[0]).toMatchObject({ name: "solo", state: "running", phones: [], this: true });
  expect(Date.parse(health.nodes[0]?.heartbeat_at as string)).toBeGreaterThan(Date.now() - 60_000);
});

test.skipIf(skipPostgres)(
  "PostgreSQL: /health shows each node, its phones, its heartbeat; a still heartbeat is stopped",
  async () => {
    const url = await pg.database("farm_health_nodes");
    const s = await startTestService({ database: url, node: "pc-a" }, { scripts: [testScript] });
    services.push(s);
    const now = Date.now();
    const admin = new Bun.SQL(url, { max: 1 });
    try {
      await admin`insert into nodes (name, version, started_at, heartbeat_at)
        values ('pc-b', '0.0.9', ${now - 3_600_000}, ${now - 2_000}),
               ('pc-c', '0.0.8', ${now - 7_200_000}, ${now - 120_000})`;
      await admin`insert into phone_leases (serial, node, task_id, leased_at)
        values ('B2', 'pc-b', null, ${now}), ('B1', 'pc-b', null, ${now}), ('A1', 'pc-a', null, ${now}),
               ('FREE', null, null, null)`;
    } finally {
      await admin.close();
    }
    const res = await s.call("GET", "/health");
    expect(res.status).toBe(200);
    const { nodes } = res.body as unknown as { nodes: Record<string, unknown>[] };
    expect(nodes).toEqual([
      expect.objectContaining({ name: "pc-a", state: "running", phones: ["A1"], this: true }),
      {
        name: "pc-b",
        version: "0.0.9",
        started_at: new Date(now - 3_600_000).toISOString(),
        heartbeat_at: new Date(now - 2_000).toISOString(),
        state: "running",
        phones: ["B1", "B2"],
        this: false,
      },
      expect.objectContaining({ name: "pc-c", state: "stopped", phones: [], this: false }),
    ]);
  },
);

test.skipIf(skipPostgres)(
  "PostgreSQL stopped: /health 503 naming it (password masked), tasks refused; started again: 200, nothing lost",
  async () => {
    // trust authentication: the password is sent, never checked, and must never be shown
    const url = (await pg.database("farm_health_down")).replace("postgres@", "postgres:s3cret-pw@");
    const s = await startTestService({ database: url, node: "pc-a" }, { scripts: [testScript] });
    services.push(s);
    for (const serial of ["KEPT1", "LOST1", "AFTER1"]) await s.addDevice(serial);
    const kept = await createTask(s, "KEPT1");
    expect(kept.body).toMatchObject({ code: 0 });
    expect((await s.call("GET", "/health")).status).toBe(200);

    pg.halt();
    try {
      // the first request to meet the stopped server: its failed query is the storage envelope, not a bare 500
      const refused = await createTask(s, "LOST1");
      expect(refused.body.code).toBe(50001);
      expect(refused.body.message).toContain("the database postgres://postgres:***@127.0.0.1:");
      expect(refused.body.message).not.toContain("s3cret-pw");
      expect(refused.body.message).not.toContain("internal error: see the service log");

      const down = await s.call("GET", "/health");
      expect(down.status).toBe(503);
      const body = down.body as unknown as Record<string, unknown>;
      expect(body).toMatchObject({ status: "degraded", db: "error" });
      expect(body.reason).toContain("the database postgres://postgres:***@127.0.0.1:");
      expect(JSON.stringify(body)).not.toContain("s3cret-pw");
      // the node still says who it is and what it runs
      expect(body.nodes).toEqual([expect.objectContaining({ name: "pc-a", state: "running", this: true })]);
    } finally {
      pg.resume();
    }

    await waitFor("/health 200 again", async () => (await s.call("GET", "/health")).status === 200, 15_000);
    const id = kept.body.data.task_ids[0] as number;
    expect((await s.call("GET", `/api/v1/task/${id}`)).body.data.status_text).toBe("pending");
    const again = await waitFor(
      "a task taken again",
      async () => {
        const r = await createTask(s, "AFTER1");
        return r.body.code === 0 ? r : undefined;
      },
      10_000,
    );
    expect(again.body.code).toBe(0);

    // stopped again, /health the first to meet it: its own queries find the database gone
    pg.halt();
    try {
      const down = await s.call("GET", "/health");
      expect(down.status).toBe(503);
      expect((down.body as unknown as Record<string, unknown>).reason).toContain("postgres://postgres:***@");
    } finally {
      pg.resume();
    }
    await waitFor("/health 200 again", async () => (await s.call("GET", "/health")).status === 200, 15_000);
  },
);
