// The live event stream of the compiled executable stays open through long quiet, and a browser's
// EventSource (no headers) can give the token as ?token= on this endpoint only.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBinary, type Running, startBinary } from "../helpers/binary.ts";

const TOKEN = "s3cret-token-for-events";
let dir: string;
let running: Running;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "farm-events-"));
  const binary = join(dir, "farm-tasks");
  copyFileSync(await buildBinary(), binary);
  running = await startBinary(binary, ["--data-dir", join(dir, "data"), "--token", TOKEN], dir);
});
afterAll(async () => {
  running.proc.kill("SIGTERM");
  await running.proc.exited;
  rmSync(dir, { recursive: true, force: true });
});

test("a stream quiet for 31 s is still open (keep-alive comments, no cut at Bun's 10 s idle timeout)", async () => {
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
  await Bun.sleep(31_000);
  expect(ended).toBe(false);
  expect(text).toContain(": connected");
  expect(text.match(/: keep-alive/g)?.length).toBe(2); // at 15 s and 30 s
  expect(ended).toBe(false);
  await reader.cancel();
}, 60_000);

test("?token= is checked, and taken on the event stream only", async () => {
  expect((await fetch(`${running.url}/api/v1/events?token=wrong-token-xxxxxxx`)).status).toBe(401);
  expect((await fetch(`${running.url}/api/v1/events`)).status).toBe(401);
  expect((await fetch(`${running.url}/api/v1/task?token=${TOKEN}`)).status).toBe(401);
});
