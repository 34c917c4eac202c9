// account_warmup's ChatGPT api_key through the API: refused when missing, stored as given (the script needs
// it), and shown masked by GET /task, the task list and the webhook.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestService, type TestService } from "../helpers/service.ts";
import { waitFor } from "../helpers/wait.ts";
import { type HookReceiver, startHookReceiver } from "../helpers/webhook.ts";

const KEY = "sk-proj-TESTONLY0123456789abcd";

let s: TestService;
let hook: HookReceiver;

beforeAll(async () => {
  hook = startHookReceiver();
  s = await startTestService({ webhookUrl: hook.url, webhookSecret: "hook-secret" });
  await s.addDevice("PHONE1");
});

afterAll(async () => {
  await s?.stop();
  hook?.stop();
});

const warmup = (config: Record<string, unknown>) =>
  s.call("POST", "/api/v1/task", {
    serials: ["PHONE1"],
    script_name: "account_warmup",
    script_config: config,
  });

describe("account_warmup's api_key", () => {
  test("is never returned: GET /task/{id}, the list and the webhook show it masked", async () => {
    const r = await warmup({
      task_duration: 60,
      comment_probable: 50,
      generate_by_chatgpt: true,
      chatgpt_settings: { api_key: KEY, model: "gpt-4o-mini" },
    });
    expect(r.body.code).toBe(0);
    const id = r.body.data.task_ids[0] as number;

    // stored as given: the script needs the real key when the task runs
    expect(JSON.parse((await s.tasks.get(id))?.scriptConfig ?? "{}").chatgpt_settings.api_key).toBe(KEY);

    const one = await s.call("GET", `/api/v1/task/${id}`);
    expect(one.body.data.script_config.chatgpt_settings).toMatchObject({
      api_key: "****abcd",
      model: "gpt-4o-mini",
    });
    const list = await s.call("GET", "/api/v1/task?script_name=account_warmup");
    const listed = (list.body.data.tasks as { id: number; script_config: any }[]).find((t) => t.id === id);
    expect(listed?.script_config.chatgpt_settings.api_key).toBe("****abcd");

    // stopping the pending task fails it: the webhook reports it, with the key masked
    expect((await s.call("POST", `/api/v1/task/${id}/stop`)).body.code).toBe(0);
    await waitFor("the webhook delivery", () => hook.deliveries.some((d) => d.includes(`"id":${id}`)));
    const delivery = hook.deliveries.find((d) => d.includes(`"id":${id}`)) ?? "";
    expect(JSON.parse(delivery).task.script_config.chatgpt_settings.api_key).toBe("****abcd");

    for (const text of [JSON.stringify(one.body), JSON.stringify(list.body), ...hook.deliveries]) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain("TESTONLY");
    }
  });

  test("a short key is shown as *** (four of its characters would give too much away)", async () => {
    const r = await warmup({ generate_by_chatgpt: true, chatgpt_settings: { api_key: "sk-short" } });
    const one = await s.call("GET", `/api/v1/task/${r.body.data.task_ids[0]}`);
    expect(one.body.data.script_config.chatgpt_settings.api_key).toBe("***");
  });

  test("40001 with the field's path: generating without a key, commenting with nothing to say", async () => {
    const noKey = await warmup({ generate_by_chatgpt: true, comment_probable: 10 });
    expect(noKey.body.code).toBe(40001);
    expect(noKey.body.data.errors).toContainEqual({
      path: "/script_config/chatgpt_settings/api_key",
      message: "required when generate_by_chatgpt is true",
    });
    const nothing = await warmup({ comment_probable: 10 });
    expect(nothing.body.code).toBe(40001);
    expect(nothing.body.data.errors[0].path).toBe("/script_config/comment");
    const unknown = await warmup({ chatgpt_settings: { api_key: KEY, top_p: 1 } });
    expect(unknown.body.code).toBe(40001);
    expect(JSON.stringify(unknown.body)).not.toContain(KEY);
  });
});
