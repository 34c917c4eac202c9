// The service under measurement as a process: its CPU seconds and RSS from /proc, a private copy of the
// compiled executable, and a timeout around any step.
import { copyFileSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildBinary } from "../../test/helpers/binary.ts";

const CLK_TCK = Number(Bun.spawnSync(["getconf", "CLK_TCK"]).stdout.toString().trim()) || 100;

/** utime + stime of a process, in seconds; null once it is gone. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // fields after the ")" that closes the command name: state is field 3, utime 14, stime 15
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
  } catch {
    return null;
  }
}

export function rssMb(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** The adb server started on `port` (its command line names tcp:PORT and fork-server). */
export function adbServerPid(port: number): number | null {
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0");
      if (cmd.includes("fork-server") && cmd.some((a) => a.endsWith(`tcp:${port}`))) return Number(name);
    } catch {}
  }
  return null;
}

/** Samples RSS every `everyMs`; CPU is read at start and end. */
export class Sampler {
  private readonly rss: number[] = [];
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly cpu0: number;
  private readonly t0 = performance.now();

  constructor(
    private readonly pid: number,
    everyMs = 200,
  ) {
    this.cpu0 = cpuSeconds(pid) ?? 0;
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  private sample(): void {
    const r = rssMb(this.pid);
    if (r !== null) this.rss.push(r);
  }

  /** CPU seconds used and wall seconds passed since the start; peak and mean RSS. */
  stop(): { cpuS: number; wallS: number; rssPeak: number; rssMean: number } {
    clearInterval(this.timer);
    this.sample();
    const cpuS = (cpuSeconds(this.pid) ?? this.cpu0) - this.cpu0;
    const wallS = (performance.now() - this.t0) / 1000;
    const rssPeak = Math.max(0, ...this.rss);
    const rssMean = this.rss.reduce((a, b) => a + b, 0) / Math.max(1, this.rss.length);
    return { cpuS, wallS, rssPeak, rssMean };
  }
}

export async function withTimeout<T>(what: string, work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The compiled executable, copied into `dir`: another build in the same tree may replace dist/ meanwhile. */
export async function privateBinary(dir: string): Promise<string> {
  const copy = join(dir, "farm-tasks");
  for (let attempt = 0; ; attempt++) {
    try {
      copyFileSync(await buildBinary(), copy);
      return copy;
    } catch (e) {
      if (attempt >= 2) throw e;
      await Bun.sleep(2000);
    }
  }
}
