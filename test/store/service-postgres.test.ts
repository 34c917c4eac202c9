// The whole service on PostgreSQL (`--database postgres://…`): a task created over the API runs on a virtual
// phone and is read back done; a second service on another data folder, same database, sees it. An
// unreachable or refused database stops the start with a message that names it without its password.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VirtualPhone } from "@farm/virtual-phone";
import { defaultConfig } from "../../src/config.ts";
import { TaskStatus } from "../../src/domain.ts";
import { silentLogger } from "../../src/log.ts";
import { testScript } from "../../src/scripts/test-sleep/index.ts";
import { createService } from "../../src/server.ts";
import { DatabaseUnreachable } from "../../src/store/db.ts";
import { NodeStore } from "../../src/store/nodes.ts";
import { freePort } from "../helpers/ports.ts";
import { type PrivatePostgres, skipPostgres, startPostgres } from "../helpers/postgres.ts";
import { startTestService, type TestService } from "../helpers/service.ts";
import { waitFor } from "../helpers/wait.ts";

let pg: PrivatePostgres;
let url: string;
let phone: VirtualPhone;
const services: TestService[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  if (skipPostgres) return;
  pg = await startPostgres();
  url = await pg.database("farm_service");
  phone = await VirtualPhone.start({ serial: "PG1", popups: false });
});

afterAll(async () => {
  for (const s of services) await s.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  await phone?.stop();
  pg?.stop();
});

test.skipIf(skipPostgres)(
  "a task created over the API runs on a phone and is read back done, from either PC",
  async () => {
    const s = await startTestService({ database: url, node: "pc-1" }, { pollMs: 200, scripts: [testScript] });
    services.push(s);
    await s.start();
    await s.deviceService.connect(phone.host, phone.port, true);
    const serial = `${phone.host}:${phone.port}`;
    await waitFor("online", () => s.deviceService.onlineSerials().includes(serial), 10_000);
    const created = await s.call("POST", "/api/v1/task", {
      serials: [serial],
      script_name: "test_sleep",
      script_config: { seconds: 0.3 },
    });
    expect(created.body.code).toBe(0);
    const [id] = created.body.data.task_ids as [number];
    const done = await waitFor(
      "the task done",
      async () => {
        const r = await s.call("GET", `/api/v1/task/${id}`);
        return r.body.data.status_text === "completed" && r.body.data;
      },
      15_000,
    );
    expect(done.logs.map((l: { message: string }) => l.message)).toContain("completed");
    expect((await s.call("GET", "/api/v1/task/stats")).body.data).toMatchObject({ total: 1, completed: 1 });
    expect((await s.call("GET", "/api/v1/device")).body.data.devices[0]).toMatchObject({
      serial,
      state: "online",
    });
    expect((await s.call("POST", "/api/v1/backup")).body.code).toBe(40901);

    // another PC (another data folder, the same key file: secrets must open on both) reads the same farm
    const otherDir = mkdtempSync(join(tmpdir(), "farm-pg-other-"));
    dirs.push(otherDir);
    copyFileSync(join(s.dir, "secret.key"), join(otherDir, "secret.key"));
    const other = await startTestService(
      { database: url, dataDir: otherDir, node: "pc-2" },
      { pollMs: 200, scripts: [testScript] },
    );
    services.push(other);
    const seen = await other.call("GET", "/api/v1/task?status=2");
    expect(seen.body.data.tasks.map((t: { id: number }) => t.id)).toEqual([id]);
    expect((await other.tasks.get(id))?.status).toBe(TaskStatus.completed);
    // both PCs are on the farm's list of nodes
    expect((await new NodeStore(other.db).list()).map((n) => n.name)).toEqual(["pc-1", "pc-2"]);
  },
);

test.skipIf(skipPostgres)(
  "a database that does not answer stops the start, naming it without its password",
  async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "farm-pg-down-"));
    const port = await freePort();
    const database = `postgres://farm:hunter2-secret@127.0.0.1:${port}/farm`;
    try {
      const error = await createService(
        { ...defaultConfig(), dataDir, database },
        { log: silentLogger },
      ).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DatabaseUnreachable);
      expect((error as Error).message).toContain(`postgres://farm:***@127.0.0.1:${port}/farm`);
      expect((error as Error).message).not.toContain("hunter2");
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
);
