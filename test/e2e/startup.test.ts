// Start-up of the compiled executable: one data folder per service, and every start-up failure is one line,
// exit code 2, with nothing changed.
import { afterAll, beforeAll, expect, test } from "bun:test";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VirtualPhone } from "@farm/virtual-phone";
import { type AdbServer, startAdbServer } from "../helpers/adb.ts";
import { AS_WIN32, buildBinary, type Running, startBinary } from "../helpers/binary.ts";
import { waitFor } from "../helpers/wait.ts";

let dir: string;
let binary: string;
let adb: AdbServer;
let phone: VirtualPhone;
const started: Running[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "farm-startup-"));
  chmodSync(dir, 0o755); // another user runs it in the "not writable" test
  binary = join(dir, "farm-tasks");
  copyFileSync(await buildBinary(), binary);
  adb = await startAdbServer();
  phone = await VirtualPhone.start({ serial: "LOCK0", popups: false });
});
afterAll(async () => {
  for (const r of started) r.proc.kill("SIGKILL");
  await phone.stop();
  await adb.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the executable to its end; a failed start must be quick. */
async function runToEnd(args: string[], wrap: string[] = []) {
  const proc = Bun.spawn([...wrap, binary, ...args], { cwd: dir, stdout: "pipe", stderr: "pipe" });
  const exit = await Promise.race([proc.exited, Bun.sleep(10_000).then(() => "still running")]);
  if (exit === "still running") proc.kill("SIGKILL");
  return { exit, stderr: await new Response(proc.stderr).text() };
}

function expectOneLine(stderr: string, ...mentions: string[]) {
  const lines = stderr.trim().split("\n");
  if (lines.length !== 1) console.error(stderr);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toStartWith("farm-tasks: ");
  for (const m of mentions) expect(lines[0]).toContain(m);
  expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
}

async function api(url: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as { code: number; data: any };
}

test("a second instance on the same data folder exits 2 naming the holder, and the first keeps its running task", async () => {
  const data = join(dir, "shared");
  const first = await startBinary(binary, ["--data-dir", data, "--adb", `127.0.0.1:${adb.port}`], dir, {
    FARM_TEST_SCRIPTS: "1",
  });
  started.push(first);
  const serial = `${phone.host}:${phone.port}`;
  expect(
    (await api(first.url, "POST", "/api/v1/device/connect", { host: phone.host, port: phone.port })).code,
  ).toBe(0);
  await waitFor(
    "online",
    async () => (await api(first.url, "GET", `/api/v1/device/${serial}`)).data?.state === "online",
    15_000,
  );
  const id = (
    await api(first.url, "POST", "/api/v1/task", {
      serials: [serial],
      script_name: "test_sleep",
      script_config: { seconds: 3 },
    })
  ).data.task_ids[0];
  await waitFor(
    "running",
    async () => (await api(first.url, "GET", `/api/v1/task/${id}`)).data.status === 1,
    10_000,
  );

  // on a free port, and on the first one's (busy) port: either way it touches nothing
  const second = await runToEnd(["--port", "0", "--data-dir", data, "--adb", `127.0.0.1:${adb.port}`]);
  expect(second.exit).toBe(2);
  expectOneLine(second.stderr, `PID ${first.proc.pid}`, data);
  const port = new URL(first.url).port;
  const third = await runToEnd(["--port", port, "--data-dir", data]);
  expect(third.exit).toBe(2);
  // the lock is on farm.db itself: deleting every other file (the PID note too) lets nobody in; the key of
  // its secrets stays, or the restart below would be refused (e2e/secrets.test.ts)
  for (const name of readdirSync(data))
    if (!name.startsWith("farm.db") && name !== "secret.key")
      rmSync(join(data, name), { recursive: true, force: true });
  const fourth = await runToEnd(["--port", "0", "--data-dir", data]);
  expect(fourth.exit).toBe(2);
  expectOneLine(fourth.stderr, "PID unknown", data);

  expect((await api(first.url, "GET", `/api/v1/task/${id}`)).data).toMatchObject({ status: 1, error: null });
  expect((await api(first.url, "GET", `/api/v1/device/${serial}`)).data.state).toBe("online");
  await waitFor(
    "completed",
    async () => (await api(first.url, "GET", `/api/v1/task/${id}`)).data.status === 2,
    15_000,
  );

  // kill -9 releases the lock: the next start succeeds
  first.proc.kill("SIGKILL");
  await first.proc.exited;
  const next = await startBinary(binary, ["--data-dir", data], dir);
  started.push(next);
  expect((await api(next.url, "GET", `/api/v1/task/${id}`)).data.status).toBe(2);
  next.proc.kill("SIGTERM");
  expect(await next.proc.exited).toBe(0);
}, 60_000);

test("a busy port: exit 2, the port named, no data folder created", async () => {
  const holder = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  try {
    const data = join(dir, "busy-port");
    const r = await runToEnd(["--port", String(holder.port), "--data-dir", data]);
    expect(r.exit).toBe(2);
    expectOneLine(r.stderr, `127.0.0.1:${holder.port}`, "--port");
    expect(existsSync(data)).toBe(false);
  } finally {
    holder.stop(true);
  }
});

test("a file that is not a database: exit 2, the file named, left as it was", async () => {
  const data = join(dir, "not-a-db");
  mkdirSync(data);
  const file = join(data, "farm.db");
  await Bun.write(file, "these are my notes, not a database\n".repeat(200));
  const r = await runToEnd(["--port", "0", "--data-dir", data]);
  expect(r.exit).toBe(2);
  expectOneLine(r.stderr, file, "not a farm-tasks database");
  expect(await Bun.file(file).text()).toBe("these are my notes, not a database\n".repeat(200));
  expect(existsSync(`${file}-wal`)).toBe(false);
});

test("a damaged database: exit 2, the file named, left as it was", async () => {
  const data = join(dir, "damaged");
  const ok = await startBinary(binary, ["--data-dir", data], dir);
  for (let i = 0; i < 300; i++)
    await api(ok.url, "POST", "/api/v1/task", {
      serials: ["X1"],
      script_name: "ig_follow",
      script_config: {},
    });
  ok.proc.kill("SIGTERM");
  expect(await ok.proc.exited).toBe(0);
  // overwrite the middle of the file (b-tree pages of the tasks table) with noise
  const file = join(data, "farm.db");
  const size = Bun.file(file).size;
  const fd = openSync(file, "r+");
  writeSync(fd, Buffer.alloc(8192, 0x5a), 0, 8192, Math.floor(size / 2 / 4096) * 4096);
  const damaged = Buffer.from(await Bun.file(file).arrayBuffer());
  const r = await runToEnd(["--port", "0", "--data-dir", data]);
  expect(r.exit).toBe(2);
  expectOneLine(r.stderr, file);
  expect(r.stderr).toMatch(/damaged|not a farm-tasks database/);
  expect(Buffer.from(await Bun.file(file).arrayBuffer()).equals(damaged)).toBe(true);
}, 30_000);

test("a data folder this user may not write: exit 2, the folder named", async () => {
  const data = join(dir, "read-only");
  mkdirSync(data, { mode: 0o555 });
  chmodSync(data, 0o555);
  // root may write anywhere: run as nobody then
  const wrap =
    process.getuid?.() === 0 ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : [];
  const r = await runToEnd(["--port", "0", "--data-dir", data], wrap);
  expect(r.exit).toBe(2);
  expectOneLine(r.stderr, data, "not writable");
});

/** The permission bits of everything in `folder`, itself included, by path relative to it. */
function modes(folder: string): Record<string, string> {
  const all: Record<string, string> = { ".": (statSync(folder).mode & 0o777).toString(8) };
  for (const name of readdirSync(folder, { recursive: true }) as string[])
    all[name] = (statSync(join(folder, name)).mode & 0o777).toString(8);
  return all;
}

const ownerOnly = (all: Record<string, string>) =>
  Object.entries(all).filter(([, mode]) => (Number.parseInt(mode, 8) & 0o077) !== 0);

test.skipIf(process.platform === "win32")(
  "the data folder is its owner's alone: created 0700 with its files 0600, and a wider one is tightened",
  async () => {
    const data = join(dir, "private");
    const first = await startBinary(binary, ["--data-dir", data], dir);
    started.push(first);
    const fresh = modes(data);
    expect(fresh).toMatchObject({ ".": "700", "farm.db": "600", "farm.db-wal": "600", "farm.pid": "600" });
    expect(ownerOnly(fresh)).toEqual([]);

    // left by a crash, then opened up by hand
    first.proc.kill("SIGKILL");
    await first.proc.exited;
    chmodSync(data, 0o755);
    for (const file of ["farm.db", "farm.db-wal", "farm.pid"]) chmodSync(join(data, file), 0o644);
    const next = await startBinary(binary, ["--data-dir", data], dir);
    started.push(next);
    expect(modes(data)).toMatchObject({ ".": "700", "farm.db": "600", "farm.db-wal": "600" });
  },
);

test("as on Windows: starts and answers /health without a native library or a chmod, and keeps its lock", async () => {
  const data = join(dir, "win32");
  mkdirSync(data, { mode: 0o755 });
  chmodSync(data, 0o755);
  const control = join(dir, "win32-control");
  writeFileSync(control, "created under the umask the service inherits\n");
  const args = ["--data-dir", data, "--adb", `127.0.0.1:${adb.port}`];
  const first = await startBinary(AS_WIN32, args, dir);
  started.push(first);
  const health = await fetch(`${first.url}/health`);
  expect({ status: health.status, body: await health.json() }).toMatchObject({
    status: 200,
    body: { status: "ok", db: "ok" },
  });
  // no chmod, no umask: the modes are the folder's own and the inherited umask's
  const inherited = (statSync(control).mode & 0o777).toString(8);
  expect(modes(data)).toMatchObject({ ".": "755", "farm.db": inherited, "farm.pid": inherited });
  await expect(startBinary(AS_WIN32, args, dir)).rejects.toThrow(
    `another farm-tasks (PID ${first.proc.pid}) is using the data folder ${data}`,
  );
  first.proc.kill("SIGTERM");
  expect(await first.proc.exited).toBe(0);
});
