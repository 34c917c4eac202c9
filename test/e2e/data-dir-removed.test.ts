// `rm -rf DATA_DIR` under the running executable: it notices (on its own cadence, said once on the
// console), /health answers 503 with the reason, and writes are refused instead of acknowledged into a
// database that is no longer on disk.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addDevices, buildBinary, call, type Running, startBinary } from "../helpers/binary.ts";
import { waitFor } from "../helpers/wait.ts";

let dir: string;
let data: string;
let running: Running | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "farm-rmrf-"));
  data = join(dir, "data");
  await addDevices(data, ["RM1"]);
});
afterAll(async () => {
  running?.proc.kill("SIGKILL");
  await running?.proc.exited;
  rmSync(dir, { recursive: true, force: true });
});

const task = { serials: ["RM1"], script_name: "test_sleep", script_config: { seconds: 1 } };

test("the data folder removed while running: noticed once, /health 503, writes refused", async () => {
  const svc = await startBinary(await buildBinary(), ["--data-dir", data, "--adb", "127.0.0.1:9"], dir, {
    FARM_TEST_SCRIPTS: "1",
  });
  running = svc;
  expect((await call(svc.url, "POST", "/api/v1/task", task)).body.code).toBe(0);
  expect((await call(svc.url, "GET", "/health")).status).toBe(200);

  rmSync(data, { recursive: true, force: true });
  // no request needed: the service's own check says it
  await waitFor("the console line", () => svc.log().includes("was removed or replaced"), 15_000);

  const refused = await call(svc.url, "POST", "/api/v1/task", task);
  expect(refused.status).toBe(500);
  expect(refused.body.code).toBe(50001);
  expect(refused.body.message).toContain(`the data folder ${data} was removed or replaced`);
  expect(refused.body.message).toContain("restart the service");
  const health = await call(svc.url, "GET", "/health");
  expect(health.status).toBe(503);
  expect(health.body).toMatchObject({ status: "degraded", db: "error" });
  expect((health.body as unknown as { reason: string }).reason).toContain("was removed or replaced");
  // reads still answer (from what the service still holds open)
  expect((await call(svc.url, "GET", "/api/v1/task/stats")).body.code).toBe(0);
  // nothing was written anywhere, and the operator was told once
  expect(existsSync(data)).toBe(false);
  expect(svc.log().split("was removed or replaced").length - 1).toBe(1);

  svc.proc.kill("SIGTERM");
  expect(await svc.proc.exited).toBe(0);
}, 60_000);
