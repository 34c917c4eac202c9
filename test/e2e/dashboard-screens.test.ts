// The dashboard's farm screens, progress, plain-language form, phone-width lists and Wi-Fi connect, in
// Debian's chromium against the compiled executable with three demo phones.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { VirtualPhone } from "@farm/virtual-phone";
import { type Browser, chromium, type Page } from "playwright-core";
import { call, type ServiceProcess, startService } from "../helpers/binary.ts";
import { demoSerials } from "../helpers/demo.ts";
import { waitFor } from "../helpers/wait.ts";

const CHROMIUM = "/usr/bin/chromium";

interface Schema {
  title?: string;
  description?: string;
  anyOf?: { const?: unknown; title?: string }[];
  "x-synonym-of"?: string;
  "x-show-when"?: Record<string, unknown[]>;
  "x-platforms"?: string[];
  properties?: Record<string, Schema>;
}

describe.skipIf(!existsSync(CHROMIUM))("the dashboard's screens, progress, form and narrow layout", () => {
  let service: ServiceProcess;
  let browser: Browser;
  let page: Page;
  let serials: string[] = [];
  const errors: string[] = [];
  const api = (method: string, path: string, body?: unknown) =>
    call(service.url, method, `/api/v1${path}`, body);
  /** How many screenshots each card has drawn, by serial. */
  const shots = () =>
    page.$$eval("article.card", (cards) =>
      Object.fromEntries(
        cards.map((c) => [
          (c as unknown as { dataset: Record<string, string> }).dataset.serial,
          Number((c as unknown as { dataset: Record<string, string> }).dataset.shots ?? 0),
        ]),
      ),
    );

  beforeAll(async () => {
    [service, browser] = await Promise.all([
      startService(["--simulate", "3"]),
      chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--headless=new"] }),
    ]);
    serials = await demoSerials(service);
    page = await browser.newPage({ viewport: { width: 390, height: 600 } });
    page.on("pageerror", (e) => errors.push(e.message));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await service?.stop();
  });

  test("live screens refresh only the cards in view; a thumbnail opens the large view", async () => {
    await page.goto(`${service.url}/#/farm`);
    await page.locator("article.card").nth(2).waitFor();
    await page.locator("#screens").selectOption("2");
    const [first = "", , last = ""] = serials;
    await waitFor("the first card's screen twice", async () => ((await shots())[first] ?? 0) >= 2, 30_000);
    // one column at 390 px: the third card is below the fold and has fetched nothing
    expect((await shots())[last]).toBe(0);
    const img = page.locator(`article.card[data-serial="${first}"] .shot img`);
    expect(
      await img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth),
    ).toBeGreaterThan(0);
    await page.locator(`article.card[data-serial="${last}"]`).scrollIntoViewIfNeeded();
    await waitFor(
      "the third card's screen once in view",
      async () => ((await shots())[last] ?? 0) >= 1,
      30_000,
    );
    await page.locator(`article.card[data-serial="${first}"] button.shot`).click();
    const large = page.locator("dialog.large-shot[open] img");
    await large.waitFor();
    await waitFor("the large view drawn", () =>
      large.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth > 0),
    );
    await page.getByRole("button", { name: "Close" }).click();
    await page.locator("#screens").selectOption("0");
  }, 90_000);

  test("two phones on different screens show different thumbnails, scaled when the service can", async () => {
    const doc = (await call(service.url, "GET", "/swagger/json")).body as unknown as {
      paths: Record<string, { get: { parameters?: { name: string }[] } }>;
    };
    const scales = (doc.paths["/api/v1/device/{serial}/screenshot"]?.get.parameters ?? []).some(
      (p) => p.name === "max_width",
    );
    const [one = "", two = ""] = serials;
    // one phone in the app's feed, the other where match_accounts left it
    const made = await api("POST", "/task", {
      serials: [two],
      script_name: "account_warmup",
      script_config: { task_duration: 600 },
    });
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.goto(`${service.url}/#/farm`);
    await page.locator("article.card").nth(2).waitFor();
    await page.locator("#screens").selectOption("2");
    const pixels = (serial: string) =>
      page.locator(`article.card[data-serial="${serial}"] .shot img`).evaluate((el) => {
        // in the page: the thumbnail's pixels, drawn at a common size
        const img = el as unknown as { naturalWidth: number };
        const doc = (globalThis as unknown as { document: { createElement(t: string): unknown } }).document;
        const canvas = doc.createElement("canvas") as {
          width: number;
          height: number;
          getContext(t: string): {
            drawImage(i: unknown, x: number, y: number, w: number, h: number): void;
            getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
          };
        };
        canvas.width = 60;
        canvas.height = 120;
        const ctx = canvas.getContext("2d");
        ctx.drawImage(img, 0, 0, 60, 120);
        return { width: img.naturalWidth, data: Array.from(ctx.getImageData(0, 0, 60, 120).data) };
      });
    const shown = await waitFor(
      "two thumbnails",
      async () => {
        const s = await shots();
        return (s[one] ?? 0) >= 1 && (s[two] ?? 0) >= 1 && [await pixels(one), await pixels(two)];
      },
      30_000,
    );
    for (const p of shown) expect(p.width).toBeGreaterThan(0);
    if (scales) {
      for (const p of shown) expect(p.width).toBeLessThanOrEqual(240);
      // the virtual phones draw their screens: the feed is not where the other phone is
      await waitFor(
        "different pixels",
        async () => {
          const [a, b] = [await pixels(one), await pixels(two)];
          return a.data.some((v, i) => v !== b.data[i]);
        },
        30_000,
      );
    }
    await page.locator("#screens").selectOption("0");
    expect((await api("POST", `/task/${made.body.data.task_ids[0]}/stop`)).body.code).toBe(0);
  }, 90_000);

  test("a running task shows its elapsed time on the list, the task page and its phone's card", async () => {
    const made = await api("POST", "/task", {
      serials: [serials[1]],
      script_name: "account_warmup",
      script_config: { task_duration: 600 },
    });
    const id = made.body.data.task_ids[0] as number;
    await page.goto(`${service.url}/#/tasks`);
    const elapsed = page.locator(`tr[data-id="${id}"][data-status="running"] .progress .elapsed`);
    await elapsed.waitFor({ timeout: 60_000 });
    expect(await elapsed.textContent()).toMatch(/^\d+ s$|^\d+ min \d\d s$/);
    // warmup's estimate: the share of its time budget used
    await page.locator(`tr[data-id="${id}"] .progress progress`).waitFor();
    await page.goto(`${service.url}/#/tasks/${id}`);
    await page.locator(".kv .progress .elapsed").waitFor();
    await page.goto(`${service.url}/#/farm`);
    await page.locator(`article.card[data-serial="${serials[1]}"] .running .progress .elapsed`).waitFor();
    expect((await api("POST", `/task/${id}/stop`)).body.code).toBe(0);
  }, 90_000);

  test("every script's form shows each field's label, help and API name, choices by meaning, one box per synonym; hints hide what does not apply", async () => {
    const doc = (await call(service.url, "GET", "/swagger/json")).body as unknown as {
      components: { schemas: Record<string, Schema> };
    };
    const scripts = Object.keys(doc.components.schemas)
      .filter((k) => k.startsWith("ScriptConfig_"))
      .map((k) => k.slice("ScriptConfig_".length));
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.goto(`${service.url}/#/new`);
    await page.locator('[data-path="/script_config/captions"]').waitFor();
    const fieldOf = (name: string) => page.locator(`[data-path="/script_config/${name}"]`);
    const visible = (name: string) => fieldOf(name).isVisible();
    let checked = 0;
    let hinted = 0;
    for (const script of scripts) {
      const schema = doc.components.schemas[`ScriptConfig_${script}`] as Schema;
      await page.getByLabel("Script", { exact: true }).selectOption(script);
      await page.locator("legend", { hasText: `Settings of ${script}` }).waitFor();
      for (const [name, prop] of Object.entries(schema.properties ?? {})) {
        const field = fieldOf(name);
        if (prop["x-synonym-of"]) {
          expect({ name, shown: await field.count() }).toEqual({ name, shown: 0 });
          continue;
        }
        // a field hidden for the current choices is still built, with its label
        const text = (await field.locator("label, legend").first().textContent()) ?? "";
        expect({ name, label: text.includes(prop.title ?? name) }).toEqual({ name, label: true });
        expect(await field.locator(".api-name").first().textContent()).toContain(name);
        const help = (prop.description ?? "").replace(/(?:^|; )default .+$/, "").trim();
        if (help) expect(await field.locator(".help").first().textContent()).toBe(help);
        const meanings = (prop.anyOf ?? [])
          .filter((c) => "const" in c)
          .map((c) => c.title ?? String(c.const));
        if (meanings.length) expect(await field.locator("option").allTextContents()).toEqual(meanings);
        checked++;
      }
      for (const [name, prop] of Object.entries(schema.properties ?? {})) {
        // shown only while another field (a select) has one of some values
        const [other, allowed] = Object.entries(prop["x-show-when"] ?? {})[0] ?? [];
        const choices = (other && schema.properties?.[other]?.anyOf) || [];
        if (other && allowed && Object.keys(prop["x-show-when"] ?? {}).length === 1 && choices.length) {
          const control = fieldOf(other).locator("select");
          const off = choices.find((c) => !allowed.includes(c.const as never));
          if (off) {
            await control.selectOption(JSON.stringify(off.const));
            expect({ name, other, shown: await visible(name) }).toEqual({ name, other, shown: false });
          }
          await control.selectOption(JSON.stringify(allowed[0]));
          expect({ name, other, shown: await visible(name) }).toEqual({ name, other, shown: true });
          hinted++;
        }
        // shown only for the app the targets are on
        const platforms = prop["x-platforms"];
        if (platforms && !prop["x-show-when"]) {
          const elsewhere = ["tiktok", "instagram"].find((p) => !platforms.includes(p));
          if (elsewhere) {
            await page.getByLabel("Platform", { exact: true }).selectOption(elsewhere);
            expect({ name, shown: await visible(name) }).toEqual({ name, shown: false });
          }
          await page.getByLabel("Platform", { exact: true }).selectOption(platforms[0] ?? "");
          expect({ name, shown: await visible(name) }).toEqual({ name, shown: true });
          await page.getByLabel("Platform", { exact: true }).selectOption("");
          hinted++;
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(hinted).toBeGreaterThan(0);
  }, 60_000);

  test("Actions line up with their rows; at 390 px every row of Tasks, Accounts and Materials keeps its cells on screen; serials stay whole", async () => {
    const upload = new FormData();
    upload.append("file", new File([new Uint8Array(4096)], "narrow-clip.mp4", { type: "video/mp4" }));
    await fetch(`${service.url}/api/v1/material`, { method: "POST", body: upload });
    // at desktop width a row's Actions cell is a cell of that row: same top and bottom
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.goto(`${service.url}/#/tasks`);
    await page.locator("tbody tr[data-id] td.actions button").first().waitFor();
    const misaligned = await page.$$eval("tbody tr[data-id]", (rows) =>
      rows
        .map((tr) => {
          type Box = { getBoundingClientRect(): { top: number; bottom: number } };
          const row = (tr as unknown as Box).getBoundingClientRect();
          const cell = (tr as unknown as { querySelector(s: string): Box }).querySelector("td.actions");
          const box = cell.getBoundingClientRect();
          return Math.abs(box.top - row.top) < 0.25 && Math.abs(box.bottom - row.bottom) < 0.25
            ? null
            : (tr as unknown as { dataset: { id: string } }).dataset.id;
        })
        .filter((id) => id !== null),
    );
    expect(misaligned).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    // each list, its rows, and what must be seen on them: status and actions
    for (const [hash, rows, shown] of [
      ["#/tasks", "tbody tr[data-id]", "td.status .badge, td.actions button"],
      ["#/accounts", "tbody tr", "td .badge"],
      ["#/materials", "tbody tr[data-id]", "td.actions button"],
    ] as const) {
      await page.goto(`${service.url}/${hash}`);
      await page.locator(rows).first().waitFor();
      const outside = await page.$$eval(`${rows} td, ${rows} .serial`, (els) =>
        els
          .map((el) => {
            const e = el as unknown as {
              getBoundingClientRect(): { left: number; right: number; width: number };
              getClientRects(): ArrayLike<unknown>;
              className: string;
              textContent: string | null;
            };
            const box = e.getBoundingClientRect();
            const broken = e.className === "serial" && e.getClientRects().length > 1;
            return box.width > 0 && (box.left < 0 || box.right > 390 || broken) ? e.textContent : null;
          })
          .filter((t) => t !== null),
      );
      expect({ hash, outside }).toEqual({ hash, outside: [] });
      expect({ hash, shown: (await page.locator(rows).locator(shown).count()) > 0 }).toEqual({
        hash,
        shown: true,
      });
    }
  });

  test("a Wi-Fi phone connects from the page; a refusal shows the API's words", async () => {
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.goto(`${service.url}/#/farm`);
    await page.locator("article.card").first().waitFor();
    const refused = await api("POST", "/device/connect", { host: "127.0.0.1", port: 1 });
    expect(refused.body.code).not.toBe(0);
    await page.getByLabel("Wi-Fi phone", { exact: true }).fill("127.0.0.1");
    await page.getByLabel("Port", { exact: true }).fill("1");
    await page.getByRole("button", { name: "Connect" }).click();
    await page.locator("#connect-error:not([hidden])").waitFor({ timeout: 30_000 });
    expect(await page.locator("#connect-error").textContent()).toBe(refused.body.message);

    const phone = await VirtualPhone.start({ serial: "WIFI_PHONE" });
    try {
      await page.getByLabel("Wi-Fi phone", { exact: true }).fill(phone.host);
      await page.getByLabel("Port", { exact: true }).fill(String(phone.port));
      await page.getByRole("button", { name: "Connect" }).click();
      await page
        .locator(`article.card[data-serial="${phone.host}:${phone.port}"]`)
        .waitFor({ timeout: 30_000 });
    } finally {
      await phone.stop();
    }
    expect(errors).toEqual([]);
  }, 90_000);
});
