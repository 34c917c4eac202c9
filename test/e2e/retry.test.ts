// Retrying never posts twice by surprise, through the executable over HTTP, with Debian's adb server and
// virtual phones running the simulated TikTok: retry-all leaves a post stopped after Post was tapped and a
// stopped post alone unless asked to include them; a single retry after Post was tapped needs confirming;
// a webhook aimed at the service itself is refused at start-up.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { VirtualPhone } from "@farm/virtual-phone";
import { type AdbServer, startAdbServer } from "../helpers/adb.ts";
import { buildBinary, call, type Running, startBinary } from "../helpers/binary.ts";
import { writeMedia } from "../helpers/media.ts";
import { freePort } from "../helpers/ports.ts";
import { startRealisticPhone } from "../helpers/realism.ts";
import { waitFor } from "../helpers/wait.ts";

let dir: string;
let binary: string;
let video: string;
let adb: AdbServer;
let running: Running;
let failing: VirtualPhone;
let slow: VirtualPhone;
let idle: VirtualPhone;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "farm-retry-e2e-"));
  binary = join(dir, "farm-tasks");
  copyFileSync(await buildBinary(), binary);
  video = join(dir, "video1.mp4");
  writeMedia(video, "mp4");
  adb = await startAdbServer();
  failing = await startRealisticPhone({ serial: "RETRY0", popups: false });
  failing.apps.tiktok.failUpload = true;
  failing.apps.tiktok.uploadMs = 200;
  slow = await startRealisticPhone({ serial: "RETRY1", popups: false });
  slow.apps.tiktok.uploadMs = 120_000;
  idle = await startRealisticPhone({ serial: "RETRY2", popups: false });
  running = await startBinary(
    binary,
    // no automatic retry: every failure stays failed for retry-all to judge
    [
      "--adb",
      `127.0.0.1:${adb.port}`,
      "--data-dir",
      join(dir, "data"),
      "--timezone",
      "UTC",
      "--retry-max",
      "0",
    ],
    dir,
  );
  for (const p of [failing, slow, idle]) {
    expect((await api("POST", "/api/v1/device/connect", { host: p.host, port: p.port })).code).toBe(0);
  }
  await waitFor(
    "3 phones online",
    async () =>
      (await api("GET", "/api/v1/device")).data.devices.filter((d: { state: string }) => d.state === "online")
        .length === 3,
    30_000,
  );
}, 120_000);

afterAll(async () => {
  running?.proc.kill("SIGKILL");
  await running?.proc.exited;
  for (const p of [failing, slow, idle]) await p?.stop();
  await adb?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const api = async (method: string, path: string, body?: unknown) =>
  (await call(running.url, method, path, body)).body;

const task = async (id: number) => (await api("GET", `/api/v1/task/${id}`)).data;

/** A post on one phone; `startTime` holds it pending until then. */
async function post(phone: VirtualPhone, startTime?: string): Promise<number> {
  const r = await api("POST", "/api/v1/task", {
    serials: [phone.address],
    script_name: "post",
    script_config: { content_type: 0, captions: "hello", material_list: [video], upload_wait_time: 300 },
    ...(startTime ? { start_time: startTime } : {}),
  });
  expect(r.code).toBe(0);
  return r.data.task_ids[0];
}

/** Waits for the slow phone to be uploading (Post was tapped), then stops its task. */
async function stopAfterPostTapped(id: number) {
  await waitFor("Post tapped", () => slow.apps.tiktok.screen === "posting", 60_000);
  expect((await api("POST", `/api/v1/task/${id}/stop`)).data).toMatchObject({
    status: 3,
    error: "stopped by user",
  });
}

test("retry-all leaves stopped posts and posts stopped after Post was tapped; include_all takes them; a single retry after Post was tapped needs confirm_repost", async () => {
  // a minute ago, so its next occurrence is a day away: it waits, pending
  const earlier = new Date(Date.now() - 60_000).toISOString().slice(11, 16);
  const uploadFailed = await post(failing);
  const tapped = await post(slow);
  const stopped = await post(idle, earlier);
  await stopAfterPostTapped(tapped);
  expect((await api("POST", `/api/v1/task/${stopped}/stop`)).code).toBe(0);
  // the app said the upload failed: nothing was published, so it may run again
  const failed = await waitFor(
    "the upload to fail",
    async () => (await task(uploadFailed)).status === 3 && task(uploadFailed),
    60_000,
  );
  expect(failed).toMatchObject({ error_class: "retryable" });
  expect(failed.error).toMatch(/upload failed/);
  failing.apps.tiktok.failUpload = false;

  const retried = await api("POST", "/api/v1/task/retry-all");
  expect(retried).toMatchObject({
    code: 0,
    data: {
      retried_count: 1,
      skipped_count: 2,
      skipped: { post_tapped: 1, stopped_by_user: 1, permanent: 0 },
    },
  });
  expect((await task(tapped)).status).toBe(3);
  expect((await task(stopped)).status).toBe(3);
  await waitFor("the retried post to complete", async () => (await task(uploadFailed)).status === 2, 60_000);

  // one retry of the post whose Post was tapped: refused until confirmed, nothing changed meanwhile
  const refused = await call(running.url, "POST", `/api/v1/task/${tapped}/retry`);
  expect(refused.status).toBe(409);
  expect(refused.body.code).toBe(40901);
  expect(refused.body.message).toMatch(/may already be published/);
  expect(refused.body.message).toContain('{"confirm_repost": true}');
  expect(await task(tapped)).toMatchObject({ status: 3, retry_count: 0 });

  // include_all: both again, the stopped one still waiting for its time
  const all = await api("POST", "/api/v1/task/retry-all", { include_all: true });
  expect(all.data).toMatchObject({ retried_count: 2, skipped_count: 0 });
  expect(await task(stopped)).toMatchObject({ status: 0, retry_count: 1 });
  await stopAfterPostTapped(tapped);
  expect((await task(tapped)).retry_count).toBe(1);

  slow.apps.tiktok.uploadMs = 200;
  const confirmed = await api("POST", `/api/v1/task/${tapped}/retry`, { confirm_repost: true });
  expect(confirmed.data).toMatchObject({ status: 0, retry_count: 2 });
  await waitFor("the confirmed post to complete", async () => (await task(tapped)).status === 2, 60_000);
}, 240_000);

test("a webhook aimed at the service itself is refused at start-up: one line, exit 2, nothing created", async () => {
  const port = await freePort();
  for (const url of [`http://localhost:${port}/hook`, "http://127.0.0.1:8080/api/v1/task/retry-all"]) {
    const data = join(dir, "self-webhook");
    const proc = Bun.spawn(
      [
        binary,
        "--port",
        String(port),
        "--data-dir",
        data,
        "--webhook-url",
        url,
        "--webhook-secret",
        "long-enough-secret",
      ],
      { cwd: dir, stdout: "pipe", stderr: "pipe" },
    );
    // a start that went wrong would listen on its free port until killed
    const exit = await Promise.race([proc.exited, Bun.sleep(10_000).then(() => "still running")]);
    if (exit === "still running") proc.kill("SIGKILL");
    expect(exit).toBe(2);
    const stderr = (await new Response(proc.stderr).text()).trim();
    expect(stderr.split("\n")).toHaveLength(1);
    expect(stderr).toStartWith(`farm-tasks: --webhook-url ${url} points at this service itself`);
    expect(existsSync(data)).toBe(false);
  }
}, 30_000);
