// Posting at scale: N virtual phones (100 by default) under the Business plan each post the same 20 MB video
// at once, one POST /api/v1/task with every serial, against the compiled executable in its own process.
// Beside it, in the same run, the baseline: `adb push` of the same file to the same phones, all at once.
// Prints the total time, aggregate push MB/s against the baseline, the service's CPU seconds and peak RSS per
// post, and UI dumps per post (the `uiautomator dump` commands the phones received).
// Usage: bun bench/post.ts [--phones 100] [--size-mb 20] [--timeout 900] [--source]
//   --source: run `bun src/main.ts` instead of building the executable.
import { Database } from "bun:sqlite";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { VirtualPhone } from "@farm/virtual-phone";
import { writeMedia } from "../test/helpers/media.ts";
import { waitFor } from "../test/helpers/wait.ts";
import { type Farm, startFarm } from "./lib/farm.ts";
import { cpuSeconds, rssMb, Sampler, withTimeout } from "./lib/proc.ts";

const { values } = parseArgs({
  options: {
    phones: { type: "string", default: "100" },
    "size-mb": { type: "string", default: "20" },
    timeout: { type: "string", default: "900" },
    source: { type: "boolean", default: false },
  },
});
const PHONES = Number(values.phones);
const SIZE_MB = Number(values["size-mb"]);
const TIMEOUT_MS = Number(values.timeout) * 1000;
const MB = 1024 * 1024;
/** The sim apps' upload time: short, so the measurement is the service's work, not a simulated wait. */
const UPLOAD_MS = 300;

const countDumps = (phones: VirtualPhone[]) =>
  phones.reduce((n, p) => n + p.commands.filter((c) => c.command.includes("uiautomator dump")).length, 0);

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "farm-bench-post-"));
  let farm: Farm | undefined;
  try {
    mkdirSync(join(dir, "media"));
    const video = writeMedia(join(dir, "media", "video.mp4"), "mp4", SIZE_MB * MB);
    farm = await startFarm({
      dir,
      phones: PHONES,
      serialPrefix: "POST",
      source: values.source,
      phoneOptions: () => ({ popups: false }),
      deadline: Date.now() + TIMEOUT_MS,
    });
    const { phones, serials, service, adb, api, left } = farm;
    for (const p of phones) {
      p.apps.tiktok.uploadMs = UPLOAD_MS;
      p.apps.instagram.uploadMs = UPLOAD_MS;
    }

    // the baseline: Debian's adb pushes the same file to the same phones, all at once
    const t0 = performance.now();
    const pushes = await Promise.all(
      phones.map((p) =>
        adb.run(["-s", `${p.host}:${p.port}`, "push", video, "/data/local/tmp/baseline.mp4"], left()),
      ),
    );
    const baselineS = (performance.now() - t0) / 1000;
    const failedPushes = pushes.filter((r) => r?.code !== 0);
    if (failedPushes.length > 0) throw new Error(`adb push failed: ${failedPushes[0]?.stderr}`);
    await Promise.all(phones.map((p) => p.exec("rm /data/local/tmp/baseline.mp4")));

    // the posts: one request, every phone, the same video
    const dumps0 = countDumps(phones);
    const pid = service.proc.pid;
    const rssIdle = rssMb(pid) ?? 0;
    const cpu0 = cpuSeconds(pid) ?? 0;
    const sampler = new Sampler(pid, 100);
    const t1 = performance.now();
    const created = await api<{ task_ids: number[]; created_count: number }>("POST", "/api/v1/task", {
      serials,
      script_name: "post",
      script_config: {
        content_type: 0,
        captions: "bench {one|two} #fyp",
        material_list: [video],
        upload_wait_time: 5,
      },
    });
    if (created.created_count !== PHONES) throw new Error(`created ${created.created_count} of ${PHONES}`);
    let stats: Record<string, number> = {};
    await withTimeout(
      `${PHONES} posts finished`,
      waitFor(
        `${PHONES} posts finished`,
        async () => {
          stats = await api("GET", "/api/v1/task/stats");
          return stats.pending === 0 && stats.running === 0;
        },
        left(),
      ),
      left(),
    );
    const totalS = (performance.now() - t1) / 1000;
    const usage = sampler.stop();
    const cpuS = (cpuSeconds(pid) ?? cpu0) - cpu0;
    const dumps = countDumps(phones) - dumps0;
    const posted = phones.reduce((n, p) => n + p.apps.tiktok.posts.length, 0);
    const failures = new Map<string, number>();
    if (stats.failed) {
      const failed = await api<{ tasks: { error: string | null }[] }>(
        "GET",
        "/api/v1/task?status=3&page_size=100",
      );
      for (const t of failed.tasks) failures.set(t.error ?? "?", (failures.get(t.error ?? "?") ?? 0) + 1);
    }

    // the push step of each post, from the task logs: a step's line is written at its end with its duration
    service.proc.kill("SIGTERM");
    await withTimeout("service exit", service.proc.exited, 15_000).catch(() => service?.proc.kill("SIGKILL"));
    const db = new Database(join(dir, "data", "farm.db"), { readonly: true });
    const pushSteps = db
      .query(
        "select at, duration_ms d from task_logs where message like 'push % file(s)' and duration_ms is not null",
      )
      .all() as { at: number; d: number }[];
    const flowDumps = (
      db.query("select message from task_logs where message like '% UI dumps, % taps'").all() as {
        message: string;
      }[]
    ).map((r) => Number.parseInt(r.message, 10));
    db.close();
    const pushWindowS =
      (Math.max(...pushSteps.map((r) => r.at)) - Math.min(...pushSteps.map((r) => r.at - r.d))) / 1000;
    const pushMs = pushSteps.map((r) => r.d).sort((a, b) => a - b);

    const mbs = (s: number) => ((PHONES * SIZE_MB) / s).toFixed(1);
    console.log(
      `service: ${values.source ? "bun src/main.ts" : "compiled executable"}; Business plan; ${PHONES} phones; ` +
        `${SIZE_MB} MB video; sim upload ${UPLOAD_MS} ms; ${navigator.hardwareConcurrency} CPU core(s)`,
    );
    console.log(
      `posts: ${stats.completed} completed, ${stats.failed} failed; ${posted} posts seen by the phones' apps`,
    );
    for (const [error, n] of failures) console.log(`  ${n} × ${error}`);
    console.log(`total time, POST /task → all finished: ${totalS.toFixed(1)} s`);
    console.log(
      `aggregate push: ${mbs(pushWindowS)} MB/s (${pushSteps.length} push steps, first start → last end ` +
        `${pushWindowS.toFixed(1)} s; one push p50 ${((pushMs[Math.floor(pushMs.length / 2)] ?? 0) / 1000).toFixed(2)} s); ` +
        `adb push baseline ${mbs(baselineS)} MB/s (${baselineS.toFixed(1)} s for ${PHONES} × ${SIZE_MB} MB); ` +
        `whole posts ${mbs(totalS)} MB/s`,
    );
    console.log(
      `service per post: ${(cpuS / PHONES).toFixed(2)} CPU-s (${cpuS.toFixed(1)} s in all, ` +
        `${((100 * cpuS) / usage.wallS).toFixed(0)} % of one core); peak RSS ${usage.rssPeak.toFixed(0)} MB ` +
        `(idle ${rssIdle.toFixed(0)} MB, +${((usage.rssPeak - rssIdle) / PHONES).toFixed(2)} MB per post)`,
    );
    console.log(
      `UI dumps: ${(dumps / PHONES).toFixed(1)} per post (${dumps} uiautomator dump commands received; ` +
        `the flows counted ${flowDumps.reduce((a, b) => a + b, 0)} in ${flowDumps.length} task logs, ` +
        `max ${Math.max(0, ...flowDumps)} in one)`,
    );
  } finally {
    await farm?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
