/**
 * How long the things tests once bounded with a stopwatch take, each beside the bound the test asserted
 * (tests check what happens, not how fast; the figures live here):
 * 1. parseUiDump of a 5,000-node dump (the test's bound: 500 ms);
 * 2. an aborted verb: from abort() to the rejection (500 ms);
 * 3. connectDirect to a port that never speaks ADB, handshake timeout 300 ms: until the error (2,000 ms).
 * Run: node_modules/.bin/bun bench/waits.ts
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectDirect, FileCredentialStore, parseUiDump } from "../src/devices/index.ts";
import { runVerb } from "../src/devices/verb.ts";
import { percentile } from "./lib/tasks.ts";

const ROUNDS = Number(process.env.ROUNDS ?? 20);

async function timed(work: () => Promise<unknown> | unknown): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    await work();
    ms.push(performance.now() - t0);
  }
  return ms;
}

function report(what: string, ms: number[], boundMs: number): void {
  const p50 = percentile(
    [...ms].sort((a, b) => a - b),
    50,
  );
  const max = Math.max(...ms);
  console.log(
    `${what.padEnd(44)} p50 ${p50.toFixed(1).padStart(7)} ms  max ${max.toFixed(1).padStart(7)} ms  (the test's bound: ${boundMs} ms)`,
  );
}

const nodes = Array.from(
  { length: 5000 },
  (_, i) =>
    `<node index="${i}" text="item ${i}" resource-id="id/x" class="C" bounds="[0,${i}][10,${i + 1}]"/>`,
).join("");
const dump = `<hierarchy rotation="0"><node class="root" bounds="[0,0][1,1]">${nodes}</node></hierarchy>`;
report("parseUiDump, 5,000 nodes", await timed(() => parseUiDump(dump)), 500);

const never = new AbortController().signal;
report(
  "aborted verb: abort() to rejection",
  await timed(async () => {
    const ac = new AbortController();
    const p = runVerb("shell", "S1", { signal: ac.signal }, 0, never, () => new Promise(() => {})).catch(
      () => {},
    );
    ac.abort();
    await p;
  }),
  500,
);

const sockets: Socket[] = [];
const silent = createServer((s) => sockets.push(s));
await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
const address = silent.address();
const port = typeof address === "object" && address ? address.port : 0;
const dir = await mkdtemp(join(tmpdir(), "farm-bench-waits-"));
try {
  report(
    "silent port, handshake timeout 300 ms",
    await timed(() =>
      connectDirect({
        host: "127.0.0.1",
        port,
        credentialStore: new FileCredentialStore(dir),
        handshakeTimeoutMs: 300,
      }).catch(() => {}),
    ),
    2000,
  );
} finally {
  silent.close();
  for (const s of sockets) s.destroy();
  await rm(dir, { recursive: true, force: true });
}
