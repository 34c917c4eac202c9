// Node-to-node HTTP: a request passed on to the node that holds a phone keeps its method, path, query and
// body, carries the farm's token and the forwarded mark, and comes back as the other node answered; a node
// that cannot be reached is a 50302 that names it.
import { afterAll, expect, test } from "bun:test";
import { nodeUrlOf, parseConfig } from "../../src/config.ts";
import { Code } from "../../src/errors.ts";
import { FORWARDED_HEADER, Peers } from "../../src/http/peers.ts";
import type { NodeRow } from "../../src/store/schema.ts";

const seen: { method: string; url: string; auth: string | null; by: string | null; body: string }[] = [];
const other = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch(req) {
    seen.push({
      method: req.method,
      url: req.url,
      auth: req.headers.get("authorization"),
      by: req.headers.get(FORWARDED_HEADER),
      body: await req.text(),
    });
    return new Response("png-bytes", { status: 201, headers: { "content-type": "image/png" } });
  },
});
afterAll(() => other.stop(true));

const row = (name: string, url: string | null): NodeRow => ({
  name,
  url,
  version: "1",
  startedAt: 0,
  heartbeatAt: 1_700_000_000_000,
});
const nodes = new Map<string, NodeRow>([
  ["pc-b", row("pc-b", `http://127.0.0.1:${other.port}`)],
  ["pc-local", row("pc-local", null)],
  ["pc-gone", row("pc-gone", "http://127.0.0.1:9")],
  ["pc-off", row("pc-off", "http://127.0.0.1:9")],
]);
const peers = new Peers({
  self: "pc-a",
  token: "farm-token-123",
  nodes: { get: async (name) => nodes.get(name) },
  stopped: (name) => name === "pc-gone",
});

test("a request is passed on whole, with the token and the mark, and answered as the holder answered", async () => {
  const request = new Request("http://127.0.0.1:50809/api/v1/device/abc/fast-ui?x=1", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer the-callers-own" },
    body: JSON.stringify({ enabled: true }),
  });
  const answer = await peers.forward("pc-b", request);
  expect(answer.status).toBe(201);
  expect(answer.headers.get("content-type")).toBe("image/png");
  expect(await answer.text()).toBe("png-bytes");
  expect(seen.at(-1)).toEqual({
    method: "POST",
    url: `http://127.0.0.1:${other.port}/api/v1/device/abc/fast-ui?x=1`,
    auth: "Bearer farm-token-123",
    by: "pc-a",
    body: '{"enabled":true}',
  });
});

test("only another named node's things are elsewhere, and never for a request already passed on", () => {
  const passed = new Request("http://x/", { headers: { [FORWARDED_HEADER]: "pc-b" } });
  expect(peers.elsewhere("pc-b")).toBe(true);
  expect(peers.elsewhere("pc-a")).toBe(false);
  expect(peers.elsewhere(null)).toBe(false);
  expect(peers.elsewhere("pc-b", passed)).toBe(false);
});

test("a node that takes the connection and never answers is given up after the wait, naming it", async () => {
  const mute = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  try {
    const quick = new Peers({
      self: "pc-a",
      token: null,
      nodes: { get: async (name) => row(name, `http://127.0.0.1:${mute.port}`) },
      stopped: () => false,
      answerWaitMs: 200,
    });
    const error = await quick.fetch("pc-mute", "/api/v1/device/x/screenshot").catch((e) => e);
    expect(error).toMatchObject({ code: Code.nodeUnavailable, data: { node: "pc-mute" } });
    expect(error.message).toBe(
      `node pc-mute (http://127.0.0.1:${mute.port}) did not answer: no answer within 0.2 s`,
    );
  } finally {
    mute.stop(true);
  }
});

test("a stopped, local-only, unknown or silent node is a 50302 naming it", async () => {
  const fail = (name: string) =>
    peers.fetch(name, "/api/v1/health").then(
      () => null,
      (e) => ({ code: e.code, message: e.message as string, data: e.data }),
    );
  const gone = await fail("pc-gone");
  expect(gone).toMatchObject({ code: Code.nodeUnavailable, data: { node: "pc-gone" } });
  expect(gone?.message).toContain("node pc-gone has stopped");
  expect((await fail("pc-local"))?.message).toContain("--host 0.0.0.0 --token");
  expect((await fail("pc-x"))?.message).toBe("node pc-x is not on this farm");
  expect((await fail("pc-off"))?.message).toContain("node pc-off (http://127.0.0.1:9) did not answer");
});

test("--node-url: given, or from --host with a database; null on loopback; its host is accepted", () => {
  const lan = {
    lo: [{ address: "127.0.0.1", family: "IPv4", internal: true }],
    eth0: [
      { address: "fe80::1", family: "IPv6", internal: false },
      { address: "2001:db8::5", family: "IPv6", internal: false },
      { address: "192.168.1.20", family: "IPv4", internal: false },
    ],
  } as never;
  expect(nodeUrlOf("127.0.0.1", 50809, lan)).toBeNull();
  expect(nodeUrlOf("0.0.0.0", 50809, lan)).toBe("http://192.168.1.20:50809");
  expect(nodeUrlOf("10.0.0.7", 1234, lan)).toBe("http://10.0.0.7:1234");
  expect(
    nodeUrlOf("::", 1, { eth0: [{ address: "2001:db8::5", family: "IPv6", internal: false }] } as never),
  ).toBe("http://[2001:db8::5]:1");
  const db = ["--database", "postgres://u:p@db:5432/farm", "--token", "tok-12345"];
  const run = (argv: string[]) => {
    const r = parseConfig(argv, {});
    if (r.kind !== "run") throw new Error(r.kind);
    return r.config;
  };
  expect(run(db).nodeUrl).toBeNull();
  expect(run([...db, "--host", "10.0.0.7"]).nodeUrl).toBe("http://10.0.0.7:50809");
  const given = run([...db, "--node-url", "http://farm-pc-2.lan:8080"]);
  expect(given.nodeUrl).toBe("http://farm-pc-2.lan:8080");
  expect(given.allowedHosts).toContain("farm-pc-2.lan");
  expect(run(["--host", "10.0.0.7", "--token", "tok-12345"]).nodeUrl).toBeNull();
  expect(() => run(["--node-url", "http://pc:1/api"])).toThrow(
    '--node-url: "http://pc:1/api" is not http://HOST:PORT',
  );
});
