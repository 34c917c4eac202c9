// The compiled executable over real HTTP: a refused POST /task says what to type (the format, the allowed
// values and their meanings, the nearest field, script or phone), and fields that name the same targets
// follow the product's rule (the plural wins) with a warning for the field ignored. Nothing refused is created.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { call, type ServiceProcess, startService } from "../helpers/binary.ts";

// the warnings about how the request was read (its phones are only known, so others say they are offline)
const ignored = (warnings: string[]) => warnings.filter((w) => w.includes(" is ignored: "));

let running: ServiceProcess;
const api = (method: string, path: string, body?: unknown) => call(running.url, method, path, body);
const follow = { serials: ["PHONE1"], script_name: "follow", script_config: { target_users: ["alice"] } };
const post = {
  serials: ["PHONE1"],
  script_name: "post",
  script_config: { content_type: 0, captions: "hi", material_source: "materialLibrary" },
};

beforeAll(async () => {
  running = await startService([], { devices: ["PHONE1", "PHONE2"] });
});
afterAll(() => running.stop());

/** POST /task refused with `code` and exactly `message`; the task count is unchanged. */
async function refused(body: unknown, code: number, message: string) {
  const before = (await api("GET", "/api/v1/task/stats")).body.data.total;
  const r = await api("POST", "/api/v1/task", body);
  expect({ code: r.body.code, message: r.body.message }).toEqual({ code, message });
  expect((await api("GET", "/api/v1/task/stats")).body.data.total).toBe(before);
  return r;
}

describe("errors name what to type", () => {
  test("start_time takes H:MM; a wrong one says the format with an example", async () => {
    const ok = await api("POST", "/api/v1/task", { ...follow, start_time: "9:05" });
    expect(ok.body.code).toBe(0);
    const [id] = ok.body.data.task_ids;
    expect((await api("GET", `/api/v1/task/${id}`)).body.data.start_time).toBe("9:05");
    for (const bad of ["25:00", "9:5", "noon"]) {
      await refused({ ...follow, start_time: bad }, 40001, "start_time: must be HH:MM, 24-hour, e.g. 14:30");
    }
  });

  test("a wrong literal lists the allowed values with their meanings", async () => {
    const r = await refused(
      { ...post, script_config: { ...post.script_config, content_type: "video" } },
      40001,
      "script_config.content_type: must be one of 0 (Video), 1 (Images)",
    );
    expect(r.body.data.errors).toEqual([
      {
        path: "/script_config/content_type",
        message: "must be one of 0 (Video), 1 (Images)",
      },
    ]);
    await refused(
      { ...follow, script_config: { target_users: ["a"], access_method: "link" } },
      40001,
      `script_config.access_method: must be one of "direct" (Profile link), "search" (Search in the app)`,
    );
  });

  test("a typo'd field names what it is not a field of, and the field meant; the top level words it the same", async () => {
    await refused(
      { ...post, script_config: { ...post.script_config, caption: "hi" } },
      40001,
      "script_config.caption: is not a field of post's script_config: did you mean captions?",
    );
    await refused(
      { ...follow, serial: ["PHONE1"] },
      40001,
      "serial: is not a field of POST /api/v1/task: did you mean serials?",
    );
    // nothing near: the fields to choose from
    const far = await refused(
      { ...follow, script_config: { target_users: ["a"], zzzzzzzz: 1 } },
      40001,
      "script_config.zzzzzzzz: is not a field of follow's script_config: its fields are: target_users, target_user, target_username, access_method",
    );
    expect(far.body.data.errors[0].path).toBe("/script_config/zzzzzzzz");
  });

  test("an unknown script or phone names the nearest, else lists the valid ones", async () => {
    await refused(
      { ...follow, script_name: "folow" },
      40003,
      'script "folow" is not supported via the API: did you mean follow?',
    );
    await refused(
      { ...follow, script_name: "dance" },
      40003,
      'script "dance" is not supported via the API: the scripts are: post, follow, unfollow, comment, account_warmup, match_accounts',
    );
    await refused(
      { ...follow, serials: ["PHONE3"] },
      40001,
      "serials[0]: unknown device 'PHONE3': did you mean PHONE1?",
    );
    await refused(
      { ...follow, serials: ["emulator-5554"] },
      40001,
      "serials[0]: unknown device 'emulator-5554': the phones this service knows are: PHONE1, PHONE2",
    );
  });
});

describe("the plural field wins, and the answer says so", () => {
  test("follow with target_users and target_user: tasks for target_users alone, and a warning", async () => {
    const r = await api("POST", "/api/v1/task", {
      serials: ["PHONE2"],
      script_name: "follow",
      script_config: { target_users: ["ann", "bob"], target_user: "carl, dora", target_username: "eve" },
    });
    expect(r.body.code).toBe(0);
    expect(r.body.data.created_count).toBe(2);
    expect(ignored(r.body.data.warnings)).toEqual([
      "target_user is ignored: target_users is given, and it wins",
      "target_username is ignored: target_users is given, and it wins",
    ]);
    const users = [];
    for (const id of r.body.data.task_ids) {
      users.push((await api("GET", `/api/v1/task/${id}`)).body.data.script_config.target_users);
    }
    expect(users).toEqual([["ann"], ["bob"]]);
  });

  test("comment with target_post_urls and target_post_url: the list wins, and a warning", async () => {
    const r = await api("POST", "/api/v1/task", {
      serials: ["PHONE2"],
      script_name: "comment",
      script_config: {
        target_post_urls: ["https://www.tiktok.com/@a/video/1"],
        target_post_url: "https://www.tiktok.com/@b/video/2",
        comment_content: "nice",
      },
    });
    expect(r.body.code).toBe(0);
    expect(r.body.data.created_count).toBe(1);
    expect(ignored(r.body.data.warnings)).toEqual([
      "target_post_url is ignored: target_post_urls is given, and it wins",
    ]);
    const [id] = r.body.data.task_ids;
    const task = (await api("GET", `/api/v1/task/${id}`)).body.data;
    expect(task.script_config.target_post_urls).toEqual(["https://www.tiktok.com/@a/video/1"]);
  });

  test("one field alone: no warning", async () => {
    const r = await api("POST", "/api/v1/task", follow);
    expect(ignored(r.body.data.warnings)).toEqual([]);
  });
});
