// The compiled executable, built once per test run (every test file shares the build), started as a real
// process on a free port. It is the test build: it trusts test/keys' TEST-ONLY key and lives in dist/test/,
// apart from release builds.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closeDb, openDb } from "../../src/store/db.ts";
import { DeviceStore } from "../../src/store/devices.ts";
import { startAdbServer } from "./adb.ts";
import { call, type Running, startBinary } from "./process.ts";
import { waitFor } from "./wait.ts";

const ROOT = join(import.meta.dir, "../..");
export const BINARY = join(ROOT, "dist/test/farm-tasks");
let build: Promise<string> | undefined;

async function runBuild(): Promise<string> {
  const proc = Bun.spawn([process.execPath, "build.ts", "--test-key"], {
    cwd: ROOT,
    stdout: "pipe",
    stderr: "pipe",
  });
  if ((await proc.exited) !== 0) throw new Error(`build failed: ${await new Response(proc.stderr).text()}`);
  if (!statSync(BINARY).isFile()) throw new Error("build made no executable");
  return BINARY;
}

/**
 * The executable of this checkout, built by the first caller of the test run; or, when the run says it was
 * built before it started (FARM_TEST_BUILT=1, `npm run test:slow`), that one: test files run in parallel
 * workers must not each rebuild the same file under the others' feet.
 */
export function buildBinary(): Promise<string> {
  build ??= process.env.FARM_TEST_BUILT === "1" ? prebuilt() : runBuild();
  return build;
}

async function prebuilt(): Promise<string> {
  if (!statSync(BINARY, { throwIfNoEntry: false })?.isFile()) {
    throw new Error(`FARM_TEST_BUILT=1 but ${BINARY} is missing: run \`bun build.ts --test-key\` first`);
  }
  return BINARY;
}

export { type Answer, AS_WIN32, call, FROM_SOURCE, type Running, startBinary } from "./process.ts";

/** The tasks `ids` as GET /api/v1/task/{id} gives them, once every one has ended (completed or failed). */
export function tasksEnded(baseUrl: string, ids: number[], timeoutMs: number) {
  return waitFor(
    `tasks ${ids.join(", ")} to end`,
    async () => {
      const tasks = await Promise.all(
        ids.map(async (id) => (await call(baseUrl, "GET", `/api/v1/task/${id}`)).body.data),
      );
      return tasks.every((t) => t.status >= 2) && tasks;
    },
    timeoutMs,
  );
}

/**
 * Makes a data folder's database know phones, as an earlier run's fleet would have. Before the service
 * starts, or after it stops: while it runs, it holds the database alone.
 */
export async function addDevices(
  dataDir: string,
  serials: string[],
  state: "online" | "offline" = "offline",
) {
  const db = openDb(join(dataDir, "farm.db"));
  const devices = new DeviceStore(db);
  for (const serial of serials) {
    await devices.upsert({
      serial,
      transport: "usb",
      state,
      model: null,
      brand: null,
      androidVersion: null,
      sdk: null,
      screenWidth: null,
      screenHeight: null,
      battery: null,
      hint: null,
      lastSeen: Date.now(),
    });
  }
  closeDb(db);
}

export interface ServiceProcess extends Running {
  dataDir: string;
  /** Kills the process, then removes its adb server and folders. */
  stop(): Promise<void>;
}

/**
 * The executable (or FROM_SOURCE) on a fresh data folder, with an adb server of its own; `devices` are
 * phones its database knows from before, and `prepare` writes what else it should find there (the service
 * holds its database alone once it runs).
 */
export async function startService(
  args: string[] = [],
  {
    command,
    devices = [],
    prepare,
  }: {
    command?: string | string[];
    devices?: string[];
    prepare?: (dataDir: string) => void | Promise<void>;
  } = {},
): Promise<ServiceProcess> {
  const dir = mkdtempSync(join(tmpdir(), "farm-service-"));
  const adb = await startAdbServer();
  const dataDir = join(dir, "data");
  try {
    if (devices.length > 0) await addDevices(dataDir, devices);
    await prepare?.(dataDir);
    const running = await startBinary(
      command ?? (await buildBinary()),
      ["--adb", `127.0.0.1:${adb.port}`, "--data-dir", dataDir, ...args],
      dir,
    );
    return {
      ...running,
      dataDir,
      async stop() {
        running.proc.kill("SIGKILL");
        await running.proc.exited;
        await adb.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await adb.stop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
