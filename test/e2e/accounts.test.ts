// Accounts end to end: the executable over HTTP, Debian's adb server, virtual phones signed in to several
// accounts. match_accounts records them; username mode switches to the account and verifies it; multi-account
// mode runs one task per account, switching between them; device mode names the account in use; a switch
// that does not take and an account logged out mid-run fail with their sentences.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { VirtualPhone } from "@farm/virtual-phone";
import { type AdbServer, startAdbServer } from "../helpers/adb.ts";
import { buildBinary, call, type Running, startBinary, tasksEnded } from "../helpers/binary.ts";
import { writeMedia } from "../helpers/media.ts";
import { startRealisticPhone } from "../helpers/realism.ts";
import { waitFor } from "../helpers/wait.ts";

let dir: string;
let video: string;
let adb: AdbServer;
let running: Running;
let a: VirtualPhone;
let b: VirtualPhone;

const api = async (method: string, path: string, body?: unknown) =>
  (await call(running.url, method, path, body)).body;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "farm-accounts-e2e-"));
  video = join(dir, "clip.mp4");
  writeMedia(video, "mp4", 50_000);
  adb = await startAdbServer();
  a = await startRealisticPhone({
    serial: "ACC_A",
    popups: true,
    accounts: { tiktok: ["ana.one", "ana.two", "ana.three"], instagram: ["ana.ig"] },
  });
  // its Instagram is signed out: after match_accounts Instagram's sign-in screen is in front, and a device-mode
  // TikTok task must read TikTok once its launch took effect, not Instagram's "Log in"
  b = await startRealisticPhone({
    serial: "ACC_B",
    popups: false,
    accounts: { tiktok: ["bea"], instagram: [] },
  });
  for (const p of [a, b]) p.apps.tiktok.uploadMs = 200;
  running = await startBinary(
    await buildBinary(),
    ["--adb", `127.0.0.1:${adb.port}`, "--data-dir", join(dir, "data"), "--retry-max", "0"],
    dir,
  );
  for (const p of [a, b]) {
    expect((await api("POST", "/api/v1/device/connect", { host: p.host, port: p.port })).code).toBe(0);
  }
  await waitFor(
    "2 phones online",
    async () =>
      (await api("GET", "/api/v1/device")).data.devices.filter((d: { state: string }) => d.state === "online")
        .length === 2,
    30_000,
  );
}, 120_000);

afterAll(async () => {
  running?.proc.kill("SIGKILL");
  await running?.proc.exited;
  for (const p of [a, b]) await p?.stop();
  await adb?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const finished = (ids: number[]) => tasksEnded(running.url, ids, 60_000);

async function create(body: Record<string, unknown>) {
  const r = await api("POST", "/api/v1/task", body);
  expect({ code: r.code, message: r.message }).toEqual({ code: 0, message: "success" });
  return r.data.task_ids as number[];
}

const post = { script_name: "post", script_config: { material_list: [], captions: "from the farm" } };
const postBody = (extra: Record<string, unknown>) => ({
  ...post,
  script_config: { ...post.script_config, material_list: [video] },
  ...extra,
});
const accountsOf = async (serial: string) =>
  (
    (await api("GET", `/api/v1/device/${encodeURIComponent(serial)}`)).data.accounts as {
      username: string;
      platform: string;
      logined_text: string;
    }[]
  )
    .map((x) => `${x.platform}:${x.username}:${x.logined_text}`)
    .sort();

describe("accounts on phones", () => {
  test("match_accounts records every phone's accounts, shown on the device and in the accounts API", async () => {
    const tasks = await finished(
      await create({ serials: [a.address, b.address], script_name: "match_accounts", script_config: {} }),
    );
    expect(tasks.map((t) => t.status_text)).toEqual(["completed", "completed"]);
    expect(await accountsOf(a.address)).toEqual([
      "instagram:ana.ig:logged_in",
      "tiktok:ana.one:logged_in",
      "tiktok:ana.three:logged_in",
      "tiktok:ana.two:logged_in",
    ]);
    expect(await accountsOf(b.address)).toEqual(["tiktok:bea:logged_in"]);
    const list = (await api("GET", "/api/v1/accounts?platform=tiktok&logined=1")).data;
    expect(list.total).toBe(4);
    expect(list.accounts.every((x: { last_seen_at: string | null }) => x.last_seen_at !== null)).toBe(true);
    // phones' scripts need serials
    const refused = await api("POST", "/api/v1/task", {
      usernames: ["bea"],
      script_name: "match_accounts",
      script_config: {},
    });
    expect(refused.code).toBe(40001);
  }, 60_000);

  test("username mode: the task switches to its account (verified on screen) and posts as it", async () => {
    const [id] = await create(postBody({ usernames: ["@ana.two"] }));
    const [task] = await finished([id as number]);
    expect({ status: task.status_text, error: task.error }).toEqual({ status: "completed", error: null });
    expect(task.serial).toBe(a.address);
    expect(task.username).toBe("@ana.two");
    const log = task.logs.map((l: { message: string }) => l.message).join("\n");
    expect(log).toContain("switch to @ana.two");
    expect(log).toContain("switched from @ana.one to @ana.two");
    expect(a.apps.tiktok.posts.at(-1)?.account).toBe("ana.two");
  }, 60_000);

  test("multi-account mode: one task per account, run one after another, each switching first", async () => {
    const before = a.apps.tiktok.posts.length;
    const ids = await create(postBody({ serials: [a.address], enable_multi_account: true }));
    expect(ids).toHaveLength(3);
    const tasks = await finished(ids);
    expect(tasks.map((t) => [t.username, t.status_text])).toEqual([
      ["@ana.one", "completed"],
      ["@ana.two", "completed"],
      ["@ana.three", "completed"],
    ]);
    expect(a.apps.tiktok.posts.slice(before).map((p) => p.account)).toEqual([
      "ana.one",
      "ana.two",
      "ana.three",
    ]);
  }, 90_000);

  test("device mode: the task names the account that was in use", async () => {
    const [task] = await finished(await create(postBody({ serials: [b.address] })));
    expect({ status: task.status_text, error: task.error, username: task.username }).toEqual({
      status: "completed",
      error: null,
      username: "@bea",
    });
  }, 60_000);

  test("a switch that does not take fails 'wrong account active', nothing posted", async () => {
    // ana.three is in use since the multi-account run; the row of ana.one does nothing when tapped
    a.apps.tiktok.switchFails.add("ana.one");
    const before = a.apps.tiktok.posts.length;
    try {
      const [task] = await finished(await create(postBody({ usernames: ["ana.one"] })));
      expect({ status: task.status_text, error: task.error }).toEqual({
        status: "failed",
        error: "wrong account active: switching to @ana.one on TikTok left @ana.three in use",
      });
      expect(a.apps.tiktok.posts.length).toBe(before);
    } finally {
      a.apps.tiktok.switchFails.clear();
    }
  }, 60_000);

  test("an account logged out mid-run: its task fails permanently with that sentence, the table says so, the rest go on", async () => {
    // uploads take long enough to see the first task running
    a.apps.tiktok.uploadMs = 3000;
    const ids = await create(postBody({ serials: [a.address], enable_multi_account: true }));
    await waitFor(
      "the first task to run",
      async () => (await api("GET", `/api/v1/task/${ids[0]}`)).data.status === 1,
      20_000,
    );
    a.apps.tiktok.logOut("ana.two");
    a.apps.tiktok.uploadMs = 200;
    const tasks = await finished(ids);
    expect(tasks.map((t) => [t.username, t.status_text])).toEqual([
      ["@ana.one", "completed"],
      ["@ana.two", "failed"],
      ["@ana.three", "completed"],
    ]);
    expect(tasks[1].error).toBe(
      `@ana.two is not logged in on TikTok on ${a.address} (signed in: @ana.one, @ana.three)`,
    );
    expect(await accountsOf(a.address)).toContain("tiktok:ana.two:not_logged_in");
    // not logged in → no more tasks for it in multi-account mode
    const next = await create(postBody({ serials: [a.address], enable_multi_account: true }));
    expect(next).toHaveLength(2);
    await finished(next);
  }, 120_000);
});

describe("the product docs' example bodies run unchanged", () => {
  test("follow with target_username, in username mode", async () => {
    const [task] = await finished(
      await create({
        usernames: ["@bea"],
        script_name: "follow",
        script_config: { target_username: "tiktok", access_method: "direct" },
      }),
    );
    expect({ status: task.status_text, error: task.error }).toEqual({ status: "completed", error: null });
    expect(b.apps.tiktok.following.has("tiktok")).toBe(true);
  }, 60_000);

  test("comment with comment_image_path on a TikTok video", async () => {
    const image = writeMedia(join(dir, "my_image.png"), "png", 4000);
    const [task] = await finished(
      await create({
        serials: [b.address],
        script_name: "comment",
        script_config: {
          target_post_url: "https://www.tiktok.com/@tiktok/video/7106594312292453675",
          comment_content: "Great video!\nLove this",
          comment_order: "sequential",
          insert_emoji: true,
          comment_image_path: image,
        },
      }),
    );
    expect({ status: task.status_text, error: task.error }).toEqual({ status: "completed", error: null });
    const sent = b.apps.tiktok.actions.filter((x) => x.type === "comment");
    expect(sent.at(-1)).toMatchObject({ account: "bea", target: "@tiktok/video/7106594312292453675" });
    expect(sent.at(-1)?.text).toMatch(/^(Great video!|Love this) \S+$/);
    expect(sent.at(-1)?.image).toMatch(/\.png$/);
  }, 60_000);
});
