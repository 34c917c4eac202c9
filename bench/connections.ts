// Idle connections against the compiled executable (or an older one, to compare):
// 1. 1,000 connections send GET /health?x=/api/v1/events and then nothing: how many are still open once the
//    idle timeout (and Bun's 4 s timer granularity) has passed;
// 2. with the service limited to 2,048 files and --token, an attacker sends 3 batches of 1,000 such
//    connections, one batch per idle timeout: is the token holder's GET /api/v1/task answered, how fast.
// Usage: bun bench/connections.ts [--binary PATH] [--idle 10] [--old]   (--old: the binary has no --idle-timeout)
import { parseArgs } from "node:util";
import { buildBinary, startService } from "../test/helpers/binary.ts";
import { getRequest, openMany, type RawConnection } from "../test/helpers/sockets.ts";

const { values } = parseArgs({
  options: {
    binary: { type: "string" },
    idle: { type: "string", default: "10" },
    old: { type: "boolean", default: false },
  },
});
const IDLE_S = Number(values.idle);
const TOKEN = "bench-connections-token";
const binary = values.binary ?? (await buildBinary());
const args = ["--token", TOKEN, ...(values.old ? [] : ["--idle-timeout", String(IDLE_S)])];
const settle = () => Bun.sleep((IDLE_S + 5) * 1000);
const idleFlood = (port: number) => openMany(port, 1000, () => getRequest(port, "/health?x=/api/v1/events"));
const stillOpen = (conns: RawConnection[]) => conns.filter((c) => c.open).length;

{
  const s = await startService(args, { command: binary });
  const port = Number(new URL(s.url).port);
  const conns = idleFlood(port);
  await settle();
  const answered = conns.filter((c) => c.status === 200).length;
  console.log(
    `idle ?x=/api/v1/events: ${answered} answered, ${stillOpen(conns)} of 1000 still open ${IDLE_S + 5} s later`,
  );
  for (const c of conns) c.close();
  await s.stop();
}

{
  const s = await startService(args, {
    command: ["sh", "-c", 'ulimit -n 2048 && exec "$0" "$@"', binary],
  });
  const port = Number(new URL(s.url).port);
  const all: RawConnection[] = [];
  for (let batch = 0; batch < 3; batch++) {
    all.push(...idleFlood(port));
    await settle();
  }
  const t0 = performance.now();
  const answer = await fetch(`${s.url}/api/v1/task`, {
    headers: { authorization: `Bearer ${TOKEN}` },
    signal: AbortSignal.timeout(15_000),
  }).then(
    (r) => `HTTP ${r.status} in ${(performance.now() - t0).toFixed(1)} ms`,
    (e) => `no answer in ${(performance.now() - t0).toFixed(0)} ms (${(e as Error).name})`,
  );
  console.log(
    `3 × 1000 idle connections, 2,048 files: ${stillOpen(all)} still open; token holder: ${answer}`,
  );
  for (const c of all) c.close();
  await s.stop();
}
process.exit(0);
