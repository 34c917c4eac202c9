// The scripts on phones as slow as real ones: 20 virtual phones under the `real-usb` latency profile, the
// service from source, four phones per script, all at once: post a video to TikTok,
// post it to Instagram, follow, comment, 60 s of account_warmup. Prints per script the wall time per task,
// the time the phones spent on each kind of command, dumps and taps per task, and the floor (the app's own
// waits: the upload, the videos watched), so that overhead = wall − floor shows per script.
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
// --fast-ui: as many phones again, each with fast UI on (Appium's UiAutomator2 server: page source and taps in
//   tens of ms; bench/lib/fast-ui.ts), ready before the tasks start; their rows ("[fast UI]") follow the stock ones.
//
// Usage: bun bench/real-latency.ts [--phones-per-script 4] [--warmup-s 60] [--plain] [--timeout 240] [--fast-ui]
//   Screens are realistic too (changes take 300–800 ms, toasts, dumps that find no idle state, …), as a real
//   phone's; --plain takes instant screens (the first baseline, taken before the flows passed on realistic
//   screens, was on plain ones).
import { Database } from "bun:sqlite";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { FEED, type PhoneWait, type VirtualPhone, type WaitKind } from "@farm/virtual-phone";
import { writeMedia } from "../test/helpers/media.ts";
import { waitFor } from "../test/helpers/wait.ts";
import { type Farm, startFarm } from "./lib/farm.ts";
import { enableFastUi, FAST_UI_KINDS, withFastUi } from "./lib/fast-ui.ts";
import { withTimeout } from "./lib/proc.ts";

const { values } = parseArgs({
  options: {
    "phones-per-script": { type: "string", default: "4" },
    "warmup-s": { type: "string", default: "60" },
    timeout: { type: "string", default: "240" },
    plain: { type: "boolean", default: false },
    "fast-ui": { type: "boolean", default: false },
  },
});
const PER_SCRIPT = Number(values["phones-per-script"]);
const WARMUP_S = Number(values["warmup-s"]);
const TIMEOUT_MS = Number(values.timeout) * 1000;
const REALISTIC = !values.plain;
const FAST_UI = values["fast-ui"];
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

const seconds = (ms: number) => (ms / 1000).toFixed(1);

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "farm-bench-latency-"));
  let farm: Farm | undefined;
  try {
    mkdirSync(join(dir, "media"));
    const video = writeMedia(join(dir, "media", "video.mp4"), "mp4", VIDEO_MB * 1024 * 1024);
    const target = FEED[0];
    if (!target) throw new Error("the sim feed is empty");
    const stockJobs: Job[] = [
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
    const jobs = FAST_UI ? [...stockJobs, ...withFastUi(stockJobs)] : stockJobs;
    const phoneCount = PER_SCRIPT * jobs.length;
    farm = await startFarm({
      dir,
      phones: phoneCount,
      serialPrefix: "LAT",
      source: true,
      phoneOptions: () => ({ popups: false, latency: "real-usb", realistic: REALISTIC }),
      deadline: Date.now() + TIMEOUT_MS,
    });
    const { phones, serials, service, api, left } = farm;
    for (const p of phones) {
      p.apps.tiktok.uploadMs = UPLOAD_MS;
      p.apps.instagram.uploadMs = UPLOAD_MS;
    }
    const bySerial = new Map(phones.map((p, i) => [serials[i] as string, p]));
    const fastSetupMs = FAST_UI ? await enableFastUi(farm, serials.slice(PER_SCRIPT * stockJobs.length)) : 0;

    const taskJob = new Map<number, Job>();
    const t0 = performance.now();
    for (const [j, job] of jobs.entries()) {
      const created = await api<{ task_ids: number[] }>("POST", "/api/v1/task", {
        serials: serials.slice(j * PER_SCRIPT, (j + 1) * PER_SCRIPT),
        script_name: job.script,
        ...(job.platform ? { platform: job.platform } : {}),
        script_config: job.config,
      });
      for (const id of created.task_ids) taskJob.set(id, job);
    }
    await withTimeout(
      "every task finished",
      waitFor(
        "every task finished",
        async () => {
          const stats = await api("GET", "/api/v1/task/stats");
          return stats.pending === 0 && stats.running === 0;
        },
        left(),
      ),
      left(),
    );
    const totalS = (performance.now() - t0) / 1000;

    service.proc.kill("SIGTERM");
    await withTimeout("service exit", service.proc.exited, 15_000).catch(() => service.proc.kill("SIGKILL"));
    const db = new Database(join(dir, "data", "farm.db"), { readonly: true });
    const tasks = db
      .query("select id, serial, status, error, started_at started, finished_at finished from tasks")
      .all() as TaskRow[];
    const watching = db
      .query("select task_id id, at from task_logs where message like 'watching %'")
      .all() as { id: number; at: number }[];
    db.close();

    console.log(
      `service: bun src/main.ts; ${phoneCount} virtual phones (${PER_SCRIPT} per script, all at once), latency ` +
        `profile real-usb, ${REALISTIC ? "realistic screens" : "plain screens (--plain)"}, no popups; ` +
        `${VIDEO_MB} MB video, sim upload ${seconds(UPLOAD_MS)} s; warmup ${WARMUP_S} s watching ${WATCH_S} s a ` +
        `video; ${navigator.hardwareConcurrency} CPU core(s); all tasks done in ${totalS.toFixed(1)} s` +
        (FAST_UI ? `; fast UI installed and started on its phones in ${seconds(fastSetupMs)} s first` : ""),
    );
    console.log(
      "figures per task, mean over the script's completed tasks (s); waited = the phone's command times; " +
        "overhead = wall − floor",
    );
    const header = ["script", "ok", "wall", "floor", "overhead", "waited", ...KINDS, "dumps", "taps"];
    const rows: string[][] = [header];
    const failures: string[] = [];
    for (const job of jobs) {
      const mine = tasks.filter((t) => taskJob.get(t.id) === job);
      const done = mine.filter((t) => t.status === 2 && t.started !== null && t.finished !== null);
      for (const t of mine.filter((x) => x.status !== 2))
        failures.push(`${job.label} #${t.id} (${t.serial}): ${t.error ?? `status ${t.status}`}`);
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
        return {
          wall: finished - started,
          floor,
          waited: waits.reduce((s, w) => s + w.ms, 0),
          byKind,
          dumps: waits.filter((w) => w.kind === "uiautomator dump").length,
          taps: tapsIn(bySerial.get(t.serial), started, finished),
        };
      });
      const mean = (f: (x: (typeof per)[number]) => number) =>
        per.length ? per.reduce((s, x) => s + f(x), 0) / per.length : Number.NaN;
      rows.push([
        job.label,
        `${done.length}/${mine.length}`,
        seconds(mean((x) => x.wall)),
        seconds(mean((x) => x.floor)),
        seconds(mean((x) => x.wall - x.floor)),
        seconds(mean((x) => x.waited)),
        ...KINDS.map((k) => seconds(mean((x) => x.byKind[k]))),
        mean((x) => x.dumps).toFixed(1),
        mean((x) => x.taps).toFixed(1),
      ]);
    }
    const widths = header.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
    for (const r of rows) console.log(r.map((cell, c) => cell.padStart(widths[c] ?? 0)).join("  "));
    for (const f of failures) console.log(`  failed: ${f}`);
  } finally {
    await farm?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The phone's waits that began while a task ran on it. */
function waitsIn(phone: VirtualPhone | undefined, from: number, to: number): PhoneWait[] {
  return (phone?.waits ?? []).filter((w) => w.at >= from && w.at <= to);
}

/** The `input tap`s a phone received while a task ran on it. */
function tapsIn(phone: VirtualPhone | undefined, from: number, to: number): number {
  return (phone?.commands ?? []).filter((c) => c.at >= from && c.at <= to && /\binput tap\b/.test(c.command))
    .length;
}

await main();
