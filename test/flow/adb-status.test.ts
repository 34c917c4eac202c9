import { afterAll, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Fleet } from "../../src/devices/index.ts";
import { ADB, adbWrapper } from "../helpers/adb.ts";
import { loggerInto } from "../helpers/log.ts";
import { freePort } from "../helpers/ports.ts";
import { waitFor } from "../helpers/wait.ts";

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

test("no adb server and no adb: unreachable, one log line, keeps going", async () => {
  const work = await mkdtemp(join(tmpdir(), "farm-adb-status-"));
  cleanups.push(() => rm(work, { recursive: true, force: true }));
  const logs: string[] = [];
  const fleet = new Fleet({
    dataDir: work,
    adbServer: { port: await freePort() },
    adbPath: join(work, "no-such-adb"),
    pollMs: 100,
    log: loggerInto(logs),
  });
  await fleet.start();
  cleanups.push(() => fleet.stop());
  expect(fleet.adbStatus).toBe("unreachable");
  await Bun.sleep(1000); // several retries
  expect(fleet.adbStatus).toBe("unreachable");
  expect(logs.length).toBe(1);
  expect(logs[0]).toContain("does not answer");
  expect(fleet.list()).toEqual([]);
  await fleet.stop();
});

test("no adb server but adb installed: the fleet starts it on the given port", async () => {
  const work = await mkdtemp(join(tmpdir(), "farm-adb-start-"));
  const port = await freePort();
  const home = join(work, "home");
  const wrapper = await adbWrapper(work, home);
  cleanups.push(async () => {
    const kill = Bun.spawn([ADB, "-P", String(port), "kill-server"], {
      env: { PATH: process.env.PATH ?? "", HOME: home },
      stdout: "ignore",
      stderr: "ignore",
    });
    await kill.exited;
    await rm(work, { recursive: true, force: true });
  });
  const logs: string[] = [];
  const fleet = new Fleet({
    dataDir: work,
    adbServer: { host: "127.0.0.1", port },
    adbPath: wrapper,
    log: loggerInto(logs),
  });
  await fleet.start();
  cleanups.push(() => fleet.stop());
  await waitFor("adb server up", () => fleet.adbStatus === "ok", 15_000);
  expect(logs.join("\n")).toContain(`127.0.0.1:${port} answers, started by this service`);
  await fleet.stop();
}, 30_000);

test("the adb server dies: phones go offline, the fleet restarts it and re-attaches its network phones", async () => {
  const { VirtualPhone } = await import("@farm/virtual-phone");
  const work = await mkdtemp(join(tmpdir(), "farm-adb-restart-"));
  const port = await freePort();
  const home = join(work, "home");
  const wrapper = await adbWrapper(work, home);
  const phone = await VirtualPhone.start({ auth: "none", model: "Restart Phone" });
  const kill = async () => {
    const k = Bun.spawn([wrapper, "-P", String(port), "kill-server"], { stdout: "ignore", stderr: "ignore" });
    await k.exited;
  };
  cleanups.push(async () => {
    await kill();
    await phone.stop();
    await rm(work, { recursive: true, force: true });
  });
  const logs: string[] = [];
  const fleet = new Fleet({
    dataDir: work,
    adbServer: { port },
    adbPath: wrapper,
    adbStartEveryMs: 1000,
    log: loggerInto(logs),
  });
  await fleet.start();
  cleanups.push(() => fleet.stop());
  expect(fleet.adbStatus).toBe("ok");
  const serial = `127.0.0.1:${phone.port}`;
  await fleet.connect("127.0.0.1", phone.port);
  await waitFor("online", () => fleet.get(serial)?.state === "online", 3000);

  await kill();
  await waitFor("offline", () => fleet.get(serial)?.state === "offline", 3000);
  expect(fleet.phone(serial)).toBeUndefined();
  // Restarted (at most one start attempt a second here, every 5 s by default), the phone attached again.
  await waitFor("online again", () => fleet.get(serial)?.state === "online", 20_000);
  expect(fleet.adbStatus).toBe("ok");
  expect((await fleet.phone(serial)?.shell("echo back"))?.stdout).toBe("back\n");
  await fleet.stop();
}, 40_000);
