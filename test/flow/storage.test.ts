// The runner on a real full disk (a small tmpfs as DATA_DIR, so root only), time on a manual clock: a run
// whose end the disk refuses keeps its phone's slot and its row running, is tried again on the clock, and at
// shutdown is given up without hanging; the next start marks it interrupted.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VirtualPhone } from "@farm/virtual-phone";
import { TaskStatus } from "../../src/domain.ts";
import { testScript } from "../../src/scripts/test-sleep/index.ts";
import type { Db } from "../../src/store/db.ts";
import { ManualClock } from "../../src/tasks/clock.ts";
import { type AdbServer, startAdbServer } from "../helpers/adb.ts";
import { loggerInto } from "../helpers/log.ts";
import { startTestService } from "../helpers/service.ts";
import { waitFor } from "../helpers/wait.ts";

const isRoot = process.getuid?.() === 0;
let dir: string;
let data: string;
let adb: AdbServer;
let phone: VirtualPhone;

beforeAll(async () => {
  if (!isRoot) return;
  dir = mkdtempSync(join(tmpdir(), "farm-runner-full-"));
  data = join(dir, "data");
  mkdirSync(data);
  const mount = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", data]);
  if (mount.exitCode !== 0) throw new Error(`mount tmpfs: ${mount.stderr.toString()}`);
  adb = await startAdbServer();
  phone = await VirtualPhone.start({ serial: "FULLRUN", popups: false });
});
afterAll(async () => {
  if (!isRoot) return;
  await phone?.stop();
  await adb?.stop();
  Bun.spawnSync(["umount", "-l", data]);
  rmSync(dir, { recursive: true, force: true });
});

test.skipIf(!isRoot)(
  "an end the disk refuses holds the slot, is retried on the clock, and is given up only at shutdown",
  async () => {
    const clock = new ManualClock(Date.now());
    const lines: string[] = [];
    const config = { adb: { host: "127.0.0.1", port: adb.port }, dataDir: data, retryMax: 0 };
    const s = await startTestService(config, {
      clock,
      pollMs: 200,
      log: loggerInto(lines),
      scripts: [testScript],
    });
    await s.start();
    await s.deviceService.connect(phone.host, phone.port, false);
    const serial = `${phone.host}:${phone.port}`;
    await waitFor("phone online", () => s.deviceService.onlineSerials().length === 1, 10_000);
    const r = await s.call("POST", "/api/v1/task", {
      serials: [serial],
      script_name: "test_sleep",
      script_config: { seconds: 1 },
    });
    const id = r.body.data.task_ids[0] as number;
    await waitFor("running", async () => (await s.tasks.get(id))?.status === TaskStatus.running, 10_000);

    // no byte left: a file fills the disk, then small writes use up what the database still had
    try {
      writeFileSync(join(data, "filler"), Buffer.alloc(64 * 1024 * 1024));
    } catch {}
    for (let i = 0; i < 10_000; i++) {
      try {
        (s.db as Db).$client.run("insert into storage_probe (id, pad) values (?, zeroblob(4096))", [100 + i]);
      } catch {
        break;
      }
    }
    await waitFor("the end refused", () =>
      lines.some((l) => l.includes(`task ${id}: completed, but not saved yet`)),
    );
    // tried again on the clock, still refused: the row says running and the phone's slot stays taken
    for (let i = 0; i < 3; i++) {
      clock.advance(2000);
      // let the retry run (and wait for the clock again) before the next advance
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect((await s.tasks.get(id))?.status).toBe(TaskStatus.running);
    expect(s.runner.runningOn(serial)).toBe(id);
    expect(lines.some((l) => l.includes("saved now"))).toBe(false);

    // shutdown gives it up (and closes the database on the full disk) instead of waiting for space
    await s.stop();
    expect(lines).toContain(`task ${id}: completed, never saved: the next start will mark it interrupted`);

    rmSync(join(data, "filler"));
    const again = await startTestService(
      { ...config, adb: { host: "127.0.0.1", port: 9 } },
      { clock, scripts: [testScript] },
    );
    expect(await again.tasks.get(id)).toMatchObject({ status: TaskStatus.failed });
    expect((await again.tasks.get(id))?.error).toStartWith("interrupted");
    await again.stop();
  },
  60_000,
);
