// The compiled executable, built once per test run (every test file shares the build), started as a real
// process on a free port. It is the test build: it trusts test/keys' TEST-ONLY key and lives in dist/test/,
// apart from release builds.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closeDb, openDb } from "../../src/store/db.ts";
import { DeviceStore } from "../../src/store/devices.ts";
import { startAdbServer } from "./adb.ts";
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

// whatever a test forgets to stop, or leaves behind when it fails, dies with the test run
const started = new Set<ReturnType<typeof Bun.spawn>>();
process.on("exit", () => {
  for (const proc of started) proc.kill("SIGKILL");
});

export interface Running {
  proc: ReturnType<typeof Bun.spawn>;
  url: string;
  log: () => string;
}

/** The service from source, as `bun src/main.ts`: pass it to startBinary to compare with the executable. */
export const FROM_SOURCE = [process.execPath, join(ROOT, "src/main.ts")];

/** FROM_SOURCE as on Windows, as far as this machine goes (see as-win32.ts). */
export const AS_WIN32 = [
  process.execPath,
  "--preload",
  join(import.meta.dir, "as-win32.ts"),
  FROM_SOURCE[1] as string,
];

/** Starts the executable (or FROM_SOURCE) with `--port 0` and waits for the line that says where it listens. */
export async function startBinary(
  binary: string | string[],
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
) {
  const proc = Bun.spawn([binary, "--port", "0", ...args].flat(), {
    cwd,
    env: { ...process.env, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  started.add(proc);
  void proc.exited.then(() => started.delete(proc));
  let text = "";
  const reader = (proc.stderr as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const deadline = Date.now() + 15_000;
  let url: string | undefined;
  while (!url) {
    if (Date.now() > deadline) throw new Error(`no "listening" line within 15 s:\n${text}`);
    const { value, done } = await reader.read();
    if (done) throw new Error(`exited before listening:\n${text}`);
    text += decoder.decode(value);
    url = /listening on (http:\/\/\S+?:\d+)/.exec(text)?.[1];
  }
  // keep draining so the process never blocks on a full pipe
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
  })();
  return { proc, url, log: () => text } satisfies Running;
}

export interface Answer {
  status: number;
  headers: Headers;
  /** The JSON answer; `{ code: -1, message: text }` when it was not JSON. */
  body: { code: number; message: string; data: any };
}

/** One request over HTTP; `body` goes out as JSON unless it is a string (sent as it is). */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] ??= "application/json";
  }
  const res = await fetch(`${baseUrl}${path}`, init);
  const text = await res.text();
  try {
    return { status: res.status, headers: res.headers, body: JSON.parse(text) };
  } catch {
    return { status: res.status, headers: res.headers, body: { code: -1, message: text, data: null } };
  }
}

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
