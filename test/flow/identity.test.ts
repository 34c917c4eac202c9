// A phone is who it is, not where it is: a network phone's hardware serial (ro.serialno) is recorded,
// and when another phone answers at its address, that phone is not used and its tasks are held.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VirtualPhone } from "@farm/virtual-phone";
import { defaultConfig } from "../../src/config.ts";
import { type DeviceInfo, Fleet } from "../../src/devices/index.ts";
import { silentLogger } from "../../src/log.ts";
import { testScript } from "../../src/scripts/test-sleep/index.ts";
import { createService, type Service } from "../../src/server.ts";
import { type AdbServer, startAdbServer } from "../helpers/adb.ts";
import { waitFor } from "../helpers/wait.ts";

let work: string;
let adb: AdbServer;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "farm-identity-"));
  adb = await startAdbServer();
});
afterAll(async () => {
  await adb?.stop().catch(() => {});
  await rm(work, { recursive: true, force: true });
});

/** Another phone now answers at the same address (a DHCP lease handed on): same port, new ro.serialno. */
async function swap(phone: VirtualPhone, hardwareSerial: string): Promise<void> {
  await phone.vanish();
  phone.device.props["ro.serialno"] = hardwareSerial;
  await phone.comeBack();
}

for (const direct of [false, true]) {
  describe(`fleet ${direct ? "direct" : "through the adb server"}`, () => {
    let fleet: Fleet;
    let phone: VirtualPhone;

    beforeAll(async () => {
      phone = await VirtualPhone.start({ serial: "PHONE-A", model: "Pixel 7", auth: "none" });
      fleet = new Fleet({
        dataDir: join(work, direct ? "direct" : "server"),
        adbServer: { port: adb.port },
        log: silentLogger,
        // looked at again sooner than the default 10 s, still well past the 2.5 s watched below
        heldRecheckMs: 4000,
      });
      await fleet.start();
    });
    afterAll(async () => {
      await fleet?.stop();
      await phone?.stop();
    });

    test("the hardware serial is read; another phone at the address is held offline with a hint; the right one is used again", async () => {
      const serial = `127.0.0.1:${phone.port}`;
      await fleet.connect("127.0.0.1", phone.port, { direct });
      const online = await waitFor(
        "online",
        () => fleet.get(serial)?.state === "online" && fleet.get(serial),
        5000,
      );
      expect(online.hardware_serial).toBe("PHONE-A");

      await swap(phone, "PHONE-B");
      const held = await waitFor(
        "held",
        () => fleet.get(serial)?.hint?.includes("PHONE-B") && fleet.get(serial),
        20_000,
      );
      expect(held.state).toBe("offline");
      expect(held.hardware_serial).toBe("PHONE-A");
      expect(held.hint).toStartWith(
        `a different phone (serial PHONE-B) now answers at ${serial}, not PHONE-A: its tasks are held.`,
      );
      expect(fleet.phone(serial)).toBeUndefined();
      if (!direct) {
        // through the server, the same transport is not opened again and again
        const reads = () => phone.commands.filter((c) => c.command.includes("ro.serialno")).length;
        const before = reads();
        await Bun.sleep(2500);
        expect(reads()).toBe(before);
      }

      await swap(phone, "PHONE-A");
      await waitFor("online again", () => fleet.get(serial)?.state === "online", 20_000);
      expect(fleet.get(serial)?.hint).toBeNull();
      expect((await fleet.phone(serial)?.getProp("ro.serialno")) ?? "").toBe("PHONE-A");
    }, 60_000);

    test("a recalled hardware serial (from the store, after a restart) is checked on the first connection", async () => {
      const other = await VirtualPhone.start({ serial: "PHONE-C", model: "Galaxy A12", auth: "none" });
      const serial = `127.0.0.1:${other.port}`;
      try {
        fleet.recall(serial, "PHONE-D");
        const info = await fleet.connect("127.0.0.1", other.port, { direct, keepTrying: true });
        const shown: DeviceInfo =
          info.hint !== null
            ? info
            : await waitFor("held", () => (fleet.get(serial)?.hint ? fleet.get(serial) : undefined), 5000);
        expect(shown.state).toBe("offline");
        expect(shown.hint).toContain("a different phone (serial PHONE-C)");
        expect(shown.hardware_serial).toBe("PHONE-D");
        // detaching forgets who the address was: attached again, the phone there is taken as it is
        await fleet.disconnect("127.0.0.1", other.port);
        await fleet.connect("127.0.0.1", other.port, { direct });
        const taken = await waitFor(
          "online",
          () => fleet.get(serial)?.state === "online" && fleet.get(serial),
          5000,
        );
        expect(taken.hardware_serial).toBe("PHONE-C");
      } finally {
        await fleet.disconnect("127.0.0.1", other.port);
        await other.stop();
      }
    }, 30_000);
  });
}

describe("service", () => {
  let phone: VirtualPhone;
  let service: Service | undefined;
  const dataDir = () => join(work, "service");
  const start = async () => {
    service = await createService(
      { ...defaultConfig(), dataDir: dataDir(), timezone: "UTC", adb: { host: "127.0.0.1", port: adb.port } },
      { log: silentLogger, scripts: [testScript] },
    );
    await service.start();
    return service;
  };
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await (service as Service).app.handle(
      new Request(`http://localhost${path}`, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
    return (await res.json()) as { code: number; message: string; data: any };
  };

  beforeAll(async () => {
    phone = await VirtualPhone.start({ serial: "PHONE-A", model: "Pixel 7", auth: "none" });
  });
  afterAll(async () => {
    await service?.stop(0);
    await phone?.stop();
  });

  test("the device view shows the hardware serial; another phone at the address gets none of the queued tasks, also after a restart", async () => {
    const serial = `127.0.0.1:${phone.port}`;
    let svc = await start();
    const attached = await call("POST", "/api/v1/device/connect", {
      host: "127.0.0.1",
      port: phone.port,
      direct: true,
    });
    expect(attached.code).toBe(0);
    expect(attached.data.hardware_serial).toBe("PHONE-A");

    await swap(phone, "PHONE-B");
    await waitFor(
      "held",
      async () => (await call("GET", `/api/v1/device/${serial}`)).data.hint?.includes("PHONE-B"),
      20_000,
    );
    const created = await call("POST", "/api/v1/task", {
      serials: [serial],
      script_name: testScript.name,
      script_config: { seconds: 0 },
    });
    expect(created.code).toBe(0);
    const id = created.data.task_ids[0];
    // the runner's pass comes a microtask after the task is created: a turn of the loop would show a start
    await new Promise(setImmediate);
    expect((await call("GET", `/api/v1/task/${id}`)).data.status).toBe(0);

    // a restart remembers who the address was: still held
    await svc.stop(0);
    svc = await start();
    const view = await waitFor(
      "held after restart",
      async () => {
        const d = (await call("GET", `/api/v1/device/${serial}`)).data;
        return d.hint?.includes("PHONE-B") && d;
      },
      20_000,
    );
    expect(view.state).toBe("offline");
    expect(view.hardware_serial).toBe("PHONE-A");
    expect(view.queued_count).toBe(1);
    await new Promise(setImmediate);
    expect((await call("GET", `/api/v1/task/${id}`)).data.status).toBe(0);
    expect(phone.commands.some((c) => c.command.includes(`farm-task-${id}`))).toBe(false);

    // the right phone is back: its task runs
    await swap(phone, "PHONE-A");
    await waitFor(
      "task done",
      async () => (await call("GET", `/api/v1/task/${id}`)).data.status === 2,
      20_000,
    );
    expect(phone.commands.some((c) => c.command.includes(`farm-task-${id}`))).toBe(true);
  }, 90_000);
});
