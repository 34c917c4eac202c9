// Two PCs of one farm (two services on one private PostgreSQL, each with its own virtual phone and its own
// HTTP port), asked over real HTTP: what needs B's phone or B's files, asked of A, is answered by B (a
// screenshot, fast UI on and off, a failure's screenshot, gone from B once deleted through A, a phone attached
// with ?node=B and detached); a stop or a delete asked of A ends the script running on B's phone; a request
// already passed on is answered where it arrives; with B gone, A answers 50302 naming it, and a stop asked of A
// still ends the task in the database.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { once } from "node:events";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UIA2_SERVER_PKG, VirtualPhone } from "@farm/virtual-phone";
import { TaskStatus } from "../../src/domain.ts";
import { FORWARDED_HEADER } from "../../src/http/peers.ts";
import { testScript } from "../../src/scripts/test-sleep/index.ts";
import { freePort } from "../helpers/ports.ts";
import { type PrivatePostgres, skipPostgres, startPostgres } from "../helpers/postgres.ts";
import { startTestService, type TestService } from "../helpers/service.ts";
import { waitFor } from "../helpers/wait.ts";

const TOKEN = "farm-token-forward-1";

interface Node {
  name: string;
  service: TestService;
  server: ReturnType<typeof Bun.serve>;
  phone: VirtualPhone;
  serial: string;
}

let pg: PrivatePostgres;
let sql: InstanceType<typeof Bun.SQL>;
let a: Node;
let b: Node;
let extra: VirtualPhone;
const dirs: string[] = [];

async function startNode(name: string, url: string, keyFrom?: string): Promise<Node> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), `farm-forward-${name}-`));
  dirs.push(dataDir);
  // the same key file on every PC: the tasks' secrets must open on both
  if (keyFrom) copyFileSync(join(keyFrom, "secret.key"), join(dataDir, "secret.key"));
  const service = await startTestService(
    { database: url, node: name, token: TOKEN, dataDir, nodeUrl: `http://127.0.0.1:${port}` },
    { pollMs: 200, scripts: [testScript] },
  );
  const server = Bun.serve({ hostname: "127.0.0.1", port, fetch: (r) => service.app.handle(r) });
  await service.start();
  const phone = await VirtualPhone.start({ serial: `FW${name.toUpperCase()}`, popups: false });
  const info = await service.deviceService.connect(phone.host, phone.port, true);
  await waitFor(`${name}'s phone online`, () => service.deviceService.onlineSerials().includes(info.serial));
  // who holds a phone is the store's to say (filled by the nodes themselves in the end): said here by hand
  await sql`update devices set node = ${name} where serial = ${info.serial}`;
  return { name, service, server, phone, serial: info.serial };
}

/** A request over HTTP to `node`, with the farm's token. */
async function ask(
  node: Node,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`http://127.0.0.1:${node.server.port}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const json = res.headers.get("content-type")?.startsWith("application/json")
    ? JSON.parse(new TextDecoder().decode(bytes))
    : null;
  return { status: res.status, headers: res.headers, bytes, json };
}

async function createOn(node: Node, serial: string, config: Record<string, unknown>): Promise<number> {
  const r = await ask(node, "POST", "/api/v1/task", {
    serials: [serial],
    script_name: "test_sleep",
    script_config: config,
  });
  expect(r.json.code).toBe(0);
  return r.json.data.task_ids[0] as number;
}

const taskRow = (id: number) => a.service.tasks.get(id);
const logsOf = async (id: number) => (await a.service.tasks.logs(id)).map((l) => l.message);

beforeAll(async () => {
  if (skipPostgres) return;
  pg = await startPostgres();
  const url = await pg.database("farm_forward");
  sql = new Bun.SQL(url);
  a = await startNode("pc-a", url);
  b = await startNode("pc-b", url, a.service.config.dataDir);
  extra = await VirtualPhone.start({ serial: "FWEXTRA", popups: false });
});

afterAll(async () => {
  for (const node of [a, b]) {
    node?.server.stop(true);
    await node?.service.stop().catch(() => {});
    await node?.phone.stop();
  }
  await extra?.stop();
  await sql?.close();
  pg?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(skipPostgres)("two PCs", () => {
  test("a screenshot of B's phone asked of A is B's PNG; one passed on already is answered where it arrives", async () => {
    const path = `/api/v1/device/${encodeURIComponent(b.serial)}/screenshot`;
    const viaA = await ask(a, "GET", path);
    expect(viaA.status).toBe(200);
    expect(viaA.headers.get("content-type")).toBe("image/png");
    expect([...viaA.bytes.slice(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
    // B's own answer from the same capture: the same bytes, taken at the same moment
    const onB = await ask(b, "GET", `${path}?max_age_ms=60000`);
    expect(onB.headers.get("x-captured-at")).toBe(viaA.headers.get("x-captured-at"));
    expect(Buffer.from(onB.bytes).equals(Buffer.from(viaA.bytes))).toBe(true);

    // marked as passed on by B: A answers itself (it has no such phone online), and never sends it back
    const looped = await ask(a, "GET", path, undefined, { [FORWARDED_HEADER]: "pc-b" });
    expect(looped.status).toBe(409);
    expect(looped.json.message).toBe(`device '${b.serial}' is not online`);
    // A's own phone is A's to answer
    expect((await ask(a, "GET", `/api/v1/device/${encodeURIComponent(a.serial)}/screenshot`)).status).toBe(
      200,
    );
  });

  test("fast UI turned on and removed for B's phone through A happens on B's phone", async () => {
    const path = `/api/v1/device/${encodeURIComponent(b.serial)}/fast-ui`;
    const on = await ask(a, "POST", path, { enabled: true });
    expect(on.json).toMatchObject({ code: 0, data: { enabled: true } });
    expect(b.service.deviceService.fastUi(b.serial).enabled).toBe(true);
    expect(a.service.deviceService.fastUi(b.serial).enabled).toBe(false);
    await waitFor("Appium's server installed on B's phone", () => b.phone.uia2.installed, 60_000);
    // A's lists show B's phone's fast UI as B has it, not A's own memory of it
    const listed = async () => {
      const one = (await ask(a, "GET", `/api/v1/device/${encodeURIComponent(b.serial)}`)).json.data.fast_ui;
      const all = (await ask(a, "GET", "/api/v1/device")).json.data.devices;
      return [one, all.find((d: { serial: string }) => d.serial === b.serial).fast_ui];
    };
    const [one, inList] = await listed();
    expect(one).toMatchObject({ enabled: true });
    expect(one.state).not.toBe("unknown");
    expect(inList).toEqual(one);
    const off = await ask(a, "DELETE", path);
    expect(off.json).toMatchObject({ code: 0, data: { fast_ui: { enabled: false } } });
    expect(off.json.data.removed).toContain(UIA2_SERVER_PKG);
    expect(b.phone.uia2.installed).toBe(false);
    expect(b.service.deviceService.fastUi(b.serial).enabled).toBe(false);
    // a bad body is refused where it arrives, naming the field
    const bad = await ask(a, "POST", path, { enabled: "yes" });
    expect(bad.json.code).toBe(40001);
    expect(bad.json.message).toContain("enabled");
  });

  test("a failure's screenshot kept by B is read through A", async () => {
    const id = await createOn(a, b.serial, { seconds: 0, fail: "permanent" });
    await waitFor(
      "the task failed on B",
      async () => (await taskRow(id))?.status === TaskStatus.failed,
      30_000,
    );
    await sql`update tasks set node = 'pc-b' where id = ${id}`;
    const kept = b.service.evidence.screenshotPath(id);
    expect(kept).not.toBeNull();
    expect(a.service.evidence.screenshotPath(id)).toBeNull();
    const shot = await ask(a, "GET", `/api/v1/task/${id}/screenshot`);
    expect(shot.status).toBe(200);
    expect(shot.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(shot.bytes).equals(readFileSync(kept as string))).toBe(true);
    expect((await ask(a, "GET", `/api/v1/task/${id}`)).json.data.has_screenshot).toBe(true);
    // B kept no proof for it: B's 40401 comes back
    const proof = await ask(a, "GET", `/api/v1/task/${id}/proof`);
    expect(proof.json).toMatchObject({ code: 40401, message: `no proof screenshot was kept for task ${id}` });
    // deleted through A: B hears of it and lets its evidence go
    expect((await ask(a, "DELETE", `/api/v1/task/${id}`)).json).toMatchObject({ code: 0 });
    await waitFor("B's evidence gone", () => b.service.evidence.screenshotPath(id) === null);
  });

  test("a phone attached with ?node=pc-b is B's; detached through A, B lets it go", async () => {
    const phone = { host: extra.host, port: extra.port, direct: true };
    const unknown = await ask(a, "POST", "/api/v1/device/connect?node=pc-x", phone);
    expect(unknown.json.code).toBe(40001);
    expect(unknown.json.message).toContain('node: unknown node "pc-x"');
    const attached = await ask(a, "POST", "/api/v1/device/connect?node=pc-b", phone);
    expect(attached.json).toMatchObject({ code: 0, data: { serial: extra.address } });
    expect(b.service.deviceService.onlineSerials()).toContain(extra.address);
    expect(a.service.deviceService.onlineSerials()).not.toContain(extra.address);
    await sql`update devices set node = 'pc-b' where serial = ${extra.address}`;
    const detached = await ask(a, "POST", "/api/v1/device/disconnect", {
      host: extra.host,
      port: extra.port,
    });
    expect(detached.json).toMatchObject({ code: 0, data: { disconnected: true } });
    await waitFor("B let the phone go", () => !b.service.fleet.get(extra.address));
    expect(await b.service.devices.get(extra.address)).toBeUndefined();
  });

  test("a stop asked of A ends the script running on B's phone: cleaned up, released, failed stopped for good", async () => {
    const id = await createOn(a, b.serial, { seconds: 600 });
    await waitFor("the task running on B", () => b.service.runner.runningOn(b.serial) === id, 30_000);
    await sql`update tasks set node = 'pc-b' where id = ${id}`;
    const before = b.phone.commands.length;
    const stopped = await ask(a, "POST", `/api/v1/task/${id}/stop`);
    expect(stopped.json).toMatchObject({
      code: 0,
      data: { status_text: "failed", failure_reason: "stopped" },
    });
    await waitFor("B's run ended", () => b.service.runner.runningOn(b.serial) === undefined);
    // the script's cleanup ran on the phone, and its phone's lease went back
    const after = b.phone.commands.slice(before).map((c) => c.command);
    expect(after.some((c) => c.includes("force-stop"))).toBe(true);
    const [lease] = await sql`select node from phone_leases where serial = ${b.serial}`;
    expect(lease?.node ?? null).toBeNull();
    const row = await taskRow(id);
    expect(row).toMatchObject({
      status: TaskStatus.failed,
      failureReason: "stopped",
      error: "stopped by user",
    });
    const logs = await logsOf(id);
    expect(logs).toContain(
      "stopped by user on pc-a: pc-b is told through the database and aborts the run when it hears " +
        "(at its next heartbeat at the latest); if it has stopped, the run ended with it",
    );
    expect(logs).toContain("failed (permanent): stopped by user");
    expect(logs).not.toContain("completed");
  });

  test("a stop whose news B missed is found at B's heartbeat (reconcile), and a delete asked of A ends B's run", async () => {
    const missed = await createOn(a, b.serial, { seconds: 600 });
    await waitFor("the task running on B", () => b.service.runner.runningOn(b.serial) === missed, 30_000);
    // ended behind B's back: no event tells it
    await sql`update tasks set status = 3, error = 'stopped by user', failure_reason = 'stopped' where id = ${missed}`;
    await b.service.runner.reconcile();
    await waitFor("B's run ended", () => b.service.runner.runningOn(b.serial) === undefined);
    expect(await taskRow(missed)).toMatchObject({ status: TaskStatus.failed, failureReason: "stopped" });

    const deleted = await createOn(a, b.serial, { seconds: 600 });
    await waitFor("the task running on B", () => b.service.runner.runningOn(b.serial) === deleted, 30_000);
    expect((await ask(a, "DELETE", `/api/v1/task/${deleted}`)).json).toMatchObject({ code: 0 });
    await waitFor("B's run ended", () => b.service.runner.runningOn(b.serial) === undefined);
    expect(await taskRow(deleted)).toBeUndefined();
  });

  test("B stopped: what needs its phone is a 50302 naming B; a stop of its task still ends it in the database", async () => {
    b.server.stop(true);
    await b.service.stop();
    const shot = await ask(a, "GET", `/api/v1/device/${encodeURIComponent(b.serial)}/screenshot`);
    expect(shot.status).toBe(503);
    expect(shot.json).toMatchObject({ code: 50302, data: { node: "pc-b" } });
    expect(shot.json.message).toContain("node pc-b");
    // its phone is still listed through A, its fast UI not known
    const listed = (await ask(a, "GET", `/api/v1/device/${encodeURIComponent(b.serial)}`)).json;
    expect(listed).toMatchObject({
      code: 0,
      data: { node: "pc-b", fast_ui: { enabled: false, state: "unknown" } },
    });
    // a task B was running when it died (written as B would have): the stop ends it, and says what is known
    const id = await createOn(a, b.serial, { seconds: 600 });
    await sql`update tasks set status = 1, node = 'pc-b', started_at = ${Date.now()} where id = ${id}`;
    const stopped = await ask(a, "POST", `/api/v1/task/${id}/stop`);
    expect(stopped.json).toMatchObject({
      code: 0,
      data: { status_text: "failed", failure_reason: "stopped" },
    });
    expect((await logsOf(id)).some((l) => l.startsWith("stopped by user on pc-a: pc-b is told"))).toBe(true);
    // the task itself is the database's: read through A, whether B kept a screenshot is "no" while B is away
    expect((await ask(a, "GET", `/api/v1/task/${id}`)).json).toMatchObject({
      code: 0,
      data: { has_screenshot: false },
    });
  });

  test("a PC that takes connections but never answers does not hold up a task's read", async () => {
    const silent = createServer(() => {}).listen(0, "127.0.0.1");
    await once(silent, "listening");
    const { port } = silent.address() as AddressInfo;
    try {
      await sql`insert into nodes (name, version, started_at, heartbeat_at, url)
        values ('pc-silent', 'x', ${Date.now()}, ${Date.now()}, ${`http://127.0.0.1:${port}`})`;
      const id = await createOn(a, a.serial, { seconds: 0, fail: "permanent" });
      await waitFor("the task failed", async () => (await taskRow(id))?.status === TaskStatus.failed, 30_000);
      await sql`update tasks set node = 'pc-silent' where id = ${id}`;
      const read = await ask(a, "GET", `/api/v1/task/${id}`);
      expect(read.json).toMatchObject({ code: 0, data: { id, has_screenshot: false } });
    } finally {
      silent.close();
    }
  });
});
