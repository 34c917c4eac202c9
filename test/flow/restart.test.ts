// The schedule lives in the database: a service restarted before a task's minute still runs it then.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VirtualPhone } from "@farm/virtual-phone";
import { defaultConfig } from "../../src/config.ts";
import { TaskStatus } from "../../src/domain.ts";
import { silentLogger } from "../../src/log.ts";
import { testScript } from "../../src/scripts/test-sleep/index.ts";
import { createService } from "../../src/server.ts";
import { ManualClock } from "../../src/tasks/clock.ts";
import { type AdbServer, startAdbServer } from "../helpers/adb.ts";
import { waitFor } from "../helpers/wait.ts";

let adb: AdbServer;
let phone: VirtualPhone;
let dir: string;

beforeAll(async () => {
  adb = await startAdbServer();
  phone = await VirtualPhone.start({ popups: false });
  dir = mkdtempSync(join(tmpdir(), "farm-restart-"));
});
afterAll(async () => {
  await phone.stop();
  await adb.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("a scheduled task survives a restart and fires at its minute", async () => {
  const start = Date.parse("2026-11-28T09:00:00.000Z");
  const config = {
    ...defaultConfig(),
    dataDir: dir,
    timezone: "UTC",
    adb: { host: "127.0.0.1", port: adb.port },
  };
  const serial = `${phone.host}:${phone.port}`;

  const first = await createService(config, {
    clock: new ManualClock(start),
    log: silentLogger,
    pollMs: 200,
    scripts: [testScript],
  });
  await first.start();
  await first.deviceService.connect(phone.host, phone.port, false);
  await waitFor("online", () => first.deviceService.onlineSerials().includes(serial), 10_000);
  const { task_ids } = await first.taskService.create({
    serials: [serial],
    script_name: "test_sleep",
    script_config: {},
    start_time: "09:30",
  });
  const id = task_ids[0] as number;
  await first.stop(0);

  const clock = new ManualClock(start + 10 * 60_000);
  const second = await createService(config, {
    clock,
    log: silentLogger,
    pollMs: 200,
    scripts: [testScript],
  });
  try {
    await second.start();
    await waitFor("online again", () => second.deviceService.onlineSerials().includes(serial), 10_000);
    // the phone's coming online wakes the runner, whose pass (a microtask later) starts what is due
    await new Promise(setImmediate);
    expect((await second.tasks.get(id))?.status).toBe(TaskStatus.pending);
    clock.set(Date.parse("2026-11-28T09:30:00.000Z"));
    await waitFor(
      "ran at 09:30",
      async () => (await second.tasks.get(id))?.status === TaskStatus.completed,
      10_000,
    );
    expect(phone.commands.filter((c) => c.command.includes(`farm-task-${id}`))).toHaveLength(1);
  } finally {
    await second.stop(0);
  }
});
