// A run's texts never carry its config's secrets: a script that says its key in every spelling (log lines,
// a failing step, its failure) leaves none of them in the task's log, its error, the events, the webhook or
// the console. And a task whose secret the key file cannot open fails with a sentence, not garbage.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { VirtualPhone } from "@farm/virtual-phone";
import { Type as T } from "@sinclair/typebox";
import { TaskStatus } from "../../src/domain.ts";
import type { ScriptDefinition } from "../../src/scripts/definition.ts";
import { ScriptError } from "../../src/scripts/errors.ts";
import type { Db } from "../../src/store/db.ts";
import { SecretBox } from "../../src/store/secret-box.ts";
import type { FarmEvent } from "../../src/tasks/events.ts";
import { type AdbServer, startAdbServer } from "../helpers/adb.ts";
import { loggerInto } from "../helpers/log.ts";
import { startTestService, type TestService } from "../helpers/service.ts";
import { waitFor } from "../helpers/wait.ts";
import { type HookReceiver, startHookReceiver } from "../helpers/webhook.ts";

const KEY = 'sk-TESTONLY-"run"\\key/0123456789';
const QUERY_KEY = "qk-TESTONLY-query";
const BASE_URL = `https://user-TESTONLY:pass-TESTONLY@llm.example.com/v1?key=${QUERY_KEY}`;

const leaky: ScriptDefinition = {
  name: "leaky_test",
  description: "test only: says its secrets everywhere a text leaves a run",
  configSchema: T.Object({ api_key: T.String(), base_url: T.String() }),
  example: {},
  usesAccount: false,
  maxDurationS: () => 60,
  async run(ctx) {
    const { api_key, base_url } = ctx.task.config as { api_key: string; base_url: string };
    ctx.log(`raw ${api_key}; json ${JSON.stringify(api_key)}; url ${encodeURIComponent(api_key)}`);
    ctx.log(`calling ${base_url}`, "warn");
    await ctx
      .step("ask the endpoint", async () => {
        throw new Error(`${"x".repeat(190)}${JSON.stringify({ key: api_key })}`);
      })
      .catch(() => {});
    throw ScriptError.permanent(`the endpoint refused ${api_key} at ${base_url}`);
  },
};

let adb: AdbServer;
let phone: VirtualPhone;
let s: TestService;
let hook: HookReceiver;
const events: FarmEvent[] = [];
const consoleLines: string[] = [];

beforeAll(async () => {
  adb = await startAdbServer();
  phone = await VirtualPhone.start({ serial: "LEAK1", popups: false });
  hook = startHookReceiver();
  s = await startTestService(
    {
      adb: { host: "127.0.0.1", port: adb.port },
      retryMax: 0,
      webhookUrl: `${hook.url}?token=hook-TESTONLY`,
      webhookSecret: "hook-secret",
    },
    { pollMs: 200, log: loggerInto(consoleLines), scripts: [leaky] },
  );
  s.events.subscribe((e) => events.push(e));
  await s.start();
  await s.deviceService.connect(phone.host, phone.port, false);
  await waitFor("the phone online", () => s.deviceService.onlineSerials().length === 1, 10_000);
});

afterAll(async () => {
  await s?.stop();
  await phone?.stop();
  await adb?.stop();
  hook?.stop();
});

const serial = () => `${phone.host}:${phone.port}`;

test("nothing a run writes carries its secrets, in any spelling", async () => {
  const r = await s.call("POST", "/api/v1/task", {
    serials: [serial()],
    script_name: "leaky_test",
    script_config: { api_key: KEY, base_url: BASE_URL },
  });
  expect(r.body.code).toBe(0);
  const id = r.body.data.task_ids[0] as number;
  await waitFor(
    "the task to fail",
    async () => (await s.tasks.get(id))?.status === TaskStatus.failed,
    20_000,
  );
  await waitFor("the webhook delivery", () => hook.deliveries.some((d) => d.includes(`"id":${id}`)), 10_000);

  const detail = await s.call("GET", `/api/v1/task/${id}`);
  expect(detail.body.data.error).toBe("the endpoint refused *** at https://***@llm.example.com/v1?key=***");
  const messages = (detail.body.data.logs as { message: string }[]).map((l) => l.message);
  expect(messages).toContain('raw ***; json "***"; url ***');
  expect(messages.some((m) => m.startsWith("ask the endpoint: xxx") && m.endsWith('{"key":"***"}'))).toBe(
    true,
  );
  expect(detail.body.data.script_config).toEqual({
    api_key: "****6789",
    base_url: "https://***:***@llm.example.com/v1?key=***",
  });

  const texts = [
    JSON.stringify(detail.body),
    JSON.stringify((await s.call("GET", "/api/v1/task")).body),
    JSON.stringify(events),
    ...hook.deliveries,
    ...consoleLines,
  ];
  for (const text of texts) expect(text).not.toContain("TESTONLY");
  // the service log's end line, which carries the failure's words, is among them
  expect(consoleLines).toContainEqual(
    expect.stringMatching(/ended script=leaky_test .*the endpoint refused \*\*\*/),
  );
});

test("a task whose secret the key file cannot open fails, saying so, and does not run", async () => {
  const [id] = await s.tasks.create([
    {
      serial: serial(),
      platform: "tiktok",
      scriptName: "leaky_test",
      scriptConfig: JSON.stringify({ api_key: KEY, base_url: "https://x.example.com" }),
      source: "api",
      username: null,
      accountId: null,
      startTime: null,
      scheduledAt: null,
      startedAt: null,
      finishedAt: null,
    },
  ] as never);
  // as if sealed by another key file
  const other = new SecretBox(Buffer.alloc(32, 9)).sealConfig(
    JSON.stringify({ api_key: KEY, base_url: "x" }),
  );
  (s.db as Db).$client
    .query("update tasks set script_config = $c where id = $id")
    .run({ c: other, id: id as number });
  const before = phone.commands.length;
  s.runner.wake();
  await waitFor(
    "the task to fail",
    async () => (await s.tasks.get(id as number))?.status === TaskStatus.failed,
    10_000,
  );
  expect((await s.tasks.get(id as number))?.error).toMatch(
    /^a secret in the task's script_config cannot be decrypted with DATA_DIR\/secret\.key: restore/,
  );
  expect(phone.commands.slice(before).some((c) => c.command.includes("farm-task"))).toBe(false);
});
