// Pushing through the adb server: the service's own push (the Fleet's Phone.push, in a process of its own)
// against Debian's `adb push`, the same file to the same N virtual phones at once, through the same adb
// server, the two alternating for --rounds rounds. Prints per side the wall time, the aggregate MB/s, the
// client's CPU seconds (the worker process; the adb processes summed) and the adb server's, side by side
// with their ratios.
// Usage: bun bench/push.ts [--phones 100] [--size-mb 20] [--rounds 2]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { VirtualPhone } from "@farm/virtual-phone";
import { ADB, startAdbServer } from "../test/helpers/adb.ts";
import { writeMedia } from "../test/helpers/media.ts";
import { startPhones } from "./lib/farm.ts";
import { adbServerPid, cpuSeconds } from "./lib/proc.ts";

const { values } = parseArgs({
  options: {
    phones: { type: "string", default: "100" },
    "size-mb": { type: "string", default: "20" },
    rounds: { type: "string", default: "2" },
  },
});
const PHONES = Number(values.phones);
const SIZE_MB = Number(values["size-mb"]);
const ROUNDS = Number(values.rounds);
const REMOTE = "/data/local/tmp/bench-push.bin";

interface Side {
  wallS: number;
  cpuS: number;
  serverCpuS: number;
  /** The worker's fleet over the same time pushing nothing (the adb processes have none). */
  idleCpuS: number;
}

const dir = mkdtempSync(join(tmpdir(), "farm-bench-push-"));
const adb = await startAdbServer();
const phones: VirtualPhone[] = [];
try {
  const file = writeMedia(join(dir, "video.mp4"), "mp4", SIZE_MB * 1024 * 1024);
  await startPhones(phones, PHONES, (i) => ({ serial: `PUSH${i}`, popups: false }));
  const serials = phones.map((p) => `${p.host}:${p.port}`);
  for (const s of serials) {
    const r = await adb.run(["connect", s]);
    if (r.code !== 0 || !/connected/.test(r.text)) throw new Error(`adb connect ${s}: ${r.text}${r.stderr}`);
  }
  const serverPid = adbServerPid(adb.port);
  if (serverPid === null) throw new Error("the adb server's process was not found");
  const serverCpu = () => cpuSeconds(serverPid) ?? 0;
  const clean = () => Promise.all(phones.map((p) => p.exec(`rm -f ${REMOTE}`)));

  const adbPush = async (): Promise<Side> => {
    const s0 = serverCpu();
    const t0 = performance.now();
    const procs = serials.map((s) =>
      Bun.spawn([ADB, "-P", String(adb.port), "-s", s, "push", file, REMOTE], {
        env: adb.env,
        stdout: "ignore",
        stderr: "pipe",
      }),
    );
    const codes = await Promise.all(procs.map((p) => p.exited));
    const wallS = (performance.now() - t0) / 1000;
    if (codes.some((c) => c !== 0))
      throw new Error(`adb push failed: ${await new Response(procs[0]?.stderr).text()}`);
    const cpuS = procs.reduce((sum, p) => sum + Number(p.resourceUsage()?.cpuTime.total ?? 0) / 1e6, 0);
    return { wallS, cpuS, serverCpuS: serverCpu() - s0, idleCpuS: 0 };
  };
  const fleetPush = async (): Promise<Side> => {
    const worker = Bun.spawn(
      [process.execPath, join(import.meta.dir, "lib/push-worker.ts"), String(adb.port), file, ...serials],
      { stdin: "pipe", stdout: "pipe", stderr: "inherit" },
    );
    // the adb server's CPU from the worker's "go" to its "pushed": attaching the phones is not the push
    const lines = (worker.stdout as ReadableStream<Uint8Array>)
      .pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>)
      .getReader();
    let text = "";
    const until = async (line: string) => {
      while (!text.split("\n").includes(line)) {
        const { done, value } = await lines.read();
        if (done) throw new Error(`push worker ended before "${line}": ${text}`);
        text += value;
      }
    };
    await until("ready");
    const s0 = serverCpu();
    worker.stdin.write("go\n");
    await worker.stdin.flush();
    await until("pushed");
    const serverCpuS = serverCpu() - s0;
    for (;;) {
      const { done, value } = await lines.read();
      if (done) break;
      text += value;
    }
    if ((await worker.exited) !== 0) throw new Error(`push worker failed: ${text}`);
    const measured = JSON.parse(text.trim().split("\n").at(-1) ?? "{}") as {
      wallS: number;
      cpuS: number;
      idleCpuS: number;
    };
    return { ...measured, serverCpuS };
  };

  const results = { adb: [] as Side[], fleet: [] as Side[] };
  for (let round = 0; round < ROUNDS; round++) {
    results.adb.push(await adbPush());
    await clean();
    results.fleet.push(await fleetPush());
    await clean();
  }
  const mean = (xs: Side[], f: (s: Side) => number) => xs.reduce((a, x) => a + f(x), 0) / xs.length;
  const mbs = (s: Side[]) => (PHONES * SIZE_MB) / mean(s, (x) => x.wallS);
  console.log(
    `${PHONES} virtual phones, ${SIZE_MB} MB each at once, through one Debian adb server; ${ROUNDS} round(s) ` +
      `alternating; ${navigator.hardwareConcurrency} CPU core(s); means over the rounds`,
  );
  const rows = [
    ["", "wall s", "MB/s", "client CPU-s", "of it idle fleet", "adb server CPU-s"],
    ...(
      [
        ["adb push (baseline)", results.adb],
        ["Phone.push via adb server", results.fleet],
      ] as const
    ).map(([label, r]) => [
      label,
      mean(r, (x) => x.wallS).toFixed(1),
      mbs(r).toFixed(1),
      mean(r, (x) => x.cpuS).toFixed(2),
      mean(r, (x) => x.idleCpuS).toFixed(2),
      mean(r, (x) => x.serverCpuS).toFixed(2),
    ]),
  ];
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length))) ?? [];
  for (const r of rows)
    console.log(
      r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join("  "),
    );
  console.log(
    `ratios, Phone.push / adb push: throughput ${(mbs(results.fleet) / mbs(results.adb)).toFixed(2)}×, ` +
      `client CPU ${(mean(results.fleet, (x) => x.cpuS) / mean(results.adb, (x) => x.cpuS)).toFixed(2)}× ` +
      `(${(mean(results.fleet, (x) => x.cpuS - x.idleCpuS) / mean(results.adb, (x) => x.cpuS)).toFixed(2)}× without ` +
      "the idle fleet's own), " +
      `adb server CPU ${(mean(results.fleet, (x) => x.serverCpuS) / mean(results.adb, (x) => x.serverCpuS)).toFixed(2)}×`,
  );
} finally {
  for (const p of phones) await p.stop().catch(() => {});
  await adb.stop();
  rmSync(dir, { recursive: true, force: true });
}
