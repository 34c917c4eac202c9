// adb missing, down, started by the service or by someone else, against the compiled executable: what
// /health, GET /device and POST /task say, and which adb server is still running after SIGTERM.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { adbWrapper, startAdbServer } from "../helpers/adb.ts";
import { buildBinary, call, startBinary } from "../helpers/binary.ts";
import { freePort } from "../helpers/ports.ts";
import { waitFor } from "../helpers/wait.ts";

let dir: string;
let binary: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "farm-adb-health-"));
  binary = await buildBinary();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function listening(port: number): Promise<boolean> {
  try {
    (await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } })).end();
    return true;
  } catch {
    return false;
  }
}

test("no adb and nothing at --adb: /health degraded with the reason, /device and POST /task say adb is down", async () => {
  const port = await freePort();
  const missing = join(dir, "no-such-adb");
  const args = ["--data-dir", join(dir, "none"), "--adb", `127.0.0.1:${port}`, "--adb-path", missing];
  const running = await startBinary(binary, args, dir, { PATH: "" });
  try {
    const health = await waitFor("adb checked", async () => {
      const answer = await call(running.url, "GET", "/health");
      return (answer.body as unknown as { adb: string }).adb !== "checking" && answer;
    });
    expect(health.status).toBe(200); // 503 is the database's
    const h = health.body as unknown as Record<string, string>;
    expect(h.status).toBe("degraded");
    expect(h.db).toBe("ok");
    expect(h.adb).toBe("not_installed");
    expect(h.reason).toContain(`127.0.0.1:${port} does not answer`);
    expect(h.reason).toContain(missing);
    expect(h.reason).toContain("apt-get install adb");

    const devices = await call(running.url, "GET", "/api/v1/device");
    expect(devices.body.data.devices).toEqual([]);
    expect(devices.body.data.adb.state).toBe("not_installed");
    expect(devices.body.data.adb.message).toBe(h.reason);

    const task = await call(running.url, "POST", "/api/v1/task", {
      serials: ["R58M123ABC"],
      script_name: "follow",
      script_config: { target_username: "someone" },
    });
    expect(task.status).toBe(400);
    expect(task.body.code).toBe(40001);
    expect(task.body.message).toContain("serials[0]: device 'R58M123ABC' cannot be seen: adb is down");
    expect(task.body.message).toContain(missing);
    expect(task.body.data.errors[0].path).toBe("/serials/0");
    expect(await listening(port)).toBe(false);
  } finally {
    running.proc.kill("SIGTERM");
    await running.proc.exited;
  }
}, 60_000);

test("the adb server the service started is stopped at SIGTERM; one running before stays", async () => {
  const port = await freePort();
  const home = join(dir, "adb-home");
  const args = ["--data-dir", join(dir, "own"), "--adb", `127.0.0.1:${port}`];
  const own = await startBinary(binary, [...args, "--adb-path", await adbWrapper(dir, home)], dir);
  // the service listens first, then starts adb
  await waitFor(
    "adb started",
    async () =>
      ((await call(own.url, "GET", "/health")).body as unknown as Record<string, string>).adb === "ok",
    15_000,
  );
  const devices = await call(own.url, "GET", "/api/v1/device");
  expect(devices.body.data.adb).toEqual({
    state: "ok",
    message: `adb server at 127.0.0.1:${port} answers, started by this service (stopped when it stops)`,
  });
  expect(await listening(port)).toBe(true);
  own.proc.kill("SIGTERM");
  expect(await own.proc.exited).toBe(0);
  expect(own.log()).toContain(`stopped the adb server at 127.0.0.1:${port} that this service had started`);
  await waitFor("the service's adb server gone", async () => !(await listening(port)), 10_000);

  const theirs = await startAdbServer();
  try {
    const other = await startBinary(
      binary,
      ["--data-dir", join(dir, "theirs"), "--adb", `127.0.0.1:${theirs.port}`],
      dir,
    );
    const d = await waitFor("adb checked", async () => {
      const answer = await call(other.url, "GET", "/api/v1/device");
      return answer.body.data.adb.state === "ok" && answer;
    });
    expect(d.body.data.adb).toEqual({
      state: "ok",
      message: `adb server at 127.0.0.1:${theirs.port} answers`,
    });
    other.proc.kill("SIGTERM");
    expect(await other.proc.exited).toBe(0);
    expect(other.log()).not.toContain("stopped the adb server");
    expect((await theirs.run(["version"])).code).toBe(0);
    expect(await listening(theirs.port)).toBe(true);
  } finally {
    await theirs.stop();
  }
}, 60_000);
