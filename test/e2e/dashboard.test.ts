// The dashboard at `/` in a real browser (Debian's chromium driven by playwright-core) against the compiled
// executable with three demo phones: what an operator sees and does, with every request kept on the
// service's own host and no console error. Screenshots of each page are kept in the test's temp folder.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { call, type ServiceProcess, startService } from "../helpers/binary.ts";
import { demoSerials } from "../helpers/demo.ts";
import { DEMO_REALISM } from "../helpers/realism.ts";
import { waitFor } from "../helpers/wait.ts";

const CHROMIUM = "/usr/bin/chromium";
const present = existsSync(CHROMIUM);
if (!present) {
  console.warn(
    `test/e2e/dashboard.test.ts skipped: ${CHROMIUM} is missing. Lead: add \`chromium\` to the apt-get list in .ci/run.`,
  );
}

const TOKEN = "dashboard-test-token";
// the demo's phones, as the service announces them (37001… may be taken by something else)
let [PHONE1, PHONE2, PHONE3] = ["", "", ""];
const artifacts = mkdtempSync(join(tmpdir(), "farm-dashboard-"));

/** A page that records what the operator must never get: requests to other hosts, console errors. */
interface Watched {
  page: Page;
  foreign: string[];
  errors: string[];
}

async function watchedPage(context: BrowserContext, serviceUrl: string): Promise<Watched> {
  const page = await context.newPage();
  const host = new URL(serviceUrl).host;
  const foreign: string[] = [];
  const errors: string[] = [];
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (
      (url.protocol === "http:" || url.protocol === "https:" || url.protocol === "ws:") &&
      url.host !== host
    ) {
      foreign.push(r.url());
    }
  });
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`${m.text()} (${m.location().url})`);
  });
  page.on("pageerror", (e) => errors.push(`uncaught: ${e.message}`));
  return { page, foreign, errors };
}

/** The width of an <img> once decoded: 0 unless the browser got a real image. */
const decodedWidth = (img: Locator) =>
  img.evaluate((el) => {
    // no DOM types in this project: the element is an HTMLImageElement
    const image = el as unknown as { decode(): Promise<void>; naturalWidth: number };
    return image.decode().then(() => image.naturalWidth);
  });

const shoot = (page: Page, name: string) =>
  page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

describe.skipIf(!present)("the dashboard", () => {
  let service: ServiceProcess;
  let browser: Browser;
  let context: BrowserContext;
  let w: Watched;
  const api = (method: string, path: string, body?: unknown) =>
    call(service.url, method, `/api/v1${path}`, body);
  const taskOf = async (id: number) => (await api("GET", `/task/${id}`)).body.data;

  beforeAll(async () => {
    console.log(`dashboard screenshots: ${artifacts}`);
    [service, browser] = await Promise.all([
      startService(["--simulate", "3", ...DEMO_REALISM]),
      chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--headless=new"] }),
    ]);
    [PHONE1 = "", PHONE2 = "", PHONE3 = ""] = await demoSerials(service);
    context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    w = await watchedPage(context, service.url);
  });
  afterAll(async () => {
    await browser?.close();
    await service?.stop();
  });

  test("the farm shows the three demo phones, their accounts and a screenshot on demand", async () => {
    const { page } = w;
    await page.goto(`${service.url}/`);
    await page.locator("article.card").nth(2).waitFor();
    const cards = page.locator("article.card");
    expect(await cards.count()).toBe(3);
    for (const [i, serial] of [PHONE1, PHONE2, PHONE3].entries()) {
      const card = page.locator(`article.card[data-serial="${serial}"]`);
      expect(await card.getAttribute("data-state")).toBe("online");
      // in the card's list of accounts (its running match_accounts may name the account in its step too)
      await card
        .getByRole("listitem")
        .filter({ hasText: `@farm${i + 1}.alpha` })
        .waitFor();
    }
    await page
      .locator(`article.card[data-serial="${PHONE1}"]`)
      .getByRole("button", { name: "Screenshot" })
      .click();
    const img = page.locator(`article.card[data-serial="${PHONE1}"] .shot img`);
    await img.waitFor();
    expect(await decodedWidth(img)).toBeGreaterThan(0);
    await shoot(page, "farm");
    await page.emulateMedia({ colorScheme: "dark" });
    await shoot(page, "farm-dark");
    await page.emulateMedia({ colorScheme: "light" });
  });

  test("a phone's Fast UI switch turns it on (ready, said on the card) and off again", async () => {
    const { page } = w;
    await page.goto(`${service.url}/`);
    const card = page.locator(`article.card[data-serial="${PHONE3}"]`);
    const toggle = card.getByRole("checkbox", { name: "on", exact: true });
    expect(await toggle.isChecked()).toBe(false);
    await toggle.check();
    await card.locator(".fast-ui").filter({ hasText: "ready" }).waitFor({ timeout: 30_000 });
    expect((await api("GET", `/device/${PHONE3}`)).body.data.fast_ui).toMatchObject({
      enabled: true,
      state: "ready",
    });
    await shoot(page, "farm-fast-ui");
    await toggle.uncheck();
    await waitFor(
      "off",
      async () => (await api("GET", `/device/${PHONE3}`)).body.data.fast_ui.state === "off",
    );
  });

  test("a 40001 from the API is shown beside the field it names", async () => {
    const { page } = w;
    const before = w.errors.length;
    await page.goto(`${service.url}/#/new?serials=${encodeURIComponent(PHONE1)}`);
    await page.getByLabel("upload_wait_time").fill("99999");
    await page.getByRole("button", { name: "Start" }).click();
    const field = page.locator('[data-path="/script_config/upload_wait_time"] .field-error');
    await field.waitFor();
    expect(await field.textContent()).toContain("3600");
    expect(await page.getByLabel("upload_wait_time").getAttribute("aria-invalid")).toBe("true");
    await shoot(page, "new-task-error");
    // the browser itself logs every 4xx answer; the refused POST /task is this test's point, nothing else is
    const added = w.errors.splice(before);
    expect(added.every((e) => /status of 400/.test(e) && e.includes("/api/v1/task"))).toBe(true);
  });

  test("a post started from the form completes and its row turns completed without a reload", async () => {
    const { page } = w;
    await page.goto(`${service.url}/#/farm`);
    await page.locator(`article.card[data-serial="${PHONE1}"]`).waitFor();
    await page.getByLabel(PHONE1, { exact: true }).check();
    await page.getByRole("button", { name: "New task on 1 selected" }).click();
    await page.getByLabel("Script", { exact: true }).selectOption("post");
    await page.getByLabel("captions").fill("From the dashboard #demo");
    await shoot(page, "new-task");
    // set on this document: a reload would lose it
    await page.evaluate(() => Object.assign(globalThis, { sameDocument: true }));
    await page.getByRole("button", { name: "Start" }).click();
    await page.waitForURL(/#\/tasks$/);
    const created = await waitFor("the post in the API", async () => {
      const list = (await api("GET", "/task?script_name=post")).body.data.tasks;
      return list[0];
    });
    expect(created.source).toBe("ui");
    expect(created.serial).toBe(PHONE1);
    expect(created.script_config.captions).toBe("From the dashboard #demo");
    const row = page.locator(`tr[data-id="${created.id}"]`);
    await row.waitFor();
    await page.locator(`tr[data-id="${created.id}"][data-status="completed"]`).waitFor({ timeout: 90_000 });
    expect((await taskOf(created.id)).status_text).toBe("completed");
    expect(await page.evaluate(() => (globalThis as { sameDocument?: boolean }).sameDocument)).toBe(true);
    await shoot(page, "tasks");
    // its page says it was seen on the account, with the screen that proved it
    await page.goto(`${service.url}/#/task/${created.id}`);
    await page.getByText("Seen on the account").waitFor();
    expect(await page.locator("dd .badge.s-posted").count()).toBe(1);
    const proof = page.getByAltText(`The post of task ${created.id} on the account`);
    await waitFor("the proof's picture", () =>
      proof.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth > 0),
    );
  }, 120_000);

  test("a stop from the page stops a running task", async () => {
    const { page } = w;
    const made = await api("POST", "/task", {
      serials: [PHONE2],
      script_name: "account_warmup",
      script_config: { task_duration: 600 },
    });
    const id = made.body.data.task_ids[0] as number;
    await page.goto(`${service.url}/#/tasks`);
    await page.locator(`tr[data-id="${id}"][data-status="running"]`).waitFor({ timeout: 60_000 });
    await page.locator(`tr[data-id="${id}"]`).getByRole("button", { name: "Stop" }).click();
    await page.locator(`tr[data-id="${id}"][data-status="failed"]`).waitFor({ timeout: 30_000 });
    const task = await taskOf(id);
    expect(task.status_text).toBe("failed");
    expect(task.error).toBe("stopped by user");
  }, 120_000);

  test("a failed task's detail shows its step log and the screen at the failure", async () => {
    const { page } = w;
    const made = await api("POST", "/task", {
      serials: [PHONE3],
      script_name: "follow",
      script_config: { target_users: ["nouser_dashboard"] },
    });
    const id = made.body.data.task_ids[0] as number;
    await waitFor("the follow to fail", async () => (await taskOf(id)).status === 3, 90_000);
    await page.goto(`${service.url}/#/tasks/${id}`);
    const img = page.locator(".shot img");
    await img.waitFor();
    expect(await decodedWidth(img)).toBeGreaterThan(0);
    expect(await page.locator("table.log tbody tr").count()).toBeGreaterThan(0);
    expect(await page.locator(".kv").textContent()).toContain((await taskOf(id)).error);
    await shoot(page, "task-detail");
  }, 120_000);

  test("the counts filter the list; run again replays a post; a batch delete removes the rows picked", async () => {
    const { page } = w;
    await page.goto(`${service.url}/#/tasks`);
    await page.locator("button.count-failed").click();
    await page.locator('button.count-failed[aria-pressed="true"]').waitFor();
    const failed = (await api("GET", "/task?status=3")).body.data.tasks as { id: number }[];
    expect(failed.length).toBe(2);
    await waitFor("only failed rows", async () => (await page.locator("tbody tr[data-id]").count()) === 2);
    expect(await page.locator('tbody tr[data-status="failed"]').count()).toBe(2);

    await page.locator("button.count-all").click();
    const post = (await api("GET", "/task?script_name=post")).body.data.tasks[0];
    await page.locator(`tr[data-id="${post.id}"]`).getByRole("button", { name: "Run again" }).click();
    const again = await waitFor("the replayed post", async () => {
      const list = (await api("GET", "/task?script_name=post")).body.data.tasks;
      return list.length === 2 && list[0];
    });
    expect(again).toMatchObject({ source: "ui", serial: post.serial, script_config: post.script_config });
    // the library's one demo video is posted by this account already: the replay may end either way
    const ended = await waitFor(
      "the replay to end",
      async () => (await taskOf(again.id)).status >= 2 && (await taskOf(again.id)),
      90_000,
    );
    await page.locator(`tr[data-id="${again.id}"][data-status="${ended.status_text}"]`).waitFor();

    page.once("dialog", (d) => d.accept());
    for (const { id } of failed) await page.getByLabel(`Select task ${id}`).check();
    await page.getByRole("button", { name: "Delete selected (2)" }).click();
    for (const { id } of failed) await page.locator(`tr[data-id="${id}"]`).waitFor({ state: "detached" });
    for (const { id } of failed) expect((await api("GET", `/task/${id}`)).body.code).toBe(40401);
  }, 120_000);

  test("a file uploaded on the Materials page appears in the list with its tags", async () => {
    const { page } = w;
    await page.goto(`${service.url}/#/materials`);
    await page.getByLabel("Tags", { exact: true }).fill("dashtag");
    await page.locator("#upload-file").setInputFiles({
      name: "dashboard-clip.mp4",
      mimeType: "video/mp4",
      buffer: Buffer.concat([Buffer.from("\x00\x00\x00\x18ftypisom", "latin1"), Buffer.alloc(4096)]),
    });
    const row = page.locator("tbody tr", { hasText: "dashboard-clip.mp4" });
    await row.waitFor();
    expect(await row.textContent()).toContain("dashtag");
    const listed = (await api("GET", "/material?tag=dashtag")).body.data.materials;
    expect(listed.map((m: { name: string }) => m.name)).toEqual(["dashboard-clip.mp4"]);
    await shoot(page, "materials");
  });

  test("accounts and license pages show the service's data", async () => {
    const { page } = w;
    await page.goto(`${service.url}/#/accounts`);
    await page.getByRole("cell", { name: "@farm2.insta" }).waitFor();
    await shoot(page, "accounts");
    await page.goto(`${service.url}/#/license`);
    await page.locator("#plan").waitFor();
    expect(await page.locator("#plan").textContent()).toBe("Free");
    await shoot(page, "license");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${service.url}/#/tasks`);
    await page.locator("tbody tr").first().waitFor();
    await shoot(page, "tasks-phone");
    await page.setViewportSize({ width: 1366, height: 768 });
  });

  test("every control on every page has a name and is reached by the keyboard; the theme toggles", async () => {
    const { page } = w;
    const loaded = {
      "#/farm": "article.card",
      "#/tasks": "tbody tr[data-id]",
      "#/new": '[data-path="/script_config/captions"]',
      "#/accounts": "tbody td",
      "#/materials": "tbody tr[data-id]",
      "#/license": "#plan",
    };
    for (const [hash, selector] of Object.entries(loaded)) {
      await page.goto(`${service.url}/${hash}`);
      await page.locator(selector).first().waitFor();
      const unnamed = await page.evaluate(() => {
        // runs in the page; no DOM types in this project
        const doc = (
          globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<unknown> } }
        ).document;
        type Control = {
          outerHTML: string;
          tabIndex: number;
          disabled?: boolean;
          labels?: ArrayLike<unknown> | null;
          textContent: string | null;
          getAttribute(name: string): string | null;
          closest(s: string): unknown;
        };
        return Array.from(
          doc.querySelectorAll("button, input, select, textarea, a[href]") as ArrayLike<Control>,
        )
          .filter((c) => !c.closest("[hidden]") && !c.closest("dialog"))
          .filter(
            (c) =>
              c.tabIndex < 0 ||
              !(
                (c.labels && c.labels.length > 0) ||
                c.getAttribute("aria-label") ||
                c.getAttribute("aria-labelledby") ||
                (c.textContent ?? "").trim()
              ),
          )
          .map((c) => c.outerHTML.slice(0, 120));
      });
      expect({ hash, unnamed }).toEqual({ hash, unnamed: [] });
    }
    const theme = page.locator("#theme");
    const themeOf = () =>
      page.evaluate(
        () =>
          (globalThis as unknown as { document: { documentElement: { dataset: { theme?: string } } } })
            .document.documentElement.dataset.theme ?? "auto",
      );
    expect(await themeOf()).toBe("auto");
    await theme.focus();
    await page.keyboard.press("Enter");
    expect(await themeOf()).toBe("light");
    await page.keyboard.press("Enter");
    expect(await themeOf()).toBe("dark");
    await shoot(page, "license-dark");
    await page.keyboard.press("Enter");
    expect(await themeOf()).toBe("auto");
  });

  test("no request went to another host and the console logged no error", () => {
    expect(w.foreign).toEqual([]);
    expect(w.errors).toEqual([]);
  });

  test("with --token the page asks for it once, then works", async () => {
    const guarded = await startService(["--simulate", "1", "--token", TOKEN]);
    try {
      const tokenContext = await browser.newContext({ viewport: { width: 1366, height: 768 } });
      const t = await watchedPage(tokenContext, guarded.url);
      await t.page.goto(`${guarded.url}/`);
      const dialog = t.page.getByRole("dialog", { name: "API token" });
      await dialog.waitFor();
      await shoot(t.page, "token");
      await t.page.getByLabel("Token", { exact: true }).fill(TOKEN);
      await t.page.getByRole("button", { name: "Use this token" }).click();
      // its one phone (on another port than the first service's first phone)
      await t.page.locator('article.card[data-state="online"]').waitFor();
      // kept for the tab: the page loaded again does not ask again
      await t.page.goto(`${guarded.url}/#/license`);
      await t.page.reload();
      await t.page.locator("#plan").waitFor();
      expect(await dialog.isVisible()).toBe(false);
      expect(await t.page.evaluate(() => sessionStorage.getItem("farm-token"))).toBe(TOKEN);
      expect(t.foreign).toEqual([]);
      expect(t.errors).toEqual([]);
      await tokenContext.close();
    } finally {
      await guarded.stop();
    }
  }, 60_000);
});
