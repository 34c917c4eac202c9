// What the compiled executable keeps open: no connection outlives the idle timeout except an event stream
// the token check let in; streams and connections are capped per client address; a token holder is answered
// through a flood of idle and half-sent connections.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Code } from "../../src/errors.ts";
import { MAX_STREAMS, MAX_STREAMS_PER_CLIENT } from "../../src/http/events.ts";
import { buildBinary, call, type ServiceProcess, startService } from "../helpers/binary.ts";
import { getRequest, openMany, RawConnection } from "../helpers/sockets.ts";
import { waitFor } from "../helpers/wait.ts";

const TOKEN = "conn-test-token-1";
const AUTH = { authorization: `Bearer ${TOKEN}` };
const PER_CLIENT = 12;

const portOf = (s: ServiceProcess) => Number(new URL(s.url).port);
const stream = (port: number, from?: string) =>
  new RawConnection(port, getRequest(port, "/api/v1/events", AUTH), from);
/** A stream the service accepted, once the place an earlier one left is free (its close is seen a moment later). */
const acceptedStream = (port: number, from?: string) =>
  waitFor("a stream accepted", async () => {
    const c = stream(port, from);
    return (await c.received(": connected")) && c;
  });

describe("one service, idle timeout 1 s", () => {
  let s: ServiceProcess;
  let port: number;
  beforeAll(async () => {
    s = await startService(
      ["--token", TOKEN, "--idle-timeout", "1", "--max-connections-per-client", String(PER_CLIENT)],
      // a phone it knows from before, for a task whose events a stream should get
      { devices: ["CONN-1"] },
    );
    port = portOf(s);
  });
  afterAll(() => s?.stop());

  test("1,000 idle connections whose query names /api/v1/events are answered, then closed by the service", async () => {
    const conns = openMany(port, 1000, () => getRequest(port, "/health?x=/api/v1/events"));
    await Promise.all(conns.map((c) => c.closed));
    expect(conns.filter((c) => c.status === 200).length).toBe(1000);
    expect(conns.filter((c) => c.closedByService).length).toBe(1000);
  }, 60_000);

  test("a stream with the token outlives the idle timeout and gets events; one without is refused and closed", async () => {
    const live = await acceptedStream(port);
    // answered after the stream opened and closed for idling: the stream has been quiet for longer than that
    const probe = new RawConnection(port, getRequest(port, "/health"));
    await probe.closed;
    expect(probe.closedByService).toBe(true);
    expect(live.open).toBe(true);

    const created = await call(
      s.url,
      "POST",
      "/api/v1/task",
      { serials: ["CONN-1"], script_name: "follow", script_config: { target_users: ["someone"] } },
      AUTH,
    );
    expect(created.body.code).toBe(0);
    await waitFor("the task's event", () => live.text.includes(`"id":${created.body.data.task_ids[0]}`));
    live.close();

    for (const path of ["/api/v1/events", "/api/v1/events?token=wrong-token-123"]) {
      const refused = new RawConnection(port, getRequest(port, path));
      await refused.closed;
      expect(refused.status).toBe(401);
      expect(refused.code).toBe(Code.unauthorized);
      expect(refused.closedByService).toBe(true);
    }
  }, 60_000);

  test(`past ${MAX_STREAMS_PER_CLIENT} streams from one address, 42901 and closed; one closed frees its place`, async () => {
    const streams: RawConnection[] = [];
    for (let i = 0; i < MAX_STREAMS_PER_CLIENT; i++) streams.push(await acceptedStream(port));

    const refused = stream(port);
    await refused.closed;
    expect(refused.status).toBe(429);
    expect(refused.code).toBe(Code.tooManyConnections);
    expect(refused.text).toContain(`at most ${MAX_STREAMS_PER_CLIENT} per client`);

    streams.pop()?.close();
    const again = await acceptedStream(port);
    for (const c of [...streams, again]) c.close();
  }, 60_000);

  test(`past ${MAX_STREAMS} streams in all, 50301 to any address`, async () => {
    // loopback is 127.0.0.0/8: each source address is another client
    const clients = Math.ceil(MAX_STREAMS / MAX_STREAMS_PER_CLIENT);
    const streams: RawConnection[] = [];
    for (let i = 0; i < MAX_STREAMS; i++)
      streams.push(await acceptedStream(port, `127.0.0.${2 + (i % clients)}`));

    const refused = stream(port, "127.0.0.99");
    await refused.closed;
    expect(refused.status).toBe(503);
    expect(refused.code).toBe(Code.streamsFull);
    for (const c of streams) c.close();
  }, 60_000);

  test(`past --max-connections-per-client (${PER_CLIENT}) open requests from one address, 42901 and closed`, async () => {
    const from = "127.0.0.50";
    // requests in flight: bodies promised and never sent, each holding its connection open
    const slow = Array.from(
      { length: PER_CLIENT },
      () =>
        new RawConnection(
          port,
          `POST /api/v1/task HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nauthorization: Bearer ${TOKEN}\r\n` +
            "content-type: application/json\r\ncontent-length: 100\r\n\r\n{",
          from,
        ),
    );
    // once all are in, the next one from here is refused (a connection: close probe, until then answered)
    const refused = await waitFor("a refusal", async () => {
      const probe = new RawConnection(port, getRequest(port, "/health", { connection: "close" }), from);
      await probe.closed;
      return probe.status === 429 && probe;
    });
    expect(refused.code).toBe(Code.tooManyConnections);
    expect(refused.text).toContain("--max-connections-per-client");
    expect(refused.closedByService).toBe(true);
    // other addresses are not held back
    expect((await call(s.url, "GET", "/api/v1/task", undefined, AUTH)).status).toBe(200);
    expect(slow.every((c) => c.open && c.status === null)).toBe(true);

    slow.pop()?.close();
    await waitFor("an answer in the freed place", async () => {
      const probe = new RawConnection(port, getRequest(port, "/health", { connection: "close" }), from);
      await probe.closed;
      return probe.status === 200;
    });
    for (const c of slow) c.close();
  }, 60_000);
});

test("a token holder is answered through two waves of 1,800 idle and half-sent connections (service limited to 2,048 files)", async () => {
  const binary = await buildBinary();
  // the service's own file limit below the flood's total: connections it kept would starve it
  const s = await startService(["--token", TOKEN, "--idle-timeout", "1"], {
    command: ["sh", "-c", 'ulimit -n 2048 && exec "$0" "$@"', binary],
  });
  const port = portOf(s);
  const kinds = [
    () => getRequest(port, "/health?x=/api/v1/events"), // answered, then idle
    () => `GET /api/v1/task HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n`, // headers never finished
    () => "", // nothing sent
  ];
  try {
    for (let wave = 1; wave <= 2; wave++) {
      const flood = openMany(port, 1800, (i) => (kinds[i % kinds.length] as () => string)());
      await waitFor(
        "the flood's answers",
        () => flood.filter((c) => c.status === 200).length === 600,
        30_000,
      );
      const t0 = performance.now();
      const answer = await call(s.url, "GET", "/api/v1/task", undefined, AUTH);
      console.log(`wave ${wave}: the token holder's answer in ${(performance.now() - t0).toFixed(1)} ms`);
      expect(answer.status).toBe(200);
      expect(answer.body.code).toBe(0);
      if (wave === 1) {
        await Promise.all(flood.map((c) => c.closed));
        expect(flood.filter((c) => c.closedByService).length).toBe(1800);
      } else for (const c of flood) c.close();
    }
  } finally {
    await s.stop();
  }
}, 90_000);
