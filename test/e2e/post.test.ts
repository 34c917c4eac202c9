// The post script end to end: the executable over HTTP, Debian's adb server, virtual phones with the
// simulated TikTok. The seed's own example body completes on every phone with the file's exact bytes; 20
// phones post at once on the Business plan; kill -9 after Post was tapped never posts twice, and the
// restarted service finds the post on the account.
import { afterAll, beforeAll, expect, test } from "bun:test";
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { VirtualPhone } from "@farm/virtual-phone";
import { type AdbServer, startAdbServer } from "../helpers/adb.ts";
import { buildBinary, call, type Running, startBinary, tasksEnded } from "../helpers/binary.ts";
import { writeLicense } from "../helpers/license.ts";
import { startRealisticPhone } from "../helpers/realism.ts";
import { SEED_EXAMPLE } from "../helpers/seed.ts";
import { waitFor } from "../helpers/wait.ts";

let dir: string;
let binary: string;
let license: string;
let video: string;
let adb: AdbServer;
let running: Running | undefined;
const phones: VirtualPhone[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "farm-post-e2e-"));
  binary = join(dir, "farm-tasks");
  copyFileSync(await buildBinary(), binary);
  license = writeLicense(dir, { plan: "Business" });
  video = join(dir, "video1.mp4");
  // a real MP4 head, then distinct bytes over several push chunks
  const head = Buffer.from([
    0,
    0,
    0,
    0x18,
    ...Buffer.from("ftypisom"),
    0,
    0,
    2,
    0,
    ...Buffer.from("isomiso2mp41"),
  ]);
  const tail = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 31 + 7) % 256));
  writeFileSync(video, Buffer.concat([head, tail]));
  adb = await startAdbServer();
  for (let i = 0; i < 20; i++) {
    const phone = await startRealisticPhone({ serial: `POST${i}`, popups: false });
    phone.apps.tiktok.uploadMs = 1500;
    phones.push(phone);
  }
  running = await start();
  for (const p of phones) {
    expect((await api("POST", "/api/v1/device/connect", { host: p.host, port: p.port })).code).toBe(0);
  }
  await waitFor(
    "20 phones online",
    async () =>
      (await api("GET", "/api/v1/device")).data.devices.filter((d: { state: string }) => d.state === "online")
        .length === 20,
    30_000,
  );
}, 120_000);

afterAll(async () => {
  running?.proc.kill("SIGKILL");
  await running?.proc.exited;
  for (const p of phones) await p.stop();
  await adb?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const start = () =>
  startBinary(
    binary,
    ["--adb", `127.0.0.1:${adb.port}`, "--data-dir", join(dir, "data"), "--license", license],
    dir,
  );

const api = async (method: string, path: string, body?: unknown) =>
  (await call(running?.url as string, method, path, body)).body;

/** The seed's body, with this PC's file and the test's phones. */
function seedBody(serials: string[]) {
  const body = JSON.parse(SEED_EXAMPLE);
  body.serials = serials;
  body.script_config.material_list = [video];
  return body;
}

/** Waits until every task has ended; returns them with their logs. */
const finished = (ids: number[], timeoutMs: number) => tasksEnded(running?.url as string, ids, timeoutMs);

/** The files under the phone's DCIM folder, as host paths. */
function mediaOn(phone: VirtualPhone): string[] {
  const root = phone.device.fs.host("/sdcard/DCIM");
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** Watches phones while tasks run: which held a complete, byte-identical copy of `file`, and each Post tap. */
function watch(watched: VirtualPhone[], file: string) {
  const want = readFileSync(file);
  const identical = new Set<string>();
  const taps = new Map<string, Set<number>>(watched.map((p) => [p.serial, new Set()]));
  const earlier = new Map(watched.map((p) => [p.serial, p.apps.tiktok.postStart]));
  const timer = setInterval(() => {
    for (const p of watched) {
      // every tap on Post starts an upload at a new moment
      const at = p.apps.tiktok.postStart;
      if (at !== earlier.get(p.serial)) taps.get(p.serial)?.add(at);
      if (identical.has(p.serial)) continue;
      for (const path of mediaOn(p)) {
        try {
          if (statSync(path).size === want.length && readFileSync(path).equals(want)) identical.add(p.serial);
        } catch {} // removed between the listing and the read
      }
    }
  }, 20);
  return { identical, taps, stop: () => clearInterval(timer) };
}

const stepsOf = (task: { logs: { duration_ms: number | null; message: string }[] }) =>
  task.logs.filter((l) => l.duration_ms !== null).map((l) => l.message);

test("the seed's example body completes on every phone: the file's bytes pushed, Post tapped once, media removed", async () => {
  const three = phones.slice(0, 3);
  const seen = watch(three, video);
  try {
    const r = await api("POST", "/api/v1/task", seedBody(three.map((p) => p.address)));
    expect({ code: r.code, message: r.message, created: r.data?.created_count }).toEqual({
      code: 0,
      message: "success",
      created: 3,
    });
    const tasks = await finished(r.data.task_ids, 60_000);
    for (const t of tasks) {
      expect({ serial: t.serial, status: t.status, error: t.error }).toEqual({
        serial: t.serial,
        status: 2,
        error: null,
      });
      expect(stepsOf(t).length).toBeGreaterThanOrEqual(3);
    }
  } finally {
    seen.stop();
  }
  for (const p of three) {
    expect(p.apps.tiktok.posts.map((post) => post.caption)).toEqual([
      "¡Mira mi nuevo video! #viral #trending",
    ]);
    expect(seen.taps.get(p.serial)?.size).toBe(1);
    expect(mediaOn(p)).toEqual([]);
  }
  expect([...seen.identical].sort()).toEqual(three.map((p) => p.serial).sort());
}, 90_000);

test("a post to 20 phones at once completes on all of them (Business plan)", async () => {
  const before = new Map(phones.map((p) => [p.serial, p.apps.tiktok.posts.length]));
  const r = await api("POST", "/api/v1/task", seedBody(phones.map((p) => p.address)));
  expect(r.data?.created_count).toBe(20);
  const tasks = await finished(r.data.task_ids, 120_000);
  expect(
    tasks
      .filter((t) => t.status === 2)
      .map((t) => t.serial)
      .sort(),
  ).toEqual(phones.map((p) => p.address).sort());
  for (const p of phones) expect(p.apps.tiktok.posts.length).toBe((before.get(p.serial) ?? 0) + 1);
  // at once: the last one started before the first one finished (the Free plan would run 2 at a time)
  const lastStart = Math.max(...tasks.map((t) => Date.parse(t.started_at)));
  const firstEnd = Math.min(...tasks.map((t) => Date.parse(t.finished_at)));
  expect(lastStart).toBeLessThan(firstEnd);
}, 150_000);

test('kill -9 after Post was tapped: after the restart "posted, verified after restart", posted once, never twice', async () => {
  const phone = phones[0] as VirtualPhone;
  phone.apps.tiktok.uploadMs = 4000;
  const postsBefore = phone.apps.tiktok.posts.length;
  const seen = watch([phone], video);
  try {
    const r = await api("POST", "/api/v1/task", seedBody([phone.address]));
    const id = r.data.task_ids[0] as number;
    await waitFor("Post tapped", () => phone.apps.tiktok.screen === "posting", 30_000);
    running?.proc.kill("SIGKILL");
    await running?.proc.exited;

    running = await start();
    // failed "interrupted" at start-up, then looked for on the account once the phone is back
    const after = await waitFor(
      "the post to be looked for",
      async () => {
        const t = (await api("GET", `/api/v1/task/${id}`)).data;
        return t.result?.outcome !== "tapped" && t;
      },
      30_000,
    );
    expect({
      status: after.status,
      retries: after.retry_count,
      error: after.error,
      outcome: after.result?.outcome,
      check: after.result?.proof?.check,
      screenshot: after.result?.proof?.screenshot,
    }).toEqual({
      status: 2,
      retries: 0,
      error: null,
      outcome: "verified_after_restart",
      check: "caption",
      screenshot: true,
    });
    expect(after.result.message).toStartWith("posted, verified after restart: ");
    const messages = after.logs.map((l: { message: string }) => l.message);
    expect(messages).toContain(
      "after the restart: looking on the account for the post cut off after Post was tapped",
    );
    const proof = await fetch(`${running.url}/api/v1/task/${id}/proof`);
    expect({ status: proof.status, type: proof.headers.get("content-type") }).toEqual({
      status: 200,
      type: "image/png",
    });
    // give a retry (if one happened) time to tap again
    await Bun.sleep(3000);
    expect((await api("GET", `/api/v1/task/${id}`)).data.retry_count).toBe(0);
  } finally {
    seen.stop();
    phone.apps.tiktok.uploadMs = 1500;
  }
  expect(phone.apps.tiktok.posts.length).toBe(postsBefore + 1);
  expect(seen.taps.get(phone.serial)?.size).toBe(1);
}, 90_000);

test('kill -9 while the video is pushed: failed "interrupted" after the restart, never posted', async () => {
  const phone = phones[1] as VirtualPhone;
  const big = join(dir, "big.mp4");
  // large enough that the push takes a while on this machine
  writeFileSync(big, Buffer.concat([readFileSync(video), Buffer.alloc(60 * 1024 * 1024, 9)]));
  const postsBefore = phone.apps.tiktok.posts.length;
  const seen = watch([phone], big);
  try {
    const body = seedBody([phone.address]);
    body.script_config.material_list = [big];
    const id = (await api("POST", "/api/v1/task", body)).data.task_ids[0] as number;
    await waitFor("the push to begin", () => mediaOn(phone).some((path) => statSync(path).size > 0), 30_000);
    running?.proc.kill("SIGKILL");
    await running?.proc.exited;
    expect(phone.apps.tiktok.screen).not.toBe("posting");

    running = await start();
    const task = (await api("GET", `/api/v1/task/${id}`)).data;
    expect({ status: task.status, interrupted: task.error?.startsWith("interrupted") }).toEqual({
      status: 3,
      interrupted: true,
    });
    await Bun.sleep(3000);
    const after = (await api("GET", `/api/v1/task/${id}`)).data;
    expect({ status: after.status, retries: after.retry_count }).toEqual({ status: 3, retries: 0 });
  } finally {
    seen.stop();
  }
  expect(phone.apps.tiktok.posts.length).toBe(postsBefore);
  expect(seen.taps.get(phone.serial)?.size).toBe(0);
}, 90_000);
