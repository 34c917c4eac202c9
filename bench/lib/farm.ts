// A farm to measure: N virtual phones behind Debian's adb server, the service (the compiled executable in
// its own process, or `bun src/main.ts`) on a Business license, every phone connected and online.
import { join } from "node:path";
import { VirtualPhone, type VirtualPhoneOptions } from "@farm/virtual-phone";
import { type AdbServer, startAdbServer } from "../../test/helpers/adb.ts";
import { type Running, startBinary } from "../../test/helpers/binary.ts";
import { TEST_PUBLIC_KEY_FILE, writeLicense } from "../../test/helpers/license.ts";
import { waitFor } from "../../test/helpers/wait.ts";
import { privateBinary, withTimeout } from "./proc.ts";

const ROOT = join(import.meta.dir, "..", "..");

export interface FarmOptions {
  /** A scratch folder: the license, the data folder and the executable's copy go there. */
  dir: string;
  phones: number;
  serialPrefix: string;
  /** Run `bun src/main.ts` instead of the compiled executable. */
  source?: boolean | { root: string };
  /** Options of each virtual phone (i = its index). */
  phoneOptions?: (i: number) => VirtualPhoneOptions;
  /** Gives up on any step after this moment (Date.now() ms). */
  deadline: number;
  /** More environment for the service (e.g. FARM_TEST_SCRIPTS=1). */
  env?: Record<string, string>;
  /** More arguments for the service (e.g. `--database URL --node NAME`: one node of a farm on PostgreSQL). */
  args?: string[];
  /** Attach the phones straight (the service's own ADB client), not through the adb server. */
  direct?: boolean;
}

export interface Farm {
  phones: VirtualPhone[];
  serials: string[];
  service: Running;
  adb: AdbServer;
  /** Calls the API; throws unless the envelope's code is 0. */
  api<T = Record<string, number>>(method: string, path: string, body?: unknown): Promise<T>;
  /** Milliseconds until the deadline (at least 1 s). */
  left(): number;
  /** SIGTERM, then SIGKILL if it lingers; the phones and the adb server stopped, step by step. */
  stop(): Promise<void>;
}

/**
 * Starts `count` virtual phones, 20 at a time, into `phones` (as each batch is up, so that a caller's cleanup
 * stops those that started when a later one fails); `options(i)` for the i-th.
 */
export async function startPhones(
  phones: VirtualPhone[],
  count: number,
  options: (i: number) => VirtualPhoneOptions,
): Promise<void> {
  for (let i = 0; i < count; i += 20) {
    const batch = Array.from({ length: Math.min(20, count - i) }, (_, j) =>
      VirtualPhone.start(options(i + j)),
    );
    phones.push(...(await Promise.all(batch)));
  }
}

export async function startFarm(o: FarmOptions): Promise<Farm> {
  const left = () => Math.max(1000, o.deadline - Date.now());
  const phones: VirtualPhone[] = [];
  let adb: AdbServer | undefined;
  let service: Running | undefined;
  const stop = async () => {
    if (service && service.proc.exitCode === null && !service.proc.killed) {
      service.proc.kill("SIGTERM");
      await withTimeout("service exit", service.proc.exited, 15_000).catch(() =>
        service?.proc.kill("SIGKILL"),
      );
    }
    await service?.proc.exited.catch(() => {});
    for (const p of phones) await p.stop().catch((e) => console.error(`phone stop: ${e}`));
    await adb?.stop().catch((e) => console.error(`adb stop: ${e}`));
  };
  try {
    // `source: { root }`: the src/main.ts of another checkout (an older commit, for a baseline)
    const root = typeof o.source === "object" ? o.source.root : ROOT;
    const binary = o.source ? [process.execPath, join(root, "src/main.ts")] : [await privateBinary(o.dir)];
    adb = await startAdbServer();
    const license = writeLicense(o.dir, { plan: "Business" });
    await startPhones(phones, o.phones, (i) => ({ serial: `${o.serialPrefix}${i}`, ...o.phoneOptions?.(i) }));
    // the entry's own arguments after it (`bun src/main.ts --port 0 …`): before it, bun would take `--port`
    service = await startBinary(
      binary,
      [
        "--license",
        license,
        "--adb",
        `127.0.0.1:${adb.port}`,
        "--data-dir",
        join(o.dir, "data"),
        "--retry-max",
        "0",
        ...(o.args ?? []),
      ],
      o.dir,
      { FARM_VENDOR_PUBLIC_KEY: TEST_PUBLIC_KEY_FILE, ...o.env },
    );
    const url = service.url;
    const api = async <T = Record<string, number>>(method: string, path: string, body?: unknown) => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
      const json = (await res.json()) as { code: number; message: string; data: T };
      if (json.code !== 0) throw new Error(`${method} ${path}: ${json.code} ${json.message}`);
      return json.data;
    };
    const plan = await api<{ plan_name: string; device_limit: number }>("GET", "/api/v1/license/check");
    // Business runs 100 phones at once: a larger farm queues for its slots
    if (plan.plan_name !== "Business" || plan.device_limit < Math.min(o.phones, 100))
      throw new Error(`the service runs on ${JSON.stringify(plan)}, not Business`);

    const serials: string[] = [];
    for (let i = 0; i < phones.length; i += 10) {
      const views = await Promise.all(
        phones.slice(i, i + 10).map((p) =>
          api<{ serial: string }>("POST", "/api/v1/device/connect", {
            host: p.host,
            port: p.port,
            direct: o.direct,
          }),
        ),
      );
      serials.push(...views.map((v) => v.serial));
    }
    // its own phones: on PostgreSQL the list is the farm's, other nodes' phones with them
    await waitFor(
      `${o.phones} phones online`,
      async () => {
        const list = (await api<{ devices: { serial: string; state: string }[] }>("GET", "/api/v1/device"))
          .devices;
        const online = new Set(list.filter((d) => d.state === "online").map((d) => d.serial));
        return serials.every((s) => online.has(s));
      },
      left(),
    );
    await Bun.sleep(1000); // let the attach settle before measuring
    return { phones, serials, service, adb, api, left, stop };
  } catch (e) {
    if (service) console.error(`service log (tail):\n${service.log().slice(-3000)}`);
    await stop();
    throw e;
  }
}
