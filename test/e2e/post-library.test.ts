// A post that can only fail is not accepted: the executable in demo mode (--simulate 2), device-mode posts
// from the demo library. Each account posts a file once; once its pool is used up, the next POST /task is
// refused naming the account, and creates nothing. A phone whose account in use was never read is accepted
// with a warning.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { VirtualPhone } from "@farm/virtual-phone";
import { DEMO_POSTS, DEMO_TAG } from "../../src/materials/demo-media.ts";
import { call, type ServiceProcess, startService, tasksEnded } from "../helpers/binary.ts";
import { demoSerials } from "../helpers/demo.ts";
import { DEMO_REALISM, startRealisticPhone } from "../helpers/realism.ts";
import { waitFor } from "../helpers/wait.ts";

let running: ServiceProcess;
let serials: string[];
let stranger: VirtualPhone | undefined;

const api = async (method: string, path: string, body?: unknown) =>
  (await call(running.url, method, path, body)).body;
const taskCount = async () => (await api("GET", "/api/v1/task?page_size=1")).data.total as number;
const post = (serial: string, config: Record<string, unknown>) =>
  api("POST", "/api/v1/task", {
    serials: [serial],
    script_name: "post",
    script_config: { materials_tags: DEMO_TAG, ...config },
  });
// six posts one after another on a realistic phone take real minutes
const finished = (ids: number[]) => tasksEnded(running.url, ids, 220_000);

beforeAll(async () => {
  running = await startService(["--simulate", "2", ...DEMO_REALISM]);
  serials = await demoSerials(running);
  // the demo's match_accounts tasks read which account each phone has in use
  const matches = (await api("GET", "/api/v1/task?script_name=match_accounts")).data.tasks;
  await finished(matches.map((t: { id: number }) => t.id));
}, 120_000);

afterAll(async () => {
  await running?.stop();
  await stranger?.stop();
});

test("device-mode posts are accepted while the account has videos left (queued ones count), then refused", async () => {
  const [first] = serials as [string];
  const accepted = [];
  for (let i = 0; i < DEMO_POSTS; i++) accepted.push(await post(first, {}));
  expect(accepted.map((a) => [a.code, a.data.warnings])).toEqual(accepted.map(() => [0, []]));
  // the queued ones count: whatever of them has run by now, one more is one too many
  const early = await post(first, {});
  expect([early.code, early.message]).toEqual([
    40001,
    expect.stringMatching(
      /^script_config\.materials_tags: .* that @farm1\.alpha has not posted yet, and the task and \d queued before need \d /,
    ),
  ]);
  const tasks = await finished(accepted.flatMap((a) => a.data.task_ids));
  expect(tasks.map((t) => [t.status, t.username, t.error ?? null])).toEqual(
    tasks.map(() => [2, "@farm1.alpha", null]),
  );

  const before = await taskCount();
  const refused = await post(first, {});
  expect(refused.code).toBe(40001);
  expect(refused.message).toBe(
    `script_config.materials_tags: no video in the material library tagged "${DEMO_TAG}" that @farm1.alpha ` +
      `has not posted yet (${DEMO_POSTS} videos there, all posted by @farm1.alpha): ` +
      "upload more (POST /api/v1/material) or choose another tag",
  );
  expect(await taskCount()).toBe(before);
}, 240_000);

test("a task counts the images it needs: what is left for the account must be enough", async () => {
  const second = serials[1] as string;
  const want = DEMO_POSTS - 2;
  const accepted = await post(second, { content_type: 1, image_count: want });
  expect([accepted.code, accepted.data.warnings]).toEqual([0, []]);
  const [task] = await finished(accepted.data.task_ids);
  expect([task.status, task.username, task.error ?? null]).toEqual([2, "@farm2.alpha", null]);

  const before = await taskCount();
  const refused = await post(second, { content_type: 1, image_count: want });
  expect(refused.code).toBe(40001);
  expect(refused.message).toBe(
    `script_config.materials_tags: only 2 images in the material library tagged "${DEMO_TAG}" that @farm2.alpha ` +
      `has not posted yet, and the task needs ${want} (${DEMO_POSTS} images there, ${want} posted by ` +
      "@farm2.alpha): upload more (POST /api/v1/material) or choose another tag",
  );
  expect(await taskCount()).toBe(before);
}, 240_000);

test("a phone whose account in use was never read: accepted, and the answer says it could not be checked", async () => {
  stranger = await startRealisticPhone({ serial: "STRANGER" });
  const serial = `${stranger.host}:${stranger.port}`;
  const connected = await api("POST", "/api/v1/device/connect", { host: stranger.host, port: stranger.port });
  expect(connected.code).toBe(0);
  await waitFor(
    "the phone online",
    async () =>
      (await api("GET", "/api/v1/device")).data.devices.some(
        (d: { serial: string; state: string }) => d.serial === serial && d.state === "online",
      ),
    30_000,
  );
  const before = await taskCount();
  const accepted = await post(serial, {});
  expect(accepted.code).toBe(0);
  expect(accepted.data.created_count).toBe(1);
  expect(accepted.data.warnings).toEqual([
    `could not check the material library for the account in use on ${serial}: not read yet (match_accounts reads it)`,
  ]);
  expect(await taskCount()).toBe(before + 1);
}, 60_000);
