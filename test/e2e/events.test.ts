// The live event stream of the compiled executable stays open through quiet longer than the idle timeout, and a browser's
// EventSource (no headers) can give the token as ?token= on this endpoint only.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBinary, type Running, startBinary } from "../helpers/binary.ts";
import { getRequest, RawConnection } from "../helpers/sockets.ts";
import { waitFor } from "../helpers/wait.ts";

const TOKEN = "s3cret-token-for-events";
let dir: string;
let running: Running;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "farm-events-"));
  const binary = join(dir, "farm-tasks");
  copyFileSync(await buildBinary(), binary);
  // idle connections are closed after 1 s (default 10 s): the stream must outlive that, quiet
  running = await startBinary(
    binary,
    ["--data-dir", join(dir, "data"), "--token", TOKEN, "--idle-timeout", "1"],
    dir,
  );
});
afterAll(async () => {
  running.proc.kill("SIGTERM");
  await running.proc.exited;
  rmSync(dir, { recursive: true, force: true });
});

test("a quiet stream outlives the idle timeout that closes an idle connection beside it", async () => {
  const res = await fetch(`${running.url}/api/v1/events?token=${TOKEN}`);
  expect(res.status).toBe(200);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  let ended = false;
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) break;
      text += decoder.decode(value);
    }
    ended = true;
  })();
  await waitFor("the stream's first line", () => text.includes(": connected"));
  // opened after the stream, answered, then idle: once the service has closed it, the stream has been
  // quiet longer than the idle timeout (its keep-alive every 15 s: test/api/events.test.ts)
  const port = Number(new URL(running.url).port);
  const idle = new RawConnection(port, getRequest(port, "/health"));
  await idle.closed;
  expect(idle.closedByService).toBe(true);
  expect(ended).toBe(false);
  expect(text).toContain(": connected");
  expect(ended).toBe(false);
  await reader.cancel();
});

test("?token= is checked, and taken on the event stream only", async () => {
  expect((await fetch(`${running.url}/api/v1/events?token=wrong-token-xxxxxxx`)).status).toBe(401);
  expect((await fetch(`${running.url}/api/v1/events`)).status).toBe(401);
  expect((await fetch(`${running.url}/api/v1/task?token=${TOKEN}`)).status).toBe(401);
});
