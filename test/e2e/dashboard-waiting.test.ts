// The dashboard says why a task waits and in which time zone its times are, in a real browser (Debian's
// chromium driven by playwright-core) against the compiled executable. No fixed ports: the phone is only
// known, never attached, so its task waits for it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { call, type ServiceProcess, startService } from "../helpers/binary.ts";

const CHROMIUM = "/usr/bin/chromium";
const ZONE = "Europe/Madrid";
const WAITING = "phone PHONE1 is offline: it starts when the phone is back";

describe.skipIf(!existsSync(CHROMIUM))("the dashboard's waiting reasons and time zone", () => {
  let service: ServiceProcess;
  let browser: Browser;
  let page: Page;
  let id: number;
  const errors: string[] = [];

  beforeAll(async () => {
    [service, browser] = await Promise.all([
      startService(["--timezone", ZONE], { devices: ["PHONE1"] }),
      chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--headless=new"] }),
    ]);
    const created = await call(service.url, "POST", "/api/v1/task", {
      serials: ["PHONE1"],
      script_name: "follow",
      script_config: { target_users: ["u1"] },
    });
    id = created.body.data.task_ids[0];
    page = await browser.newPage();
    page.on("pageerror", (e) => errors.push(e.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
  });

  test("a pending row says what it waits for; the header names the service's zone", async () => {
    await page.goto(`${service.url}/#/tasks`);
    const row = page.locator(`tr[data-id="${id}"][data-status="pending"]`);
    await row.waitFor();
    expect(await row.locator(".waiting").textContent()).toBe(WAITING);
    await page.locator("#clock", { hasText: ZONE }).waitFor();
    expect(await page.locator("#clock").textContent()).toMatch(new RegExp(`^\\d\\d:\\d\\d ${ZONE}$`));
  });

  test("the farm card gives its queue's reason; the New task form reads start_time in the zone", async () => {
    await page.goto(`${service.url}/#/farm`);
    const card = page.locator('article[data-serial="PHONE1"]');
    await card.locator(".queued .waiting").waitFor();
    expect(await card.locator(".queued").textContent()).toBe(`1${WAITING}`);
    await page.goto(`${service.url}/#/new`);
    const help = page.locator("#f-start_time-help");
    await help.waitFor();
    expect(await help.textContent()).toBe(`HH:MM in ${ZONE}; empty: now`);
    expect(errors).toEqual([]);
  });
});
