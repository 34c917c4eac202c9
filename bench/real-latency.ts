// The scripts on phones as slow as real ones: 20 virtual phones under the `real-usb` latency profile, the
// service from source, four phones per script, all at once: post a video to TikTok,
// post it to Instagram, follow, comment, 60 s of account_warmup. Prints per script the wall time per task,
// the time the phones spent on each kind of command, dumps, taps and commands per task, and the floor (the
// app's own waits: the upload, the videos watched), so that overhead = wall − floor shows per script; then,
// for each post, its dumps per step (the innermost step of the task's log a dump began in).
//
// The `real-usb` figures (packages/virtual-phone/src/latency.ts; the README's "Real phones' latency" table):
// - `uiautomator dump` 0.8–2.5 s: AOSP's DumpCommand.java calls `uiAutomation.waitForIdle(1000, 1000 * 10)`
//   (1 s without accessibility events, 10 s at most) before it walks the tree and writes the file.
// - `screencap -p` 1.5–2.5 s: ~250 ms capture, then PNG encoding on the phone (AOSP screencap.cpp:
//   `SkEncodeImage(…, kPNG, 100)`); "Why adb screencap is slow" (elliotgao2.github.io/handsets) measured a
//   median of 2.12 s, p90 3.0 s. Raw `screencap` 200–300 ms plus ~10 MB over the cable.
// - `input tap|swipe|keyevent|text` 300–400 ms: a Java VM (app_process) started per call.
// - `am start` 150–400 ms: `am` without -W returns once ActivityManager took the intent; the app's launch
//   is the screen's time (realistic change times), not the command's.
// - `dumpsys` 20–60 ms; every stream 10–30 ms (USB round trip, adbd's fork).
// - push/pull 30–38 MB/s: AOSP adb's commit "adb: implement compression for file sync" measured a Pixel 3
//   over USB 2.0 at 36 MB/s uncompressed.
//
// Usage: bun bench/real-latency.ts [--phones-per-script 4] [--warmup-s 60] [--plain] [--timeout 240]
//   [--baseline REF|none] [--fast-ui] [--warm] [--trace]
//   Screens are realistic too (changes take 300–800 ms, toasts, dumps that find no idle state, …), as a real
//   phone's; --plain takes instant screens (the first baseline, taken before the flows passed on realistic
//   screens, was on plain ones).
//   --baseline: the service of commit REF (default BASELINE, the last commit before issue 23 item 2 read the
//   screen less) runs in the same run, beside this checkout's, on a second group of the same phones (same
//   serials, so the same random latencies and screen changes; its own adb server): its src/ exported with
//   `git archive` into the scratch folder, this checkout's node_modules linked in. Each script's row is
//   followed by the baseline's, and `vs base` is the overhead's ratio. `none`: this checkout only.
//   --fast-ui: a third group, this checkout with `--fast-ui` (Appium's UiAutomator2 server on each phone: the
//   page source and taps in tens of ms; bench/lib/fast-ui.ts), ready on every phone before any task starts;
//   its rows ("now fast UI") follow each script's others. Its `dumps` and `taps` count `uiautomator dump` and
//   `input tap` only (none there): its reads and taps are the `fast-ui source` and `fast-ui action` columns.
//   --warm: every phone first runs its script once, unmeasured, and the figures are of the second run: a phone
//   the service has driven before (what it learnt of the phone, such as where a button lies, is in use), as
//   every post but the first after a start; without it, each phone is new to the service.
//   --trace: after the tables, one TikTok post of each group as a timeline (ms from its start): the phone's
//   commands with their waits, and the task's log lines, to see where a post's time goes.
import { Database } from "bun:sqlite";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { FEED, type PhoneWait, type VirtualPhone, type WaitKind } from "@farm/virtual-phone";
import { writeMedia } from "../test/helpers/media.ts";
import { waitFor } from "../test/helpers/wait.ts";
import { type Farm, startFarm } from "./lib/farm.ts";
import { FAST_UI_KINDS, fastUiReady } from "./lib/fast-ui.ts";
import { withTimeout } from "./lib/proc.ts";

const { values } = parseArgs({
  options: {
    "phones-per-script": { type: "string", default: "4" },
    "warmup-s": { type: "string", default: "60" },
    timeout: { type: "string", default: "240" },
    plain: { type: "boolean", default: false },
    baseline: { type: "string", default: "" },
    "fast-ui": { type: "boolean", default: false },
    warm: { type: "boolean", default: false },
    trace: { type: "boolean", default: false },
  },
});
/** 3b2f804 merged issue 23 item 2's first part (dumps read from /dev/tty, a tree reused): its first parent. */
const BASELINE = "3b2f804^1";
const ROOT = join(import.meta.dir, "..");
const PER_SCRIPT = Number(values["phones-per-script"]);
const WARMUP_S = Number(values["warmup-s"]);
const TIMEOUT_MS = Number(values.timeout) * 1000;
const REALISTIC = !values.plain;
const BASELINE_REF = values.baseline || BASELINE;
const FAST_UI = values["fast-ui"];
const TRACE = values.trace;
const WARM = values.warm;
const VIDEO_MB = 10;
/** The sim apps' upload time, the same on every phone: a post's floor. */
const UPLOAD_MS = 3000;
/** Each warmup video is watched this long (min = max): the warmup's floor is the watching. */
const WATCH_S = 10;
const KINDS: WaitKind[] = [
  "uiautomator dump",
  "screencap -p",
  "screencap",
  "input",
  "am start",
  "dumpsys",
  "stream",
  "push",
  "pull",
  ...(FAST_UI ? FAST_UI_KINDS : []),
];

interface Job {
  label: string;
  script: string;
  platform?: "tiktok" | "instagram";
  config: Record<string, unknown>;
}

interface TaskRow {
  id: number;
  serial: string;
  status: number;
  error: string | null;
  started: number | null;
  finished: number | null;
}

/** One script's figures in one group: means per completed task (ms), or NaN when none completed. */
interface Figures {
  ok: string;
  wall: number;
  floor: number;
  waited: number;
  byKind: Record<WaitKind, number>;
  dumps: number;
  taps: number;
  /** Every command the phone ran (shell, exec), light reads included. */
  commands: number;
  /** Dumps per step (the innermost step a dump began in; "(between steps)" for none), mean per task. */
  stepDumps: Map<string, number>;
}

/** A service (this checkout's, or the baseline's) and its phones: one per script's phone. */
interface Group {
  name: string;
  /** Its scratch folder: the service's data folder is `data` in it. */
  dir: string;
  farm: Farm;
  taskJob: Map<number, Job>;
  totalS: number;
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);

/** The tree of commit `ref` in `into`, with this checkout's node_modules: `bun src/main.ts` runs it. */
async function exportCommit(ref: string, into: string): Promise<string> {
  const git = (...args: string[]) => {
    const r = Bun.spawnSync(["git", "-C", ROOT, ...args], { stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString().trim()}`);
    return r.stdout;
  };
  const commit = git("rev-parse", "--short", `${ref}^{commit}`).toString().trim();
  mkdirSync(into, { recursive: true });
  const tar = Bun.spawn(["tar", "-x", "-C", into], { stdin: git("archive", commit) });
  if ((await tar.exited) !== 0) throw new Error(`could not unpack ${commit} into ${into}`);
  symlinkSync(join(ROOT, "node_modules"), join(into, "node_modules"));
  return commit;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "farm-bench-latency-"));
  const groups: Group[] = [];
  try {
    mkdirSync(join(dir, "media"));
    const video = writeMedia(join(dir, "media", "video.mp4"), "mp4", VIDEO_MB * 1024 * 1024);
    const target = FEED[0];
    if (!target) throw new Error("the sim feed is empty");
    const jobs: Job[] = [
      {
        label: "post TikTok video",
        script: "post",
        platform: "tiktok",
        config: { content_type: 0, captions: "latency {one|two} #fyp", material_list: [video] },
      },
      {
        label: "post Instagram video",
        script: "post",
        platform: "instagram",
        config: { content_type: 0, captions: "latency {one|two} #reels", material_list: [video] },
      },
      {
        label: "follow",
        script: "follow",
        config: { target_users: ["chef.marco"], access_method: "direct" },
      },
      {
        label: "comment",
        script: "comment",
        config: {
          target_post_urls: [`https://www.tiktok.com/@${target.author}/video/${target.id}`],
          comment_content: "Great video!",
        },
      },
      {
        label: `account_warmup ${WARMUP_S} s`,
        script: "account_warmup",
        config: { task_duration: WARMUP_S, min_duration: WATCH_S, max_duration: WATCH_S, topic: "cats" },
      },
    ];
    const phoneCount = PER_SCRIPT * jobs.length;
    const deadline = Date.now() + TIMEOUT_MS;
    const sources: {
      name: string;
      sub: string;
      source: true | { root: string };
      env?: Record<string, string>;
    }[] = [{ name: "now", sub: "now", source: true }];
    if (BASELINE_REF !== "none") {
      const root = join(dir, "baseline");
      const commit = await exportCommit(BASELINE_REF, root);
      sources.push({ name: `base ${commit}`, sub: "base", source: { root } });
    }
    if (FAST_UI) sources.push({ name: "now fast UI", sub: "fast", source: true, env: { FARM_FAST_UI: "1" } });
    let fastSetupMs = 0;
    // both services and their phones up first, then every task at once: the same load on both
    for (const { name, sub, source, env } of sources) {
      mkdirSync(join(dir, sub));
      const farm = await startFarm({
        dir: join(dir, sub),
        phones: phoneCount,
        // the same serials in each group: the same seeds, so the same latencies and screen changes
        serialPrefix: "LAT",
        source,
        phoneOptions: () => ({ popups: false, latency: "real-usb", realistic: REALISTIC }),
        deadline,
        env,
      });
      if (env?.FARM_FAST_UI) fastSetupMs = await fastUiReady(farm);
      for (const p of farm.phones) {
        p.apps.tiktok.uploadMs = UPLOAD_MS;
        p.apps.instagram.uploadMs = UPLOAD_MS;
      }
      groups.push({ name, dir: join(dir, sub), farm, taskJob: new Map(), totalS: 0 });
    }
    if (WARM) await Promise.all(groups.map((g) => runTasks(g, jobs, false)));
    await Promise.all(groups.map((g) => runTasks(g, jobs)));

    const baseIndex = groups.findIndex((g) => g.name.startsWith("base "));
    const others = groups.filter((_, g) => g > 0).map((g) => g.name);
    console.log(
      `service: bun src/main.ts${others.length ? `, and ${others.join("'s and ")}'s beside it` : ""}; ` +
        `${phoneCount} virtual phones per service (${PER_SCRIPT} per script, all at once), latency ` +
        `profile real-usb, ${REALISTIC ? "realistic screens" : "plain screens (--plain)"}, no popups; ` +
        `${WARM ? "figures of each phone's second run of its script (--warm)" : "each phone new to the service"}; ` +
        `${VIDEO_MB} MB video, sim upload ${seconds(UPLOAD_MS)} s; warmup ${WARMUP_S} s watching ${WATCH_S} s a ` +
        `video; ${navigator.hardwareConcurrency} CPU core(s); all tasks done in ` +
        groups.map((g) => `${g.totalS.toFixed(1)} s (${g.name})`).join(", ") +
        (FAST_UI ? `; fast UI installed and started on its phones in ${seconds(fastSetupMs)} s first` : ""),
    );
    console.log(
      "figures per task, mean over the script's completed tasks (s); waited = the phone's command times; " +
        "overhead = wall − floor; vs base = overhead / the baseline's",
    );
    const figures = await Promise.all(groups.map((g) => groupFigures(g, jobs)));
    const header = ["script", "service", "ok", "wall", "floor", "overhead", "vs base", "waited"];
    const rows: string[][] = [[...header, ...KINDS, "dumps", "taps", "cmds"]];
    const failures: string[] = [];
    for (const [j, job] of jobs.entries()) {
      const base = baseIndex >= 0 ? figures[baseIndex]?.rows[j] : undefined;
      for (const [g, group] of groups.entries()) {
        const f = figures[g]?.rows[j] as Figures;
        const ratio = g !== baseIndex && base ? (f.wall - f.floor) / (base.wall - base.floor) : Number.NaN;
        rows.push([
          g === 0 ? job.label : "",
          group.name,
          f.ok,
          seconds(f.wall),
          seconds(f.floor),
          seconds(f.wall - f.floor),
          Number.isNaN(ratio) ? "" : ratio.toFixed(2),
          seconds(f.waited),
          ...KINDS.map((k) => seconds(f.byKind[k])),
          f.dumps.toFixed(1),
          f.taps.toFixed(1),
          f.commands.toFixed(1),
        ]);
      }
      for (const [g, group] of groups.entries())
        for (const failure of figures[g]?.failures[j] ?? []) failures.push(`${group.name}: ${failure}`);
    }
    const widths = (rows[0] as string[]).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
    for (const r of rows) console.log(r.map((cell, c) => cell.padStart(widths[c] ?? 0)).join("  "));
    for (const f of failures) console.log(`  failed: ${f}`);
    // where a post's dumps go, step by step, in each group
    for (const [j, job] of jobs.entries()) {
      if (job.script !== "post") continue;
      const byGroup = groups.map((_, g) => figures[g]?.rows[j]?.stepDumps ?? new Map<string, number>());
      const names = [...new Set(byGroup.flatMap((m) => [...m.keys()]))];
      const table = [[`dumps per step: ${job.label}`, ...groups.map((g) => g.name)]];
      for (const name of names) table.push([name, ...byGroup.map((m) => (m.get(name) ?? 0).toFixed(1))]);
      const w = (table[0] as string[]).map((_, c) => Math.max(...table.map((r) => (r[c] ?? "").length)));
      for (const r of table)
        console.log(r.map((cell, c) => (c ? cell.padStart(w[c] ?? 0) : cell.padEnd(w[c] ?? 0))).join("  "));
    }
    for (const [g, group] of groups.entries()) {
      const trace = figures[g]?.trace ?? [];
      if (trace.length) console.log(`timeline of a TikTok post, ${group.name}: ${trace.join("\n")}`);
    }
  } finally {
    for (const g of groups) await g.farm.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Creates each job's tasks on its phones of `group`, and waits until every task ended; `measured`: counted. */
async function runTasks(group: Group, jobs: Job[], measured = true): Promise<void> {
  const { serials, api, left } = group.farm;
  const t0 = performance.now();
  for (const [j, job] of jobs.entries()) {
    const created = await api<{ task_ids: number[] }>("POST", "/api/v1/task", {
      serials: serials.slice(j * PER_SCRIPT, (j + 1) * PER_SCRIPT),
      script_name: job.script,
      ...(job.platform ? { platform: job.platform } : {}),
      script_config: job.config,
    });
    if (measured) for (const id of created.task_ids) group.taskJob.set(id, job);
  }
  const what = `every task of ${group.name} finished`;
  await withTimeout(
    what,
    waitFor(
      what,
      async () => {
        const stats = await api("GET", "/api/v1/task/stats");
        return stats.pending === 0 && stats.running === 0;
      },
      left(),
    ),
    left(),
  );
  if (measured) group.totalS = (performance.now() - t0) / 1000;
}

/** Each job's figures in `group` (its service stopped, its database read), and its failed tasks. */
async function groupFigures(
  group: Group,
  jobs: Job[],
): Promise<{ rows: Figures[]; failures: string[][]; trace: string[] }> {
  const { farm, taskJob } = group;
  const { phones, serials, service } = farm;
  const bySerial = new Map(phones.map((p, i) => [serials[i] as string, p]));
  service.proc.kill("SIGTERM");
  await withTimeout("service exit", service.proc.exited, 15_000).catch(() => service.proc.kill("SIGKILL"));
  const db = new Database(join(group.dir, "data", "farm.db"), { readonly: true });
  const tasks = db
    .query("select id, serial, status, error, started_at started, finished_at finished from tasks")
    .all() as TaskRow[];
  const watching = db.query("select task_id id, at from task_logs where message like 'watching %'").all() as {
    id: number;
    at: number;
  }[];
  // a step's line is logged at its end, with its duration
  const steps = db
    .query(
      "select task_id id, message name, at - duration_ms start, at end from task_logs where duration_ms is not null and level = 'info'",
    )
    .all() as { id: number; name: string; start: number; end: number }[];
  const traced = TRACE
    ? tasks.find((t) => t.status === 2 && taskJob.get(t.id)?.platform === "tiktok")
    : undefined;
  const trace = traced ? timeline(db, traced, bySerial.get(traced.serial)) : [];
  db.close();

  const rows: Figures[] = [];
  const failures: string[][] = [];
  for (const job of jobs) {
    const mine = tasks.filter((t) => taskJob.get(t.id) === job);
    const done = mine.filter((t) => t.status === 2 && t.started !== null && t.finished !== null);
    failures.push(
      mine
        .filter((x) => x.status !== 2)
        .map((t) => `${job.label} #${t.id} (${t.serial}): ${t.error ?? `status ${t.status}`}`),
    );
    const per = done.map((t) => {
      const started = t.started as number;
      const finished = t.finished as number;
      const waits = waitsIn(bySerial.get(t.serial), started, finished);
      const floor =
        job.script === "post"
          ? UPLOAD_MS
          : job.script === "account_warmup"
            ? watching
                .filter((w) => w.id === t.id)
                .reduce(
                  (sum, w) => sum + Math.max(0, Math.min(WATCH_S * 1000, started + WARMUP_S * 1000 - w.at)),
                  0,
                )
            : 0;
      const byKind = Object.fromEntries(
        KINDS.map((k) => [k, waits.filter((w) => w.kind === k).reduce((s, w) => s + w.ms, 0)]),
      ) as Record<WaitKind, number>;
      const stepOf = (at: number) =>
        steps
          .filter((st) => st.id === t.id && st.start <= at && at <= st.end)
          .sort((a, b) => a.end - a.start - (b.end - b.start))[0]?.name ?? "(between steps)";
      const stepDumps = new Map<string, number>();
      for (const w of waits.filter((x) => x.kind === "uiautomator dump")) {
        const name = stepOf(w.at);
        stepDumps.set(name, (stepDumps.get(name) ?? 0) + 1);
      }
      return {
        stepDumps,
        wall: finished - started,
        floor,
        waited: waits.reduce((s, w) => s + w.ms, 0),
        byKind,
        dumps: waits.filter((w) => w.kind === "uiautomator dump").length,
        taps: tapsIn(bySerial.get(t.serial), started, finished),
        commands: commandsIn(bySerial.get(t.serial), started, finished).length,
      };
    });
    const mean = (f: (x: (typeof per)[number]) => number) =>
      per.length ? per.reduce((s, x) => s + f(x), 0) / per.length : Number.NaN;
    rows.push({
      ok: `${done.length}/${mine.length}`,
      wall: mean((x) => x.wall),
      floor: mean((x) => x.floor),
      waited: mean((x) => x.waited),
      byKind: Object.fromEntries(KINDS.map((k) => [k, mean((x) => x.byKind[k])])) as Record<WaitKind, number>,
      dumps: mean((x) => x.dumps),
      taps: mean((x) => x.taps),
      commands: mean((x) => x.commands),
      stepDumps: new Map(
        [...new Set(per.flatMap((x) => [...x.stepDumps.keys()]))].map((name) => [
          name,
          mean((x) => x.stepDumps.get(name) ?? 0),
        ]),
      ),
    });
  }
  return { rows, failures, trace };
}

/** One task's timeline (ms from its start): the phone's commands, their waits, and the task's log lines. */
function timeline(db: Database, task: TaskRow, phone: VirtualPhone | undefined): string[] {
  const started = task.started as number;
  const finished = task.finished as number;
  const lines: { at: number; text: string }[] = [];
  const waits = waitsIn(phone, started, finished);
  for (const c of commandsIn(phone, started, finished)) {
    // the command's wait begins as it arrives, and is of its kind ("am start" for `am start …`)
    const word = c.command.split(" ")[0];
    const ofKind = (kind: WaitKind) =>
      kind.split(" ")[0] === word ||
      (kind === "push" && word === "SEND") ||
      (kind === "pull" && word === "RECV");
    const wait = waits.find((w) => w.at >= c.at && w.at - c.at < 50 && ofKind(w.kind));
    const took = wait ? `  [${wait.kind} ${wait.ms} ms]` : "";
    lines.push({ at: c.at, text: `    $ ${c.command.slice(0, 90)}${took}` });
  }
  const logs = db
    .query("select at, message, duration_ms ms from task_logs where task_id = ? order by id")
    .all(task.id) as { at: number; message: string; ms: number | null }[];
  for (const l of logs)
    lines.push({ at: l.at, text: `  ${l.message}${l.ms === null ? "" : ` (${l.ms} ms)`}` });
  return [
    `#${task.id} on ${task.serial}, ${finished - started} ms`,
    ...lines.sort((a, b) => a.at - b.at).map((l) => `${String(l.at - started).padStart(6)}${l.text}`),
  ];
}
/** The phone's waits that began while a task ran on it. */
function waitsIn(phone: VirtualPhone | undefined, from: number, to: number): PhoneWait[] {
  return (phone?.waits ?? []).filter((w) => w.at >= from && w.at <= to);
}

/** The commands a phone received while a task ran on it. */
function commandsIn(phone: VirtualPhone | undefined, from: number, to: number) {
  return (phone?.commands ?? []).filter((c) => c.at >= from && c.at <= to);
}

/** The `input tap`s a phone received while a task ran on it. */
function tapsIn(phone: VirtualPhone | undefined, from: number, to: number): number {
  return commandsIn(phone, from, to).filter((c) => /\binput tap\b/.test(c.command)).length;
}

await main();
