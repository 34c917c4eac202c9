// Secrets through the executable: account_warmup against a chat endpoint that echoes the key back (across
// the 200-character cut, JSON-escaped, URL-encoded) at a base_url with user:pass@ and ?key=. The request
// goes to …/v1/chat/completions?key=…; GET /task, the list, the event stream, the webhook and the console
// show none of it; farm.db and its WAL hold neither the key nor an account's password; and without its
// secret.key the executable refuses to start, saying why.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VirtualPhone } from "@farm/virtual-phone";
import { type AdbServer, startAdbServer } from "../helpers/adb.ts";
import { buildBinary, call, type Running, startBinary } from "../helpers/binary.ts";
import { waitFor } from "../helpers/wait.ts";
import { type HookReceiver, startHookReceiver } from "../helpers/webhook.ts";

const KEY = 'sk-TESTONLY-"e2e"\\key/0123456789abcdefghij';
const QUERY_KEY = "qk-TESTONLY-e2e";
const PASSWORD = "pw-TESTONLY-e2e-hunter2";

let dir: string;
let dataDir: string;
let adb: AdbServer;
let phone: VirtualPhone;
let running: Running;
let chat: ReturnType<typeof Bun.serve>;
let hook: HookReceiver;
const asked: URL[] = [];
let sse = "";
const sseAbort = new AbortController();

const api = async (method: string, path: string, body?: unknown) =>
  (await call(running.url, method, path, body)).body;
const serial = () => `${phone.host}:${phone.port}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "farm-secrets-e2e-"));
  dataDir = join(dir, "data");
  chat = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(req) {
      asked.push(new URL(req.url));
      // quotes what it was sent, the key starting just before the 200-character cut
      const key = (req.headers.get("authorization") ?? "").replace(/^Bearer /, "");
      const message = `${"-".repeat(130)} Incorrect API key provided: ${key}; as ${encodeURIComponent(key)}; query ${new URL(req.url).search}`;
      return Response.json({ error: { message } }, { status: 401 });
    },
  });
  hook = startHookReceiver();
  adb = await startAdbServer();
  phone = await VirtualPhone.start({ serial: "SEC_A", popups: false, accounts: { tiktok: ["sec.one"] } });
  running = await startBinary(
    await buildBinary(),
    [
      ...["--adb", `127.0.0.1:${adb.port}`, "--data-dir", dataDir, "--retry-max", "0"],
      ...["--webhook-url", hook.url, "--webhook-secret", "hook-secret"],
    ],
    dir,
  );
  void fetch(`${running.url}/api/v1/events`, { signal: sseAbort.signal })
    .then(async (res) => {
      for await (const chunk of res.body as ReadableStream<Uint8Array>)
        sse += new TextDecoder().decode(chunk);
    })
    .catch(() => {});
  expect((await api("POST", "/api/v1/device/connect", { host: phone.host, port: phone.port })).code).toBe(0);
  await waitFor(
    "the phone online",
    async () =>
      (await api("GET", "/api/v1/device")).data.devices.some((d: { state: string }) => d.state === "online"),
    30_000,
  );
}, 120_000);

afterAll(async () => {
  sseAbort.abort();
  running?.proc.kill("SIGKILL");
  await running?.proc.exited;
  await phone?.stop();
  await adb?.stop();
  chat?.stop(true);
  hook?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** farm.db and its WAL, as bytes a copy would carry. */
const onDisk = () =>
  ["farm.db", "farm.db-wal"]
    .map((f) => join(dataDir, f))
    .filter(existsSync)
    .map((f) => readFileSync(f).toString("latin1"))
    .join("");

describe("secrets through the executable", () => {
  test("account_warmup's key and base_url secrets: sent where they belong, shown nowhere, not on disk", async () => {
    const account = await api("POST", "/api/v1/accounts", {
      username: "sec.one",
      platform: "tiktok",
      device: serial(),
      password: PASSWORD,
    });
    expect(account.code).toBe(0);
    const created = await api("POST", "/api/v1/task", {
      serials: [serial()],
      script_name: "account_warmup",
      script_config: {
        task_duration: 30,
        min_duration: 1,
        max_duration: 1,
        comment_probable: 100,
        comment: "Nice!",
        generate_by_chatgpt: true,
        chatgpt_settings: {
          api_key: KEY,
          base_url: `http://bob:pw-TESTONLY@127.0.0.1:${chat.port}/v1?key=${QUERY_KEY}`,
        },
      },
    });
    expect(created.code).toBe(0);
    const id = created.data.task_ids[0] as number;
    const failedLine = await waitFor(
      "the endpoint's refusal in the log",
      async () =>
        ((await api("GET", `/api/v1/task/${id}`)).data.logs as { message: string }[]).find((l) =>
          l.message.startsWith("ChatGPT comment failed"),
        ),
      60_000,
    );
    expect((await api("POST", `/api/v1/task/${id}/stop`)).code).toBe(0);
    await waitFor(
      "the webhook delivery",
      () => hook.deliveries.some((d) => d.includes(`"id":${id}`)),
      20_000,
    );

    // the path joined to base_url's own, its query kept
    expect(asked[0]?.pathname).toBe("/v1/chat/completions");
    expect(asked[0]?.searchParams.get("key")).toBe(QUERY_KEY);
    expect(failedLine.message).toContain(
      `http://***:***@127.0.0.1:${chat.port}/v1/chat/completions?key=*** answered 401: `,
    );
    expect(failedLine.message).toContain("Incorrect API key provided: ***");

    const detail = await api("GET", `/api/v1/task/${id}`);
    expect(detail.data.script_config.chatgpt_settings).toMatchObject({
      api_key: "****ghij",
      base_url: `http://***:***@127.0.0.1:${chat.port}/v1?key=***`,
    });
    const list = await api("GET", "/api/v1/task?script_name=account_warmup");
    const webhook = JSON.parse(hook.deliveries.find((d) => d.includes(`"id":${id}`)) ?? "{}");
    expect(webhook.task.script_config.chatgpt_settings.base_url).toBe(
      `http://***:***@127.0.0.1:${chat.port}/v1?key=***`,
    );
    await waitFor("the stop on the event stream", () => sse.includes(`"id":${id}`) && sse.includes("failed"));
    for (const text of [
      JSON.stringify(detail),
      JSON.stringify(list),
      sse,
      ...hook.deliveries,
      running.log(),
    ]) {
      expect(text).not.toContain("TESTONLY");
    }

    const bytes = onDisk();
    expect(bytes).toContain("enc:v1:");
    for (const secret of [KEY, QUERY_KEY, PASSWORD, "TESTONLY"]) expect(bytes).not.toContain(secret);
  }, 120_000);

  test("without its secret.key the executable refuses to start, saying why", async () => {
    running.proc.kill("SIGKILL");
    await running.proc.exited;
    renameSync(join(dataDir, "secret.key"), join(dir, "secret.key.away"));
    const again = startBinary(
      await buildBinary(),
      ["--adb", `127.0.0.1:${adb.port}`, "--data-dir", dataDir],
      dir,
    );
    const e = await again.then(
      () => null,
      (err: Error) => err,
    );
    expect(e?.message).toMatch(
      /secret\.key is missing, and farm\.db holds secrets encrypted with it: restore it/,
    );
    // put back, it starts and still reads the task's secrets (masked, so only their length shows)
    renameSync(join(dir, "secret.key.away"), join(dataDir, "secret.key"));
    running = await startBinary(
      await buildBinary(),
      ["--adb", `127.0.0.1:${adb.port}`, "--data-dir", dataDir],
      dir,
    );
    const tasks = (await api("GET", "/api/v1/task")).data.tasks as { script_config: any }[];
    expect(tasks[0]?.script_config.chatgpt_settings.api_key).toBe("****ghij");
  }, 60_000);
});
