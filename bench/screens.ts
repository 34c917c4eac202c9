// The farm's screens as a live grid (issue 21): what it costs the service.
// 1. The capture path, per screenshot, over Debian's adb server, against one virtual phone in a process of
//    its own (like a real phone): `screencap -p` passed on as it came (today's full-size answer), that PNG
//    decoded, scaled to 240 px and encoded (what a thumbnail costs), and raw `screencap` (RGBA, 16-byte
//    header: nothing encoded on the phone) scaled and encoded. Service-side CPU, wall time, bytes over adb.
// 2. PHONES virtual phones on TikTok's feed, each swiping to the next video every CADENCE seconds (so every
//    capture differs, as on a working farm), the service from source in its own process; a grid client
//    fetches every phone's screenshot every CADENCE seconds for SECONDS, six requests at a time like a
//    browser. The service's CPU seconds per minute of grid, screenshots served and captures taken
//    (screencap run on the phones) per minute, bytes sent, latency; the baseline, in the same run, is the
//    full-size screenshot (no max_width, as before thumbnails); then thumbnails of width 240; then three
//    grids open at once (the captures are shared); then thumbnails of screens that do not change (idle
//    phones: the same PNG is not scaled again). First the service with no grid (its upkeep of the phones),
//    last the baseline again (how much the machine drifted meanwhile).
// Usage: bun bench/screens.ts [--phones 100] [--cadence 3] [--seconds 15]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Fleet } from "../src/devices/index.ts";
import { runExec } from "../src/devices/phone/shell.ts";
import { decodePng, encodePng, type Pixels, packed, scaleDown } from "../src/devices/screen-image.ts";
import { silentLogger } from "../src/log.ts";
import { startAdbServer } from "../test/helpers/adb.ts";
import { waitFor } from "../test/helpers/wait.ts";
import { numberFlags } from "./lib/args.ts";
import { type Farm, startFarm } from "./lib/farm.ts";
import { adbServerPid, cpuSeconds, Sampler } from "./lib/proc.ts";
import { percentile } from "./lib/tasks.ts";

const {
  phones: PHONES,
  cadence: CADENCE_S,
  seconds: SECONDS,
} = numberFlags({ phones: 100, cadence: 3, seconds: 15 });
const THUMB = 240;
const TIKTOK = "com.zhiliaoapp.musically";
const ROOT = join(import.meta.dir, "..");

// ---- 1. the capture path -------------------------------------------------------------------------------

/** `screencap` without -p: width, height, format (1 = RGBA_8888), colour space, then the pixels. */
function rawPixels(out: Uint8Array): Pixels {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const width = view.getUint32(0, true);
  const height = view.getUint32(4, true);
  if (view.getUint32(8, true) !== 1) throw new Error("raw screencap: not RGBA_8888");
  return packed(width, height, 4, out.subarray(out.length - width * height * 4));
}

async function capturePaths(): Promise<void> {
  const adb = await startAdbServer();
  const sim = Bun.spawn(
    [process.execPath, join(ROOT, "packages/virtual-phone/src/cli.ts"), "--count", "1", "--no-popups"],
    { stdout: "pipe", stderr: "inherit" },
  );
  const dataDir = mkdtempSync(join(tmpdir(), "farm-bench-screens-"));
  const fleet = new Fleet({ dataDir, adbServer: { port: adb.port }, pollMs: 500, log: silentLogger });
  try {
    const first = new TextDecoder().decode((await sim.stdout.getReader().read()).value);
    const [host, port] = (first.split("\t")[1] ?? "").split(":");
    await fleet.start();
    await fleet.connect(host as string, Number(port), { direct: false });
    const phone = await waitFor("the phone online", () => fleet.phone(`${host}:${port}`), 20_000);
    const signal = new AbortController().signal;
    const paths: [string, () => Promise<{ overAdb: number; out: Uint8Array }>][] = [
      [
        "screencap -p, passed on (full size)",
        async () => {
          const png = await phone.screenshot();
          return { overAdb: png.length, out: png };
        },
      ],
      [
        `screencap -p → decode → ${THUMB} px → PNG`,
        async () => {
          const png = await phone.screenshot();
          return { overAdb: png.length, out: encodePng(scaleDown(decodePng(png) as Pixels, THUMB)) };
        },
      ],
      [
        `raw screencap → ${THUMB} px → PNG`,
        async () => {
          const raw = await runExec(phone.adb, "screencap", signal);
          return { overAdb: raw.length, out: encodePng(scaleDown(rawPixels(raw), THUMB)) };
        },
      ],
    ];
    const ROUNDS = 12;
    const rows: string[][] = [];
    for (const [name, take] of paths) {
      await take(); // warm
      const cpu: number[] = [];
      const wall: number[] = [];
      let bytes = { overAdb: 0, out: 0 };
      for (let i = 0; i < ROUNDS; i++) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const r = await take();
        wall.push(performance.now() - t0);
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1000);
        bytes = { overAdb: r.overAdb, out: r.out.length };
      }
      cpu.sort((a, b) => a - b);
      wall.sort((a, b) => a - b);
      rows.push([
        name,
        `${percentile(cpu, 50).toFixed(0)} (${(cpu[0] as number).toFixed(0)})`,
        `${percentile(wall, 50).toFixed(0)} (${(wall[0] as number).toFixed(0)})`,
        `${(bytes.overAdb / 1024).toFixed(0)}`,
        `${(bytes.out / 1024).toFixed(0)}`,
      ]);
    }
    console.log(`\ncapture path, one 1080x2400 phone over the adb server (${ROUNDS} each; median (min))`);
    table(["path", "service CPU ms", "wall ms", "KiB over adb", "KiB answered"], rows);
  } finally {
    await fleet.stop();
    sim.kill();
    await sim.exited;
    await adb.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---- 2. the grid ---------------------------------------------------------------------------------------

interface Viewer {
  served: number;
  bytes: number;
  latencies: number[];
  failures: number;
}

/** One grid: every phone's screenshot each CADENCE_S, six requests at a time, until `until`. */
async function grid(farm: Farm, query: string, until: number): Promise<Viewer> {
  const v: Viewer = { served: 0, bytes: 0, latencies: [], failures: 0 };
  while (performance.now() < until) {
    const round = performance.now();
    const queue = [...farm.serials];
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        for (let serial = queue.shift(); serial; serial = queue.shift()) {
          const t0 = performance.now();
          const res = await fetch(`${farm.service.url}/api/v1/device/${serial}/screenshot${query}`);
          const body = await res.arrayBuffer();
          if (res.status !== 200) v.failures++;
          else {
            v.served++;
            v.bytes += body.byteLength;
            v.latencies.push(performance.now() - t0);
          }
        }
      }),
    );
    await Bun.sleep(Math.max(0, round + CADENCE_S * 1000 - performance.now()));
  }
  return v;
}

/** Every phone swipes to its feed's next video every CADENCE_S until `until`. */
async function changeScreens(farm: Farm, until: number): Promise<void> {
  while (performance.now() < until) {
    const round = performance.now();
    for (const p of farm.phones) await p.exec("input swipe 540 1600 540 400 200");
    await Bun.sleep(Math.max(0, round + CADENCE_S * 1000 - performance.now()));
  }
}

async function gridScenario(farm: Farm, name: string, query: string, viewers: number, changing: boolean) {
  const captures = () =>
    farm.phones.reduce((n, p) => n + p.commands.filter((c) => c.command.startsWith("screencap")).length, 0);
  const captured0 = captures();
  const adbPid = adbServerPid(farm.adb.port);
  const adbCpu0 = adbPid ? (cpuSeconds(adbPid) ?? 0) : 0;
  const sampler = new Sampler(farm.service.proc.pid);
  const until = performance.now() + SECONDS * 1000;
  const changes = changing ? changeScreens(farm, until) : Promise.resolve();
  // the grids open a little apart, as people do
  const results: Viewer[] = await Promise.all(
    Array.from({ length: viewers }, async (_, i) => {
      await Bun.sleep(i * 300);
      return grid(farm, query, until);
    }),
  );
  await changes;
  const usage = sampler.stop();
  const adbCpu = adbPid ? (cpuSeconds(adbPid) ?? adbCpu0) - adbCpu0 : Number.NaN;
  const minutes = usage.wallS / 60;
  const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const served = results.reduce((n, r) => n + r.served, 0);
  return [
    name,
    String(viewers),
    (served / minutes).toFixed(0),
    ((captures() - captured0) / minutes).toFixed(0),
    (usage.cpuS / minutes).toFixed(1),
    served ? ((usage.cpuS * 1000) / served).toFixed(1) : "-",
    (adbCpu / minutes).toFixed(1),
    (results.reduce((n, r) => n + r.bytes, 0) / 1024 / 1024 / minutes).toFixed(1),
    `${percentile(latencies, 50).toFixed(0)} / ${percentile(latencies, 95).toFixed(0)}`,
    String(results.reduce((n, r) => n + r.failures, 0)),
  ];
}

async function grids(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "farm-bench-screens-"));
  let farm: Farm | undefined;
  try {
    farm = await startFarm({
      dir,
      phones: PHONES,
      serialPrefix: "SCR",
      source: true,
      phoneOptions: () => ({ popups: false, packages: [TIKTOK] }),
      deadline: Date.now() + 4 * 60_000,
    });
    await Promise.all(
      farm.phones.map((p) => p.exec(`monkey -p ${TIKTOK} -c android.intent.category.LAUNCHER 1`)),
    );
    const thumbs = `?max_width=${THUMB}`;
    const rows = [
      await gridScenario(farm, "no grid (the service's own upkeep)", "", 0, true),
      await gridScenario(farm, "baseline: full size", "", 1, true),
      await gridScenario(farm, `thumbnails ${THUMB} px`, thumbs, 1, true),
      await gridScenario(farm, `thumbnails ${THUMB} px`, thumbs, 3, true),
      await gridScenario(farm, `thumbnails ${THUMB} px, idle screens`, thumbs, 1, false),
      await gridScenario(farm, "baseline again: full size", "", 1, true),
    ];
    console.log(
      `\n${PHONES} phones, every screenshot every ${CADENCE_S} s, ${SECONDS} s each (per minute of grid)`,
    );
    table(
      [
        "grid",
        "viewers",
        "shots/min",
        "captures/min",
        "service CPU s/min",
        "CPU ms/shot",
        "adb CPU s/min",
        "MiB/min",
        "ms p50 / p95",
        "failed",
      ],
      rows,
    );
  } finally {
    await farm?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function table(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join("  ");
  console.log(line(head));
  for (const r of rows) console.log(line(r));
}

await capturePaths();
await grids();
