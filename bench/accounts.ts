// Accounts at scale: N virtual phones (100 by default) each signed in to 8 TikTok accounts, against the
// compiled executable in its own process on the Business plan. Measures:
// 1. match_accounts across the fleet: total time and the service's CPU seconds;
// 2. a multi-account `follow` to every account (N × 8 tasks, each switching account first): time to finish,
//    switches per minute per phone, due → running p99;
// beside a baseline in the same run: the same number of test_sleep tasks (no app, no switch) on the same
// phones, so the cost of switching shows as a ratio.
// Usage: bun bench/accounts.ts [--phones 100] [--accounts 8] [--timeout 1200] [--source]
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { waitFor } from "../test/helpers/wait.ts";
import { type Farm, startFarm } from "./lib/farm.ts";
import { Sampler } from "./lib/proc.ts";
import { percentile, readTaskTimes, runFigures, type TaskTimes } from "./lib/tasks.ts";

const { values } = parseArgs({
  options: {
    phones: { type: "string", default: "100" },
    accounts: { type: "string", default: "8" },
    timeout: { type: "string", default: "1200" },
    source: { type: "boolean", default: false },
  },
});
const PHONES = Number(values.phones);
const ACCOUNTS = Number(values.accounts);
const TIMEOUT_MS = Number(values.timeout) * 1000;

/** Sends the requests, waits for all their tasks to end; wall and CPU seconds of the service meanwhile. */
async function measure(farm: Farm, bodies: Record<string, unknown>[], expected: number) {
  const before = await farm.api("GET", "/api/v1/task/stats");
  const sampler = new Sampler(farm.service.proc.pid);
  let created = 0;
  for (const body of bodies) created += (await farm.api("POST", "/api/v1/task", body)).created_count ?? 0;
  if (created !== expected) throw new Error(`created ${created} of ${expected}`);
  await waitFor(
    `${expected} tasks to end`,
    async () => {
      const s = await farm.api("GET", "/api/v1/task/stats");
      return s.pending === 0 && s.running === 0 && (s.total ?? 0) - (before.total ?? 0) === expected;
    },
    farm.left(),
  );
  const usage = sampler.stop();
  const after = await farm.api("GET", "/api/v1/task/stats");
  return { ...usage, failed: (after.failed ?? 0) - (before.failed ?? 0) };
}

/** The scheduling figures of one script's tasks in the run's database. */
function figuresOf(dbFile: string, script: string) {
  const db = new Database(dbFile, { readonly: true });
  const ids = new Set(
    (db.query("select id from tasks where script_name = ?").all(script) as { id: number }[]).map((r) => r.id),
  );
  db.close();
  const rows = readTaskTimes(dbFile).filter((r: TaskTimes) => ids.has(r.id));
  return runFigures(rows);
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "farm-bench-accounts-"));
  let farm: Farm | undefined;
  try {
    farm = await startFarm({
      dir,
      phones: PHONES,
      serialPrefix: "ACC",
      source: values.source,
      env: { FARM_TEST_SCRIPTS: "1" },
      phoneOptions: (i) => ({
        popups: false,
        accounts: { tiktok: Array.from({ length: ACCOUNTS }, (_, k) => `p${i}_acct${k}`), instagram: [] },
      }),
      deadline: Date.now() + TIMEOUT_MS,
    });
    const { phones, serials } = farm;
    const total = PHONES * ACCOUNTS;

    const sleep = { serials, script_name: "test_sleep", script_config: { seconds: 0 } };
    const match = await measure(
      farm,
      [{ serials, script_name: "match_accounts", script_config: {} }],
      PHONES,
    );
    const accounts = await farm.api<{ total: number }>("GET", "/api/v1/accounts?logined=1&page_size=1");
    // the baselines: as many tasks per phone, without an app or a switch (one request per round keeps
    // each phone's queue even)
    const baseline = await measure(farm, [sleep], PHONES);
    const baselineAll = await measure(
      farm,
      Array.from({ length: ACCOUNTS }, () => sleep),
      total,
    );

    const switches0 = phones.reduce((n, p) => n + p.apps.tiktok.switches, 0);
    // this process hosts the virtual phones: its CPU share says whether they, not the service, set the pace
    const phonesCpu0 = process.cpuUsage();
    const follow = await measure(
      farm,
      [
        {
          serials,
          script_name: "follow",
          script_config: { target_user: "farm_target" },
          enable_multi_account: true,
        },
      ],
      total,
    );
    const switches = phones.reduce((n, p) => n + p.apps.tiktok.switches, 0) - switches0;
    const phonesCpu = process.cpuUsage(phonesCpu0);
    const phonesCpuS = (phonesCpu.user + phonesCpu.system) / 1e6;
    const dumps = phones.reduce(
      (n, p) => n + p.commands.filter((c) => c.command.includes("uiautomator dump")).length,
      0,
    );

    await farm.stop();
    const dbFile = join(dir, "data", "farm.db");
    const followFig = figuresOf(dbFile, "follow");
    const sleepFig = figuresOf(dbFile, "test_sleep");

    console.log(
      `service: ${values.source ? "bun src/main.ts" : "compiled executable"}; Business plan; ${PHONES} phones × ${ACCOUNTS} TikTok accounts`,
    );
    console.log(
      `match_accounts on ${PHONES} phones: ${match.wallS.toFixed(1)} s, service CPU ${match.cpuS.toFixed(1)} s ` +
        `(${((1000 * match.cpuS) / PHONES).toFixed(0)} ms per phone), ${accounts.total} accounts recorded, ${match.failed} failed` +
        ` | baseline: 1 test_sleep per phone ${baseline.wallS.toFixed(1)} s, CPU ${baseline.cpuS.toFixed(1)} s`,
    );
    const minutes = follow.wallS / 60;
    console.log(
      `multi-account follow, ${total} tasks: ${follow.wallS.toFixed(1)} s, ${follow.failed} failed, ` +
        `${switches} switches = ${(switches / PHONES / minutes).toFixed(1)} switches/min/phone, ` +
        `due→running p99 ${percentile(followFig.delays, 99)} ms, on-phone p50 ${percentile(followFig.runs, 50)} ms, ` +
        `service CPU ${follow.cpuS.toFixed(1)} s, peak RSS ${follow.rssPeak.toFixed(0)} MB; ` +
        `the virtual phones' process ${phonesCpuS.toFixed(1)} CPU-s (${((100 * phonesCpuS) / follow.wallS).toFixed(0)} % of one core)`,
    );
    console.log(
      `baseline, ${total} test_sleep tasks (${ACCOUNTS} per phone): ${baselineAll.wallS.toFixed(1)} s, ` +
        `due→running p99 ${percentile(sleepFig.delays, 99)} ms, service CPU ${baselineAll.cpuS.toFixed(1)} s` +
        ` | follow / baseline: time ×${(follow.wallS / baselineAll.wallS).toFixed(1)}, ` +
        `CPU ×${(follow.cpuS / Math.max(0.01, baselineAll.cpuS)).toFixed(1)}`,
    );
    console.log(`UI dumps on the phones: ${dumps} (${(dumps / (total + PHONES)).toFixed(1)} per app task)`);
  } finally {
    await farm?.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
