// The adb server the fleet started itself is stopped with the fleet; one that was running before is left alone.
import { afterAll, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Fleet } from "../../src/devices/index.ts";
import { adbWrapper, startAdbServer } from "../helpers/adb.ts";
import { loggerInto } from "../helpers/log.ts";
import { freePort } from "../helpers/ports.ts";
import { waitFor } from "../helpers/wait.ts";

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

async function answers(port: number): Promise<boolean> {
  try {
    const socket = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } });
    socket.end();
    return true;
  } catch {
    return false;
  }
}

test("a server the fleet started is stopped at fleet.stop(), and says so", async () => {
  const work = await mkdtemp(join(tmpdir(), "farm-adb-own-"));
  cleanups.push(() => rm(work, { recursive: true, force: true }));
  const port = await freePort();
  const logs: string[] = [];
  const fleet = new Fleet({
    dataDir: work,
    adbServer: { port },
    adbPath: await adbWrapper(work, join(work, "home")),
    log: loggerInto(logs),
  });
  await fleet.start();
  await waitFor("adb server up", () => fleet.adbStatus === "ok", 15_000);
  expect(fleet.adb.state).toBe("ok");
  expect(fleet.adb.message).toContain("started by this service");
  expect(await answers(port)).toBe(true);
  await fleet.stop();
  await waitFor("port closed", async () => !(await answers(port)), 10_000);
  expect(logs.join("\n")).toContain(`stopped the adb server at 127.0.0.1:${port}`);
}, 30_000);

test("a server that was running before the fleet is left running", async () => {
  const work = await mkdtemp(join(tmpdir(), "farm-adb-theirs-"));
  const adb = await startAdbServer();
  cleanups.push(async () => {
    await adb.stop();
    await rm(work, { recursive: true, force: true });
  });
  const fleet = new Fleet({ dataDir: work, adbServer: { port: adb.port }, log: loggerInto([]) });
  await fleet.start();
  expect(fleet.adb.state).toBe("ok");
  expect(fleet.adb.message).not.toContain("started by this service");
  await fleet.stop();
  expect((await adb.run(["version"])).code).toBe(0);
  expect(await answers(adb.port)).toBe(true);
}, 30_000);

test("no adb: not_installed says where it looked and how to install", async () => {
  const work = await mkdtemp(join(tmpdir(), "farm-adb-none-"));
  cleanups.push(() => rm(work, { recursive: true, force: true }));
  const missing = join(work, "no-such-adb");
  const fleet = new Fleet({
    dataDir: work,
    adbServer: { port: await freePort() },
    adbPath: missing,
    log: loggerInto([]),
  });
  await fleet.start();
  expect(fleet.adb.state).toBe("not_installed");
  expect(fleet.adb.message).toContain(missing);
  expect(fleet.adb.message).toContain("apt-get install adb");
  await fleet.stop();
});
