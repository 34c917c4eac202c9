// The farm page of a farm on PostgreSQL, in a real browser (Debian's chromium) against the compiled
// executable: the farm's PCs are listed with their state and heartbeat, each phone names the PC that holds it,
// and a banner says so while the database does not answer, gone once it is back.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { type ServiceProcess, startService } from "../helpers/binary.ts";
import { type PrivatePostgres, skipPostgres, startPostgres } from "../helpers/postgres.ts";

const CHROMIUM = "/usr/bin/chromium";

describe.skipIf(!existsSync(CHROMIUM) || skipPostgres)("the farm page on a farm of several PCs", () => {
  let pg: PrivatePostgres;
  let url: string;
  let service: ServiceProcess;
  let browser: Browser;

  beforeAll(async () => {
    pg = await startPostgres();
    url = await pg.database("farm_dashboard_nodes");
    [service, browser] = await Promise.all([
      startService(["--database", url, "--node", "pc-a"]),
      chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--headless=new"] }),
    ]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    pg?.stop();
  });

  test("each PC with its state and heartbeat; the database gone: a banner; back: none", async () => {
    // a second PC of the farm, as it registers itself
    const sql = new Bun.SQL(url);
    const now = Date.now();
    await sql`insert into nodes (name, version, started_at, heartbeat_at, url)
              values ('pc-b', '0.0.9', ${now - 60_000}, ${now - 4_000}, 'http://10.0.0.2:50809')`;
    // and a phone it holds
    await sql`insert into devices (serial, transport, state, model, first_seen, last_seen, node)
              values ('B-PHONE-1', 'usb', 'online', 'Pixel 7', ${now}, ${now}, 'pc-b')`;
    await sql.close();

    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${service.url}/#/farm`);
    const nodes = page.locator("#nodes li");
    await page.locator("#nodes").waitFor({ state: "visible" });
    expect(await nodes.count()).toBe(2);
    const a = await page.locator('#nodes li[data-node="pc-a"]').textContent();
    expect(a).toContain("pc-a (this PC)");
    expect(a).toContain("running");
    const b = await page.locator('#nodes li[data-node="pc-b"]').textContent();
    expect(b).toMatch(/pc-b running 0 phones running · heartbeat \d+ s ago · v0\.0\.9/);
    expect(await page.locator("#db-banner").isHidden()).toBe(true);
    // each phone's card names the PC that holds it
    const card = page.locator('article.card[data-serial="B-PHONE-1"]');
    await card.waitFor();
    expect(await card.locator("dd.node").textContent()).toBe("pc-b");

    pg.halt();
    try {
      // no event tells of it: the page reads /health again every 10 s
      const banner = page.locator("#db-banner");
      await banner.waitFor({ state: "visible", timeout: 30_000 });
      const said = await banner.textContent();
      expect(said).toContain("The database does not answer: the database postgres://postgres@127.0.0.1:");
      expect(said).toContain("new tasks cannot be stored until it is back");
    } finally {
      pg.resume();
    }
    await page.locator("#db-banner").waitFor({ state: "hidden", timeout: 30_000 });
    expect(errors).toEqual([]);
  }, 90_000);
});
