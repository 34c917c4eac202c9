import { afterAll, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Fleet } from "../../src/devices/index.ts";
import { ADB, adbWrapper, freePort, waitFor } from "./support.ts";

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
    log: (_level, message) => logs.push(message),
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
    log: (_level, message) => logs.push(message),
  });
  await fleet.start();
  cleanups.push(() => fleet.stop());
  await waitFor("adb server up", () => fleet.adbStatus === "ok", 15_000);
  expect(logs.join("\n")).toContain(`127.0.0.1:${port} is up`);
  await fleet.stop();
}, 30_000);
