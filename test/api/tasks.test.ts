import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Value } from "@sinclair/typebox/value";
import { TaskStatus } from "../../src/domain.ts";
import { TaskSchema } from "../../src/http/views.ts";
import { writeMedia } from "../helpers/media.ts";
import { startTestService, type TestService } from "../helpers/service.ts";

let s: TestService;
let video: string;

beforeAll(async () => {
  s = await startTestService();
  await s.addDevice("PHONE1");
  await s.addDevice("PHONE2");
  await s.addDevice("PHONE3", "offline");
  await s.addDevice("PHONE4", "offline");
  video = join(s.dir, "clip.mp4");
  // a file with an MP4's first bytes: posts check the content, not only the extension
  writeMedia(video, "mp4");
});
afterAll(() => s.stop());

const postConfig = () => ({ content_type: 0, captions: "hello #fyp", material_list: [video] });

async function create(body: Record<string, unknown>) {
  return s.call("POST", "/api/v1/task", body);
}

async function stats() {
  return (await s.call("GET", "/api/v1/task/stats")).body.data;
}

/** A request that must be refused: the given code, and nothing created. */
async function refused(body: unknown, code: number, messagePart?: string | RegExp) {
  const before = await stats();
  const r = await s.call("POST", "/api/v1/task", body);
  expect(r.body.code).toBe(code);
  expect(r.status).toBe(Math.floor(code / 100));
  if (messagePart) expect(r.body.message).toMatch(messagePart);
  expect(await stats()).toEqual(before);
  return r;
}

describe("POST /task", () => {
  test("device mode creates one task per serial, with defaults applied and stored", async () => {
    const r = await create({
      serials: ["PHONE1", "PHONE2"],
      script_name: "post",
      script_config: postConfig(),
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ code: 0, message: "success", data: { created_count: 2 } });
    const [a, b] = r.body.data.task_ids;
    expect(b).toBe(a + 1);
    const t = (await s.call("GET", `/api/v1/task/${a}`)).body.data;
    expect(Value.Check(TaskSchema, { ...t, logs: undefined })).toBe(true);
    expect(t).toMatchObject({
      id: a,
      serial: "PHONE1",
      username: null,
      platform: "tiktok",
      script_name: "post",
      status: 0,
      status_text: "pending",
      source: "api",
      start_time: null,
      scheduled_at: null,
      retry_count: 0,
      error: null,
      logs: [],
      // a pending task has no progress (test/flow/progress.test.ts has a running one's)
      progress: null,
    });
    expect("progress" in t).toBe(true);
    expect(t.script_config).toMatchObject({
      content_type: 0,
      captions: "hello #fyp",
      post_way: "share",
      upload_wait_time: 30,
      origin_sound_volume: 50,
      placement: "reel",
    });
  });

  test("duplicate serials are collapsed; offline phones are known and accepted", async () => {
    const r = await create({
      serials: ["PHONE1", "PHONE1", "PHONE3"],
      script_name: "post",
      script_config: postConfig(),
    });
    expect(r.body.data.created_count).toBe(2);
  });

  test("start_time becomes scheduled_at at the next occurrence in the service's time zone", async () => {
    const r = await create({
      serials: ["PHONE1"],
      script_name: "post",
      script_config: postConfig(),
      start_time: "14:30",
    });
    const t = (await s.call("GET", `/api/v1/task/${r.body.data.task_ids[0]}`)).body.data;
    expect(t.start_time).toBe("14:30");
    const at = new Date(t.scheduled_at);
    expect(at.getTime()).toBeGreaterThan(Date.now());
    expect(at.getTime() - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
    const local = new Intl.DateTimeFormat("en-GB", {
      timeZone: "Europe/Madrid",
      hour: "2-digit",
      minute: "2-digit",
    });
    expect(local.format(at)).toBe("14:30");
  });

  test("intervals space consecutive tasks on one phone by a gap within [min, max] minutes", async () => {
    const r = await create({
      serials: ["PHONE1", "PHONE2"],
      script_name: "follow",
      script_config: { target_users: ["a", "b", "c"] },
      min_interval: 2,
      max_interval: 5,
    });
    expect(r.body.data.created_count).toBe(6);
    const tasks = await Promise.all(
      r.body.data.task_ids.map(async (id: number) => (await s.call("GET", `/api/v1/task/${id}`)).body.data),
    );
    for (const serial of ["PHONE1", "PHONE2"]) {
      const mine = tasks.filter((t) => t.serial === serial);
      expect(mine.map((t) => t.script_config.target_users[0])).toEqual(["a", "b", "c"]);
      expect(mine[0].scheduled_at).toBeNull();
      const times = mine.slice(1).map((t) => Date.parse(t.scheduled_at));
      const gap = times[1]! - times[0]!;
      expect(gap).toBeGreaterThanOrEqual(2 * 60_000);
      expect(gap).toBeLessThanOrEqual(5 * 60_000);
    }
  });

  test("bad bodies are refused with 40001 and create nothing", async () => {
    const ok = { serials: ["PHONE1"], script_name: "post", script_config: postConfig() };
    await refused({ ...ok, usernames: ["alice"] }, 40001, /serials.*usernames|not both/);
    await refused({ script_name: "post", script_config: postConfig() }, 40001, /either serials/);
    await refused({ ...ok, serials: [] }, 40001, /serials/);
    await refused({ ...ok, serials: ["PHONE1", "abc"] }, 40001, "serials[1]: unknown device 'abc'");
    await refused({ ...ok, start_time: "25:00" }, 40001, /start_time/);
    await refused({ ...ok, start_time: "9:5" }, 40001, /start_time/);
    await refused({ ...ok, start_time: "" }, 40001, /start_time/);
    await refused({ ...ok, min_interval: 5, max_interval: 2 }, 40001, /max_interval/);
    await refused({ ...ok, min_interval: "5" }, 40001, /min_interval/);
    await refused({ ...ok, serials: "PHONE1" }, 40001, /serials/);
    await refused({ ...ok, surprise: 1 }, 40001, /surprise/);
    await refused({ ...ok, script_config: "x" }, 40001, /script_config/);
    await refused({ ...ok, script_config: { ...postConfig(), content_type: 2 } }, 40001, /content_type/);
    await refused({ ...ok, script_config: { ...postConfig(), captionz: "x" } }, 40001, /captionz/);
    await refused(
      { ...ok, script_config: { material_list: ["/nope/missing.mp4"] } },
      40001,
      /does not exist/,
    );
    await refused(
      { ...ok, script_config: { material_list: [join(s.dir, "farm.db")] } },
      40001,
      /not a supported video/,
    );
    await refused(
      { ...ok, script_config: { content_type: 1, material_list: [video] } },
      40001,
      /not a supported image/,
    );
    await refused({ ...ok, script_config: { post_way: "useSound" } }, 40001, /sound_name/);
    await refused({ ...ok, script_config: { material_source: "localFolder" } }, 40001, /material_path/);
    await refused([1, 2], 40001, /JSON object/);
  });

  test("a __proto__ field, at the top or nested, is refused naming it", async () => {
    const body = `{"serials": ["PHONE1"], "script_name": "post", "script_config": ${JSON.stringify(postConfig())}}`;
    const top = await refused(
      `{"__proto__": {"x": 1}, ${body.slice(1)}`,
      40001,
      /^__proto__: is not a known field$/,
    );
    expect(top.body.data.errors).toEqual([{ path: "/__proto__", message: "is not a known field" }]);
    const nested = body.replace('"script_config": {', '"script_config": {"__proto__": {"x": 1}, ');
    await refused(nested, 40001, /^script_config\.__proto__: is not a known field$/);
  });

  test("comment_image_path relative to upload/ may not leave it: 40001 naming the field, nothing created", async () => {
    mkdirSync(join(s.dir, "materials"), { recursive: true });
    writeMedia(join(s.dir, "materials", "x.png"), "png");
    const r = await refused(
      {
        serials: ["PHONE1"],
        script_name: "comment",
        script_config: {
          target_post_url: "https://www.tiktok.com/@user/video/1234567890",
          comment_content: "nice",
          comment_image_path: "../materials/x.png",
        },
      },
      40001,
      /^script_config\.comment_image_path: "\.\.\/materials\/x\.png" leaves the folder it is relative to/,
    );
    expect(r.body.data.errors[0].path).toBe("/script_config/comment_image_path");
  });

  test("script_name missing → 40002, unknown script → 40003", async () => {
    await refused({ serials: ["PHONE1"], script_config: {} }, 40002, "script_name is required");
    await refused({ serials: ["PHONE1"], script_name: "", script_config: {} }, 40002);
    await refused({ serials: ["PHONE1"], script_name: "dance", script_config: {} }, 40003, /dance/);
  });

  test("malformed JSON, wrong content type, empty and oversized bodies", async () => {
    const before = await stats();
    const bad = await s.call("POST", "/api/v1/task", "{not json");
    expect(bad.body.code).toBe(40001);
    expect(bad.body.message).toMatch(/not valid JSON/);
    const plain = await s.call("POST", "/api/v1/task", JSON.stringify({ serials: ["PHONE1"] }), {
      "content-type": "text/plain",
    });
    expect(plain.body.code).toBe(40001);
    expect(plain.body.message).toMatch(/Content-Type must be application\/json/);
    const empty = await s.call("POST", "/api/v1/task", "");
    expect(empty.body.code).toBe(40001);
    const huge = await s.call("POST", "/api/v1/task", {
      serials: ["PHONE1"],
      script_name: "post",
      script_config: { captions: "x".repeat(1024 * 1024 + 10) },
    });
    expect(huge.status).toBe(413);
    expect(huge.body.code).toBe(41301);
    expect(await stats()).toEqual(before);
  });

  test("follow/comment fan out one task per target; comment URLs are checked", async () => {
    const r = await create({
      serials: ["PHONE2"],
      script_name: "follow",
      script_config: { target_user: "@x, y\nz" },
    });
    expect(r.body.data.created_count).toBe(3);
    await refused(
      { serials: ["PHONE2"], script_name: "follow", script_config: {} },
      40001,
      /at least one user/,
    );
    await refused(
      {
        serials: ["PHONE2"],
        script_name: "comment",
        script_config: { target_post_url: "nope", comment_content: "hi" },
      },
      40001,
      /not a URL/,
    );
    await refused(
      {
        serials: ["PHONE2"],
        script_name: "account_warmup",
        script_config: { min_duration: 40, max_duration: 20 },
      },
      40001,
      /max_duration/,
    );
  });
});

describe("reading tasks", () => {
  let ids: number[];
  beforeEach(async () => {
    await s.call("DELETE", "/api/v1/task/batch", { task_ids: Array.from({ length: 200 }, (_, i) => i + 1) });
    const a = await create({
      serials: ["PHONE1", "PHONE2"],
      script_name: "post",
      script_config: postConfig(),
    });
    const b = await create({
      serials: ["PHONE2"],
      script_name: "follow",
      script_config: { target_users: ["u1"] },
    });
    ids = [...a.body.data.task_ids, ...b.body.data.task_ids];
  });

  test("GET /task lists newest first with total, page and page_size", async () => {
    const r = await s.call("GET", "/api/v1/task");
    expect(r.body.data.total).toBe(3);
    expect(r.body.data.page).toBe(1);
    expect(r.body.data.page_size).toBe(20);
    expect(r.body.data.tasks.map((t: { id: number }) => t.id)).toEqual([...ids].reverse());
    for (const t of r.body.data.tasks) expect(Value.Check(TaskSchema, t)).toBe(true);
  });

  test("every filter, and pagination", async () => {
    const q = async (qs: string) => (await s.call("GET", `/api/v1/task?${qs}`)).body.data;
    expect((await q("serial=PHONE2")).total).toBe(2);
    expect((await q("script_name=follow")).total).toBe(1);
    expect((await q("status=0")).total).toBe(3);
    expect((await q("status=2")).total).toBe(0);
    expect((await q("source=api")).total).toBe(3);
    expect((await q("source=ui")).total).toBe(0);
    expect((await q("serial=PHONE2&script_name=post")).total).toBe(1);
    const p2 = await q("page=2&page_size=2");
    expect(p2.total).toBe(3);
    expect(p2.tasks.map((t: { id: number }) => t.id)).toEqual([ids[0]]);
  });

  test("bad list queries → 40001", async () => {
    for (const qs of [
      "status=4",
      "status=x",
      "page=0",
      "page_size=0",
      "page_size=101",
      "source=web",
      "page=1.5",
    ]) {
      const r = await s.call("GET", `/api/v1/task?${qs}`);
      expect(r.body.code).toBe(40001);
      expect(r.status).toBe(400);
    }
  });

  test("GET /task/{id}: unknown → 40401, non-numeric → 40001", async () => {
    expect((await s.call("GET", "/api/v1/task/999999")).body.code).toBe(40401);
    const bad = await s.call("GET", "/api/v1/task/abc");
    expect(bad.body.code).toBe(40001);
    expect(bad.body.message).toMatch(/task_id/);
  });

  test("stats count by status", async () => {
    expect(await stats()).toEqual({ total: 3, pending: 3, running: 0, completed: 0, failed: 0 });
  });
});

describe("changing tasks", () => {
  test("stop: pending → failed 'stopped by user'; finished → 40901; unknown → 40401", async () => {
    const id = (await create({ serials: ["PHONE1"], script_name: "post", script_config: postConfig() })).body
      .data.task_ids[0];
    const r = await s.call("POST", `/api/v1/task/${id}/stop`);
    expect(r.body.code).toBe(0);
    expect(r.body.data).toMatchObject({ status: 3, error: "stopped by user", error_class: "permanent" });
    expect(r.body.data.finished_at).not.toBeNull();
    const again = await s.call("POST", `/api/v1/task/${id}/stop`);
    expect(again.body.code).toBe(40901);
    expect(again.status).toBe(409);
    expect((await s.call("POST", "/api/v1/task/999999/stop")).body.code).toBe(40401);
  });

  test("retry: failed → pending with retry_count + 1 and error cleared; others → 40901", async () => {
    const id = (await create({ serials: ["PHONE1"], script_name: "post", script_config: postConfig() })).body
      .data.task_ids[0];
    expect((await s.call("POST", `/api/v1/task/${id}/retry`)).body.code).toBe(40901);
    await s.call("POST", `/api/v1/task/${id}/stop`);
    const r = await s.call("POST", `/api/v1/task/${id}/retry`);
    expect(r.body.data).toMatchObject({ status: 0, retry_count: 1, error: null, finished_at: null });
    expect((await s.call("POST", "/api/v1/task/999999/retry")).body.code).toBe(40401);
  });

  /** Post tasks ending failed as: a retryable failure, stopped by the user, after Post was tapped, permanent. */
  async function failedPosts() {
    const [retryable, stopped, tapped, permanent] = (
      await create({
        serials: ["PHONE1", "PHONE2", "PHONE3", "PHONE4"],
        script_name: "post",
        script_config: postConfig(),
      })
    ).body.data.task_ids as number[];
    for (const id of [retryable, stopped, tapped, permanent]) await s.tasks.markRunning(id as number);
    await s.tasks.markFailed(retryable as number, "device went offline", "retryable", "offline");
    await s.call("POST", `/api/v1/task/${stopped}/stop`);
    await s.tasks.setIrreversible(tapped as number, "Post was tapped");
    await s.tasks.markFailed(
      tapped as number,
      "timed out after 300 s after Post was tapped",
      "permanent",
      "timeout",
    );
    await s.tasks.markFailed(permanent as number, "account is banned", "permanent", "script");
    return { retryable, stopped, tapped, permanent } as Record<string, number>;
  }

  const statusOf = async (id: number) => (await s.call("GET", `/api/v1/task/${id}`)).body.data.status;

  test("retry-all retries the retryable failures only, and counts the rest by why", async () => {
    // earlier tests leave failed tasks of their own behind: start from none
    await s.call("POST", "/api/v1/task/retry-all", { include_all: true });
    const t = await failedPosts();
    const r = await s.call("POST", "/api/v1/task/retry-all");
    expect(r.body.data).toEqual({
      retried_count: 1,
      skipped_count: 3,
      skipped: { post_tapped: 1, stopped_by_user: 1, permanent: 1 },
    });
    expect(await statusOf(t.retryable as number)).toBe(TaskStatus.pending);
    for (const id of [t.stopped, t.tapped, t.permanent])
      expect(await statusOf(id as number)).toBe(TaskStatus.failed);
    // an empty object is the same as no body
    expect((await s.call("POST", "/api/v1/task/retry-all", {})).body.data.retried_count).toBe(0);
  });

  test("retry-all with include_all retries every failed task", async () => {
    await s.call("POST", "/api/v1/task/retry-all", { include_all: true });
    const t = await failedPosts();
    const r = await s.call("POST", "/api/v1/task/retry-all", { include_all: true });
    expect(r.body.data).toEqual({
      retried_count: 4,
      skipped_count: 0,
      skipped: { post_tapped: 0, stopped_by_user: 0, permanent: 0 },
    });
    expect((await stats()).failed).toBe(0);
    const tapped = (await s.call("GET", `/api/v1/task/${t.tapped}`)).body.data;
    expect(tapped).toMatchObject({ status: 0, retry_count: 1, error: null });
    // the mark was the run's: the next run starts without it
    expect((await s.tasks.get(t.tapped as number))?.irreversible).toBeNull();
  });

  test("retry-all refuses an unknown field or a flag that is not a boolean, and changes nothing", async () => {
    await failedPosts();
    const before = await stats();
    for (const bad of [{ include_all: "yes" }, { includeAll: true }, { event: "task.failed", task: {} }]) {
      const r = await s.call("POST", "/api/v1/task/retry-all", bad);
      expect(r.body.code).toBe(40001);
      expect(r.status).toBe(400);
    }
    expect(await stats()).toEqual(before);
    await s.call("POST", "/api/v1/task/retry-all", { include_all: true });
  });

  test("a single retry of a task that failed after Post was tapped needs confirm_repost", async () => {
    const t = await failedPosts();
    const id = t.tapped as number;
    for (const body of [undefined, {}, { confirm_repost: false }]) {
      const r = await s.call("POST", `/api/v1/task/${id}/retry`, body);
      expect(r.status).toBe(409);
      expect(r.body.code).toBe(40901);
      expect(r.body.message).toMatch(/may already be published/);
      expect(r.body.message).toMatch(/"confirm_repost": true/);
      expect(await statusOf(id)).toBe(TaskStatus.failed);
    }
    expect((await s.call("POST", `/api/v1/task/${id}/retry`, { confirm: true })).body.code).toBe(40001);
    const r = await s.call("POST", `/api/v1/task/${id}/retry`, { confirm_repost: true });
    expect(r.body.data).toMatchObject({ status: 0, retry_count: 1 });
    // a stopped task and a permanent failure are retried on request, without confirmation
    for (const other of [t.stopped, t.permanent]) {
      expect((await s.call("POST", `/api/v1/task/${other}/retry`)).body.data.status).toBe(TaskStatus.pending);
    }
    await s.call("POST", "/api/v1/task/retry-all", { include_all: true });
  });

  test("running tasks are stopped as failed; completed ones cannot be stopped", async () => {
    const [a, b] = (
      await create({ serials: ["PHONE1", "PHONE2"], script_name: "post", script_config: postConfig() })
    ).body.data.task_ids;
    expect(await s.tasks.markRunning(a)).toBe(true);
    expect(await s.tasks.markRunning(b)).toBe(true);
    expect(await s.tasks.markCompleted(b)).toBe(true);
    expect((await s.call("POST", `/api/v1/task/${a}/stop`)).body.data.status).toBe(TaskStatus.failed);
    expect((await s.call("POST", `/api/v1/task/${b}/stop`)).body.code).toBe(40901);
  });

  test("DELETE one and batch; /task/batch, /task/stats, /task/retry-all are never task ids", async () => {
    const ids = (
      await create({ serials: ["PHONE1", "PHONE2"], script_name: "post", script_config: postConfig() })
    ).body.data.task_ids;
    await s.tasks.addLog(ids[0], "info", "a log line");
    const one = await s.call("DELETE", `/api/v1/task/${ids[0]}`);
    expect(one.body.data).toEqual({ deleted: true });
    expect((await s.call("GET", `/api/v1/task/${ids[0]}`)).body.code).toBe(40401);
    expect(await s.tasks.logs(ids[0])).toEqual([]);
    expect((await s.call("DELETE", `/api/v1/task/${ids[0]}`)).body.code).toBe(40401);
    const batch = await s.call("DELETE", "/api/v1/task/batch", { task_ids: [ids[1], 987654] });
    expect(batch.body.data).toEqual({ deleted_count: 1, not_found: [987654] });
    for (const bad of [{ task_ids: [] }, { task_ids: ["a"] }, {}, { task_ids: [1.5] }]) {
      expect((await s.call("DELETE", "/api/v1/task/batch", bad)).body.code).toBe(40001);
    }
    expect((await s.call("GET", "/api/v1/task/stats")).body.data).toHaveProperty("total");
    expect((await s.call("POST", "/api/v1/task/retry-all")).body.data).toHaveProperty("retried_count");
    expect((await s.call("GET", "/api/v1/task/batch")).body.code).toBe(40001);
  });
});

describe("the envelope everywhere", () => {
  test("unknown routes and methods answer 40401 in the envelope", async () => {
    for (const [m, p] of [
      ["GET", "/api/v1/nope"],
      ["GET", "/nope"],
      ["PUT", "/api/v1/task"],
      ["PATCH", "/api/v1/task/1"],
    ] as const) {
      const r = await s.call(m, p);
      expect(r.status).toBe(404);
      expect(r.body.code).toBe(40401);
    }
  });
});
