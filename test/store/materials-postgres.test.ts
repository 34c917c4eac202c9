// Materials reach the phone's PC (issue 22): two nodes of one farm on one PostgreSQL, each listening on real
// HTTP. A file uploaded to pc-a is posted from a phone that pc-b holds: pc-b fetches it from pc-a once, into
// its cache, and the phone receives exactly those bytes; the owner out of reach fails the task retryable,
// naming it. A material_list is checked at creation by the node that holds the phone.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createHash, randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VirtualPhone } from "@farm/virtual-phone";
import { TaskStatus } from "../../src/domain.ts";
import type { PgDb } from "../../src/store/db.ts";
import { ManualClock } from "../../src/tasks/clock.ts";
import { advanceUntil } from "../helpers/flow.ts";
import { HEADS } from "../helpers/media.ts";
import { freePort } from "../helpers/ports.ts";
import { type PrivatePostgres, skipPostgres, startPostgres } from "../helpers/postgres.ts";
import { startTestService, type TestService } from "../helpers/service.ts";
import { waitFor } from "../helpers/wait.ts";

interface Node {
  name: string;
  service: TestService;
  port: number;
  url: string;
  server: ReturnType<typeof Bun.serve> | null;
  /** Requests answered, by path. */
  seen: string[];
}

let pg: PrivatePostgres;
const clock = new ManualClock(Date.now());
let a: Node;
let b: Node;
const phones: VirtualPhone[] = [];
/** SHA-256 of each file pushed to a phone, by its path there, as its media store first indexed it. */
const received = new Map<string, string>();
const dirs: string[] = [];

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const filePath = /^\/api\/v1\/material\/\d+\/file$/;
const downloads = (node: Node) => node.seen.filter((p) => filePath.test(p)).length;

function listen(node: Node) {
  node.server = Bun.serve({
    hostname: "127.0.0.1",
    port: node.port,
    fetch: (request) => {
      node.seen.push(new URL(request.url).pathname);
      return node.service.app.handle(request);
    },
  });
}

async function startNode(name: string, dataDir?: string): Promise<Node> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const service = await startTestService(
    { database: await dbUrl, node: name, nodeUrl: url, retryMax: 0, ...(dataDir ? { dataDir } : {}) },
    { clock, pollMs: 200 },
  );
  const node: Node = { name, service, port, url, server: null, seen: [] };
  listen(node);
  await service.start();
  return node;
}

async function api(node: Node, method: string, path: string, body?: unknown) {
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { code: number; message: string; data: any } };
}

async function upload(node: Node, name: string, bytes: Uint8Array, tag: string) {
  const form = new FormData();
  form.append("file", new Blob([bytes]), name);
  form.append("tags", tag);
  const res = await fetch(`${node.url}/api/v1/material`, { method: "POST", body: form });
  return ((await res.json()) as { data: any }).data;
}

/** A phone attached to pc-b, and marked as held by it (devices.node: engineer A's part fills it). */
async function phoneOnB(): Promise<string> {
  const phone = await VirtualPhone.start({ popups: false });
  phones.push(phone);
  const media = phone.device.media;
  const scan = media.scan.bind(media);
  media.scan = (path) => {
    const host = phone.device.fs.host(path);
    if (existsSync(host) && path.includes("/DCIM/Camera/farm_") && !received.has(host))
      received.set(host, sha256(readFileSync(host)));
    return scan(path);
  };
  const serial = `${phone.host}:${phone.port}`;
  await b.service.deviceService.connect(phone.host, phone.port, true);
  await waitFor("online on pc-b", () => b.service.deviceService.onlineSerials().includes(serial), 10_000);
  await (b.service.db as PgDb).$client`update devices set node = ${b.name} where serial = ${serial}`;
  return serial;
}

async function postThroughA(serial: string, config: Record<string, unknown>) {
  return api(a, "POST", "/api/v1/task", { serials: [serial], script_name: "post", script_config: config });
}

/** Moves the farm's clock until the task has ended; its row. */
async function ended(id: number) {
  await advanceUntil(clock, `task ${id} ended`, async () => {
    const status = (await b.service.tasks.get(id))?.status;
    return status === TaskStatus.completed || status === TaskStatus.failed;
  });
  return (await b.service.tasks.get(id))!;
}

let dbUrl: Promise<string>;

beforeAll(async () => {
  if (skipPostgres) return;
  pg = await startPostgres();
  dbUrl = pg.database("farm_materials");
  a = await startNode("pc-a");
  // the same key file: the farm's secrets open on both
  const dirB = mkdtempSync(join(tmpdir(), "farm-pg-materials-b-"));
  dirs.push(dirB);
  copyFileSync(join(a.service.dir, "secret.key"), join(dirB, "secret.key"));
  b = await startNode("pc-b", dirB);
});

afterAll(async () => {
  for (const node of [a, b]) {
    await node?.server?.stop(true);
    await node?.service.stop();
  }
  for (const phone of phones) await phone.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  pg?.stop();
});

test.skipIf(skipPostgres)(
  "a material_list is checked by the node that holds the phone: what it cannot see → 40001 naming it",
  async () => {
    const serial = await phoneOnB();
    const missing = join(tmpdir(), "nowhere-on-pc-b", "clip.mp4");
    const before = b.seen.length;
    const refused = await postThroughA(serial, { material_list: [missing] });
    expect(refused.body.code).toBe(40001);
    expect(refused.body.message).toBe(
      `script_config.material_list.0: "${missing}" does not exist on node pc-b`,
    );
    expect(refused.body.data.errors).toEqual([
      { path: "/script_config/material_list/0", message: `"${missing}" does not exist on node pc-b` },
    ]);
    // pc-b was asked, once
    expect(b.seen.slice(before)).toEqual(["/api/v1/material/paths-check"]);
    expect((await api(a, "GET", "/api/v1/task/stats")).body.data.total).toBe(0);

    // the holder out of reach: refused, rather than accepted for a phone whose files nobody checked
    await b.server?.stop(true);
    try {
      const unreachable = await postThroughA(serial, { material_list: [missing] });
      expect(unreachable.status).toBe(503);
      expect(unreachable.body.code).toBe(50302);
      expect(unreachable.body.message).toStartWith(
        `node pc-b holds phone ${serial} and could not check the post's files there: node pc-b (${b.url}) did not answer`,
      );
    } finally {
      listen(b);
    }
    expect((await api(a, "GET", "/api/v1/task/stats")).body.data.total).toBe(0);
  },
);

test.skipIf(skipPostgres)(
  "a file uploaded to pc-a is posted from pc-b's phone: fetched once, the phone gets exactly its bytes",
  async () => {
    const bytes = new Uint8Array(Buffer.concat([HEADS.mp4, randomBytes(3 * 1024 * 1024)]));
    const uploaded = await upload(a, "far away.mp4", bytes, "far");
    expect([uploaded.node, uploaded.sha256]).toEqual(["pc-a", sha256(bytes)]);
    // one farm, one library: pc-b lists it, saying where it is
    const listed = (await api(b, "GET", "/api/v1/material?tag=far")).body.data.materials;
    expect(listed.map((m: { id: number; node: string }) => [m.id, m.node])).toEqual([[uploaded.id, "pc-a"]]);
    // and its file comes through pc-b, passed on to pc-a
    const through = await fetch(`${b.url}/api/v1/material/${uploaded.id}/file`);
    expect(through.headers.get("x-content-sha256")).toBe(sha256(bytes));
    expect(sha256(new Uint8Array(await through.arrayBuffer()))).toBe(sha256(bytes));
    const before = downloads(a);

    const [first, second] = [phones[0] as VirtualPhone, await phoneOnB()];
    const serials = [`${first.host}:${first.port}`, second];
    for (const [i, serial] of serials.entries()) {
      const created = await postThroughA(serial, { materials_tags: "far", captions: `from pc-a, ${i + 1}` });
      expect(created.body.code).toBe(0);
      const task = await ended(created.body.data.task_ids[0]);
      expect([task.status, task.error]).toEqual([TaskStatus.completed, null]);
      const logs = (await b.service.tasks.logs(task.id)).map((l) => l.message);
      expect(logs.some((l) => l.includes("fetched from the node that has them"))).toBe(true);
    }
    // each phone received the file, byte for byte; pc-a gave it once, the second post took pc-b's copy
    expect([...received.values()]).toEqual([sha256(bytes), sha256(bytes)]);
    expect(phones.map((p) => p.apps.tiktok.posts.length)).toEqual([1, 1]);
    expect(downloads(a) - before).toBe(1);
    const cached = join(b.service.config.dataDir, "cache", "materials", `${sha256(bytes)}.mp4`);
    expect(sha256(readFileSync(cached))).toBe(sha256(bytes));
    // the library knows the file by its own path: posted, by both phones
    const used = (await api(a, "GET", `/api/v1/material/${uploaded.id}`)).body.data.used_by;
    expect(used.map((u: { serial: string; confirmed: boolean }) => [u.serial, u.confirmed]).sort()).toEqual(
      serials.map((s) => [s, true]).sort(),
    );
  },
);

test.skipIf(skipPostgres)(
  "the node that has the file out of reach: the task fails, retryable, naming it; nothing half-written kept",
  async () => {
    const bytes = new Uint8Array(Buffer.concat([HEADS.mp4, randomBytes(64 * 1024)]));
    const uploaded = await upload(a, "unreachable.mp4", bytes, "cut-off");
    const serial = `${(phones[0] as VirtualPhone).host}:${(phones[0] as VirtualPhone).port}`;
    await a.server?.stop(true);
    try {
      // accepted by pc-b (the library is one table), run on pc-b, which cannot reach pc-a
      const created = await api(b, "POST", "/api/v1/task", {
        serials: [serial],
        script_name: "post",
        script_config: { materials_tags: "cut-off" },
      });
      expect(created.body.code).toBe(0);
      const task = await ended(created.body.data.task_ids[0]);
      expect([task.status, task.errorClass]).toEqual([TaskStatus.failed, "retryable"]);
      expect(task.error).toStartWith(
        `material ${uploaded.id} ("unreachable.mp4") is on node pc-a and could not be fetched from it: ` +
          `the download failed: node pc-a (${a.url}) did not answer`,
      );
    } finally {
      listen(a);
    }
    const cache = join(b.service.config.dataDir, "cache", "materials");
    expect(existsSync(join(cache, `${sha256(bytes)}.mp4`))).toBe(false);

    // pc-a back: a deletion asked of pc-b is passed on to pc-a, whose disk has the uploaded copy
    expect(existsSync(uploaded.path)).toBe(true);
    const deleted = await api(b, "DELETE", `/api/v1/material/${uploaded.id}`);
    expect(deleted.body.data).toEqual({ deleted: true, file_deleted: true });
    expect(existsSync(uploaded.path)).toBe(false);
    expect(a.seen.at(-1)).toBe(`/api/v1/material/${uploaded.id}`);
  },
);
