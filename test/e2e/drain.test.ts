// SIGTERM under load, against the compiled executable: every request the service took up is answered.
// A request still unread in a socket buffer when the listener closes may be reset: the service never saw
// it, so nothing changed. The proof is in the database: it holds exactly the tasks whose creation was answered.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VirtualPhone } from "@farm/virtual-phone";
import { type AdbServer, startAdbServer } from "../helpers/adb.ts";
import { buildBinary, startBinary } from "../helpers/binary.ts";
import { waitFor } from "../helpers/wait.ts";

let dir: string;
let binary: string;
let adb: AdbServer;
let phone: VirtualPhone;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "farm-drain-"));
  binary = join(dir, "farm-tasks");
  copyFileSync(await buildBinary(), binary);
  adb = await startAdbServer();
  phone = await VirtualPhone.start({ serial: "DRAIN0", popups: false });
});
afterAll(async () => {
  await phone.stop();
  await adb.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("SIGTERM under 64 concurrent clients: every task created was answered, no request half-done", async () => {
  const args = ["--data-dir", join(dir, "data"), "--adb", `127.0.0.1:${adb.port}`];
  const running = await startBinary(binary, args, dir, { FARM_TEST_SCRIPTS: "1" });
  await fetch(`${running.url}/api/v1/device/connect`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ host: phone.host, port: phone.port }),
  });
  let stopping = false;
  const answered = { before: 0, after: 0 };
  let acknowledgedTasks = 0;
  const refused: string[] = [];
  const broken: string[] = [];
  const body = JSON.stringify({
    serials: [`${phone.host}:${phone.port}`],
    script_name: "test_sleep",
    script_config: { seconds: 1 },
  });
  async function client(n: number) {
    for (let i = 0; ; i++) {
      try {
        const res =
          (n + i) % 2 === 0
            ? await fetch(`${running.url}/api/v1/task`, {
                method: "POST",
                headers: { "content-type": "application/json" },
                body,
              })
            : await fetch(`${running.url}/api/v1/task?status=0&page=3`);
        // any envelope is an answer (the Free plan refuses some of these creates with 40003)
        const json = (await res.json()) as { code: number; data: { task_ids?: number[] } | null };
        acknowledgedTasks += json.data?.task_ids?.length ?? 0;
        if (typeof json.code !== "number") throw new Error(`not an envelope: ${JSON.stringify(json)}`);
        answered[stopping ? "after" : "before"]++;
      } catch (e) {
        const code = (e as { code?: string }).code ?? String(e);
        // refused, or reset while unread in the closing listener's queue: either way never taken up
        if (stopping && ["ConnectionRefused", "ECONNREFUSED", "ECONNRESET"].includes(code)) {
          refused.push(code);
          return;
        }
        broken.push(`${stopping ? "after" : "before"} SIGTERM: ${code}`);
        if (stopping) return;
      }
    }
  }
  const clients = Array.from({ length: 64 }, (_, n) => client(n));
  // the signal comes once the clients are in full flow
  await waitFor("100 answers", () => answered.before > 100, 20_000);
  stopping = true;
  running.proc.kill("SIGTERM");
  const exit = await running.proc.exited;
  await Promise.all(clients);
  expect(broken).toEqual([]);
  expect(exit).toBe(0);
  expect(answered.before).toBeGreaterThan(100);
  expect(refused.length).toBe(64); // each client ends on a closed service
  const after = await startBinary(binary, args, dir, { FARM_TEST_SCRIPTS: "1" });
  const stats = (await (await fetch(`${after.url}/api/v1/task/stats`)).json()) as {
    data: Record<string, number>;
  };
  after.proc.kill("SIGTERM");
  await after.proc.exited;
  const total = stats.data.total;
  expect(acknowledgedTasks).toBeGreaterThan(0);
  expect(total).toBe(acknowledgedTasks);
}, 30_000);

test("SIGTERM while a request waits on the network: it is still answered, then the service exits", async () => {
  // a phone address that accepts but never speaks ADB: connecting to it waits for seconds, asynchronously
  let reached = () => {};
  const reachedPhone = new Promise<void>((resolve) => (reached = resolve));
  const silent = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { open: () => reached(), data() {} } });
  const args = ["--data-dir", join(dir, "data-wait"), "--adb", `127.0.0.1:${adb.port}`];
  const running = await startBinary(binary, args, dir);
  try {
    const pending = fetch(`${running.url}/api/v1/device/connect`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ host: "127.0.0.1", port: silent.port, direct: true }),
    }).then(async (res) => ({ status: res.status, body: (await res.json()) as { code: number } }));
    // the service is now waiting on the network
    await reachedPhone;
    running.proc.kill("SIGTERM");
    const answer = await pending;
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe(40001);
    expect(await running.proc.exited).toBe(0);
  } finally {
    silent.stop(true);
  }
}, 30_000);
