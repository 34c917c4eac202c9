// SIGTERM with the grace period against the compiled executable: a task that cannot finish within the grace
// is interrupted at once; one that can finishes. Proved by the tasks' state and logs, read after a restart.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VirtualPhone } from "@farm/virtual-phone";
import { type AdbServer, startAdbServer } from "../helpers/adb.ts";
import { buildBinary, call, startBinary } from "../helpers/binary.ts";
import { waitFor } from "../helpers/wait.ts";

let dir: string;
let binary: string;
let adb: AdbServer;
let phone: VirtualPhone;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "farm-grace-"));
  binary = await buildBinary();
  adb = await startAdbServer();
  phone = await VirtualPhone.start({ serial: "GRACE0", popups: false });
});
afterAll(async () => {
  await phone.stop();
  await adb.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs test_sleep with `config`, sends SIGTERM once it ran its marker, returns the task as the next start reads it. */
async function sigtermDuring(name: string, config: Record<string, unknown>, graceS = 30) {
  const args = [
    "--data-dir",
    join(dir, name),
    "--adb",
    `127.0.0.1:${adb.port}`,
    "--grace-period",
    String(graceS),
  ];
  const env = { FARM_TEST_SCRIPTS: "1" };
  const running = await startBinary(binary, args, dir, env);
  const serial = `${phone.host}:${phone.port}`;
  expect(
    (await call(running.url, "POST", "/api/v1/device/connect", { host: phone.host, port: phone.port }))
      .status,
  ).toBe(200);
  const created = await call(running.url, "POST", "/api/v1/task", {
    serials: [serial],
    script_name: "test_sleep",
    script_config: config,
  });
  const id = created.body.data.task_ids[0] as number;
  await waitFor("the task running", async () => {
    const t = await call(running.url, "GET", `/api/v1/task/${id}`);
    return t.body.data.logs.some((l: { message: string }) => l.message === "mark");
  });
  running.proc.kill("SIGTERM");
  expect(await running.proc.exited).toBe(0);
  const after = await startBinary(binary, args, dir, env);
  try {
    const task = (await call(after.url, "GET", `/api/v1/task/${id}`)).body.data;
    return { task, log: running.log() };
  } finally {
    after.proc.kill("SIGTERM");
    await after.proc.exited;
  }
}

test("a 300 s test_sleep with a 30 s grace is interrupted at once, with the shutdown's reason", async () => {
  const { task, log } = await sigtermDuring("long", { seconds: 300 });
  expect(task.status_text).toBe("failed");
  expect(task.error).toBe("interrupted: the service stopped while this task was running");
  const line = task.logs.find((l: { message: string }) => l.message.startsWith("interrupted at once"));
  expect(line.message).toMatch(/^interrupted at once: about (29\d|300) s left, more than the 30 s grace$/);
  // it ended before the grace it would otherwise have waited for was over
  expect(Date.parse(task.finished_at)).toBeLessThan(Date.parse(line.at) + 30_000);
  expect(log).toContain("interrupted at once");
}, 60_000);

test("a 2 s test_sleep with a 30 s grace completes within the grace", async () => {
  const { task, log } = await sigtermDuring("short", { seconds: 2 });
  expect(task.status_text).toBe("completed");
  expect(task.error).toBeNull();
  expect(task.logs.some((l: { message: string }) => l.message.startsWith("interrupted"))).toBe(false);
  expect(log).toContain("waiting up to 30 s for 1 running task(s)");
}, 60_000);

test("an irreversible run keeps the grace, however long it still has to go", async () => {
  const { task, log } = await sigtermDuring("irreversible", { seconds: 300, irreversible: true }, 2);
  expect(task.status_text).toBe("failed");
  expect(task.error).toBe("interrupted: the service stopped while this task was running");
  expect(task.logs.some((l: { message: string }) => l.message.startsWith("interrupted at once"))).toBe(false);
  expect(log).toContain("waiting up to 2 s for 1 running task(s)");
  expect(log).not.toContain("interrupted at once");
}, 60_000);
