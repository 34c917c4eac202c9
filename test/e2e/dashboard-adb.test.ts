// The farm page in a real browser (Debian's chromium driven by playwright-core) against the compiled
// executable with no adb: a banner says what is wrong and what to do, and the empty grid does not blame the phones.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { buildBinary, call, type Running, startBinary } from "../helpers/binary.ts";
import { freePort } from "../helpers/ports.ts";
import { waitFor } from "../helpers/wait.ts";

const CHROMIUM = "/usr/bin/chromium";

describe.skipIf(!existsSync(CHROMIUM))("the farm page without adb", () => {
  let dir: string;
  let running: Running;
  let browser: Browser;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "farm-dashboard-adb-"));
    const args = ["--data-dir", join(dir, "data"), "--adb", `127.0.0.1:${await freePort()}`];
    [running, browser] = await Promise.all([
      buildBinary().then((binary) => startBinary(binary, [...args, "--adb-path", join(dir, "no-adb")], dir)),
      chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--headless=new"] }),
    ]);
    await waitFor("adb checked", async () => {
      const health = (await call(running.url, "GET", "/health")).body as unknown as { adb: string };
      return health.adb === "not_installed";
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    running?.proc.kill("SIGTERM");
    await running?.proc.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  test("a banner with adb's message; the empty grid says no phone can be seen until adb answers", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${running.url}/#/farm`);
    const banner = page.locator("#adb-banner");
    await banner.waitFor({ state: "visible" });
    const message = (await call(running.url, "GET", "/api/v1/device")).body.data.adb.message as string;
    expect(await banner.textContent()).toBe(message);
    expect(message).toContain("adb is not installed");
    await page.getByText("No phone can be seen until adb answers.").waitFor();
    expect(errors).toEqual([]);
  });
});
