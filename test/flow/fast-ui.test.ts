/**
 * Fast UI against virtual phones that serve Appium's UiAutomator2 server (its instrumentation, its HTTP
 * endpoints on tcp:6790): installed and started from the embedded APKs, then a follow flow and a post flow
 * read and tap through it (no `uiautomator dump`, no `input tap`); a server that fails mid-task falls back
 * with one log line and the flow still completes; stopping leaves nothing running; uninstall removes it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UIA2_SERVER_PKG, UIA2_TEST_PKG, VirtualPhone } from "@farm/virtual-phone";
import { Value } from "@sinclair/typebox/value";
import { FastUiManager } from "../../src/devices/fast-ui/manager.ts";
import { FastUi } from "../../src/devices/fast-ui/session.ts";
import { Fleet, type Phone } from "../../src/devices/index.ts";
import { followFlow } from "../../src/scripts/follow/flow.ts";
import { postConfig } from "../../src/scripts/post/config.ts";
import { postFlow } from "../../src/scripts/post/flow.ts";
import { AutoClock } from "../../src/tasks/clock.ts";
import { startAdbServer } from "../helpers/adb.ts";
import { FLOW_REALISM, flowContext, startFlowPhone, stopFlowPhones } from "../helpers/flow.ts";
import { loggerInto } from "../helpers/log.ts";
import { waitFor } from "../helpers/wait.ts";

let work: string;
let video: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "farm-fast-ui-"));
  video = join(work, "clip.mp4");
  writeFileSync(video, Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 31 + 7) % 256)));
});
afterEach(stopFlowPhones);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const dumps = (sim: VirtualPhone) =>
  sim.commands.filter((c) => /\buiautomator dump\b/.test(c.command)).length;
/** `input` commands but text (typing stays with `input text` and ADBKeyBoard). */
const inputs = (sim: VirtualPhone) => sim.commands.filter((c) => /\binput (?!text)/.test(c.command)).length;
const inputTaps = (sim: VirtualPhone) =>
  sim.commands.filter((c) => /\binput (tap|swipe)\b/.test(c.command)).length;

async function fastPhone(lines: string[], prepare?: (sim: VirtualPhone) => void) {
  const flow = await startFlowPhone(work, { popups: false });
  prepare?.(flow.sim);
  const fast = new FastUi(flow.phone.adb, flow.phone.goneSignal, { log: loggerInto(lines) });
  flow.phone.fastUi = fast;
  await fast.start();
  return { ...flow, fast };
}

async function follow(phone: Phone, user: string, clock?: AutoClock) {
  const r = flowContext(phone, "tiktok", { dataDir: work, clock });
  try {
    return await followFlow(r.ctx, { action: "follow", user, access: "direct" });
  } finally {
    await r.cleanup();
  }
}

describe("fast UI", () => {
  test("installed from the embedded APKs, started by instrumentation; a follow reads and taps through it", async () => {
    const lines: string[] = [];
    const { sim, phone, fast } = await fastPhone(lines);
    expect(fast.state).toBe("ready");
    expect(sim.device.packages.has(UIA2_SERVER_PKG)).toBe(true);
    expect(sim.device.packages.has(UIA2_TEST_PKG)).toBe(true);
    expect(sim.device.versions.get(UIA2_SERVER_PKG)?.name).toBe("10.6.6");
    expect(sim.uia2.running).toBe(true);
    expect(sim.uia2.settings).toEqual({ waitForIdleTimeout: 0 });
    const before = { dumps: dumps(sim), taps: inputTaps(sim) };
    const result = await follow(phone, "Cats.Daily");
    expect(result.outcome).toBe("followed");
    expect([...sim.apps.tiktok.following]).toEqual(["Cats.Daily"]);
    expect(dumps(sim) - before.dumps).toBe(0);
    expect(inputTaps(sim) - before.taps).toBe(0);
    expect(sim.uia2.requests.some((r) => r.path.endsWith("/source"))).toBe(true);
    expect(sim.uia2.requests.some((r) => r.path.endsWith("/appium/gestures/click"))).toBe(true);
    expect(lines.filter((l) => l.includes("fast UI off"))).toEqual([]);
  });

  test("a post to TikTok goes through it too: no dump, no input tap, swipe or key event", async () => {
    const lines: string[] = [];
    const { sim, phone, fast } = await fastPhone(lines);
    expect(fast.state).toBe("ready");
    const before = { dumps: dumps(sim), inputs: inputs(sim) };
    const r = flowContext(phone, "tiktok", { dataDir: work });
    try {
      await postFlow(r.ctx, {
        files: [video],
        kind: "video",
        caption: "fast #fyp",
        settings: { ...Value.Create(postConfig), upload_wait_time: 10 },
      });
    } finally {
      await r.cleanup();
    }
    expect(sim.apps.tiktok.posts.map((p) => p.caption)).toEqual(["fast #fyp"]);
    expect(dumps(sim) - before.dumps).toBe(0);
    // no `input tap`, `swipe` or `keyevent` either: the keyboard's ENTER and BACK went through the server too
    expect(inputs(sim) - before.inputs).toBe(0);
    expect(sim.uia2.requests.some((q) => q.path.endsWith("/press_keycode"))).toBe(true);
    expect(lines.filter((l) => l.includes("fast UI off"))).toEqual([]);
  });

  for (const failure of ["crash", "500"] as const) {
    test(`the server ${failure === "crash" ? "crashes" : "answers 500"} mid-task: one log line, the flow completes on dump and input`, async () => {
      const lines: string[] = [];
      const { sim, phone, fast } = await fastPhone(lines);
      if (failure === "crash") sim.uia2.crashAfter = 3;
      else {
        sim.uia2.crashAfter = null;
        sim.uia2.failRequests = Number.POSITIVE_INFINITY;
      }
      const result = await follow(phone, "Cats.Daily");
      expect(result.outcome).toBe("followed");
      expect(fast.state).toBe("fallback");
      const said = lines.filter((l) => l.includes("fast UI off"));
      expect(said).toHaveLength(1);
      expect(said[0]).toMatch(
        failure === "crash" ? /instrumentation ended|closed before a whole answer/ : /answered 500/,
      );
      expect(dumps(sim)).toBeGreaterThan(0);
      // stopped on the phone: nothing of it left running
      await waitFor("the server stopped", () => !sim.uia2.running);
    });
  }

  test("after its back-off, a fallen-back server is started again by the next read, the stock tools serving meanwhile", async () => {
    const lines: string[] = [];
    const flow = await startFlowPhone(work, { popups: false });
    const fast = new FastUi(flow.phone.adb, flow.phone.goneSignal, {
      log: loggerInto(lines),
      retryAfterMs: 0,
    });
    flow.phone.fastUi = fast;
    await fast.start();
    flow.sim.uia2.failRequests = 1;
    await flow.phone.dumpUi(); // 500: falls back, read by uiautomator dump
    expect(fast.state).toBe("fallback");
    expect(dumps(flow.sim)).toBe(1);
    await flow.phone.dumpUi(); // the back-off is over: started again in the background, this one stock
    expect(dumps(flow.sim)).toBe(2);
    await waitFor("ready again", () => fast.state === "ready");
    expect(flow.sim.uia2.running).toBe(true);
    await flow.phone.dumpUi();
    expect(dumps(flow.sim)).toBe(2);
    expect(flow.sim.uia2.starts).toBe(2);
    expect(lines.filter((l) => l.includes("fast UI off"))).toHaveLength(1);
  });

  test("a server that will not start (instrumentation crashes) falls back at once, saying why", async () => {
    const lines: string[] = [];
    const { sim, phone, fast } = await fastPhone(lines, (s) => {
      s.uia2.crashOnStart = true;
    });
    expect(fast.state).toBe("fallback");
    expect(fast.reason).toContain("instrumentation ended");
    expect(lines.filter((l) => l.includes("fast UI off"))).toHaveLength(1);
    expect((await phone.dumpUi()).children.length).toBeGreaterThan(0);
    expect(dumps(sim)).toBe(1);
  });

  test("turned on again after a fallback: tried at once, without waiting for the back-off", async () => {
    const lines: string[] = [];
    const flow = await startFlowPhone(work, { popups: false });
    flow.sim.uia2.crashOnStart = true;
    const manager = new FastUiManager({ all: true, log: loggerInto(lines) });
    manager.attach(flow.sim.serial, flow.phone);
    await waitFor("fallen back", () => manager.status(flow.sim.serial).state === "fallback");
    expect(manager.status(flow.sim.serial)).toMatchObject({
      enabled: true,
      reason: expect.stringContaining("instrumentation ended"),
    });
    expect(manager.status(flow.sim.serial).retryAt).toBeGreaterThan(Date.now());
    flow.sim.uia2.crashOnStart = false;
    await manager.setEnabled(flow.sim.serial, true);
    await waitFor("ready", () => manager.status(flow.sim.serial).state === "ready");
    expect(manager.status(flow.sim.serial)).toEqual({
      enabled: true,
      state: "ready",
      reason: null,
      retryAt: null,
    });
    expect(lines.filter((l) => l.includes("fast UI off"))).toHaveLength(1);
  });

  test("an install the phone refuses falls back, saying why", async () => {
    const lines: string[] = [];
    const { fast } = await fastPhone(lines, (s) => {
      s.device.installRefusal = "INSTALL_FAILED_USER_RESTRICTED: Install canceled by user";
    });
    expect(fast.state).toBe("fallback");
    expect(fast.reason).toContain("INSTALL_FAILED_USER_RESTRICTED");
  });

  test("stop: session deleted, instrumentation and packages' processes stopped; uninstall removes both", async () => {
    const lines: string[] = [];
    const { sim, phone, fast } = await fastPhone(lines);
    expect(sim.uia2.running).toBe(true);
    await phone.dumpUi();
    await fast.stop();
    expect(sim.uia2.running).toBe(false);
    expect(sim.uia2.session).toBeNull();
    expect(sim.uia2.requests.some((r) => r.method === "DELETE")).toBe(true);
    expect(sim.commands.some((c) => c.command.includes("am force-stop io.appium.uiautomator2.server"))).toBe(
      true,
    );
    // off: the stock tools again
    await phone.dumpUi();
    expect(dumps(sim)).toBe(1);

    // started again: the packages are there already, nothing pushed a second time
    const pushes = sim.commands.filter((c) => c.command.includes("pm install")).length;
    await fast.start();
    expect(fast.state).toBe("ready");
    expect(sim.commands.filter((c) => c.command.includes("pm install")).length).toBe(pushes);

    const removed = await fast.uninstall(new AbortController().signal);
    expect(removed.sort()).toEqual([UIA2_SERVER_PKG, UIA2_TEST_PKG]);
    expect(sim.uia2.running).toBe(false);
    expect(sim.device.packages.has(UIA2_SERVER_PKG)).toBe(false);
    expect(sim.device.packages.has(UIA2_TEST_PKG)).toBe(false);
  });

  test("a phone that goes away takes its server with it: no warning, nothing to fall back from", async () => {
    const lines: string[] = [];
    const { sim, phone, fast } = await fastPhone(lines);
    await sim.vanish();
    await waitFor("the phone gone", () => phone.closed);
    await waitFor("off", () => fast.state === "off");
    expect(lines.filter((l) => l.includes("fast UI off"))).toEqual([]);
  });

  test("closing the phone (the service stops) stops the server first", async () => {
    const { sim, phone } = await fastPhone([]);
    await phone.close();
    expect(sim.uia2.running).toBe(false);
  });
});

describe("fast UI in the fleet, through the real adb server", () => {
  test("--fast-ui: started when the phone comes online; a follow with no dump; a phone's choice is kept; the fleet's stop leaves nothing running; DELETE's removal", async () => {
    const adb = await startAdbServer();
    const clock = new AutoClock(Date.now());
    const sim = await VirtualPhone.start({ auth: "none", popups: false, clock, realistic: FLOW_REALISM });
    const dir = mkdtempSync(join(work, "fleet-"));
    const settingsFile = join(dir, "fast-ui.json");
    const lines: string[] = [];
    const newFleet = () =>
      new Fleet({
        dataDir: dir,
        adbServer: { port: adb.port },
        pollMs: 200,
        fastUi: { all: true, settingsFile },
        log: loggerInto(lines),
      });
    const fleet = newFleet();
    try {
      await fleet.start();
      const info = await fleet.connect(sim.host, sim.port);
      const serial = info.serial;
      await waitFor("fast UI ready", () => fleet.fastUi.status(serial).state === "ready", 30_000);
      expect(fleet.fastUi.status(serial)).toEqual({
        enabled: true,
        state: "ready",
        reason: null,
        retryAt: null,
      });
      const phone = fleet.phone(serial) as Phone;
      const before = { dumps: dumps(sim), taps: inputTaps(sim) };
      expect((await follow(phone, "Cats.Daily", clock)).outcome).toBe("followed");
      expect(dumps(sim) - before.dumps).toBe(0);
      expect(inputTaps(sim) - before.taps).toBe(0);

      // off for this phone: stopped, remembered; on again: started again
      expect((await fleet.fastUi.setEnabled(serial, false)).state).toBe("off");
      expect(sim.uia2.running).toBe(false);
      expect(JSON.parse(readFileSync(settingsFile, "utf8"))).toEqual({ [serial]: false });
      await fleet.fastUi.setEnabled(serial, true);
      await waitFor("fast UI ready again", () => fleet.fastUi.status(serial).state === "ready", 30_000);

      // the service stops: session deleted, instrumentation ended, nothing of it running on the phone
      await fleet.stop();
      expect(sim.uia2.running).toBe(false);
      expect(sim.uia2.requests.filter((r) => r.method === "DELETE")).toHaveLength(2);

      // removal: uninstalled, and off for this phone from then on
      const again = newFleet();
      try {
        await again.start();
        await again.connect(sim.host, sim.port);
        await waitFor("ready after a restart", () => again.fastUi.status(serial).state === "ready", 30_000);
        const removed = await again.fastUi.remove(serial, new AbortController().signal);
        expect(removed?.sort()).toEqual([UIA2_SERVER_PKG, UIA2_TEST_PKG]);
        expect(sim.device.packages.has(UIA2_SERVER_PKG)).toBe(false);
        expect(sim.uia2.running).toBe(false);
        expect(again.fastUi.status(serial)).toMatchObject({ enabled: false, state: "off" });
      } finally {
        await again.stop();
      }
      expect(lines.filter((l) => l.includes("fast UI off"))).toEqual([]);
    } finally {
      await fleet.stop().catch(() => {});
      await sim.stop();
      await adb.stop();
    }
  }, 90_000);
});
