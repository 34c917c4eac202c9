// The dashboard in chromium with 100 phones and 100,000 tasks while 50 task changes a second arrive on the
// event stream: time until the Farm and Tasks pages are usable, the page's main-thread busy share and JS heap,
// and the bytes it downloads (first load, then per second). The baseline, measured in the same run, is the
// same page on the same database with no changes arriving.
// Then the Farm page with 100 virtual phones online (--simulate 100) and its live screens off, then every 2 s:
// the page's main-thread share and bytes per second, and the service's CPU per minute.
// Usage: bun bench/dashboard.ts [--tasks 100000] [--rate 50] [--seconds 10]
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CDPSession, chromium, type Page } from "playwright-core";
import { numberFlags } from "./lib/args.ts";
import { startService, stopProcess } from "./lib/process.ts";
import { seed } from "./lib/seed.ts";

const { tasks: N, rate: RATE, seconds: SECONDS } = numberFlags({ tasks: 100_000, rate: 50, seconds: 10 });
const CHROMIUM = "/usr/bin/chromium";

/** Bytes received and main-thread time so far, from the DevTools protocol. */
async function counters(cdp: CDPSession, received: { bytes: number }) {
  const { metrics } = await cdp.send("Performance.getMetrics");
  const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
  return { busyS: m.TaskDuration ?? 0, heapMb: (m.JSHeapUsedSize ?? 0) / 1e6, bytes: received.bytes };
}

/**
 * Opens `hash` and waits for `ready`; then watches for SECONDS with `changes` running (or not).
 * Returns the figures of one page.
 */
async function measure(
  page: Page,
  cdp: CDPSession,
  url: string,
  hash: string,
  ready: string,
  churn: boolean,
) {
  const received = { bytes: 0 };
  const count = (e: { encodedDataLength: number }) => {
    received.bytes += e.encodedDataLength;
  };
  cdp.on("Network.dataReceived", count);
  const t0 = performance.now();
  await page.goto(`${url}/${hash}`);
  await page.locator(ready).first().waitFor({ timeout: 120_000 });
  const usableMs = performance.now() - t0;
  const first = await counters(cdp, received);
  const stop = churn ? startChanges(url) : () => Promise.resolve(0);
  const w0 = performance.now();
  await Bun.sleep(SECONDS * 1000);
  const wallS = (performance.now() - w0) / 1000;
  const made = await stop();
  const after = await counters(cdp, received);
  cdp.off("Network.dataReceived", count);
  return {
    usableMs,
    firstBytes: first.bytes,
    busyShare: (after.busyS - first.busyS) / wallS,
    heapMb: after.heapMb,
    bytesPerS: (after.bytes - first.bytes) / wallS,
    changesPerS: made / wallS,
  };
}

/**
 * RATE task changes a second through the API: failed tasks retried (→ pending) and stopped again (→ failed).
 * No phone is attached, so a retried task stays pending until stopped. Returns a stopper giving the count.
 */
function startChanges(url: string): () => Promise<number> {
  // the seed makes every fourth task failed (ids 3, 7, 11, …)
  let next = 3;
  let made = 0;
  let running = true;
  const pending: Promise<unknown>[] = [];
  const post = (path: string) =>
    fetch(`${url}/api/v1${path}`, { method: "POST" }).then((r) => r.arrayBuffer());
  const loop = (async () => {
    const gap = 1000 / RATE;
    let due = performance.now();
    while (running) {
      const id = next;
      next += 4;
      pending.push(post(`/task/${id}/retry`).then(() => post(`/task/${id}/stop`)));
      made += 2;
      due += gap * 2;
      await Bun.sleep(Math.max(0, due - performance.now()));
    }
  })();
  return async () => {
    running = false;
    await loop;
    await Promise.all(pending);
    return made;
  };
}

/** CPU seconds a process has used (user + system), from /proc (Linux; 100 ticks a second). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The Farm page with 100 phones online: live screens off, then every 2 s. */
async function screens(browser: Awaited<ReturnType<typeof chromium.launch>>) {
  const dir = mkdtempSync(join(tmpdir(), "farm-bench-screens-"));
  const service = await startService(dir, "--simulate", "100");
  try {
    const get = async (path: string) =>
      ((await (await fetch(`${service.url}/api/v1${path}`)).json()) as { data: never }).data;
    // the demo's match_accounts on every phone first: their work is not the screens'
    for (;;) {
      const online = ((await get("/device")) as { devices: { state: string }[] }).devices.filter(
        (d) => d.state === "online",
      ).length;
      const stats = (await get("/task/stats")) as { pending: number; running: number };
      if (online === 100 && stats.pending + stats.running === 0) break;
      await Bun.sleep(500);
    }
    console.log("\nFarm, 100 phones online   busy %  KB/s  service CPU s/min");
    for (const cadence of ["0", "2"]) {
      const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send("Performance.enable");
      await cdp.send("Network.enable");
      const received = { bytes: 0 };
      cdp.on("Network.dataReceived", (e: { encodedDataLength: number }) => {
        received.bytes += e.encodedDataLength;
      });
      await page.goto(`${service.url}/#/farm`);
      await page.locator("article.card:nth-of-type(100)").waitFor({ timeout: 60_000 });
      await page.locator("#screens").selectOption(cadence);
      const before = await counters(cdp, received);
      const cpu0 = cpuSeconds(service.proc.pid);
      const t0 = performance.now();
      await Bun.sleep(SECONDS * 1000);
      const wallS = (performance.now() - t0) / 1000;
      const after = await counters(cdp, received);
      const cpuPerMin = ((cpuSeconds(service.proc.pid) - cpu0) / wallS) * 60;
      console.log(
        `${(cadence === "0" ? "screens off" : `screens every ${cadence} s`).padEnd(24)} ${(((after.busyS - before.busyS) / wallS) * 100).toFixed(1).padStart(7)}  ${((after.bytes - before.bytes) / 1024 / wallS).toFixed(0).padStart(4)}  ${cpuPerMin.toFixed(1).padStart(17)}`,
      );
      await context.close();
    }
  } finally {
    await stopProcess(service.proc);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (apt-get install chromium)`);
  const dir = mkdtempSync(join(tmpdir(), "farm-bench-ui-"));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--headless=new"],
  });
  try {
    console.log(`seeding ${N} tasks, 100 phones…`);
    seed(dir, N);
    // an adb port where nothing listens: the phones stay as the seed left them, nobody runs the retried tasks
    const service = await startService(dir, "--adb", "127.0.0.1:1");
    try {
      const pages = [
        ["Farm", "#/farm", "article.card:nth-of-type(100)"],
        ["Tasks", "#/tasks", "tbody tr[data-id]"],
      ] as const;
      console.log(`${SECONDS} s per run; ${RATE} changes/s wanted\n`);
      console.log(
        "page   changes/s  usable ms  first KB  busy %  heap MB  KB/s after   (baseline: no changes)",
      );
      for (const [name, hash, ready] of pages) {
        const row = [];
        for (const churn of [false, true]) {
          const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
          const page = await context.newPage();
          const cdp = await context.newCDPSession(page);
          await cdp.send("Performance.enable");
          await cdp.send("Network.enable");
          await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
          row.push(await measure(page, cdp, service.url, hash, ready, churn));
          await context.close();
        }
        for (const [i, r] of row.entries()) {
          console.log(
            `${(i === 0 ? `${name} (base)` : name).padEnd(12)} ${r.changesPerS.toFixed(0).padStart(4)}  ${r.usableMs
              .toFixed(0)
              .padStart(9)}  ${(r.firstBytes / 1024).toFixed(0).padStart(8)}  ${(r.busyShare * 100)
              .toFixed(1)
              .padStart(
                6,
              )}  ${r.heapMb.toFixed(1).padStart(7)}  ${(r.bytesPerS / 1024).toFixed(1).padStart(10)}`,
          );
        }
      }
    } finally {
      await stopProcess(service.proc);
    }
    await screens(browser);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
