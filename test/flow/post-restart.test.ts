// A post cut off after Post was tapped is looked for on its account once its phone is back after a restart:
// "posted, verified after restart" (completed) or "not found on the profile" (it stays failed).
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VirtualPhone } from "@farm/virtual-phone";
import { defaultConfig } from "../../src/config.ts";
import { TaskStatus } from "../../src/domain.ts";
import { silentLogger } from "../../src/log.ts";
import { createService, type Service } from "../../src/server.ts";
import { ManualClock } from "../../src/tasks/clock.ts";
import { type AdbServer, startAdbServer } from "../helpers/adb.ts";
import { advanceUntil } from "../helpers/flow.ts";
import { waitFor } from "../helpers/wait.ts";

let adb: AdbServer;
let dir: string;
let video: string;
const open: { phone?: VirtualPhone; service?: Service } = {};

beforeAll(async () => {
  adb = await startAdbServer();
  dir = mkdtempSync(join(tmpdir(), "farm-post-restart-"));
  video = join(dir, "clip.mp4");
  writeFileSync(video, Buffer.concat([Buffer.from("\0\0\0\x18ftypisom"), Buffer.alloc(50_000, 3)]));
});
afterEach(async () => {
  await open.service?.stop(0);
  await open.phone?.stop();
});
afterAll(async () => {
  await adb.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A service on its own data folder, on a clock the test moves. */
async function serve(data: string, clock: ManualClock) {
  const config = {
    ...defaultConfig(),
    dataDir: data,
    timezone: "UTC",
    adb: { host: "127.0.0.1", port: adb.port },
  };
  const service = await createService(config, { clock, log: silentLogger, pollMs: 200 });
  open.service = service;
  await service.start();
  return service;
}

/** Posts with the first service until Post was tapped, then stops it at once (the run is interrupted). */
async function cutOffAfterPost(data: string, phone: VirtualPhone) {
  const serial = `${phone.host}:${phone.port}`;
  const clock = new ManualClock(Date.now());
  const first = await serve(data, clock);
  await first.deviceService.connect(phone.host, phone.port, false);
  await waitFor("online", () => first.deviceService.onlineSerials().includes(serial), 10_000);
  const { task_ids } = await first.taskService.create({
    serials: [serial],
    script_name: "post",
    script_config: { captions: "cut off, then proven", material_list: [video] },
  });
  const id = task_ids[0] as number;
  await advanceUntil(clock, "Post tapped", () => phone.apps.tiktok.screen === "posting");
  await first.stop(0);
  open.service = undefined;
  return id;
}

/** The second service: the post is still as the first left it until its clock moves (the check waits on it). */
async function restart(data: string, id: number) {
  const clock = new ManualClock(Date.now());
  const second = await serve(data, clock);
  const cut = await second.tasks.get(id);
  expect({ status: cut?.status, reason: cut?.failureReason, outcome: cut?.result?.outcome }).toEqual({
    status: TaskStatus.failed,
    reason: "interrupted",
    outcome: "tapped",
  });
  await advanceUntil(
    clock,
    "checked",
    async () => (await second.tasks.get(id))?.result?.outcome !== "tapped",
  );
  return second;
}

test("restart: the post went up: completed, posted, verified after restart, with its proof", async () => {
  const phone = await VirtualPhone.start({ popups: false });
  open.phone = phone;
  phone.apps.tiktok.uploadMs = 1500;
  const data = join(dir, "up");
  const id = await cutOffAfterPost(data, phone);

  const second = await restart(data, id);
  const task = await second.tasks.get(id);
  expect(task?.status).toBe(TaskStatus.completed);
  expect(task?.error).toBeNull();
  expect(task?.result?.outcome).toBe("verified_after_restart");
  expect(task?.result?.message).toMatch(
    /^posted, verified after restart: the newest post on @\S+'s profile has our caption: "cut off, then proven"/,
  );
  expect(task?.result?.proof).toMatchObject({ check: "caption", screenshot: true });
  expect(existsSync(second.evidence.proofPath(id) ?? "")).toBe(true);
  const logs = (await second.tasks.logs(id)).map((l) => l.message);
  expect(logs).toContain(
    "after the restart: looking on the account for the post cut off after Post was tapped",
  );
  expect(logs.some((l) => l.startsWith("posted, verified after restart"))).toBe(true);
  // posted once, and the file counts as posted by that account
  expect(phone.apps.tiktok.posts).toHaveLength(1);
  expect((await second.materials.usesOf([video])).get(video)?.map((u) => u.confirmed)).toEqual([true]);
  expect(task?.retryCount).toBe(0);
});

test("restart: the post never went up: it stays failed, not found on the profile, possibly posted", async () => {
  const phone = await VirtualPhone.start({ popups: false });
  open.phone = phone;
  phone.apps.tiktok.uploadMs = 1500;
  // the app drops the upload without a word
  const posts = phone.apps.tiktok.posts;
  posts.push = () => posts.length;
  const data = join(dir, "lost");
  const id = await cutOffAfterPost(data, phone);

  const second = await restart(data, id);
  const task = await second.tasks.get(id);
  expect(task?.status).toBe(TaskStatus.failed);
  expect(task?.failureReason).toBe("interrupted");
  expect(task?.result?.outcome).toBe("not_found_after_restart");
  expect(task?.result?.message).toMatch(/^not found on the profile: @\S+'s profile shows no post/);
  expect((await second.materials.usesOf([video])).get(video)?.map((u) => u.confirmed)).toEqual([false]);
  expect(await second.tasks.retrySkipOf(id)).toBe("post_tapped");
});

test("restart: the app says the upload failed: not found on the profile, the file free again", async () => {
  const phone = await VirtualPhone.start({ popups: false });
  open.phone = phone;
  phone.apps.tiktok.uploadMs = 1500;
  phone.apps.tiktok.failUpload = true;
  const data = join(dir, "failed");
  const id = await cutOffAfterPost(data, phone);

  const second = await restart(data, id);
  const task = await second.tasks.get(id);
  expect(task?.status).toBe(TaskStatus.failed);
  expect(task?.result?.outcome).toBe("not_found_after_restart");
  expect(task?.result?.message).toBe('not found on the profile: TikTok showed "Couldn\'t upload video"');
  expect((await second.materials.usesOf([video])).get(video)).toBeUndefined();
  expect(phone.apps.tiktok.posts).toHaveLength(0);
});
