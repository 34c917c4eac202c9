// Demo phones stay in the demo: attached directly (the user's adb server never sees them), not
// remembered as phones to attach again, gone after a restart without --simulate.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultConfig } from "../../src/config.ts";
import { startDemoPhones } from "../../src/demo.ts";
import { silentLogger } from "../../src/log.ts";
import { createService } from "../../src/server.ts";
import { ADB, type AdbServer, startAdbServer } from "../helpers/adb.ts";
import { loggerInto } from "../helpers/log.ts";
import { waitFor } from "../helpers/wait.ts";

let work: string;
let adb: AdbServer;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "farm-demo-"));
  adb = await startAdbServer();
});
afterAll(async () => {
  await adb?.stop().catch(() => {});
  await rm(work, { recursive: true, force: true });
});

async function adbDevices(): Promise<string> {
  const proc = Bun.spawn([ADB, "-P", String(adb.port), "devices"], { env: adb.env, stdout: "pipe" });
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  return out;
}

test("--simulate phones are private to the service and gone after a restart without it", async () => {
  const config = {
    ...defaultConfig(),
    dataDir: join(work, "data"),
    timezone: "UTC",
    adb: { host: "127.0.0.1", port: adb.port },
  };
  const lines: string[] = [];
  const service = await createService(config, { log: silentLogger });
  await service.start();
  expect(service.fleet.adbStatus).toBe("ok"); // an adb server answers, and still it is not used
  const demo = await startDemoPhones(2, service.fleet, loggerInto(lines));
  const serials = await waitFor(
    "two demo phones online",
    () => {
      const online = service.fleet.list().filter((d) => d.state === "online");
      return online.length === 2 && online.map((d) => d.serial);
    },
    10_000,
  );
  for (const serial of serials) {
    const row = await service.devices.get(serial);
    expect(row?.transport).toBe("direct");
    expect(row?.ephemeral).toBe(true);
    expect(row?.hardwareSerial).toMatch(/^DEMO\d{3}$/);
  }
  const listed = await adbDevices();
  for (const serial of serials) expect(listed).not.toContain(serial);
  expect(lines.join("\n")).toContain("demo: 2 virtual phone(s) attached");

  // exit as main.ts does: the service, then the phones
  await service.stop(0);
  await demo.stop();

  const again = await createService(config, { log: silentLogger });
  try {
    expect(await again.devices.list()).toEqual([]); // forgotten before the first request can see them
    await again.start();
    await Bun.sleep(1500);
    expect(again.fleet.list()).toEqual([]);
    expect(await again.devices.list()).toEqual([]);
    const after = await adbDevices();
    for (const serial of serials) expect(after).not.toContain(serial);
  } finally {
    await again.stop(0);
  }
}, 60_000);

test("--realistic: the demo's phones behave like real ones (Google's permission controller, no Create label)", async () => {
  const config = {
    ...defaultConfig(),
    dataDir: join(work, "data-realistic"),
    timezone: "UTC",
    adb: { host: "127.0.0.1", port: adb.port },
  };
  const lines: string[] = [];
  const service = await createService(config, { log: silentLogger });
  await service.start();
  const demo = await startDemoPhones(1, service.fleet, loggerInto(lines), true);
  try {
    const phone = await waitFor(
      "the demo phone online",
      () => service.fleet.phone(demo.serials[0] as string),
      10_000,
    );
    const packages = await phone.shell("pm list packages");
    expect(packages.stdout).toContain("package:com.google.android.permissioncontroller");
    await phone.shell("monkey -p com.instagram.android -c android.intent.category.LAUNCHER 1");
    const home = await waitFor(
      "Instagram's home",
      async () => {
        const xml = (await phone.shell("uiautomator dump /dev/tty")).stdout;
        return xml.includes("com.instagram.android:id/feed_tab") && xml;
      },
      10_000,
    );
    expect(home).not.toContain("creation_tab");
    expect(lines.join("\n")).toContain("demo: the phones are realistic");
  } finally {
    await service.stop(0);
    await demo.stop();
  }
}, 60_000);
