// The device API, failure evidence, the SSE stream and the webhook, over real HTTP with a real adb server
// and virtual phones.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { VirtualPhone } from "@farm/virtual-phone";
import { TaskStatus } from "../../src/domain.ts";
import { sign } from "../../src/notify/webhook.ts";
import { testScript } from "../../src/scripts/test-sleep/index.ts";
import { type AdbServer, startAdbServer } from "../helpers/adb.ts";
import { startTestService, type TestService } from "../helpers/service.ts";
import { waitFor } from "../helpers/wait.ts";

let adb: AdbServer;
let s: TestService;
let server: ReturnType<typeof Bun.serve>;
let hook: ReturnType<typeof Bun.serve>;
let phone: VirtualPhone;
const deliveries: { body: string; signature: string | null; event: string | null }[] = [];
let failNextDelivery = true;
const SECRET = "webhook-secret-1";

beforeAll(async () => {
  adb = await startAdbServer();
  phone = await VirtualPhone.start({ serial: "LIVE1", model: "Pixel 8", popups: false });
  hook = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      // the first delivery is refused: the webhook must try again
      if (failNextDelivery) {
        failNextDelivery = false;
        return new Response("busy", { status: 503 });
      }
      deliveries.push({
        body: await req.text(),
        signature: req.headers.get("x-farm-signature"),
        event: req.headers.get("x-farm-event"),
      });
      return new Response("ok");
    },
  });
  s = await startTestService(
    {
      adb: { host: "127.0.0.1", port: adb.port },
      retryMax: 0,
      webhookUrl: `http://127.0.0.1:${hook.port}/hook`,
      webhookSecret: SECRET,
    },
    { scripts: [testScript] },
  );
  server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (r) => s.app.handle(r) });
  await s.start();
});

afterAll(async () => {
  server?.stop(true);
  hook?.stop(true);
  await s?.stop();
  await phone?.stop();
  await adb?.stop();
});

const url = (path: string) => `http://127.0.0.1:${server.port}${path}`;
const json = async (method: string, path: string, body?: unknown) =>
  (await (
    await fetch(url(path), {
      method,
      headers: body ? { "content-type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    })
  ).json()) as { code: number; message: string; data: any };

describe("devices over the API", () => {
  test("connect a network phone; it is listed online with its facts; screenshot is a PNG; disconnect forgets it", async () => {
    const serial = `${phone.host}:${phone.port}`;
    const r = await json("POST", "/api/v1/device/connect", { host: phone.host, port: phone.port });
    expect(r.code).toBe(0);
    expect(r.data.serial).toBe(serial);
    await waitFor(
      "online",
      async () => (await json("GET", `/api/v1/device/${serial}`)).data.state === "online",
      10_000,
    );
    const d = (await json("GET", "/api/v1/device")).data.devices.find(
      (x: { serial: string }) => x.serial === serial,
    );
    expect(d).toMatchObject({
      state: "online",
      transport: "tcp",
      model: "Pixel 8",
      running_task_id: null,
      queued_count: 0,
    });
    expect(d.battery).toBeGreaterThan(0);
    expect(d.screen).toEqual({ width: 1080, height: 2400 });
    expect(((await (await fetch(url("/health"))).json()) as { adb: string }).adb).toBe("ok");

    const shot = await fetch(url(`/api/v1/device/${serial}/screenshot`));
    expect(shot.headers.get("content-type")).toBe("image/png");
    const png = new Uint8Array(await shot.arrayBuffer());
    expect([...png.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    expect(new DataView(png.buffer).getUint32(16)).toBe(1080); // IHDR width

    expect((await json("GET", "/api/v1/device/NOPE")).code).toBe(40401);
    expect((await json("POST", "/api/v1/device/connect", { host: "x", port: 70000 })).code).toBe(40001);
    expect((await json("POST", "/api/v1/device/disconnect", { host: "10.9.9.9", port: 5555 })).code).toBe(
      40401,
    );
  });

  test("a failed task keeps a screenshot and the UI dump as evidence; /task/{id}/screenshot serves it", async () => {
    const serial = `${phone.host}:${phone.port}`;
    const stream = await fetch(url("/api/v1/events"));
    expect(stream.headers.get("content-type")).toBe("text/event-stream");
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    const r = await json("POST", "/api/v1/task", {
      serials: [serial],
      script_name: "test_sleep",
      script_config: { fail: "permanent" },
    });
    const id = r.data.task_ids[0];
    await waitFor("failed", async () => (await s.tasks.get(id))?.status === TaskStatus.failed, 15_000);
    const shot = await fetch(url(`/api/v1/task/${id}/screenshot`));
    expect(shot.status).toBe(200);
    expect([...new Uint8Array(await shot.arrayBuffer()).subarray(0, 4)]).toEqual([137, 80, 78, 71]);
    expect(await Bun.file(s.evidence.uiDumpPath(id) as string).text()).toContain("<hierarchy");
    expect((await json("GET", "/api/v1/task/999999/screenshot")).code).toBe(40401);
    expect((await json("GET", `/api/v1/task/${id}`)).data.has_screenshot).toBe(true);
    // a task stopped while pending ran nowhere: nothing to show
    const later = await json("POST", "/api/v1/task", {
      serials: [serial],
      script_name: "test_sleep",
      script_config: {},
      // twelve hours from now, wherever the service's clock is: certainly pending
      start_time: `${String((new Date().getUTCHours() + 12) % 24).padStart(2, "0")}:00`,
    });
    await json("POST", `/api/v1/task/${later.data.task_ids[0]}/stop`);
    expect((await json("GET", `/api/v1/task/${later.data.task_ids[0]}`)).data.has_screenshot).toBe(false);

    // the stream told the story: pending → running → failed
    let text = "";
    const decoder = new TextDecoder();
    await waitFor(
      "events",
      async () => {
        const { value } = await reader.read();
        text += decoder.decode(value);
        return text.includes(`"id":${id},`) && text.includes('"status":"failed"');
      },
      10_000,
    );
    const mine = text
      .split("\n\n")
      .filter((b) => b.startsWith("event: task"))
      .map((b) => JSON.parse(b.split("data: ")[1] as string))
      .filter((e) => e.id === id)
      .map((e) => e.status);
    expect(mine).toEqual(["pending", "running", "failed"]);
    await reader.cancel();

    // the webhook got it, signed, after one refused attempt
    await waitFor(
      "webhook delivery",
      () => deliveries.find((d) => JSON.parse(d.body).task.id === id),
      15_000,
    );
    const d = deliveries.find((x) => JSON.parse(x.body).task.id === id);
    expect(d?.event).toBe("task.failed");
    expect(d?.signature).toBe(sign(SECRET, d?.body as string));
    expect(JSON.parse(d?.body as string).task).toMatchObject({
      id,
      status: 3,
      error: "asked to fail (permanent)",
    });
    // deleting the task deletes its evidence
    await json("DELETE", `/api/v1/task/${id}`);
    expect(s.evidence.screenshotPath(id)).toBeNull();
  });

  test("disconnect detaches and forgets the phone", async () => {
    const serial = `${phone.host}:${phone.port}`;
    expect(
      (await json("POST", "/api/v1/device/disconnect", { host: phone.host, port: phone.port })).data,
    ).toEqual({
      disconnected: true,
    });
    expect((await json("GET", `/api/v1/device/${serial}`)).code).toBe(40401);
  });
});
