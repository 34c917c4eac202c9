/**
 * The device layer against virtual phones, each figure next to a baseline measured in the same run
 * (the machine is noisy: read the ratios):
 * 1. push 100 MB: Phone.push through the adb server vs `adb push` through the same server, alternating
 *    (plus Phone.push over the direct transport, for information); the file's size is checked on the sim's disk.
 *    Once with the sim in a process of its own (like a real phone), once with it in this process, where it
 *    competes with Phone.push (but not with the adb CLI) for Bun's one JS thread;
 * 2. 100 phones attached: seconds from the first `connect` until `fleet.list()` shows all online, and RSS
 *    (sims alone, then with the fleet), through the adb server and direct; each in a fresh child process;
 * 3. shell round trip (`echo hi`): Phone.shell (server, direct) vs `adb -s SERIAL shell echo hi` spawned per call.
 * Run: node_modules/.bin/bun bench/devices.ts
 */

import { mkdtemp, rm, stat, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VirtualPhone } from "@farm/virtual-phone";
import { Fleet, type Phone } from "../src/devices/index.ts";
import { silentLogger } from "../src/log.ts";
import { ADB, type AdbServer, startAdbServer } from "../test/helpers/adb.ts";
import { randomFile } from "../test/helpers/files.ts";
import { waitFor } from "../test/helpers/wait.ts";
import { percentile } from "./lib/tasks.ts";

const MB = 1024 * 1024;
const PUSH_MB = Number(process.env.PUSH_MB ?? 100);
const PUSH_ROUNDS = Number(process.env.PUSH_ROUNDS ?? 5);
const PHONES = Number(process.env.PHONES ?? 100);
const SHELLS = Number(process.env.SHELLS ?? 200);
/** The whole run gives up after this long, and one attach run (a child process) after CHILD_LIMIT_MS. */
const DEADLINE_MS = Number(process.env.DEADLINE_MS ?? 8 * 60_000);
const CHILD_LIMIT_MS = 150_000;
const CHILD_FLAG = "--attach";
const RESULT = "RESULT ";

const ms = (t0: number) => performance.now() - t0;
const mb = (bytes: number) => bytes / MB;

function rss(): number {
  Bun.gc(true);
  return process.memoryUsage().rss;
}

// ---- cleanup: every resource registers how to free it; run in reverse, on success, failure or deadline --

const cleanups: (() => Promise<unknown> | unknown)[] = [];
function onCleanup(fn: () => Promise<unknown> | unknown): void {
  cleanups.push(fn);
}
/** Frees what was registered after `mark` (default: everything), newest first. */
async function cleanup(mark = 0): Promise<void> {
  while (cleanups.length > mark) {
    const fn = cleanups.pop() as () => unknown;
    try {
      await Promise.race([fn(), Bun.sleep(10_000)]);
    } catch (e) {
      console.error(`cleanup: ${(e as Error).message}`);
    }
  }
}
/** Runs `fn` once, however often it is called. */
function memo<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => {
    p ??= fn();
    return p;
  };
}
function guardRun(what: string, limitMs: number): void {
  const deadline = setTimeout(() => {
    console.error(`${what}: gave up after ${limitMs / 1000} s`);
    void cleanup().finally(() => process.exit(1));
  }, limitMs);
  deadline.unref();
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.on(sig, () => void cleanup().finally(() => process.exit(130)));
  }
}

/** CPU time (ms) of the last command `run` finished. */
let lastCommandCpuMs = 0;

/** Runs a command with a time limit; its stdout, or an error with its stderr. */
async function run(cmd: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<string> {
  const p = Bun.spawn(cmd, { env, stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => p.kill("SIGKILL"), timeoutMs);
  try {
    const [out, err, code] = await Promise.all([
      new Response(p.stdout).text(),
      new Response(p.stderr).text(),
      p.exited,
    ]);
    lastCommandCpuMs = Number(p.resourceUsage()?.cpuTime.total ?? 0) / 1000;
    if (code !== 0) {
      throw new Error(`${cmd.slice(0, 6).join(" ")} … exited ${code}: ${(err || out).trim().slice(0, 300)}`);
    }
    return out;
  } finally {
    clearTimeout(timer);
  }
}

function adbCli(server: AdbServer) {
  return (args: string[], timeoutMs?: number) =>
    run([ADB, "-P", String(server.port), ...args], server.env, timeoutMs);
}

async function startPhone(): Promise<VirtualPhone> {
  const phone = await VirtualPhone.start({ popups: false });
  onCleanup(() => phone.stop());
  return phone;
}

async function startFleet(
  dataDir: string,
  server: Pick<AdbServer, "port"> | undefined,
  pollMs = 1000,
): Promise<Fleet> {
  const fleet = new Fleet({
    dataDir,
    adbServer: server ? { port: server.port } : false,
    pollMs,
    log: silentLogger,
  });
  onCleanup(() => fleet.stop());
  await fleet.start();
  return fleet;
}

/** What the benchmarks need of a virtual phone, wherever it runs. */
interface SimTarget {
  host: string;
  port: number;
  address: string;
  /** Its file system on disk. */
  root: string;
}

/** One virtual phone in a process of its own (the package's cli), as a real phone is another machine. */
async function startSimProcess(): Promise<SimTarget> {
  const cli = Bun.resolveSync("@farm/virtual-phone/cli", import.meta.dir);
  const p = Bun.spawn([process.execPath, cli, "--count", "1", "--no-popups"], {
    stdout: "pipe",
    stderr: "inherit",
  });
  let root = "";
  onCleanup(async () => {
    p.kill("SIGTERM"); // it stops its phone and removes its folder
    if ((await Promise.race([p.exited, Bun.sleep(5000).then(() => "late")])) === "late") p.kill("SIGKILL");
    if (root) await rm(root, { recursive: true, force: true });
  });
  const reader = (p.stdout as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  const deadline = Date.now() + 15_000;
  while (!text.includes("\n")) {
    const { value, done } = await Promise.race([
      reader.read(),
      Bun.sleep(Math.max(0, deadline - Date.now())).then(() => ({ value: undefined, done: true })),
    ]);
    if (done) throw new Error(`the sim process did not start: ${text}`);
    text += decoder.decode(value);
  }
  void (async () => {
    while (!(await reader.read()).done) {}
  })().catch(() => {});
  // "SERIAL\tHOST:PORT\tROOT"
  const [, address = "", dir = ""] = (text.split("\n")[0] ?? "").split("\t");
  root = dir;
  const m = /^(.*):(\d+)$/.exec(address);
  if (!m || !root) throw new Error(`unexpected sim line: ${text}`);
  return { host: m[1] as string, port: Number(m[2]), address, root };
}

async function attach(fleet: Fleet, phone: SimTarget, direct: boolean): Promise<Phone> {
  await fleet.connect(phone.host, phone.port, { direct });
  return await waitFor(`${phone.address} online`, () => fleet.phone(phone.address), 15_000);
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length))) ?? [];
  return rows
    .map((r) =>
      r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join("  "),
    )
    .join("\n");
}

const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : "-");
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "-");
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : "-");

// ---- 2 (child): 100 phones attached in a fresh process ------------------------------------------------------

interface AttachResult {
  mode: "server" | "direct";
  phones: number;
  online: number;
  seconds: number;
  connectCalls: number;
  rssBefore: number;
  rssSims: number;
  rssAttached: number;
}

async function attachChild(mode: "server" | "direct"): Promise<void> {
  guardRun(`attach ${mode}`, CHILD_LIMIT_MS);
  const dataDir = process.env.DEVICES_BENCH_DATA ?? tmpdir();
  const port = Number(process.env.DEVICES_BENCH_ADB_PORT);
  const server = mode === "server" ? { port } : undefined;
  try {
    const rssBefore = rss();
    const phones: VirtualPhone[] = [];
    for (let i = 0; i < PHONES; i++) phones.push(await startPhone());
    const rssSims = rss();
    const fleet = await startFleet(dataDir, server);
    const t0 = performance.now();
    let connectCalls = 0;
    const connecting = Promise.all(
      phones.map((p) =>
        fleet.connect(p.host, p.port, { direct: mode === "direct" }).then(() => connectCalls++),
      ),
    );
    connecting.catch(() => {});
    const online = () => fleet.list().filter((d) => d.state === "online").length;
    let seconds = Number.NaN;
    try {
      await waitFor(`${PHONES} phones online`, () => online() >= PHONES, 120_000);
      seconds = ms(t0) / 1000;
    } catch (e) {
      console.error(`attach ${mode}: ${(e as Error).message} (${online()} online)`);
    }
    const onlineCount = online();
    const calls = connectCalls;
    await Promise.race([connecting, Bun.sleep(15_000)]);
    const rssAttached = rss();
    const result: AttachResult = {
      mode,
      phones: PHONES,
      online: onlineCount,
      seconds,
      connectCalls: calls,
      rssBefore,
      rssSims,
      rssAttached,
    };
    console.log(`${RESULT}${JSON.stringify(result)}`);
  } finally {
    await cleanup();
  }
}

async function runAttach(mode: "server" | "direct", work: string): Promise<AttachResult> {
  // A fresh adb server per run, so no phone of an earlier run is listed.
  const server = mode === "server" ? await startAdbServer() : undefined;
  const stopServer = memo(async () => server?.stop());
  onCleanup(stopServer);
  const p = Bun.spawn([process.execPath, import.meta.path, CHILD_FLAG, mode], {
    env: {
      ...process.env,
      DEVICES_BENCH_DATA: join(work, `data-${mode}`),
      DEVICES_BENCH_ADB_PORT: String(server?.port ?? 0),
    },
    stdout: "pipe",
    stderr: "inherit",
  });
  const killer = setTimeout(() => p.kill("SIGTERM"), CHILD_LIMIT_MS + 20_000);
  try {
    const [out, code] = await Promise.all([new Response(p.stdout).text(), p.exited]);
    const line = out.split("\n").find((l) => l.startsWith(RESULT));
    if (code !== 0 || !line) throw new Error(`attach ${mode} child exited ${code}:\n${out}`);
    return JSON.parse(line.slice(RESULT.length)) as AttachResult;
  } finally {
    clearTimeout(killer);
    await stopServer(); // its network transports go with it
  }
}

// ---- parent -------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  guardRun("bench/devices.ts", DEADLINE_MS);
  const work = await mkdtemp(join(tmpdir(), "bench-devices-"));
  onCleanup(() => rm(work, { recursive: true, force: true }));
  const print = (...lines: string[]) => console.log(lines.join("\n"));
  try {
    const mark = cleanups.length;
    const server = await startAdbServer();
    onCleanup(() => server.stop());
    const adb = adbCli(server);
    const big = join(work, "big.bin");
    await randomFile(big, PUSH_MB);

    // ---- 1. push ------------------------------------------------------------------------------------------
    const remote = "/sdcard/Download/bench.bin";
    /** Alternating rounds against one sim: MB/s per round for the CLI, Phone.push via server, and direct. */
    async function pushRounds(start: () => Promise<SimTarget>, tag: string) {
      const at = cleanups.length;
      try {
        const target = await start();
        const viaServer = await attach(await startFleet(join(work, `push-${tag}-s`), server), target, false);
        const viaDirect = await attach(
          await startFleet(join(work, `push-${tag}-d`), undefined),
          target,
          true,
        );
        const onDisk = join(target.root, "sdcard", "Download", "bench.bin");
        const cpu = { cli: [] as number[], phone: [] as number[], direct: [] as number[] };
        /** MB/s; records the CPU ms of this process plus the adb command, if one ran. */
        const timed = async (kind: keyof typeof cpu, push: () => Promise<unknown>): Promise<number> => {
          await unlink(onDisk).catch(() => {});
          lastCommandCpuMs = 0;
          const c0 = process.cpuUsage();
          const t0 = performance.now();
          await push();
          const seconds = ms(t0) / 1000;
          const c = process.cpuUsage(c0);
          cpu[kind].push((c.user + c.system) / 1000 + lastCommandCpuMs);
          const size = (await stat(onDisk)).size;
          if (size !== PUSH_MB * MB)
            throw new Error(`pushed file is ${size} bytes on the sim, not ${PUSH_MB * MB}`);
          return PUSH_MB / seconds;
        };
        const phone = () => timed("phone", () => viaServer.push(big, remote, { timeoutMs: 120_000 }));
        const direct = () => timed("direct", () => viaDirect.push(big, remote, { timeoutMs: 120_000 }));
        const cli = () => timed("cli", () => adb(["-s", target.address, "push", big, remote], 120_000));
        // Warm-up (page cache, JIT), untimed.
        await phone();
        await cli();
        await direct();
        for (const k of Object.values(cpu)) k.length = 0;
        const r = { cli: [] as number[], phone: [] as number[], direct: [] as number[], cpu };
        for (let i = 0; i < PUSH_ROUNDS; i++) {
          if (i % 2 === 1) r.cli.push(await cli());
          r.phone.push(await phone());
          if (i % 2 === 0) r.cli.push(await cli());
          r.direct.push(await direct());
        }
        await unlink(onDisk).catch(() => {});
        return r;
      } finally {
        await cleanup(at);
      }
    }
    const median = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      const mid = s.length >> 1;
      return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
    };
    const pushRows = (what: string, r: Awaited<ReturnType<typeof pushRounds>>) => {
      const rounds = (xs: number[]) => xs.map(f0).join(" ");
      const perRound = (xs: number[]) => median(xs.map((v, i) => v / (r.cli[i] as number)));
      const row = (label: string, xs: number[], cpuMs: number[]) => [
        label,
        rounds(xs),
        f0(median(xs)),
        f2(median(xs) / median(r.cli)),
        f2(perRound(xs)),
        f0(median(cpuMs)),
      ];
      return [
        [`${what}:`, "", "", "", "", ""],
        row("  adb push (CLI, same server) = baseline", r.cli, r.cpu.cli),
        row("  Phone.push via adb server", r.phone, r.cpu.phone),
        row("  Phone.push direct (information)", r.direct, r.cpu.direct),
      ];
    };
    const own = await pushRounds(startSimProcess, "own");
    const shared = await pushRounds(startPhone, "shared");
    print(
      `1. push ${PUSH_MB} MB to a virtual phone (MB/s; ${PUSH_ROUNDS} rounds alternating Phone/CLI; size checked on the sim's disk)`,
      table([
        ["", "rounds", "median", "÷ CLI median", "median of ÷ CLI per round", "CPU ms"],
        ...pushRows("sim in its own process (like a real phone)", own),
        ...pushRows("sim in this process (shares its JS thread with Phone.push)", shared),
      ]),
      "   aim: Phone.push via adb server ÷ CLI ≥ 0.9. CPU ms: median per push of this process + the adb",
      "   command (the client's cost when the sim runs apart; it includes the sim's when the sim runs here)",
    );

    const phone = await startPhone();
    const serial = phone.address;
    const viaServer = await attach(await startFleet(join(work, "data-server"), server), phone, false);
    const viaDirect = await attach(await startFleet(join(work, "data-direct"), undefined), phone, true);

    // ---- 3. shell round trip ------------------------------------------------------------------------------
    const samples = { server: [] as number[], direct: [] as number[], cli: [] as number[] };
    const once = {
      server: async () => {
        const r = await viaServer.shell("echo hi", { timeoutMs: 10_000 });
        if (r.stdout !== "hi\n") throw new Error(`echo hi via server gave ${JSON.stringify(r.stdout)}`);
      },
      direct: async () => {
        const r = await viaDirect.shell("echo hi", { timeoutMs: 10_000 });
        if (r.stdout !== "hi\n") throw new Error(`echo hi direct gave ${JSON.stringify(r.stdout)}`);
      },
      cli: async () => {
        const text = await adb(["-s", serial, "shell", "echo", "hi"], 10_000);
        if (text !== "hi\n") throw new Error(`adb shell echo hi gave ${JSON.stringify(text)}`);
      },
    };
    const kinds = ["server", "direct", "cli"] as const;
    for (const k of kinds) for (let i = 0; i < 10; i++) await once[k](); // warm-up
    // Blocks of 25 calls, rotating the order, so a noisy moment hits every method alike.
    const block = 25;
    for (let b = 0; b < Math.ceil(SHELLS / block); b++) {
      for (let j = 0; j < kinds.length; j++) {
        const k = kinds[(b + j) % kinds.length] as (typeof kinds)[number];
        for (let i = 0; i < block && samples[k].length < SHELLS; i++) {
          const t0 = performance.now();
          await once[k]();
          samples[k].push(ms(t0));
        }
      }
    }
    const stats = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return { p50: percentile(s, 50), p99: percentile(s, 99) };
    };
    const cliShell = stats(samples.cli);
    const shellRow = (label: string, xs: number[]) => {
      const s = stats(xs);
      return [label, f2(s.p50), f2(s.p99), f2(s.p50 / cliShell.p50), f2(s.p99 / cliShell.p99)];
    };
    print(
      "",
      `3. shell round trip "echo hi" (ms; ${SHELLS} sequential calls each, interleaved in blocks of ${block})`,
      table([
        ["", "p50", "p99", "p50 ÷ CLI", "p99 ÷ CLI"],
        shellRow("adb shell (CLI spawn per call) = baseline", samples.cli),
        shellRow("Phone.shell via adb server", samples.server),
        shellRow("Phone.shell direct", samples.direct),
      ]),
    );
    // Free the phone, fleets and server of parts 1 and 3 before part 2 runs its own.
    await cleanup(mark);

    // ---- 2. 100 phones attached (each mode in a fresh child process) -------------------------------------
    const results: AttachResult[] = [];
    for (const mode of ["server", "direct"] as const) results.push(await runAttach(mode, work));
    const attachRow = (r: AttachResult) => [
      r.mode === "server" ? "Fleet via adb server" : "Fleet direct",
      `${r.online}/${r.phones}`,
      f1(r.seconds),
      f0(mb(r.rssBefore)),
      f0(mb(r.rssSims)),
      f0(mb(r.rssAttached)),
      f0(mb(r.rssSims - r.rssBefore)),
      f0(mb(r.rssAttached - r.rssSims)),
      f0((r.rssAttached - r.rssSims) / 1024 / r.phones),
    ];
    const [srv, dir] = results as [AttachResult, AttachResult];
    print(
      "",
      `2. ${PHONES} virtual phones attached, all connects in parallel (s from first connect to all online; RSS MB after GC)`,
      table([
        [
          "",
          "online",
          "seconds",
          "RSS before",
          "+ sims",
          "+ fleet",
          "sims' share",
          "fleet's share",
          "fleet KB/phone",
        ],
        attachRow(srv),
        attachRow(dir),
      ]),
      `   direct ÷ server: time ${f2(dir.seconds / srv.seconds)}, fleet RSS share ${f2(
        (dir.rssAttached - dir.rssSims) / (srv.rssAttached - srv.rssSims),
      )} (the sims run in the same process; "sims' share" is their RSS alone)`,
    );
  } finally {
    await cleanup();
  }
}

const childAt = process.argv.indexOf(CHILD_FLAG);
if (childAt >= 0) await attachChild(process.argv[childAt + 1] === "direct" ? "direct" : "server");
else await main();
