/** AUTH and connection loss, against Debian's real adb server. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type AdbServer, startAdbServer } from "../../../test/helpers/adb.ts";
import { waitFor } from "../../../test/helpers/wait.ts";
import { VirtualPhone } from "../src/index.ts";

describe("auth and disappearing phones through the real adb", () => {
  let adb: AdbServer;
  const phones: VirtualPhone[] = [];

  const state = async (serial: string): Promise<string | undefined> => {
    const r = await adb.run(["devices"]);
    const line = r.text.split("\n").find((l) => l.startsWith(`${serial}\t`));
    return line?.split("\t")[1]?.trim();
  };

  beforeAll(async () => {
    adb = await startAdbServer();
  });

  afterAll(async () => {
    await adb?.stop();
    for (const p of phones) await p.stop();
  });

  test('auth "accept": adb sends its key, the phone is a device; later the signature suffices', async () => {
    const phone = await VirtualPhone.start({ auth: "accept" });
    phones.push(phone);
    const serial = `127.0.0.1:${phone.port}`;
    await adb.run(["connect", serial]);
    await waitFor("device", async () => (await state(serial)) === "device", 10000);
    expect(phone.receivedKeys.length).toBe(1);
    expect(phone.receivedKeys[0]).toMatch(/^[A-Za-z0-9+/=]{100,} /);
    expect((await adb.run(["-s", serial, "shell", "echo", "ok"])).text).toBe("ok\n");
    // Reconnect: the key is remembered, the signature is verified, no key is sent again.
    await adb.run(["disconnect", serial]);
    await adb.run(["connect", serial]);
    await waitFor("device again", async () => (await state(serial)) === "device", 10000);
    expect(phone.receivedKeys.length).toBe(1);
  });

  test('auth "reject": adb shows unauthorized', async () => {
    const phone = await VirtualPhone.start({ auth: "reject" });
    phones.push(phone);
    const serial = `127.0.0.1:${phone.port}`;
    await adb.run(["connect", serial]);
    await waitFor("unauthorized", async () => (await state(serial)) === "unauthorized", 10000);
    const r = await adb.run(["-s", serial, "shell", "echo", "x"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("unauthorized");
    // The user finally taps "Allow".
    phone.setAuth("accept");
    await waitFor("device after allow", async () => (await state(serial)) === "device", 10000);
    expect((await adb.run(["-s", serial, "shell", "echo", "x"])).text).toBe("x\n");
  });

  test("vanish → offline; comeBack → device again", async () => {
    const phone = await VirtualPhone.start({});
    phones.push(phone);
    const serial = `127.0.0.1:${phone.port}`;
    await adb.run(["connect", serial]);
    await waitFor("device", async () => (await state(serial)) === "device", 10000);
    await phone.vanish();
    await waitFor("offline", async () => (await state(serial)) === "offline", 10000);
    await phone.comeBack();
    await adb.run(["disconnect", serial]);
    await adb.run(["connect", serial]);
    await waitFor("device after comeBack", async () => (await state(serial)) === "device", 10000);
    expect((await adb.run(["-s", serial, "shell", "getprop", "ro.serialno"])).text.trim()).toBe(phone.serial);
  });

  test("reboot: the phone goes away until comeBack, apps stopped", async () => {
    const phone = await VirtualPhone.start({});
    phones.push(phone);
    const serial = `127.0.0.1:${phone.port}`;
    await adb.run(["connect", serial]);
    await waitFor("device", async () => (await state(serial)) === "device", 10000);
    await adb.run(["-s", serial, "shell", "monkey -p com.instagram.android 1"]);
    expect(phone.apps.instagram.screen).toBe("home");
    await adb.run(["-s", serial, "reboot"], 10000);
    await waitFor("gone", async () => (await state(serial)) !== "device", 10000);
    expect(phone.apps.instagram.screen).toBe("closed");
    expect(phone.commands.some((c) => c.service === "reboot")).toBe(true);
    await phone.comeBack();
  });
});
