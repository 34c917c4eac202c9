// The runner at scale: 10 and then 100 virtual phones under the Business plan, each with the same queue of
// short tasks (test_sleep, seconds 0: one echo on the phone), against the compiled executable in its own
// process. Measures tasks finished per second, the scheduling delay (due → running), the service's CPU share
// and RSS, and how each grows from 10 to 100 phones.
// Usage: bun bench/runner.ts [--phones 10,100] [--per-phone 100] [--timeout 600] [--source]
//   --source: run `bun src/main.ts` instead of building the executable.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { VirtualPhone } from "@farm/virtual-phone";
import { type AdbServer, startAdbServer } from "../test/helpers/adb.ts";
import { type Running, startBinary } from "../test/helpers/binary.ts";
import { TEST_PUBLIC_KEY_FILE, writeLicense } from "../test/helpers/license.ts";
import { waitFor } from "../test/helpers/wait.ts";
import { startPhones } from "./lib/farm.ts";
import { adbServerPid, cpuSeconds, privateBinary, rssMb, Sampler, withTimeout } from "./lib/proc.ts";
import { printTable, ratio } from "./lib/table.ts";
import { type QueueFigures, queueFigures, readTaskTimes } from "./lib/tasks.ts";

const { values } = parseArgs({
  options: {
    phones: { type: "string", default: "10,100" },
    "per-phone": { type: "string", default: "100" },
    timeout: { type: "string", default: "600" },
    source: { type: "boolean", default: false },
  },
});
const PHONE_COUNTS = values.phones.split(",").map(Number);
const PER_PHONE = Number(values["per-phone"]);
const TIMEOUT_MS = Number(values.timeout) * 1000;
const ROOT = join(import.meta.dir, "..");

// ---- one run --------------------------------------------------------------------------------------------

interface Result extends QueueFigures {
  phones: number;
  createS: number;
  wallS: number;
  cpuPct: number;
  rssIdle: number;
  rssPeak: number;
  adbCpuPct: number | null;
  benchCpuPct: number;
}

async function run(binary: string[], phoneCount: number): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), "farm-bench-runner-"));
  const phones: VirtualPhone[] = [];
  let adb: AdbServer | undefined;
  let service: Running | undefined;
  const deadline = Date.now() + TIMEOUT_MS;
  const left = () => Math.max(1000, deadline - Date.now());
  try {
    adb = await startAdbServer();
    const license = writeLicense(dir, { plan: "Business" });
    await startPhones(phones, phoneCount, (i) => ({ serial: `BENCH${i}`, popups: false }));
    const [cmd, ...pre] = binary as [string, ...string[]];
    service = await startBinary(
      cmd,
      [
        ...pre,
        "--license",
        license,
        "--adb",
        `127.0.0.1:${adb.port}`,
        "--data-dir",
        dir,
        "--retry-max",
        "0",
        "--grace-period",
        "5",
      ],
      dir,
      // the test build trusts the TEST-ONLY key; run from source, this variable names it
      { FARM_TEST_SCRIPTS: "1", FARM_VENDOR_PUBLIC_KEY: TEST_PUBLIC_KEY_FILE },
    );
    const url = service.url;
    const api = async <T = Record<string, number>>(
      method: string,
      path: string,
      body?: unknown,
    ): Promise<T> => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
      const json = (await res.json()) as { code: number; message: string; data: T };
      if (json.code !== 0) throw new Error(`${method} ${path}: ${json.code} ${json.message}`);
      return json.data;
    };
    const plan = await api<{ plan_name: string; device_limit: number }>("GET", "/api/v1/license/check");
    if (plan.plan_name !== "Business" || plan.device_limit < phoneCount)
      throw new Error(`the service runs on ${JSON.stringify(plan)}, not Business`);

    // attach the phones through the API, 10 at a time
    const serials: string[] = [];
    for (let i = 0; i < phones.length; i += 10) {
      const batch = phones.slice(i, i + 10);
      const views = await Promise.all(
        batch.map((p) =>
          api<{ serial: string }>("POST", "/api/v1/device/connect", { host: p.host, port: p.port }),
        ),
      );
      serials.push(...views.map((v) => v.serial));
    }
    await withTimeout(
      `${phoneCount} phones online`,
      waitFor(
        `${phoneCount} phones online`,
        async () => {
          const list = (await api<{ devices: { state: string }[] }>("GET", "/api/v1/device")).devices;
          return list.filter((d) => d.state === "online").length === phoneCount;
        },
        left(),
      ),
      left(),
    );
    await Bun.sleep(1000); // let the attach settle before measuring
    const pid = service.proc.pid;
    const rssIdle = rssMb(pid) ?? 0;
    const adbPid = adbServerPid(adb.port);
    const adbCpu0 = adbPid === null ? null : cpuSeconds(adbPid);
    const bench0 = process.cpuUsage();
    const sampler = new Sampler(pid);

    // the queue: PER_PHONE requests, each one task on every phone (so every phone's queue grows evenly)
    const total = phoneCount * PER_PHONE;
    const t0 = performance.now();
    for (let k = 0; k < PER_PHONE; k++) {
      const data = await api("POST", "/api/v1/task", {
        serials,
        script_name: "test_sleep",
        script_config: { seconds: 0 },
      });
      if (data.created_count !== phoneCount)
        throw new Error(`created ${data.created_count} of ${phoneCount}`);
    }
    const createS = (performance.now() - t0) / 1000;
    await waitFor(
      `${total} tasks finished`,
      async () => {
        const s = await api("GET", "/api/v1/task/stats");
        if (Date.now() > deadline)
          throw new Error(`timed out with ${s.pending} pending, ${s.running} running of ${total}`);
        return s.pending === 0 && s.running === 0 && s.total === total;
      },
      left(),
    );
    const usage = sampler.stop();
    const adbCpu1 = adbPid === null ? null : cpuSeconds(adbPid);
    const benchCpu = process.cpuUsage(bench0);

    // stop the service, then read its tasks from the database
    service.proc.kill("SIGTERM");
    await withTimeout("service exit", service.proc.exited, 15_000).catch(() => service?.proc.kill("SIGKILL"));
    const rows = readTaskTimes(join(dir, "farm.db"));
    return {
      ...queueFigures(rows),
      phones: phoneCount,
      createS,
      wallS: usage.wallS,
      cpuPct: (100 * usage.cpuS) / usage.wallS,
      rssIdle,
      rssPeak: usage.rssPeak,
      adbCpuPct: adbCpu0 === null || adbCpu1 === null ? null : (100 * (adbCpu1 - adbCpu0)) / usage.wallS,
      benchCpuPct: (100 * (benchCpu.user + benchCpu.system)) / 1e6 / usage.wallS,
    };
  } catch (e) {
    if (service) console.error(`service log (tail):\n${service.log().slice(-3000)}`);
    throw e;
  } finally {
    // step by step: one failing step must not skip the others
    if (service && service.proc.exitCode === null && !service.proc.killed) service.proc.kill("SIGKILL");
    await service?.proc.exited.catch(() => {});
    for (const p of phones) await p.stop().catch((e) => console.error(`phone stop: ${e}`));
    await adb?.stop().catch((e) => console.error(`adb stop: ${e}`));
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- main -----------------------------------------------------------------------------------------------

async function serviceCommand(dir: string): Promise<string[]> {
  if (values.source) return [process.execPath, join(ROOT, "src/main.ts")];
  return [await privateBinary(dir)];
}

const ms = (x: number) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;

async function main() {
  const binDir = mkdtempSync(join(tmpdir(), "farm-bench-bin-"));
  try {
    const cmd = await serviceCommand(binDir);
    console.log(
      `service: ${values.source ? "bun src/main.ts" : "compiled executable"}; ${PER_PHONE} tasks per phone ` +
        `(test_sleep, seconds 0); Business plan; ${navigatorCores()} CPU core(s)`,
    );
    const results: Result[] = [];
    for (const n of PHONE_COUNTS) {
      console.log(`\nrun: ${n} phones, ${n * PER_PHONE} tasks…`);
      const r = await run(cmd, n);
      console.log(
        `  created in ${r.createS.toFixed(2)} s; wall ${r.wallS.toFixed(2)} s; ${r.completed} completed, ` +
          `${r.failed} failed; on-phone time p50 ${ms(r.runP50)} p99 ${ms(r.runP99)}; delay max ${ms(r.delayMax)}; ` +
          `RSS idle ${r.rssIdle.toFixed(0)} MB; adb server CPU ${r.adbCpuPct?.toFixed(0) ?? "?"} %; ` +
          `bench process (phones) CPU ${r.benchCpuPct.toFixed(0)} %`,
      );
      results.push(r);
    }

    const header = ["phones", "tasks", "tasks/s", "delay p50", "p99", "service CPU %", "RSS MB", "wall s"];
    const rows = results.map((r) => [
      String(r.phones),
      String(r.tasks),
      r.tasksPerS.toFixed(1),
      ms(r.delayP50),
      ms(r.delayP99),
      r.cpuPct.toFixed(0),
      r.rssPeak.toFixed(0),
      r.wallS.toFixed(1),
    ]);
    const first = results[0];
    const last = results.at(-1);
    if (first && last && first !== last) {
      rows.push([
        `${last.phones}/${first.phones}`,
        ratio(first.tasks, last.tasks),
        ratio(first.tasksPerS, last.tasksPerS),
        ratio(first.delayP50, last.delayP50),
        ratio(first.delayP99, last.delayP99),
        ratio(first.cpuPct, last.cpuPct),
        ratio(first.rssPeak, last.rssPeak),
        ratio(first.wallS, last.wallS),
      ]);
    }
    printTable(header, rows);
    console.log(
      "\ntasks/s: completed ÷ (last finish − first start); delay: started_at − max(created_at or a later scheduled_at, finished_at of the " +
        "phone's previous task); CPU: utime+stime ÷ wall, from the first POST to the last task finished " +
        "(100 % = one core); RSS: peak VmRSS sampled every 200 ms",
    );
  } finally {
    rmSync(binDir, { recursive: true, force: true });
  }
}

function navigatorCores(): number {
  return navigator.hardwareConcurrency;
}

await main();
