/**
 * Appium's UiAutomator2 server on the virtual phone, driven by the real adb CLI: the APKs pushed and installed
 * (`pm install` reads their manifests: package and versionName), `am instrument -w` starting the server, its HTTP
 * endpoints through `adb forward` (the adb server's forward to the phone's `tcp:6790`), a tap applied to the
 * launcher, the instrumentation ending with its shell or with `am force-stop`; a refusal when it is not installed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { dirname, join } from "node:path";
import { ADB, type AdbServer, startAdbServer } from "../../../test/helpers/adb.ts";
import { freePort } from "../../../test/helpers/ports.ts";
import { waitFor } from "../../../test/helpers/wait.ts";
import { UIA2_RUNNER, UIA2_SERVER_PKG, UIA2_TEST_PKG, VirtualPhone } from "../src/index.ts";

const APKS = join(dirname(require.resolve("appium-uiautomator2-server/package.json")), "apks");
const SERVER_APK = join(APKS, "appium-uiautomator2-server-v10.6.6.apk");
const TEST_APK = join(APKS, "appium-uiautomator2-server-debug-androidTest.apk");

// biome-ignore lint/suspicious/noExplicitAny: the server's JSON answers, read by the test
type Answer = { value: any };
const json = async (r: Promise<Response>) => (await (await r).json()) as Answer;

let adb: AdbServer;
const phones: VirtualPhone[] = [];
beforeAll(async () => {
  adb = await startAdbServer();
});
afterEach(() => Promise.all(phones.splice(0).map((p) => p.stop())));
afterAll(() => adb?.stop());

async function attached() {
  const phone = await VirtualPhone.start({ popups: false });
  phones.push(phone);
  await adb.run(["connect", phone.address]);
  await waitFor("attached", async () =>
    (await adb.run(["-s", phone.address, "get-state"])).text.includes("device"),
  );
  const run = (...args: string[]) => adb.run(["-s", phone.address, ...args], 30_000);
  return { phone, run };
}

async function install(run: (...args: string[]) => Promise<{ text: string }>) {
  for (const [local, remote] of [
    [SERVER_APK, "/data/local/tmp/s.apk"],
    [TEST_APK, "/data/local/tmp/t.apk"],
  ] as const) {
    await run("push", local, remote);
    expect((await run("shell", "pm", "install", "-r", "-g", remote)).text).toContain("Success");
  }
}

describe("UiAutomator2 server", () => {
  test("installed from its APKs, started by instrumentation, served through adb forward; stopped with its shell", async () => {
    const { phone, run } = await attached();
    expect((await run("shell", "am", "instrument", "-w", UIA2_RUNNER)).text).toContain(
      "Unable to find instrumentation info",
    );
    await install(run);
    expect(phone.device.versions.get(UIA2_SERVER_PKG)).toEqual({ code: 278, name: "10.6.6" });
    expect((await run("shell", "dumpsys", "package", UIA2_SERVER_PKG)).text).toContain("versionName=10.6.6");
    expect((await run("shell", "pm", "list", "packages", UIA2_TEST_PKG)).text.trim()).toBe(
      `package:${UIA2_TEST_PKG}`,
    );

    // nothing listens yet: the forward's connection is refused by the phone
    const port = await freePort();
    await run("forward", `tcp:${port}`, "tcp:6790");
    await expect(fetch(`http://127.0.0.1:${port}/status`)).rejects.toThrow();

    const instrument = Bun.spawn(
      [
        ADB,
        "-P",
        String(adb.port),
        "-s",
        phone.address,
        "shell",
        "am",
        "instrument",
        "-w",
        "-e",
        "disableAnalytics",
        "true",
        UIA2_RUNNER,
      ],
      { env: adb.env, stdout: "pipe", stderr: "pipe" },
    );
    await waitFor("the server running", () => phone.uia2.running);
    const base = `http://127.0.0.1:${port}`;
    const status = await json(fetch(`${base}/status`));
    expect(status.value).toMatchObject({ ready: true, build: { version: "10.6.6", versionCode: 278 } });
    const created = await json(
      fetch(`${base}/session`, {
        method: "POST",
        body: JSON.stringify({ capabilities: { firstMatch: [{}] } }),
      }),
    );
    const id = created.value.sessionId as string;
    expect(id).toBe(phone.uia2.session as string);
    const source = await json(fetch(`${base}/session/${id}/source`));
    expect(source.value).toContain(
      '<hierarchy index="0" class="hierarchy" rotation="0" width="1080" height="2400">',
    );
    expect(source.value).toContain("<android.widget.TextView ");
    // a tap on the launcher's TikTok icon opens the app
    const icon =
      /<android\.widget\.TextView [^>]*text="TikTok"[^>]*bounds="\[(\d+),(\d+)\]\[(\d+),(\d+)\]"/.exec(
        source.value,
      );
    expect(icon).not.toBeNull();
    const [x1, y1, x2, y2] = (icon as RegExpExecArray).slice(1).map(Number) as [
      number,
      number,
      number,
      number,
    ];
    const tap = await fetch(`${base}/session/${id}/appium/gestures/click`, {
      method: "POST",
      body: JSON.stringify({ offset: { x: (x1 + x2) / 2, y: (y1 + y2) / 2 } }),
    });
    expect(tap.status).toBe(200);
    expect(phone.foreground?.pkg).toBe("com.zhiliaoapp.musically");
    const wrong = await fetch(`${base}/session/nope/source`);
    expect(wrong.status).toBe(404);
    expect(((await wrong.json()) as Answer).value.error).toBe("invalid session id");

    // the shell that runs the instrumentation goes: the server with it
    instrument.kill();
    await instrument.exited;
    await waitFor("the server stopped", () => !phone.uia2.running);
    await run("forward", "--remove", `tcp:${port}`);
  }, 60_000);

  test("am force-stop ends the instrumentation; one that crashes on start says so", async () => {
    const { phone, run } = await attached();
    await install(run);
    const instrument = run("shell", "am", "instrument", "-w", UIA2_RUNNER);
    await waitFor("the server running", () => phone.uia2.running);
    await run("shell", "am", "force-stop", UIA2_SERVER_PKG);
    expect((await instrument).text).toContain("OK (1 test)");
    expect(phone.uia2.running).toBe(false);

    phone.uia2.crashOnStart = true;
    expect((await run("shell", "am", "instrument", "-w", UIA2_RUNNER)).text).toContain("Process crashed");
    expect(phone.uia2.running).toBe(false);
    expect(phone.uia2.starts).toBe(2);
  }, 60_000);
});
