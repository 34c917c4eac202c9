// The product docs' account_warmup body through the executable: comments written by an OpenAI-compatible
// endpoint, the key never shown. Its task_duration (30 s, the least allowed) is measured on the service's
// clock, which the test suite's build runs FARM_TEST_CLOCK_RATE times faster: 30 s of warmup in 6 s.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { VirtualPhone } from "@farm/virtual-phone";
import { type AdbServer, startAdbServer } from "../helpers/adb.ts";
import { buildBinary, call, type Running, startBinary, tasksEnded } from "../helpers/binary.ts";
import { startRealisticPhone } from "../helpers/realism.ts";
import { waitFor } from "../helpers/wait.ts";

let dir: string;
let adb: AdbServer;
let running: Running;
let b: VirtualPhone;

const api = async (method: string, path: string, body?: unknown) =>
  (await call(running.url, method, path, body)).body;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "farm-warmup-e2e-"));
  adb = await startAdbServer();
  b = await startRealisticPhone({
    serial: "WARM_B",
    popups: false,
    accounts: { tiktok: ["bea"], instagram: [] },
  });
  running = await startBinary(
    await buildBinary(),
    ["--adb", `127.0.0.1:${adb.port}`, "--data-dir", join(dir, "data"), "--retry-max", "0"],
    dir,
    { FARM_TEST_CLOCK_RATE: "5" },
  );
  expect((await api("POST", "/api/v1/device/connect", { host: b.host, port: b.port })).code).toBe(0);
  await waitFor(
    "the phone online",
    async () =>
      (await api("GET", `/api/v1/device/${encodeURIComponent(b.address)}`)).data?.state === "online",
    30_000,
  );
}, 120_000);

afterAll(async () => {
  running?.proc.kill("SIGKILL");
  await running?.proc.exited;
  await b?.stop();
  await adb?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const finished = (ids: number[]) => tasksEnded(running.url, ids, 60_000);

async function create(body: Record<string, unknown>) {
  const r = await api("POST", "/api/v1/task", body);
  expect({ code: r.code, message: r.message }).toEqual({ code: 0, message: "success" });
  return r.data.task_ids as number[];
}

test("account_warmup with comment_order and chatgpt_settings: comments written by the endpoint, the key never shown", async () => {
  const key = "sk-test-0123456789abcdef";
  const asked: string[] = [];
  const standIn = Bun.serve({
    port: 0,
    async fetch(req) {
      const body = (await req.json()) as { model: string };
      asked.push(`${req.headers.get("authorization")} ${body.model}`);
      return Response.json({
        choices: [{ message: { role: "assistant", content: "What a lovely clip!" } }],
      });
    },
  });
  try {
    const [id] = await create({
      serials: [b.address],
      script_name: "account_warmup",
      script_config: {
        task_duration: 30,
        min_duration: 1,
        max_duration: 2,
        like_probable: 50,
        floow_probable: 0,
        comment_probable: 100,
        comment: "Nice!\nCool",
        comment_order: "sequential",
        insert_emoji: false,
        generate_by_chatgpt: true,
        chatgpt_settings: {
          api_key: key,
          model: "gpt-4o-mini",
          base_url: `http://127.0.0.1:${standIn.port}/v1`,
        },
      },
    });
    const [task] = await finished([id as number]);
    expect({ status: task.status_text, error: task.error }).toEqual({ status: "completed", error: null });
    // the warmup lasted its task_duration on the service's clock
    expect(Date.parse(task.finished_at) - Date.parse(task.started_at)).toBeGreaterThanOrEqual(30_000);
    expect(JSON.stringify(task)).not.toContain(key);
    expect(task.script_config.chatgpt_settings.api_key).toMatch(/^\*+cdef$/);
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.every((a) => a === `Bearer ${key} gpt-4o-mini`)).toBe(true);
    const written = b.apps.tiktok.actions.filter(
      (x) => x.type === "comment" && x.text === "What a lovely clip!",
    );
    expect(written.length).toBe(asked.length);
  } finally {
    standIn.stop(true);
  }
}, 90_000);
