// Device layer over both transports vs the real adb CLI, against a virtual phone on loopback:
// connect + first shell, 100 parallel shell commands, a 50 MB push; for the Phone also how soon a phone that
// vanishes is seen offline and, once back, online (and over direct TCP, a phone that goes silent).
// Run: node_modules/.bin/bun bench/devices-transports.ts
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VirtualPhone } from "@farm/virtual-phone";
import { Fleet } from "../src/devices/index.ts";
import { silentLogger } from "../src/log.ts";
import { ADB, startAdbServer } from "../test/helpers/adb.ts";
import { randomFile } from "../test/helpers/files.ts";
import { waitFor } from "../test/helpers/wait.ts";

const work = await mkdtemp(join(tmpdir(), "bench-devices-"));
const server = await startAdbServer();
const big = join(work, "big.bin");
await randomFile(big, 50);

async function cli(...args: string[]): Promise<void> {
  const p = Bun.spawn([ADB, "-P", String(server.port), ...args], {
    env: server.env,
    stdout: "ignore",
    stderr: "pipe",
  });
  if ((await p.exited) !== 0)
    throw new Error(`adb ${args.join(" ")}: ${await new Response(p.stderr).text()}`);
}

const ms = (t0: number) => performance.now() - t0;
const rows: string[][] = [
  [
    "",
    "connect+shell ms",
    "100 parallel shells ms",
    "50 MB push MB/s",
    "offline ms",
    "online ms",
    "silent ms",
  ],
];

try {
  // Baseline: the adb CLI through the same server.
  {
    const phone = await VirtualPhone.start({ auth: "accept" });
    const serial = `127.0.0.1:${phone.port}`;
    let t0 = performance.now();
    await cli("connect", serial);
    await cli("-s", serial, "shell", "echo", "hi");
    const connect = ms(t0);
    t0 = performance.now();
    await Promise.all(Array.from({ length: 100 }, (_, i) => cli("-s", serial, "shell", "echo", String(i))));
    const parallel = ms(t0);
    t0 = performance.now();
    await cli("-s", serial, "push", big, "/sdcard/big.bin");
    const push = 50 / (ms(t0) / 1000);
    rows.push(["adb CLI (baseline)", connect.toFixed(0), parallel.toFixed(0), push.toFixed(0)]);
    await cli("disconnect", serial);
    await phone.stop();
  }
  for (const direct of [false, true]) {
    const phone = await VirtualPhone.start({ auth: "accept" });
    const serial = `127.0.0.1:${phone.port}`;
    const fleet = new Fleet({
      dataDir: join(work, "data"),
      adbServer: direct ? false : { port: server.port },
      log: silentLogger,
    });
    await fleet.start();
    let t0 = performance.now();
    await fleet.connect("127.0.0.1", phone.port, { direct });
    const p = await waitFor("online", () => fleet.phone(serial), 5000);
    await p.shell("echo hi");
    const connect = ms(t0);
    t0 = performance.now();
    await Promise.all(Array.from({ length: 100 }, (_, i) => p.shell(`echo ${i}`)));
    const parallel = ms(t0);
    t0 = performance.now();
    await p.push(big, "/sdcard/big.bin");
    const push = 50 / (ms(t0) / 1000);
    await phone.vanish();
    t0 = performance.now();
    await waitFor("offline", () => fleet.get(serial)?.state === "offline", 10_000);
    const offline = ms(t0);
    await phone.comeBack();
    t0 = performance.now();
    await waitFor("online again", () => fleet.get(serial)?.state === "online", 20_000);
    const online = ms(t0);
    let silent = "-";
    if (direct) {
      phone.setLatency(10_000);
      t0 = performance.now();
      await waitFor("silent phone offline", () => fleet.get(serial)?.state === "offline", 10_000);
      silent = ms(t0).toFixed(0);
      phone.setLatency(0);
    }
    rows.push([
      direct ? "Phone, direct TCP" : "Phone, via adb server",
      connect.toFixed(0),
      parallel.toFixed(0),
      push.toFixed(0),
      offline.toFixed(0),
      online.toFixed(0),
      silent,
    ]);
    await fleet.stop();
    await phone.stop();
  }
} finally {
  await server.stop();
  await rm(work, { recursive: true, force: true });
}

const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length))) ?? [];
for (const r of rows)
  console.log(
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join("  "),
  );
console.log("(connect+shell for the Phone includes reading model, brand, version, SDK, screen and battery)");
