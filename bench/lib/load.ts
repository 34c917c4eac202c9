// HTTP load: wrk when installed (it costs the machine less than the server it measures), else fetch loops.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface LoadResult {
  rps: number;
  p50: string;
  p99: string;
}

export const hasWrk = () => Bun.which("wrk") !== null;

const CONNECTIONS = 32;

/** Requests `path` for `seconds`; "{id}" in the path becomes a random id in 1..randomId. */
export async function load(
  base: string,
  path: string,
  seconds: number,
  randomId?: number,
): Promise<LoadResult> {
  return hasWrk() ? wrk(base, path, seconds, randomId) : fetchLoops(base, path, seconds, randomId);
}

async function wrk(base: string, path: string, seconds: number, randomId?: number): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), "wrk-"));
  try {
    const script = join(dir, "req.lua");
    const [before, after] = path.split("{id}");
    writeFileSync(
      script,
      randomId
        ? `request = function() return wrk.format("GET", "${before}" .. math.random(1, ${randomId}) .. "${after ?? ""}") end\n`
        : `wrk.path = "${path}"\n`,
    );
    const p = Bun.spawnSync([
      "wrk",
      "-t1",
      `-c${CONNECTIONS}`,
      `-d${seconds}s`,
      "--latency",
      "-s",
      script,
      base,
    ]);
    const out = p.stdout.toString();
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
    const p50 = /^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? "?";
    const p99 = /^\s+99%\s+(\S+)/m.exec(out)?.[1] ?? "?";
    if (/Non-2xx/.test(out)) throw new Error(`non-2xx answers from ${base}${path}:\n${out}`);
    return { rps, p50, p99 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function fetchLoops(
  base: string,
  path: string,
  seconds: number,
  randomId?: number,
): Promise<LoadResult> {
  const end = performance.now() + seconds * 1000;
  const times: number[] = [];
  const worker = async () => {
    while (performance.now() < end) {
      const p = randomId ? path.replace("{id}", String(1 + Math.floor(Math.random() * randomId))) : path;
      const t0 = performance.now();
      const r = await fetch(base + p);
      await r.arrayBuffer();
      if (!r.ok) throw new Error(`${r.status} from ${base}${p}`);
      times.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  times.sort((a, b) => a - b);
  const q = (f: number) => `${(times[Math.floor(times.length * f)] ?? 0).toFixed(2)}ms`;
  return { rps: times.length / seconds, p50: q(0.5), p99: q(0.99) };
}
