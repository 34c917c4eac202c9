// Fast UI through the executable: the embedded APKs pushed and installed on a demo phone when the API turns it
// on (the phone is listed `starting`, then `ready`), a follow task runs while it is ready, and DELETE removes
// it.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { call, type ServiceProcess, startService, tasksEnded } from "../helpers/binary.ts";
import { demoSerials } from "../helpers/demo.ts";
import { waitFor } from "../helpers/wait.ts";

let service: ServiceProcess;
let serial: string;

beforeAll(async () => {
  service = await startService(["--simulate", "1"]);
  [serial = ""] = await demoSerials(service);
}, 60_000);
afterAll(async () => {
  await service?.stop();
});

const fastUi = async () =>
  (await call(service.url, "GET", "/api/v1/device")).body.data.devices.find(
    (d: { serial: string }) => d.serial === serial,
  )?.fast_ui;

test("turned on from the API: installed from the executable, ready, a task runs; DELETE removes it", async () => {
  await waitFor("the demo phone online", async () => (await fastUi()) !== undefined, 20_000);
  expect(await fastUi()).toEqual({ enabled: false, state: "off", reason: null, retry_at: null });

  const on = await call(service.url, "POST", `/api/v1/device/${serial}/fast-ui`, { enabled: true });
  expect(on.body.code).toBe(0);
  expect(on.body.data.enabled).toBe(true);
  await waitFor("fast UI ready", async () => (await fastUi())?.state === "ready", 60_000);
  expect(service.log()).toContain("fast UI ready: Appium UiAutomator2 server");

  const created = await call(service.url, "POST", "/api/v1/task", {
    serials: [serial],
    script_name: "follow",
    script_config: { target_users: ["chef.marco"], access_method: "direct" },
  });
  expect(created.body.code).toBe(0);
  const [task] = await tasksEnded(service.url, created.body.data.task_ids, 120_000);
  expect({ status: task.status, error: task.error }).toEqual({ status: 2, error: null });
  expect(await fastUi()).toMatchObject({ enabled: true, state: "ready" });
  expect(service.log()).not.toContain("fast UI off");

  const bad = await call(service.url, "POST", `/api/v1/device/${serial}/fast-ui`, { enabled: "yes" });
  expect(bad.body.code).toBe(40001);
  const unknown = await call(service.url, "POST", "/api/v1/device/NOPE/fast-ui", { enabled: true });
  expect(unknown.body.code).toBe(40401);

  const removed = await call(service.url, "DELETE", `/api/v1/device/${serial}/fast-ui`);
  expect(removed.body.code).toBe(0);
  expect([...removed.body.data.removed].sort()).toEqual([
    "io.appium.uiautomator2.server",
    "io.appium.uiautomator2.server.test",
  ]);
  expect(removed.body.data.fast_ui).toEqual({ enabled: false, state: "off", reason: null, retry_at: null });
}, 240_000);
