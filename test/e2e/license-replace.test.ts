// Through the executable: a license file replaced while the service runs changes the plan, and the
// runner uses the new phone limit at once, without a restart.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBinary, type Running, startBinary } from "../helpers/binary.ts";
import { writeLicenseTo } from "../helpers/license.ts";

let dir: string;
let running: Running;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "farm-lic-replace-"));
  // no adb server on this port: the three virtual phones are attached directly
  running = await startBinary(
    await buildBinary(),
    ["--simulate", "3", "--data-dir", dir, "--adb", "127.0.0.1:1"],
    dir,
    { FARM_TEST_SCRIPTS: "1" },
  );
});
afterAll(() => {
  running?.proc.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${running.url}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return ((await res.json()) as { data: any }).data;
}

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(v)}`);
    await Bun.sleep(100);
  }
}

test("a license replaced while running changes the plan and the runner's phone limit", async () => {
  const phones = await until(
    "three phones online",
    async () => (await api("GET", "/api/v1/device")).devices.filter((d: any) => d.state === "online"),
    (list) => list.length === 3,
  );
  expect((await api("GET", "/api/v1/license/check")).plan_name).toBe("Free");
  const stats = () => api("GET", "/api/v1/task/stats");
  // the demo queues a match_accounts per phone at start: they hold the plan's slots until they end
  await until("the demo's tasks ended", stats, (s) => s.pending === 0 && s.running === 0);
  const created = await api("POST", "/api/v1/task", {
    serials: phones.map((p: { serial: string }) => p.serial),
    script_name: "test_sleep",
    script_config: { seconds: 120 },
  });
  expect(created.task_ids).toHaveLength(3);
  await until("two running", stats, (s) => s.running === 2);
  await Bun.sleep(500);
  expect(await stats()).toMatchObject({ running: 2, pending: 1 }); // Free: 2 phones at once

  // the operator drops a Pro license into the data folder
  writeLicenseTo(join(dir, "license.json"), { plan: "Pro", licensee: "Acme" });
  await until("the third task started", stats, (s) => s.running === 3);
  expect(await api("GET", "/api/v1/license/check")).toMatchObject({ plan_name: "Pro", device_limit: 20 });
  expect(running.log()).toMatch(/license: now Pro \(20 phones at once\) for Acme/);

  // replaced again, and read at once on request
  writeLicenseTo(join(dir, "license.json"), { plan: "Business", licensee: "Acme" });
  expect(await api("POST", "/api/v1/license/reload")).toMatchObject({
    plan_name: "Business",
    device_limit: 100,
  });
});
