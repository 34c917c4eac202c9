// API read throughput against a bare Bun.serve + bun:sqlite baseline doing the same reads, on a copy of
// the same database (the service holds its own alone), in the same run; stats latency at 1,000,000 tasks;
// task creation rate, and what synchronous=FULL (an acknowledged task survives a power cut) costs it beside NORMAL.
// Usage: bun bench/api.ts [--tasks 100000] [--seconds 5] [--big 1000000]
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closeDb, openDb } from "../src/store/db.ts";
import { openSecretBox } from "../src/store/secret-box.ts";
import { TaskStore } from "../src/store/tasks.ts";
import { numberFlags } from "./lib/args.ts";
import { hasWrk, type LoadResult, load } from "./lib/load.ts";
import { startBinaryLike, stopProcess } from "./lib/process.ts";
import { seed } from "./lib/seed.ts";

const { tasks: N, seconds: SECONDS, big: BIG } = numberFlags({ tasks: 100_000, seconds: 5, big: 1_000_000 });
const ROOT = join(import.meta.dir, "..");

const fmt = (r: LoadResult) => `${Math.round(r.rps).toString().padStart(7)} req/s  p50 ${r.p50} p99 ${r.p99}`;

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "farm-bench-"));
  try {
    console.log(`seeding ${N} tasks…`);
    const file = seed(dir, N);
    const baselineFile = join(dir, "baseline.db");
    copyFileSync(file, baselineFile);
    const service = await startBinaryLike([
      process.execPath,
      join(ROOT, "src/main.ts"),
      "--port",
      "0",
      "--data-dir",
      dir,
    ]);
    const baseline = await startBinaryLike([
      process.execPath,
      join(ROOT, "bench/baseline-server.ts"),
      baselineFile,
      "0",
    ]);
    console.log(
      `load generator: ${hasWrk() ? "wrk" : "fetch loops"}, ${SECONDS} s per run, 32 connections\n`,
    );

    const cases = [
      { name: "GET /task/{id}", path: "/api/v1/task/{id}", randomId: N },
      { name: "GET /task?status=0&page_size=20", path: "/api/v1/task?status=0&page_size=20" },
      { name: "GET /task/stats", path: "/api/v1/task/stats" },
    ];
    console.log(`${"".padEnd(34)}${"service".padEnd(40)}${"baseline".padEnd(40)}ratio`);
    for (const c of cases) {
      // warm both, then measure baseline and service alternately
      await load(baseline.url, c.path, 1, c.randomId);
      await load(service.url, c.path, 1, c.randomId);
      const b = await load(baseline.url, c.path, SECONDS, c.randomId);
      const s = await load(service.url, c.path, SECONDS, c.randomId);
      console.log(
        `${c.name.padEnd(34)}${fmt(s).padEnd(40)}${fmt(b).padEnd(40)}${(s.rps / b.rps).toFixed(2)}`,
      );
    }

    // creation: POST /task with 100 serials, one after another
    const body = JSON.stringify({
      serials: Array.from({ length: 100 }, (_, i) => `BENCH-${i}`),
      script_name: "follow",
      script_config: { target_users: ["someone"] },
    });
    const started = performance.now();
    let created = 0;
    for (let i = 0; i < 50; i++) {
      const r = await fetch(`${service.url}/api/v1/task`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      created += ((await r.json()) as { data: { created_count: number } }).data.created_count;
    }
    const secs = (performance.now() - started) / 1000;
    console.log(
      `\nPOST /task with 100 serials: ${Math.round(created / secs)} tasks created/s (${created} in ${secs.toFixed(2)} s)`,
    );
    await stopProcess(service.proc);
    await stopProcess(baseline.proc);
    await syncCost(dir);

    // stats at BIG tasks: sequential latency over HTTP, beside a plain count(*) … group by status
    const bigDir = mkdtempSync(join(tmpdir(), "farm-bench-big-"));
    try {
      console.log(`\nseeding ${BIG} tasks…`);
      const bigFile = seed(bigDir, BIG);
      const big = await startBinaryLike([
        process.execPath,
        join(ROOT, "src/main.ts"),
        "--port",
        "0",
        "--data-dir",
        bigDir,
      ]);
      const sequential = async (path: string) => {
        const times: number[] = [];
        for (let i = 0; i < 300; i++) {
          const t0 = performance.now();
          await (await fetch(`${big.url}${path}`)).json();
          times.push(performance.now() - t0);
        }
        return times.sort((a, b) => a - b);
      };
      const times = await sequential("/api/v1/task/stats");
      // filtered lists, deep pages: every combination the UI offers should stay in single-digit ms
      const filtered = [
        "/api/v1/task?page=50",
        "/api/v1/task?status=1&serial=BENCH-5&page=50",
        "/api/v1/task?serial=BENCH-5&script_name=unfollow&page=5",
        "/api/v1/task?status=0&source=ui&page=50",
        "/api/v1/task?source=ui&page=50",
        "/api/v1/task?serial=BENCH-5&page=50",
      ];
      for (const path of filtered) {
        const t = await sequential(path);
        console.log(
          `GET ${path.replace("/api/v1", "")} at ${BIG} tasks: p50 ${t[150]?.toFixed(2)} ms, p99 ${t[297]?.toFixed(2)} ms`,
        );
      }
      // the kept counts must answer exactly what counting would
      const listed = async (path: string) =>
        ((await (await fetch(`${big.url}${path}`)).json()) as { data: { total: number } }).data.total;
      const totalUi0 = await listed("/api/v1/task?status=0&source=ui");
      const totalUi = await listed("/api/v1/task?source=ui");
      await stopProcess(big.proc);
      const db = openDb(bigFile);
      const counted = (where: string) =>
        (db.$client.query(`select count(*) n from tasks where ${where}`).get() as { n: number }).n;
      const exact = [counted("status = 0 and source = 'ui'"), counted("source = 'ui'")];
      if (exact[0] !== totalUi0 || exact[1] !== totalUi)
        throw new Error(`source totals ${totalUi0}, ${totalUi} but counting finds ${exact.join(", ")}`);
      console.log(`totals by source exact: status=0&source=ui ${totalUi0}, source=ui ${totalUi}`);
      const t0 = performance.now();
      db.$client.query("select status, count(*) from tasks group by status").all();
      const naive = performance.now() - t0;
      closeDb(db);
      console.log(
        `GET /task/stats at ${BIG} tasks over HTTP: p50 ${times[150]?.toFixed(2)} ms, p99 ${times[297]?.toFixed(2)} ms ` +
          `(a count(*) … group by status takes ${naive.toFixed(1)} ms on the same file)`,
      );
    } finally {
      rmSync(bigDir, { recursive: true, force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Task creation in the store under synchronous=FULL (what the service uses) and NORMAL, in alternating
 * rounds on the same disk: one transaction per request, as POST /task commits them.
 */
async function syncCost(dir: string) {
  const open = async (name: string, mode: "FULL" | "NORMAL") => {
    const db = openDb(join(dir, name));
    db.$client.exec(`PRAGMA synchronous = ${mode}`);
    return { db, store: new TaskStore(db, await openSecretBox(db, dir)), seconds: 0, created: 0 };
  };
  const modes = { FULL: await open("full.db", "FULL"), NORMAL: await open("normal.db", "NORMAL") };
  const row = { serial: "BENCH-1", scriptName: "follow", scriptConfig: '{"target_users":["someone"]}' };
  console.log("\ntask creation in the store, one transaction per request, FULL beside NORMAL on this disk:");
  for (const perRequest of [1, 100]) {
    const rows = Array.from({ length: perRequest }, () => row);
    for (const m of Object.values(modes)) m.seconds = m.created = 0;
    for (let round = 0; round < 6; round++) {
      for (const m of Object.values(modes)) {
        const t0 = performance.now();
        for (let i = 0; i < Math.max(5, 300 / perRequest); i++)
          m.created += (await m.store.create(rows)).length;
        m.seconds += (performance.now() - t0) / 1000;
      }
    }
    const rate = (m: { created: number; seconds: number }) => m.created / m.seconds;
    console.log(
      `  ${`${perRequest} task(s) per request:`.padEnd(26)}FULL ${Math.round(rate(modes.FULL)).toString().padStart(7)} tasks/s` +
        `   NORMAL ${Math.round(rate(modes.NORMAL)).toString().padStart(7)} tasks/s` +
        `   ratio ${(rate(modes.FULL) / rate(modes.NORMAL)).toFixed(2)}`,
    );
  }
  for (const m of Object.values(modes)) closeDb(m.db);
}

await main();
