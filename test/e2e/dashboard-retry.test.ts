// The dashboard's retries in a real browser (Debian's chromium driven by playwright-core) against the
// compiled executable: "Retry all failed" says what it left failed and why; "Retry" on a task that failed
// after Post was tapped asks first. No fixed ports: the phone is only known, never attached.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { closeDb, openDb } from "../../src/store/db.ts";
import { openSecretBox } from "../../src/store/secret-box.ts";
import { TaskStore } from "../../src/store/tasks.ts";
import { call, type ServiceProcess, startService } from "../helpers/binary.ts";
import { writeMedia } from "../helpers/media.ts";
import { waitFor } from "../helpers/wait.ts";

const CHROMIUM = "/usr/bin/chromium";
const present = existsSync(CHROMIUM);

describe.skipIf(!present)("the dashboard's retries", () => {
  let service: ServiceProcess;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const api = async (method: string, path: string, body?: unknown) =>
    (await call(service.url, method, `/api/v1${path}`, body)).body;
  const ids: Record<"retryable" | "stopped" | "tapped", number> = { retryable: 0, stopped: 0, tapped: 0 };

  /** Three posts, two of them ended as runs on a phone would end them (the phone is offline: none runs). */
  const seedTasks = async (dataDir: string) => {
    const video = writeMedia(join(dataDir, "clip.mp4"), "mp4");
    const db = openDb(join(dataDir, "farm.db"));
    const tasks = new TaskStore(db, await openSecretBox(db, dataDir));
    const post = {
      serial: "PHONE1",
      scriptName: "post",
      scriptConfig: JSON.stringify({ content_type: 0, material_list: [video] }),
    };
    [ids.retryable, ids.stopped, ids.tapped] = (await tasks.create([post, post, post])) as [
      number,
      number,
      number,
    ];
    for (const id of [ids.retryable, ids.tapped]) await tasks.markRunning(id);
    await tasks.markFailed(ids.retryable, "device went offline", "retryable", "offline");
    await tasks.setIrreversible(ids.tapped, "Post was tapped");
    await tasks.markFailed(ids.tapped, "device went offline after Post was tapped", "permanent", "offline");
    closeDb(db);
  };

  beforeAll(async () => {
    [service, browser] = await Promise.all([
      startService([], { devices: ["PHONE1"], prepare: seedTasks }),
      chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--headless=new"] }),
    ]);
    page = await browser.newPage();
    page.on("pageerror", (e) => errors.push(e.message));
    expect((await api("POST", `/task/${ids.stopped}/stop`)).code).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
  });

  test('"Retry all failed" retries the retryable one and says what it left failed, and why', async () => {
    await page.goto(`${service.url}/#/tasks`);
    await page.locator(`tr[data-id="${ids.tapped}"][data-status="failed"]`).waitFor();
    await page.getByRole("button", { name: "Retry all failed" }).click();
    const notice = page.locator("#notice");
    await notice.getByText("queued again").waitFor();
    expect(await notice.textContent()).toBe(
      "1 failed tasks queued again; left failed: 1 failed after Post was tapped (may be published already), " +
        "1 stopped by the user (retry those one by one)",
    );
    await page.locator(`tr[data-id="${ids.retryable}"][data-status="pending"]`).waitFor();
    for (const id of [ids.stopped, ids.tapped]) expect((await api("GET", `/task/${id}`)).data.status).toBe(3);
  });

  test('"Retry" after Post was tapped asks first: declined changes nothing, accepted queues it again', async () => {
    const row = page.locator(`tr[data-id="${ids.tapped}"]`);
    const asked: string[] = [];
    page.once("dialog", (d) => {
      asked.push(d.message());
      void d.dismiss();
    });
    await row.getByRole("button", { name: "Retry" }).click();
    await waitFor("the question", () => asked.length > 0);
    expect(asked[0]).toBe(
      `Task ${ids.tapped} failed after Post was tapped: it may already be published. Run it again anyway?`,
    );
    expect((await api("GET", `/task/${ids.tapped}`)).data).toMatchObject({ status: 3, retry_count: 0 });

    page.once("dialog", (d) => void d.accept());
    await row.getByRole("button", { name: "Retry" }).click();
    await page.locator(`tr[data-id="${ids.tapped}"][data-status="pending"]`).waitFor();
    expect((await api("GET", `/task/${ids.tapped}`)).data).toMatchObject({ status: 0, retry_count: 1 });
    expect(errors).toEqual([]);
  });
});
