// One side of bench/push.ts in a process of its own, so its CPU is the push's alone: the service's Fleet
// through the adb server on PORT pushes FILE to every SERIAL at once. Prints "ready" once every phone is
// online, pushes when a line comes on stdin, prints "pushed" when done, then
// {"wallS":…,"cpuS":…,"idleCpuS":…} (idleCpuS: the same fleet over the same time, pushing nothing).
// Usage: bun bench/lib/push-worker.ts PORT FILE SERIAL...
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Fleet } from "../../src/devices/index.ts";
import { silentLogger } from "../../src/log.ts";
import { waitFor } from "../../test/helpers/wait.ts";

const [port, file, ...serials] = process.argv.slice(2);
const dataDir = await mkdtemp(join(tmpdir(), "bench-push-worker-"));
const fleet = new Fleet({ dataDir, adbServer: { port: Number(port) }, log: silentLogger });
try {
  await fleet.start();
  const phones = await waitFor(
    "every phone online",
    () => {
      const all = serials.map((s) => fleet.phone(s));
      return all.every((p) => p !== undefined) ? all : undefined;
    },
    60_000,
  );
  console.log("ready");
  for await (const _ of console) break;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    phones.map((p) => p?.push(file as string, "/data/local/tmp/bench-push.bin", { timeoutMs: 600_000 })),
  );
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  console.log("pushed");
  // what the fleet itself costs over the same time with nothing to push (polling the server, batteries)
  const idle0 = process.cpuUsage();
  await Bun.sleep(wallS * 1000);
  const idle = process.cpuUsage(idle0);
  console.log(
    JSON.stringify({ wallS, cpuS: (cpu.user + cpu.system) / 1e6, idleCpuS: (idle.user + idle.system) / 1e6 }),
  );
} finally {
  await fleet.stop();
  await rm(dataDir, { recursive: true, force: true });
}
