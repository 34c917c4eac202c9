// Many farm PCs against one (issue 22): 3 nodes × 100 virtual phones on one PostgreSQL against the same 300
// phones on one node on SQLite, in the same run. Each phone gets the same queue of short tasks (test_sleep,
// seconds 0: one echo on the phone); due → running p50/p99 and tasks/s side by side, with the ratios. Every node
// has its own phones, attached straight (direct transport), on the Business plan (100 phones at once,
// farm-wide on PostgreSQL, as on the one node).
// Usage: bun bench/nodes.ts [--per-node 100] [--nodes 3] [--per-phone 10] [--rounds 1] [--timeout 900] [--source]
//   --source: run `bun src/main.ts` instead of building the executable.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startPostgres } from "../test/helpers/postgres.ts";
import { waitFor } from "../test/helpers/wait.ts";
import { type Farm, startFarm } from "./lib/farm.ts";
import { printTable, ratio } from "./lib/table.ts";
import {
  percentile,
  type QueueFigures,
  queueFigures,
  readTaskTimes,
  readTaskTimesPg,
  type TaskTimes,
} from "./lib/tasks.ts";

const { values } = parseArgs({
  options: {
    "per-node": { type: "string", default: "100" },
    nodes: { type: "string", default: "3" },
    "per-phone": { type: "string", default: "10" },
    rounds: { type: "string", default: "1" },
    timeout: { type: "string", default: "900" },
    source: { type: "boolean", default: false },
  },
});
const PER_NODE = Number(values["per-node"]);
const NODES = Number(values.nodes);
const PER_PHONE = Number(values["per-phone"]);
const ROUNDS = Number(values.rounds);
// --timeout is a round's
const deadline = Date.now() + Number(values.timeout) * 1000 * ROUNDS;
const left = () => Math.max(1000, deadline - Date.now());

interface Result extends QueueFigures {
  label: string;
  createS: number;
  wallS: number;
}

/**
 * Gives every phone of `farms` PER_PHONE tasks (one request per node and round, each node for its own phones),
 * waits for the farm's queue to be done (read through the first node), stops the nodes and reads the times.
 */
async function measure(label: string, farms: Farm[], read: () => Promise<TaskTimes[]>): Promise<Result> {
  const total = farms.reduce((n, f) => n + f.serials.length, 0) * PER_PHONE;
  const t0 = performance.now();
  for (let k = 0; k < PER_PHONE; k++) {
    await Promise.all(
      farms.map((f) =>
        f.api("POST", "/api/v1/task", {
          serials: f.serials,
          script_name: "test_sleep",
          script_config: { seconds: 0 },
        }),
      ),
    );
  }
  const createS = (performance.now() - t0) / 1000;
  const first = farms[0] as Farm;
  await waitFor(
    `${label}: ${total} tasks done`,
    async () => {
      const s = await first.api("GET", "/api/v1/task/stats");
      return s.total === total && s.pending === 0 && s.running === 0;
    },
    left(),
  );
  const wallS = (performance.now() - t0) / 1000;
  // (SQLite's file is read once its one node has stopped; stopping twice after is harmless)
  for (const f of farms) await f.stop();
  const rows = await read();
  const why = Map.groupBy(
    rows.filter((r) => r.status === 3),
    (r) => r.error ?? "?",
  );
  const most = [...why].sort((a, b) => b[1].length - a[1].length).slice(0, 5);
  for (const [error, failed] of most) console.log(`  ${label}: ${failed.length} failed: ${error}`);
  return { ...queueFigures(rows), label, createS, wallS };
}

const farmOptions = (dir: string, phones: number, prefix: string, args: string[] = []) => ({
  dir,
  phones,
  serialPrefix: prefix,
  source: values.source,
  phoneOptions: () => ({ popups: false }),
  deadline,
  env: { FARM_TEST_SCRIPTS: "1" },
  args,
  // straight to the phones: Debian's adb server stopped answering past ~250 phones with the service's streams
  // on them (restarted by the service, the phones dropped), so one adb server cannot hold the one-node farm
  direct: true,
});

/** One node on SQLite with every phone. */
async function oneNode(dirs: string[]): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), "farm-bench-solo-"));
  dirs.push(dir);
  const farm = await startFarm(farmOptions(dir, NODES * PER_NODE, "SOLO"));
  try {
    return await measure("1 node, SQLite", [farm], async () => readTaskTimes(join(dir, "data", "farm.db")));
  } finally {
    await farm.stop();
  }
}

/** NODES nodes on one PostgreSQL, PER_NODE phones each. */
async function manyNodes(dirs: string[]): Promise<Result> {
  const pg = await startPostgres();
  const farms: Farm[] = [];
  try {
    const url = await pg.database("farm_bench_nodes");
    let firstData: string | undefined;
    for (let k = 0; k < NODES; k++) {
      const dir = mkdtempSync(join(tmpdir(), `farm-bench-node${k}-`));
      dirs.push(dir);
      const data = join(dir, "data");
      if (firstData) {
        // the farm's one secret key, made by the first node
        mkdirSync(data, { mode: 0o700 });
        copyFileSync(join(firstData, "secret.key"), join(data, "secret.key"));
      } else firstData = data;
      farms.push(
        await startFarm(farmOptions(dir, PER_NODE, `N${k}-`, ["--database", url, "--node", `node-${k}`])),
      );
    }
    return await measure(`${NODES} nodes, PostgreSQL`, farms, () => readTaskTimesPg(url));
  } finally {
    for (const f of farms) await f.stop();
    pg.stop();
  }
}

const ms = (x: number) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;

async function main() {
  const dirs: string[] = [];
  try {
    console.log(
      `${values.source ? "bun src/main.ts" : "compiled executable"}; ${NODES * PER_NODE} phones, ${PER_PHONE} ` +
        `tasks each (test_sleep, seconds 0); Business plan; ${navigator.hardwareConcurrency} CPU core(s), ` +
        `load average ${loadavg()[0]?.toFixed(1)} (others' work shares them)`,
    );
    // the two farms take turns, round after round: the other work on this PC comes and goes, and a ratio of
    // medians over rounds side by side drifts less with it than one pair does
    const solo: Result[] = [];
    const farm: Result[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const tag = ROUNDS > 1 ? ` #${round}` : "";
      solo.push({ ...(await oneNode(dirs)), label: `1 node, SQLite${tag}` });
      farm.push({ ...(await manyNodes(dirs)), label: `${NODES} nodes, PostgreSQL${tag}` });
      console.log(`round ${round} done; load average ${loadavg()[0]?.toFixed(1)}`);
    }
    const results = [...solo, ...farm];
    const header = ["farm", "tasks", "failed", "tasks/s", "delay p50", "p99", "max", "created s", "wall s"];
    const rows = results.map((r) => [
      r.label,
      String(r.tasks),
      String(r.failed),
      r.tasksPerS.toFixed(1),
      ms(r.delayP50),
      ms(r.delayP99),
      ms(r.delayMax),
      r.createS.toFixed(1),
      r.wallS.toFixed(1),
    ]);
    const compared = ["tasksPerS", "delayP50", "delayP99", "delayMax", "createS", "wallS"] as const;
    const median = (rs: Result[], k: (typeof compared)[number]) =>
      percentile(
        rs.map((r) => r[k]).sort((a, b) => a - b),
        50,
      );
    rows.push([
      `PostgreSQL / SQLite${ROUNDS > 1 ? " (medians)" : ""}`,
      "",
      "",
      ...compared.map((k) => ratio(median(solo, k), median(farm, k))),
    ]);
    printTable(header, rows);
    console.log(
      "\ntasks/s: completed ÷ (last finish − first start); delay: started_at − max(created_at or a later " +
        "scheduled_at, finished_at of the phone's previous task) (bench/lib/tasks.ts); created: the POSTs " +
        "(each node for its own phones); wall: first POST to the queue done",
    );
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
