// POST /task checks a library post against every account it runs as: username mode and multi-account mode
// name their accounts, device mode the one the phone last showed in use.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { join } from "node:path";
import { writeMedia } from "../helpers/media.ts";
import { startTestService, type TestService } from "../helpers/service.ts";

// what the library check says (the phone is only known here: other warnings say it is offline)
const libraryWarnings = (warnings: string[]) => warnings.filter((w) => w.includes("material library"));

let svc: TestService;
const PHONE = "PHONE1";
const post = (target: Record<string, unknown>, config: Record<string, unknown> = {}) =>
  svc.call("POST", "/api/v1/task", {
    ...target,
    script_name: "post",
    script_config: { materials_tags: "cats", ...config },
  });
const seen = async (usernames: string[], inUse: string) =>
  await svc.scripts.services.accounts.recordSeen({
    serial: PHONE,
    platform: "tiktok",
    packagename: "com.zhiliaoapp.musically",
    usernames,
    complete: true,
    inUse,
  });

beforeEach(async () => {
  svc = await startTestService();
  await svc.addDevice(PHONE);
  const video = await svc.materials.register(writeMedia(join(svc.dir, "cat.mp4"), "mp4"), ["cats"]);
  await seen(["alice", "bob"], "bob");
  // alice has posted the only video
  await svc.materials.markPosted({ id: 1, serial: PHONE, username: "@alice", platform: "tiktok" }, [video]);
});
afterEach(() => svc.stop());

const refusal = (who: string) =>
  `script_config.materials_tags: no video in the material library tagged "cats" that ${who} has not posted ` +
  `yet (1 video there, all posted by ${who}): upload more (POST /api/v1/material) or choose another tag`;

test("username mode: the named account is checked", async () => {
  expect((await post({ usernames: ["alice"] })).body).toMatchObject({
    code: 40001,
    message: refusal("@alice"),
  });
  const bob = await post({ usernames: ["@bob"] });
  expect(bob.body).toMatchObject({ code: 0, data: { created_count: 1 } });
  expect(libraryWarnings(bob.body.data.warnings)).toEqual([]);
  // bob's queued post takes the video: a second one for him can only fail
  expect((await post({ usernames: ["bob"] })).body.message).toBe(
    'script_config.materials_tags: only 1 video in the material library tagged "cats" that @bob has not posted ' +
      "yet, and the task and 1 queued before need 2 (1 video there, none posted by @bob): " +
      "upload more (POST /api/v1/material) or choose another tag",
  );
  expect((await svc.tasks.stats()).total).toBe(1);
});

test("multi-account mode: every account of the phone is checked, and nothing is created", async () => {
  const r = await post({ serials: [PHONE], enable_multi_account: true });
  expect(r.body).toMatchObject({ code: 40001, message: refusal("@alice") });
  expect((await svc.tasks.stats()).total).toBe(0);
});

test("device mode: the account the phone last showed in use is checked", async () => {
  await seen(["alice", "bob"], "alice");
  expect((await post({ serials: [PHONE] })).body).toMatchObject({ code: 40001, message: refusal("@alice") });
  // a list of files may be posted again: nothing to check
  const listed = await post({ serials: [PHONE] }, { material_list: [(await svc.materials.get(1)).path] });
  expect(listed.body.code).toBe(0);
  expect(libraryWarnings(listed.body.data.warnings)).toEqual([]);
  await seen(["alice", "bob"], "bob");
  const asBob = await post({ serials: [PHONE] });
  expect(asBob.body.code).toBe(0);
  expect(libraryWarnings(asBob.body.data.warnings)).toEqual([]);
});

test("images: a task needs image_count of them that the account has not posted", async () => {
  const images = [];
  for (const name of ["a.png", "b.png"]) {
    images.push(await svc.materials.register(writeMedia(join(svc.dir, name), "png"), ["cats"]));
  }
  await svc.materials.markPosted(
    { id: 2, serial: PHONE, username: "@bob", platform: "tiktok" },
    images.slice(0, 1),
  );
  const r = await post({ usernames: ["bob"] }, { content_type: 1, image_count: 2 });
  expect(r.body.message).toBe(
    'script_config.materials_tags: only 1 image in the material library tagged "cats" that @bob has not posted ' +
      "yet, and the task needs 2 (2 images there, 1 posted by @bob): upload more (POST /api/v1/material) or " +
      "choose another tag",
  );
});
