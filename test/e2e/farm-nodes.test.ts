// Three farm PCs, one queue (issue 22): three compiled executables on one private PostgreSQL, each with its own
// adb server, data folder and virtual phones; two phones are attached to two of them. 200 tasks created
// through one node run exactly once each, and no phone ever runs two at once. kill -9 of a node mid-post: after
// the lease its running tasks fail "interrupted: node NAME stopped" and never run again, its phones' queues
// wait for it, the shared phones go on on the other node and the rest of the farm keeps going; restarted, it
// rejoins and nothing is claimed twice. PostgreSQL stopped and started mid-run: 503 and refusals while it is
// down, and every acknowledged task is there and done after.
// The nodes' clocks run RATE times faster from one shared start (FARM_TEST_CLOCK_START): the lease's 30 s pass
// in 6, and the times the nodes write (heartbeats, each run's start and end) compare across them.
import { afterAll, beforeAll, expect, test } from "bun:test";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VirtualPhone } from "@farm/virtual-phone";
import { LEASE_MS } from "../../src/tasks/node-watch.ts";
import { type AdbServer, startAdbServer } from "../helpers/adb.ts";
import { buildBinary, call, type Running, startBinary } from "../helpers/binary.ts";
import { writeLicense } from "../helpers/license.ts";
import { HEADS } from "../helpers/media.ts";
import { MULTIPART, multipartBody } from "../helpers/multipart.ts";
import { freePort } from "../helpers/ports.ts";
import { type PrivatePostgres, startPostgres } from "../helpers/postgres.ts";
import { startRealisticPhone } from "../helpers/realism.ts";
import { waitFor } from "../helpers/wait.ts";

const RATE = 5;
const CLOCK_START = Date.now();
/** Now, as the nodes' clocks read it. */
const farmNow = () => CLOCK_START + (Date.now() - CLOCK_START) * RATE;

interface Node {
  name: string;
  /** Its port, the same after a restart: the URL the other nodes reach it at (`--node-url`). */
  port: number;
  dataDir: string;
  adb: AdbServer;
  /** Its phones, the shared ones included. */
  phones: VirtualPhone[];
  /** Each start of its executable, the last one running (or killed). */
  runs: Running[];
}

interface Task {
  id: number;
  serial: string;
  status: number;
  error: string | null;
  retry_count: number;
  started_at: string | null;
  finished_at: string | null;
  waiting_for: { reason: string; message: string } | null;
  logs: { at: string; message: string }[];
  result?: { outcome?: string } | null;
}

let dir: string;
let binary: string;
let license: string;
let video: string;
let pg: PrivatePostgres;
let database: string;
const nodes: Node[] = [];
const phones: VirtualPhone[] = [];
/** Every task id a node acknowledged (POST /task answered code 0), over the whole file. */
const acknowledged = new Set<number>();

const urlOf = (node: Node) => (node.runs.at(-1) as Running).url;
const byName = (name: string) => nodes.find((n) => n.name === name) as Node;
const api = async (node: Node, method: string, path: string, body?: unknown) =>
  (await call(urlOf(node), method, path, body)).body;

async function startNode(node: Node): Promise<Running> {
  const running = await startBinary(
    binary,
    [
      ...["--database", database, "--node", node.name, "--data-dir", node.dataDir],
      ...["--adb", `127.0.0.1:${node.adb.port}`, "--license", license, "--retry-max", "0"],
      // after startBinary's `--port 0`: the last one counts
      ...["--port", String(node.port), "--node-url", `http://127.0.0.1:${node.port}`],
    ],
    dir,
    {
      FARM_TEST_SCRIPTS: "1",
      FARM_TEST_CLOCK_RATE: String(RATE),
      FARM_TEST_CLOCK_START: String(CLOCK_START),
    },
  );
  node.runs.push(running);
  return running;
}

async function attach(node: Node, phone: VirtualPhone) {
  expect(
    (await api(node, "POST", "/api/v1/device/connect", { host: phone.host, port: phone.port })).code,
  ).toBe(0);
}

/** Creates tasks through `node`; their ids, acknowledged. */
async function create(node: Node, serials: string[], scriptName: string, config: Record<string, unknown>) {
  const r = await api(node, "POST", "/api/v1/task", {
    serials,
    script_name: scriptName,
    script_config: config,
  });
  expect([r.code, r.message]).toEqual([0, "success"]);
  const ids = r.data.task_ids as number[];
  for (const id of ids) acknowledged.add(id);
  return ids;
}

const sleepTasks = (node: Node, serials: string[], seconds: number) =>
  create(node, serials, "test_sleep", { seconds });

const postBody = (caption: string) => ({
  content_type: 0,
  captions: caption,
  material_list: [video],
  upload_wait_time: 60,
});

/** Task `id` as GET /api/v1/task/{id} gives it (its logs and waiting_for with it). */
async function task(node: Node, id: number): Promise<Task> {
  const r = await api(node, "GET", `/api/v1/task/${id}`);
  if (r.code !== 0) throw new Error(`GET /api/v1/task/${id} on ${node.name}: ${r.code} ${r.message}`);
  return r.data as Task;
}

/** The tasks `ids`, read 32 at a time (a node serves 64 requests at once per client). */
async function tasksOf(node: Node, ids: number[]): Promise<Task[]> {
  const tasks: Task[] = [];
  for (let i = 0; i < ids.length; i += 32)
    tasks.push(...(await Promise.all(ids.slice(i, i + 32).map((id) => task(node, id)))));
  return tasks;
}

/** The tasks `ids` once every one has ended (completed or failed). */
const ended = (node: Node, ids: number[], timeoutMs: number) =>
  waitFor(
    `tasks ${ids.join(", ")} to end`,
    async () => {
      const tasks = await tasksOf(node, ids);
      return tasks.every((t) => t.status >= 2) && tasks;
    },
    timeoutMs,
  );
const startsIn = (t: Task) => t.logs.filter((l) => l.message.startsWith("started on")).length;
const ms = (iso: string | null) => (iso === null ? Number.NaN : Date.parse(iso));

/** The node names whose executables started task `id` (their logs say so once per start), one per start. */
function startedBy(id: number): string[] {
  const line = new RegExp(`\\btask ${id} phone \\S+: started script=`, "g");
  return nodes.flatMap((n) => n.runs.flatMap((r) => (r.log().match(line) ?? []).map(() => n.name)));
}

/**
 * When the run of `t` began: its "started on" line, written once its start (and its phone's lease) is saved.
 * Not started_at: that is stamped as the claim's transaction begins, and on a shared phone it may precede by
 * a few ms the end of the run the other node is just saving, whose lease the claim then waits for.
 */
const runStart = (t: Task) => ms(t.logs.find((l) => l.message.startsWith("started on"))?.at ?? null);

/** Each phone's runs never overlap: sorted by start, every run starts once the one before it has ended. */
function overlaps(tasks: Task[]): string[] {
  const bySerial = Map.groupBy(
    tasks.filter((t) => t.started_at !== null),
    (t) => t.serial,
  );
  const found: string[] = [];
  for (const [serial, runs] of bySerial) {
    runs.sort((a, b) => runStart(a) - runStart(b));
    for (let i = 1; i < runs.length; i++) {
      const before = runs[i - 1] as Task;
      const after = runs[i] as Task;
      if (!(runStart(after) >= ms(before.finished_at)))
        found.push(
          `${serial}: task ${after.id} started (${runStart(after)} on ${startedBy(after.id)}) before task ` +
            `${before.id} ended (${runStart(before)} to ${before.finished_at} on ${startedBy(before.id)})`,
        );
    }
  }
  return found;
}

/** /health of `node`: its status code and the farm's nodes as it sees them. */
async function health(node: Node) {
  const r = await call(urlOf(node), "GET", "/health");
  const nodesSeen = (r.body as unknown as { nodes?: { name: string; state: string; phones: string[] }[] })
    .nodes;
  return { status: r.status, nodes: nodesSeen ?? [] };
}

/** Every task of the farm, read through `node`. */
async function allTasks(node: Node): Promise<Task[]> {
  const ids: number[] = [];
  for (let page = 1; ; page++) {
    const list = (await api(node, "GET", `/api/v1/task?page_size=100&page=${page}`)).data;
    ids.push(...(list.tasks as { id: number }[]).map((t) => t.id));
    if (ids.length >= list.total) break;
  }
  return tasksOf(node, ids);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "farm-nodes-"));
  binary = join(dir, "farm-tasks");
  copyFileSync(await buildBinary(), binary);
  license = writeLicense(dir, { plan: "Pro" });
  video = join(dir, "video1.mp4");
  writeFileSync(video, Buffer.concat([HEADS.mp4, Buffer.alloc(200_000, 3)]));
  pg = await startPostgres();
  database = await pg.database("farm_nodes_e2e");
  // each node's first phone posts (a realistic TikTok), the others run test_sleep
  const own = async (name: string) => [
    await startRealisticPhone({ serial: `${name}-POST`, popups: false }),
    await VirtualPhone.start({ serial: `${name}-2`, popups: false }),
  ];
  const [a, b, c] = [await own("A"), await own("B"), await own("C")];
  const shared = [
    await VirtualPhone.start({ serial: "SHARED-1", popups: false }),
    await VirtualPhone.start({ serial: "SHARED-2", popups: false }),
  ];
  phones.push(...a, ...b, ...c, ...shared);
  for (const [name, seen] of [
    ["pc-a", [...a, ...shared]],
    ["pc-b", [...b, ...shared]],
    ["pc-c", c],
  ] as const) {
    const dataDir = join(dir, name);
    mkdirSync(dataDir, { mode: 0o700 });
    nodes.push({
      name,
      port: await freePort(),
      dataDir,
      adb: await startAdbServer(),
      phones: [...seen],
      runs: [],
    });
  }
  // the first node makes the farm's secret key; the others open the secrets with the same one
  const first = nodes[0] as Node;
  await startNode(first);
  for (const node of nodes.slice(1)) {
    copyFileSync(join(first.dataDir, "secret.key"), join(node.dataDir, "secret.key"));
    await startNode(node);
  }
  for (const node of nodes) for (const phone of node.phones) await attach(node, phone);
  for (const node of nodes) {
    await waitFor(
      `${node.name}'s phones online`,
      async () => {
        const online = new Set(
          (await api(node, "GET", "/api/v1/device")).data.devices
            .filter((d: { state: string }) => d.state === "online")
            .map((d: { serial: string }) => d.serial),
        );
        // the farm's phone list is shared: this node's own phones are the ones it must see
        return node.phones.every((p) => online.has(p.address));
      },
      30_000,
    );
  }
}, 90_000);

afterAll(async () => {
  for (const node of nodes) {
    for (const r of node.runs) r.proc.kill("SIGKILL");
    await Promise.all(node.runs.map((r) => r.proc.exited));
    await node.adb.stop();
  }
  for (const p of phones) await p.stop();
  pg?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("200 tasks created through one node for the phones of all three: each runs exactly once, no phone runs two at once", async () => {
  const creator = byName("pc-c");
  const serials = phones.map((p) => p.address);
  const ids: number[] = [];
  for (let i = 0; i < 25; i++) ids.push(...(await sleepTasks(creator, serials, 0.1)));
  expect(ids).toHaveLength(200);
  const done = await ended(creator, ids, 60_000);

  expect(done.filter((t) => t.status === 2)).toHaveLength(200);
  expect((await api(creator, "GET", "/api/v1/task/stats")).data).toMatchObject({
    total: 200,
    completed: 200,
  });
  for (const t of done) {
    expect([t.id, startsIn(t), startedBy(t.id).length]).toEqual([t.id, 1, 1]);
    // run by a node that sees its phone
    const [runner] = startedBy(t.id);
    expect(byName(runner as string).phones.map((p) => p.address)).toContain(t.serial);
  }
  expect(overlaps(done)).toEqual([]);
  const sharedSerials = phones.filter((p) => p.serial.startsWith("SHARED")).map((p) => p.address);
  const sharedBy = new Map<string, number>();
  for (const t of done.filter((t) => sharedSerials.includes(t.serial))) {
    const name = startedBy(t.id)[0] as string;
    sharedBy.set(name, (sharedBy.get(name) ?? 0) + 1);
  }
  console.log(`shared phones' 50 tasks ran on: ${JSON.stringify(Object.fromEntries(sharedBy))}`);
  // every lease went back once its run's end was saved
  await waitFor("no phone leased", async () =>
    (await health(creator)).nodes.every((n) => n.phones.length === 0),
  );
}, 90_000);

// On one machine every node could read pc-a's data folder (a post through pc-a's path would pass): the proof
// of the fetch from pc-a is pc-c's copy, named by the file's SHA-256 (materials.sha256).
test("a post from a library file uploaded to another node completes", async () => {
  const uploader = byName("pc-a");
  const phone = phones.find((p) => p.serial === "C-POST") as VirtualPhone;
  const tag = "farm-library";
  const upload = multipartBody({ filename: "library.mp4", size: 300_000, fields: { tags: tag } });
  const res = await fetch(`${urlOf(uploader)}/api/v1/material`, {
    method: "POST",
    headers: { "content-type": MULTIPART },
    body: upload.stream,
    duplex: "half",
  } as RequestInit);
  const uploaded = (await res.json()) as { code: number; data: { path: string } };
  expect(uploaded.code).toBe(0);
  const bytes = readFileSync(uploaded.data.path);
  const sha256 = new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
  const caption = "from pc-a's library";
  const [id] = await create(uploader, [phone.address], "post", {
    content_type: 0,
    captions: caption,
    material_source: "materialLibrary",
    materials_tags: tag,
    upload_wait_time: 60,
  });
  const [t] = await ended(byName("pc-c"), [id as number], 60_000);
  expect([t?.status, t?.error]).toEqual([2, null]);
  expect(startedBy(id as number)).toEqual(["pc-c"]);
  expect(phone.apps.tiktok.posts.map((p) => p.caption)).toEqual([caption]);
  const copies = readdirSync(byName("pc-c").dataDir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.includes(sha256))
    .map((e) => readFileSync(join(e.parentPath, e.name)));
  expect(copies.length).toBeGreaterThan(0);
  for (const copy of copies) expect(copy.equals(bytes)).toBe(true);
}, 90_000);

/** What the kill leaves behind, for the restart's test. */
let killed: Node | undefined;
let interruptedIds: number[] = [];
let waitingIds: number[] = [];
let killedPost: VirtualPhone | undefined;

test("kill -9 of a node mid-post: its running tasks fail interrupted after the lease, its queues wait, the shared phones and the farm go on", async () => {
  const creator = byName("pc-c");
  const [s1, s2] = phones.filter((p) => p.serial.startsWith("SHARED")) as [VirtualPhone, VirtualPhone];
  const postPhones = phones.filter((p) => p.serial.endsWith("-POST"));
  for (const p of postPhones) p.apps.tiktok.uploadMs = 8000;
  const second = (name: string) => phones.find((p) => p.serial === `${name}-2`) as VirtualPhone;
  const [a2, b2, c2] = [second("A"), second("B"), second("C")];
  const cPost = phones.find((p) => p.serial === "C-POST") as VirtualPhone;

  // a post on pc-a's and pc-b's first phone; a long run on their second and the first shared phone; short
  // ones behind, on those and the second shared phone
  const posts = new Map<string, number>();
  for (const p of postPhones.filter((p) => !p.serial.startsWith("C"))) {
    const [id] = await create(creator, [p.address], "post", postBody(`farm post on ${p.serial}`));
    posts.set(p.serial, id as number);
  }
  // (a long run on the second shared phone too would keep the survivor's queue there waiting for it)
  const long = await sleepTasks(
    creator,
    [a2, b2, s1].map((p) => p.address),
    20,
  );
  const queued = [a2, b2, s1, s2].map((p) => p.address);
  const behind = [...(await sleepTasks(creator, queued, 0.1)), ...(await sleepTasks(creator, queued, 0.1))];
  // pc-c's phones keep busy the whole time
  const farmIds: number[] = [];
  for (let i = 0; i < 30; i++) farmIds.push(...(await sleepTasks(creator, [cPost.address, c2.address], 0.3)));

  // the node to kill: the one that runs the first shared phone, once its post is uploading
  const victim = await waitFor(
    "a node running the first shared phone while its post uploads",
    async () => {
      const holder = (await health(creator)).nodes.find((n) => n.phones.includes(s1.address));
      const post = phones.find((p) => p.serial === `${holder?.name.slice(-1).toUpperCase()}-POST`);
      return holder && post?.apps.tiktok.screen === "posting" && { name: holder.name, post };
    },
    40_000,
  );
  killed = byName(victim.name);
  killedPost = victim.post;
  const survivor = byName(killed.name === "pc-a" ? "pc-b" : "pc-a");
  const heldByKilled = (await health(creator)).nodes.find((n) => n.name === killed?.name)?.phones ?? [];
  const running = [...posts.values(), ...long];
  const runningOnKilled = (await tasksOf(creator, running)).filter(
    (t) => t.status === 1 && heldByKilled.includes(t.serial),
  );
  const killedOwn = second(killed.name.slice(-1).toUpperCase());
  // its post, and the long run on its own second phone and on the first shared phone at least
  expect(runningOnKilled.map((t) => t.serial)).toEqual(
    expect.arrayContaining([victim.post, killedOwn, s1].map((p) => p.address)),
  );

  const last = killed.runs.at(-1) as Running;
  last.proc.kill("SIGKILL");
  await last.proc.exited;
  const killedAt = farmNow();
  // the killed node's last heartbeat, as the others read it
  const lastBeat = await waitFor("the killed node's last heartbeat", async () => {
    const n = (await health(creator)).nodes.find((x) => x.name === killed?.name) as unknown as {
      heartbeat_at: string;
    };
    return n && Date.parse(n.heartbeat_at);
  });

  const interrupted = await waitFor(
    `${killed.name}'s running tasks failed`,
    async () => {
      const rows = await tasksOf(
        creator,
        runningOnKilled.map((t) => t.id),
      );
      return rows.every((t) => t.status === 3) && rows;
    },
    40_000,
  );
  for (const t of interrupted) {
    expect([t.id, t.error, t.retry_count]).toEqual([t.id, `interrupted: node ${killed.name} stopped`, 0]);
    expect(ms(t.finished_at)).toBeGreaterThanOrEqual(lastBeat + LEASE_MS);
  }
  interruptedIds = interrupted.map((t) => t.id);

  // the shared phones' queues run on the survivor from the lease's end on
  const sharedSerials = [s1, s2].map((p) => p.address);
  const behindRows = await tasksOf(creator, behind);
  const sharedDone = await ended(
    creator,
    behindRows.filter((t) => sharedSerials.includes(t.serial)).map((t) => t.id),
    40_000,
  );
  for (const t of sharedDone) {
    expect([t.id, t.status]).toEqual([t.id, 2]);
    if (ms(t.started_at) > killedAt) expect(startedBy(t.id)).toEqual([survivor.name]);
  }
  const takenOver = sharedDone
    .filter((t) => t.serial === s1.address)
    .map((t) => ms(t.started_at))
    .sort((x, y) => x - y)[0] as number;
  expect(takenOver).toBeGreaterThanOrEqual(lastBeat + LEASE_MS);
  console.log(
    `[bench] shared phone taken over ${((takenOver - lastBeat) / 1000).toFixed(1)} s (farm clock) after ` +
      `${killed.name}'s last heartbeat (lease ${LEASE_MS / 1000} s + at most a beat of 10 s to notice)`,
  );

  // the killed node's own phone keeps its queue, and says why: the node that failed its tasks knows (the
  // others, until the farm shares one list of phones, read the phone's last state they saw: "starting")
  const failedIt = new RegExp(`node ${killed.name} stopped \\(no heartbeat for \\d+ s\\): [1-9]`);
  const noticer = await waitFor("the node that failed the killed one's tasks", () =>
    nodes.find((n) => n !== killed && failedIt.test(n.runs.at(-1)?.log() ?? "")),
  );

  waitingIds = (await tasksOf(creator, behind))
    .filter((t) => t.serial === killedOwn.address)
    .map((t) => t.id);
  expect(waitingIds).toHaveLength(2);
  for (const id of waitingIds) {
    const t = await task(noticer, id);
    expect([t.status, t.waiting_for]).toEqual([
      0,
      expect.objectContaining({
        reason: "phone_offline",
        message: `phone ${killedOwn.address} is offline: node ${killed.name}, which ran it, stopped; it starts when ${killed.name} is back`,
      }),
    ]);
  }

  // the rest of the farm went on meanwhile: pc-c's runs after the kill, the survivor's post
  const farmRows = await tasksOf(creator, farmIds);
  expect(farmRows.filter((t) => t.status === 2 && ms(t.started_at) > killedAt).length).toBeGreaterThan(0);
  const survivorPost = posts.get(`${survivor.name.slice(-1).toUpperCase()}-POST`) as number;
  const [post] = await ended(creator, [survivorPost], 60_000);
  expect([post?.status, post?.error]).toEqual([2, null]);
  expect(heldByKilled.length).toBeGreaterThan(0);
}, 120_000);

test("the killed node started again: it rejoins, runs the queues that waited for it, and nothing is claimed twice", async () => {
  const node = killed as Node;
  const post = killedPost as VirtualPhone;
  const creator = byName("pc-c");
  await startNode(node);
  for (const other of nodes) {
    await waitFor(
      `${other.name} to show ${node.name} running`,
      async () => (await health(other)).nodes.find((n) => n.name === node.name)?.state === "running",
      30_000,
    );
  }
  const done = await ended(creator, waitingIds, 40_000);
  for (const t of done)
    expect([t.id, t.status, startsIn(t), startedBy(t.id)]).toEqual([t.id, 2, 1, [node.name]]);

  const quiet = async () => {
    const s = (await api(creator, "GET", "/api/v1/task/stats")).data;
    return s.pending === 0 && s.running === 0;
  };
  await waitFor("the farm's queue done", quiet, 60_000);
  const rows = await allTasks(creator);
  for (const id of interruptedIds) {
    const t = rows.find((r) => r.id === id) as Task;
    // never run again; a post cut off after Post was tapped may be found on its account since
    expect([t.id, startsIn(t), startedBy(id).length, t.retry_count]).toEqual([id, 1, 1, 0]);
    if (t.status === 3) expect(t.error).toBe(`interrupted: node ${node.name} stopped`);
    else expect([t.status, t.result?.outcome]).toEqual([2, "verified_after_restart"]);
  }
  expect(post.apps.tiktok.posts).toHaveLength(1);
  for (const t of rows) {
    expect([t.id, startedBy(t.id).length]).toEqual([t.id, startsIn(t)]);
    expect(startsIn(t)).toBeLessThanOrEqual(1);
  }
  expect(overlaps(rows)).toEqual([]);
}, 120_000);

test("PostgreSQL stopped and started mid-run: 503 and no acknowledgement while it is down, every acknowledged task done after", async () => {
  const creator = byName("pc-c");
  const client = byName("pc-a");
  const target = (phones.find((p) => p.serial === "C-2") as VirtualPhone).address;
  const batch = [
    ...(await sleepTasks(
      creator,
      phones.map((p) => p.address),
      1,
    )),
    ...(await sleepTasks(
      creator,
      phones.map((p) => p.address),
      0.2,
    )),
  ];
  await waitFor(
    "tasks running",
    async () => (await api(creator, "GET", "/api/v1/task/stats")).data.running >= 3,
    20_000,
  );
  // a client creating a task through another node every 100 ms, all along
  let creating = true;
  const clientAcks: number[] = [];
  const refusals: string[] = [];
  const loop = (async () => {
    while (creating) {
      try {
        const r = await call(urlOf(client), "POST", "/api/v1/task", {
          serials: [target],
          script_name: "test_sleep",
          script_config: { seconds: 0.1 },
        });
        if (r.body.code === 0) {
          for (const id of r.body.data.task_ids as number[]) {
            acknowledged.add(id);
            clientAcks.push(id);
          }
        } else refusals.push(`${r.status} ${r.body.code}`);
      } catch (e) {
        refusals.push(String(e));
      }
      await Bun.sleep(100);
    }
  })();
  await waitFor("the client's first task acknowledged", () => clientAcks.length > 0, 10_000);

  pg.halt();
  let acksAtResume: number;
  try {
    for (const node of nodes) {
      await waitFor(`${node.name}'s /health 503`, async () => (await health(node)).status === 503, 20_000);
    }
    const refused = await call(urlOf(byName("pc-b")), "POST", "/api/v1/task", {
      serials: [target],
      script_name: "test_sleep",
      script_config: { seconds: 0.1 },
    });
    expect([refused.body.code, refused.body.data?.task_ids]).toEqual([50001, undefined]);
  } finally {
    acksAtResume = clientAcks.length;
    pg.resume();
  }
  for (const node of nodes) {
    await waitFor(`${node.name}'s /health 200`, async () => (await health(node)).status === 200, 30_000);
  }
  await waitFor("a task acknowledged after the restart", () => clientAcks.length > acksAtResume, 20_000);
  creating = false;
  await loop;
  expect(refusals.length).toBeGreaterThan(0);

  const done = await ended(creator, [...batch, ...clientAcks], 60_000);
  expect(done.map((t) => [t.id, t.status, t.error])).toEqual(done.map((t) => [t.id, 2, null]));
  // over the whole file: the farm holds exactly the tasks acknowledged, each started at most once
  const rows = await allTasks(creator);
  expect(rows.map((t) => t.id).sort((a, b) => a - b)).toEqual([...acknowledged].sort((a, b) => a - b));
  for (const t of rows) expect([t.id, startedBy(t.id).length]).toEqual([t.id, startsIn(t)]);
  expect(overlaps(rows)).toEqual([]);
}, 120_000);
