// The event stream's keep-alive, on the service's clock: a quiet stream gets a comment line every 15 s
// and stays open (that it outlives the idle timeout of a real socket is test/e2e/events.test.ts's).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { KEEPALIVE_MS } from "../../src/http/events.ts";
import { ManualClock } from "../../src/tasks/clock.ts";
import { startTestService, type TestService } from "../helpers/service.ts";
import { waitFor } from "../helpers/wait.ts";

const clock = new ManualClock(Date.parse("2026-11-28T09:00:00.000Z"));
let s: TestService;

beforeAll(async () => {
  s = await startTestService({}, { clock });
});
afterAll(async () => {
  await s.stop();
});

test("a stream quiet for 31 s is still open, with a keep-alive comment at 15 s and at 30 s", async () => {
  expect(KEEPALIVE_MS).toBe(15_000);
  const res = await s.app.handle(new Request("http://localhost/api/v1/events"));
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
  const keepAlives = () => text.match(/: keep-alive/g)?.length ?? 0;
  await waitFor("the stream's first line", () => text.includes(": connected"));
  clock.advance(15_000);
  await waitFor("the keep-alive at 15 s", () => keepAlives() === 1);
  clock.advance(15_000);
  await waitFor("the keep-alive at 30 s", () => keepAlives() === 2);
  clock.advance(1_000);
  expect(keepAlives()).toBe(2);
  expect(ended).toBe(false);
  await reader.cancel();
});
