/** The `latency` option: each command takes a real phone's time on the phone's clock; transfers are paced. */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AutoClock, ManualClock } from "../../../src/tasks/clock.ts";
import { type AdbServer, startAdbServer } from "../../../test/helpers/adb.ts";
import { waitFor } from "../../../test/helpers/wait.ts";
import {
  LATENCY_PROFILES,
  type LatencyProfile,
  VirtualPhone,
  type VirtualPhoneOptions,
} from "../src/index.ts";

const START = Date.UTC(2026, 0, 1);
let adb: AdbServer;
const phones: VirtualPhone[] = [];
beforeAll(async () => {
  adb = await startAdbServer();
});
// stopping a phone cuts its connections: the adb server forgets it
afterEach(() => Promise.all(phones.splice(0).map((p) => p.stop())));
afterAll(() => adb?.stop());

async function start(opts: VirtualPhoneOptions) {
  const phone = await VirtualPhone.start({ popups: false, ...opts });
  phones.push(phone);
  return phone;
}

/** Connects the adb server to the phone and waits until it is a device. */
async function attach(phone: VirtualPhone) {
  await adb.run(["connect", phone.address]);
  await waitFor("the phone attached", async () =>
    (await adb.run(["-s", phone.address, "get-state"])).text.includes("device"),
  );
}

/** Lets the process handle what is already due (promise callbacks, then one turn of the event loop). */
const settled = () => new Promise((r) => setImmediate(r));

describe("real-usb: commands take their time on the phone's clock", () => {
  test("a dump answers only once the clock passed its 0.8–2.5 s", async () => {
    const clock = new ManualClock(START);
    const phone = await start({ clock, latency: "real-usb" });
    let answer: string | null = null;
    const dump = phone.exec("uiautomator dump /dev/tty").then((r) => {
      answer = r.stdout;
    });
    await settled();
    const wait = phone.waits.find((w) => w.kind === "uiautomator dump");
    if (!wait) throw new Error("the dump did not wait");
    expect(wait.at).toBe(START);
    expect(wait.ms).toBeGreaterThanOrEqual(800);
    expect(wait.ms).toBeLessThanOrEqual(2500);
    clock.advance(wait.ms - 1);
    await settled();
    expect(answer).toBeNull();
    clock.advance(1);
    await dump;
    expect(answer ?? "").toContain("<hierarchy");
  });

  test("through adb: the stream's floor, then input's 300–400 ms; a light dumpsys tens of ms", async () => {
    const clock = new AutoClock(START);
    const phone = await start({ clock, latency: "real-usb" });
    await attach(phone);
    const from = phone.waits.length;
    const before = clock.now();
    await adb.run(["-s", phone.address, "shell", "input tap 500 500 && dumpsys window"]);
    const waits = phone.waits.slice(from);
    expect(waits.map((w) => w.kind)).toEqual(["stream", "input", "dumpsys"]);
    const [stream, input, dumpsys] = waits.map((w) => w.ms) as [number, number, number];
    expect(stream).toBeGreaterThanOrEqual(10);
    expect(input).toBeGreaterThanOrEqual(300);
    expect(input).toBeLessThanOrEqual(400);
    expect(dumpsys).toBeGreaterThanOrEqual(20);
    expect(dumpsys).toBeLessThanOrEqual(60);
    expect(clock.now() - before).toBeGreaterThanOrEqual(stream + input + dumpsys);
  });

  test("no profile: no waits", async () => {
    const phone = await start({ clock: new ManualClock(START) });
    expect((await phone.exec("uiautomator dump /dev/tty")).stdout).toContain("<hierarchy");
    expect(phone.waits).toEqual([]);
  });
});

describe("transfers over the cable", () => {
  test("a push and a pull are no faster than the profile's throughput", async () => {
    const clock = new AutoClock(START);
    const slow: LatencyProfile = { ...LATENCY_PROFILES["real-usb"], usbMBps: [2, 2] };
    const phone = await start({ clock, latency: slow });
    await attach(phone);
    const file = join(tmpdir(), `latency-push-${process.pid}.bin`);
    await writeFile(file, randomBytes(4_000_000));
    try {
      const before = clock.now();
      const push = await adb.run(["-s", phone.address, "push", file, "/sdcard/big.bin"]);
      expect(push.code).toBe(0);
      const pushed = phone.waits.find((w) => w.kind === "push");
      // 4 MB at 2 MB/s: 2 s of the phone's time (a lead under 20 ms is not slept)
      expect(pushed?.ms ?? 0).toBeGreaterThanOrEqual(1980);
      expect(clock.now() - before).toBeGreaterThanOrEqual(1980);
      const pull = await adb.run(["-s", phone.address, "pull", "/sdcard/big.bin", `${file}.back`]);
      expect(pull.code).toBe(0);
      expect(phone.waits.find((w) => w.kind === "pull")?.ms ?? 0).toBeGreaterThanOrEqual(1980);
    } finally {
      await rm(file, { force: true });
      await rm(`${file}.back`, { force: true });
    }
  });
});

describe("the standalone CLI", () => {
  const cli = join(import.meta.dir, "..", "src", "cli.ts");

  test("--latency-profile real-usb: a tap over adb takes a real phone's 300 ms and more", async () => {
    const p = Bun.spawn([process.execPath, cli, "--latency-profile", "real-usb", "--latency", "20"], {
      stdout: "pipe",
      stderr: "inherit",
    });
    try {
      const reader = (p.stdout as ReadableStream<Uint8Array>).getReader();
      let text = "";
      while (!text.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the CLI stopped: ${text}`);
        text += new TextDecoder().decode(value);
      }
      // "SERIAL\tHOST:PORT\tROOT"
      const address = text.split("\t")[1] as string;
      await adb.run(["connect", address]);
      await waitFor("the phone attached", async () =>
        (await adb.run(["-s", address, "get-state"])).text.includes("device"),
      );
      const t = performance.now();
      expect((await adb.run(["-s", address, "shell", "input tap 10 10"])).code).toBe(0);
      // the stream's 20 ms of --latency, its 10 ms floor, the tap's 300 ms
      expect(performance.now() - t).toBeGreaterThanOrEqual(330);
    } finally {
      p.kill("SIGTERM");
      await p.exited;
    }
  });

  test("an unknown profile is refused with the usage", async () => {
    const p = Bun.spawn([process.execPath, cli, "--latency-profile", "wifi"], {
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(await p.exited).toBe(2);
    expect(await new Response(p.stderr).text()).toContain("--latency-profile real-usb");
  });
});
