import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Value } from "@sinclair/typebox/value";
import { AccountSchema } from "../../src/http/views.ts";
import { startTestService, type TestService } from "../helpers/service.ts";

let s: TestService;
beforeAll(async () => {
  s = await startTestService();
  await s.addDevice("PHONE1");
  await s.addDevice("PHONE2", "offline");
});
afterAll(() => s.stop());

const account = (over: Record<string, unknown> = {}) => ({
  username: "@alice",
  platform: "tiktok",
  device: "PHONE1",
  email: "alice@example.com",
  password: "s3cret-pass",
  tags: ["warm", "eu"],
  ...over,
});

describe("accounts", () => {
  test("register, list, change, delete; the password is never returned", async () => {
    const created = await s.call("POST", "/api/v1/accounts", account());
    expect(created.body.code).toBe(0);
    const a = created.body.data;
    expect(Value.Check(AccountSchema, a)).toBe(true);
    expect(a).toMatchObject({
      username: "alice",
      platform: "tiktok",
      device: "PHONE1",
      device_online: true,
      device_name: "Pixel 7",
      logined: 1,
      // typed in by hand: unknown until a phone shows it
      logined_text: "unknown",
      last_seen_at: null,
      status: 1,
      tags: ["warm", "eu"],
      packagename: null,
    });
    expect(JSON.stringify(created.body)).not.toContain("s3cret-pass");
    expect(a).not.toHaveProperty("password");

    const list = await s.call("GET", "/api/v1/accounts?platform=tiktok&tag=warm");
    expect(list.body.data.total).toBe(1);
    expect(JSON.stringify(list.body)).not.toContain("s3cret");
    expect((await s.call("GET", "/api/v1/accounts?tag=nope")).body.data.total).toBe(0);
    expect((await s.call("GET", "/api/v1/accounts?logined=0")).body.data.total).toBe(0);
    expect((await s.call("GET", "/api/v1/accounts?device=PHONE1")).body.data.total).toBe(1);

    const changed = await s.call("PUT", `/api/v1/accounts/${a.id}`, {
      device: "PHONE2",
      logined: 0,
      tags: ["cold"],
    });
    expect(changed.body.data).toMatchObject({
      device: "PHONE2",
      device_online: false,
      logined_text: "not_logged_in",
      tags: ["cold"],
    });
    expect(JSON.stringify(changed.body)).not.toContain("s3cret");

    expect((await s.call("DELETE", `/api/v1/accounts/${a.id}`)).body.data).toEqual({ deleted: true });
    expect((await s.call("DELETE", `/api/v1/accounts/${a.id}`)).body.code).toBe(40401);
    expect((await s.call("PUT", `/api/v1/accounts/${a.id}`, { logined: 1 })).body.code).toBe(40401);
  });

  test("bad accounts are refused and change nothing", async () => {
    const before = (await s.call("GET", "/api/v1/accounts")).body.data.total;
    expect((await s.call("POST", "/api/v1/accounts", account({ device: "GHOST" }))).body.message).toMatch(
      /unknown device 'GHOST'/,
    );
    expect((await s.call("POST", "/api/v1/accounts", account({ platform: "myspace" }))).body.code).toBe(
      40001,
    );
    expect((await s.call("POST", "/api/v1/accounts", account({ username: "" }))).body.code).toBe(40001);
    expect((await s.call("POST", "/api/v1/accounts", account({ extra: true }))).body.code).toBe(40001);
    expect((await s.call("POST", "/api/v1/accounts", { username: "x" })).body.code).toBe(40001);
    expect((await s.call("GET", "/api/v1/accounts?page_size=500")).body.code).toBe(40001);
    expect((await s.call("GET", "/api/v1/accounts")).body.data.total).toBe(before);
    const first = await s.call("POST", "/api/v1/accounts", account({ username: "bob" }));
    const dup = await s.call("POST", "/api/v1/accounts", account({ username: "@BOB" }));
    expect(dup.body.code).toBe(40901);
    expect((await s.call("PUT", `/api/v1/accounts/${first.body.data.id}`, {})).body.code).toBe(40001);
    await s.call("DELETE", `/api/v1/accounts/${first.body.data.id}`);
  });
});

describe("username mode and multi-account mode", () => {
  let carol: number;
  beforeAll(async () => {
    carol = (await s.call("POST", "/api/v1/accounts", account({ username: "carol", device: "PHONE1" }))).body
      .data.id;
    await s.call("POST", "/api/v1/accounts", account({ username: "dave", device: "PHONE1" }));
    await s.call(
      "POST",
      "/api/v1/accounts",
      account({ username: "erin", device: "PHONE1", platform: "instagram" }),
    );
    await s.call(
      "POST",
      "/api/v1/accounts",
      account({ username: "dave", device: "PHONE2", platform: "instagram" }),
    );
  });

  const follow = { script_name: "follow", script_config: { target_users: ["somebody"] } };

  test("usernames become tasks on the phone each account lives on", async () => {
    const r = await s.call("POST", "/api/v1/task", { ...follow, usernames: ["@carol", "erin"] });
    expect(r.body.data.created_count).toBe(2);
    const tasks = await Promise.all(
      r.body.data.task_ids.map(async (id: number) => (await s.call("GET", `/api/v1/task/${id}`)).body.data),
    );
    expect(tasks.map((t) => [t.serial, t.username, t.platform])).toEqual([
      ["PHONE1", "@carol", "tiktok"],
      ["PHONE1", "@erin", "instagram"],
    ]);
  });

  test("unknown usernames → 40004 listing them; ambiguous ones need a platform", async () => {
    const stats = (await s.call("GET", "/api/v1/task/stats")).body.data;
    const r = await s.call("POST", "/api/v1/task", { ...follow, usernames: ["carol", "@zed", "yan"] });
    expect(r.status).toBe(404);
    expect(r.body.code).toBe(40004);
    expect(r.body.data.usernames).toEqual(["zed", "yan"]);
    const amb = await s.call("POST", "/api/v1/task", { ...follow, usernames: ["dave"] });
    expect(amb.body.code).toBe(40001);
    expect(amb.body.message).toMatch(/platform/);
    expect((await s.call("GET", "/api/v1/task/stats")).body.data).toEqual(stats);
    const ok = await s.call("POST", "/api/v1/task", {
      ...follow,
      usernames: ["dave"],
      platform: "instagram",
    });
    expect(ok.body.data.created_count).toBe(1);
  });

  test("multi-account: one task per logged-in account on each phone; none → 40004", async () => {
    const r = await s.call("POST", "/api/v1/task", {
      ...follow,
      serials: ["PHONE1"],
      enable_multi_account: true,
    });
    expect(r.body.data.created_count).toBe(2); // carol and dave on TikTok
    await s.call("PUT", `/api/v1/accounts/${carol}`, { logined: 0 });
    const one = await s.call("POST", "/api/v1/task", {
      ...follow,
      serials: ["PHONE1"],
      enable_multi_account: true,
    });
    expect(one.body.data.created_count).toBe(1);
    const none = await s.call("POST", "/api/v1/task", {
      ...follow,
      serials: ["PHONE2"],
      enable_multi_account: true,
    });
    expect(none.body.code).toBe(40004);
    const wrongMode = await s.call("POST", "/api/v1/task", {
      ...follow,
      usernames: ["dave"],
      enable_multi_account: true,
    });
    expect(wrongMode.body.code).toBe(40001);
  });
});
