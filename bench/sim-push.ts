/**
 * Virtual phone throughput through Debian's adb: a 100 MB push and pull (time, and the phone process'
 * peak RSS, which must not grow by the file size: pushes stream to disk), then 50 parallel `adb shell`.
 * Run: bun bench/sim-push.ts
 */
import { randomBytes } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VirtualPhone } from "@farm/virtual-phone";
import { startAdbServer } from "../test/helpers/adb.ts";

const MB = 1024 * 1024;
const SIZE_MB = Number(process.env.SIZE_MB ?? 100);
const adb = await startAdbServer();
const phone = await VirtualPhone.start({});
const serial = `127.0.0.1:${phone.port}`;
const file = join(tmpdir(), `sim-bench-${process.pid}.bin`);
let peak = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 5);
try {
  await adb.run(["connect", serial]);
  await writeFile(file, randomBytes(SIZE_MB * MB));
  Bun.gc(true);
  const base = process.memoryUsage().rss;
  peak = base;
  let t = performance.now();
  const push = await adb.run(["-s", serial, "push", file, "/sdcard/DCIM/bench.bin"], 120_000);
  const pushMs = performance.now() - t;
  if (push.code !== 0) throw new Error(push.stderr);
  const pushPeak = peak - base;
  t = performance.now();
  const pull = await adb.run(["-s", serial, "pull", "/sdcard/DCIM/bench.bin", `${file}.back`], 120_000);
  const pullMs = performance.now() - t;
  if (pull.code !== 0) throw new Error(pull.stderr);
  t = performance.now();
  const shells = await Promise.all(
    Array.from({ length: 50 }, (_, i) => adb.run(["-s", serial, "shell", "echo", String(i)])),
  );
  const shellMs = performance.now() - t;
  const bad = shells.filter((r, i) => r.text !== `${i}\n`).length;
  console.log(`push ${SIZE_MB} MB: ${pushMs.toFixed(0)} ms (${(SIZE_MB / (pushMs / 1000)).toFixed(0)} MB/s)`);
  console.log(`pull ${SIZE_MB} MB: ${pullMs.toFixed(0)} ms (${(SIZE_MB / (pullMs / 1000)).toFixed(0)} MB/s)`);
  console.log(
    `phone process RSS: base ${(base / MB).toFixed(0)} MB, peak during push +${(pushPeak / MB).toFixed(0)} MB, after pull +${((peak - base) / MB).toFixed(0)} MB`,
  );
  console.log(`50 parallel adb shell: ${shellMs.toFixed(0)} ms, ${bad} wrong`);
} finally {
  clearInterval(sampler);
  await rm(file, { force: true });
  await rm(`${file}.back`, { force: true });
  await adb.stop();
  await phone.stop();
}
