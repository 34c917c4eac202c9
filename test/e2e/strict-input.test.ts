// The compiled executable over real HTTP: numbers in paths and queries are plain decimal digits, hostile
// bodies are refused cheaply, the Content-Type and Host are checked, and every answer forbids framing.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { call, type ServiceProcess, startService } from "../helpers/binary.ts";

let running: ServiceProcess;
const api = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  call(running.url, method, path, body, headers);

beforeAll(async () => {
  running = await startService([], { devices: ["PHONE1"] });
});
afterAll(() => running.stop());

/** Peak resident memory of the service so far (kB), from the kernel's own account. */
function peakKb(): number {
  const status = readFileSync(`/proc/${running.proc.pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
}

/** A request written byte by byte, for what fetch would never send; resolves with the whole answer. */
function raw(text: string): Promise<string> {
  const { port } = new URL(running.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1", () => socket.end(text));
    let answer = "";
    socket.on("data", (d) => {
      answer += d.toString();
    });
    socket.on("end", () => resolve(answer));
    socket.on("error", reject);
  });
}

describe("numbers in paths and queries", () => {
  test("task ids are plain decimal digits from 1 up to 2^53: anything else is 40001, and nothing is touched", async () => {
    const created = await api("POST", "/api/v1/task", {
      serials: ["PHONE1"],
      script_name: "follow",
      script_config: { target_users: Array.from({ length: 20 }, (_, i) => `user${i}`) },
    });
    expect(created.body.data.task_ids).toContain(16);
    const stats = (await api("GET", "/api/v1/task/stats")).body.data;
    for (const id of ["0x10", "1e1", "+16", "016", "%2016", "16.0", "0", "-16", "9007199254740993", "abc"]) {
      for (const [method, path] of [
        ["GET", `/api/v1/task/${id}`],
        ["DELETE", `/api/v1/task/${id}`],
        ["POST", `/api/v1/task/${id}/stop`],
        ["POST", `/api/v1/task/${id}/retry`],
        ["GET", `/api/v1/task/${id}/screenshot`],
      ] as const) {
        const r = await api(method, path);
        expect({ id, method, path, status: r.status, code: r.body.code }).toEqual({
          id,
          method,
          path,
          status: 400,
          code: 40001,
        });
        expect(r.body.message).toBe("task_id: must be a whole number from 1 to 9007199254740991");
      }
    }
    expect((await api("GET", "/api/v1/task/stats")).body.data).toEqual(stats);
    expect((await api("GET", "/api/v1/task/16")).body.data.id).toBe(16);
    expect((await api("DELETE", "/api/v1/task/16")).body.code).toBe(0);
    expect((await api("GET", "/api/v1/task/9007199254740991")).body.code).toBe(40401);
  });

  test("account ids too", async () => {
    for (const id of ["0x1", "1e0", "+1", "01", "0", "9007199254740992"]) {
      const r = await api("DELETE", `/api/v1/accounts/${id}`);
      expect(r.body.code).toBe(40001);
      expect(r.body.message).toBe("id: must be a whole number from 1 to 9007199254740991");
    }
  });

  test("query integers: each refusal names the field and its range", async () => {
    const cases: [string, string][] = [
      ["/api/v1/task?page_size=0", "page_size: must be a whole number from 1 to 100"],
      ["/api/v1/task?page_size=101", "page_size: must be a whole number from 1 to 100"],
      ["/api/v1/task?page_size=-1", "page_size: must be a whole number from 1 to 100"],
      ["/api/v1/task?page_size=1e1", "page_size: must be a whole number from 1 to 100"],
      ["/api/v1/task?page_size=010", "page_size: must be a whole number from 1 to 100"],
      ["/api/v1/task?page_size=%2010", "page_size: must be a whole number from 1 to 100"],
      ["/api/v1/task?page_size=", "page_size: must be a whole number from 1 to 100"],
      ["/api/v1/task?page=-1", "page: must be a whole number from 1 to 10000000"],
      ["/api/v1/task?page=1e18", "page: must be a whole number from 1 to 10000000"],
      ["/api/v1/task?page=0x2", "page: must be a whole number from 1 to 10000000"],
      ["/api/v1/task?page=1.0", "page: must be a whole number from 1 to 10000000"],
      ["/api/v1/task?status=9", "status: must be a whole number from 0 to 3"],
      ["/api/v1/task?status=+1", "status: must be a whole number from 0 to 3"],
      ["/api/v1/accounts?page=2&page_size=101", "page_size: must be a whole number from 1 to 100"],
      ["/api/v1/accounts?logined=01", "logined: must be a whole number from 0 to 1"],
      ["/api/v1/accounts?status=2", "status: must be a whole number from 0 to 1"],
    ];
    for (const [path, message] of cases) {
      const r = await api("GET", path);
      expect({ path, status: r.status, code: r.body.code, message: r.body.message }).toEqual({
        path,
        status: 400,
        code: 40001,
        message,
      });
    }
    const page = await api("GET", "/api/v1/task?page=2&page_size=5&status=0");
    expect(page.body.data).toMatchObject({ page: 2, page_size: 5, total: 19 });
    expect(page.body.data.tasks).toHaveLength(5);
  });
});

describe("bodies", () => {
  test("20,000 nested arrays are refused before parsing, without memory growth; 32 levels are fine", async () => {
    const before = peakKb();
    const nested = `{"task_ids":${"[".repeat(20_000)}${"]".repeat(20_000)}}`;
    const answers = await Promise.all([0, 1, 2].map(() => api("DELETE", "/api/v1/task/batch", nested)));
    for (const r of answers) {
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ code: 40001, message: "body: nested deeper than 32 levels", data: null });
    }
    // the unguarded service took 2.5 GB for one such body
    expect(peakKb() - before).toBeLessThan(64 * 1024);
    const deepButAllowed = `{"task_ids":${"[".repeat(31)}${"]".repeat(31)}}`;
    const r = await api("DELETE", "/api/v1/task/batch", deepButAllowed);
    expect(r.body.code).toBe(40001);
    expect(r.body.message).toMatch(/^task_ids\.0: /);
  });

  test("a __proto__ field is refused at any depth, also spelt with escapes, naming where; nothing is created", async () => {
    const stats = (await api("GET", "/api/v1/task/stats")).body.data;
    const task = '"serials": ["PHONE1"], "script_name": "follow"';
    for (const [method, path, body, field] of [
      [
        "POST",
        "/api/v1/task",
        `{"__proto__": {"admin": true}, ${task}, "script_config": {"target_users": ["a"]}}`,
        "__proto__",
      ],
      [
        "POST",
        "/api/v1/task",
        `{"\\u005f_proto__": {}, ${task}, "script_config": {"target_users": ["a"]}}`,
        "__proto__",
      ],
      [
        "POST",
        "/api/v1/task",
        `{${task}, "script_config": {"target_users": ["a"], "__proto__": {}}}`,
        "script_config.__proto__",
      ],
      [
        "POST",
        "/api/v1/task",
        `{${task}, "script_config": {"target_users": [{"__proto__": 1}]}}`,
        "script_config.target_users.0.__proto__",
      ],
      ["DELETE", "/api/v1/task/batch", `{"task_ids": [1], "__proto__": {"task_ids": [2]}}`, "__proto__"],
      ["POST", "/api/v1/task/retry-all", `{"__proto__": {"include_all": true}}`, "__proto__"],
    ] as const) {
      const r = await api(method, path, body);
      expect({ path, status: r.status, body: r.body }).toEqual({
        path,
        status: 400,
        body: {
          code: 40001,
          message: `${field}: is not a known field`,
          data: { errors: [{ path: `/${field.replaceAll(".", "/")}`, message: "is not a known field" }] },
        },
      });
    }
    expect((await api("GET", "/api/v1/task/stats")).body.data).toEqual(stats);
  });

  test("bodies over 1 MiB, also over 8 MiB and chunked, get the 41301 envelope", async () => {
    const stats = (await api("GET", "/api/v1/task/stats")).body.data;
    const huge = JSON.stringify({ serials: ["PHONE1"], script_name: "post", captions: "x".repeat(9 << 20) });
    const declared = await api("POST", "/api/v1/task", huge);
    expect(declared.status).toBe(413);
    expect(declared.body).toEqual({ code: 41301, message: "request body is larger than 1 MiB", data: null });
    const bytes = new TextEncoder().encode(huge);
    const chunked = await fetch(`${running.url}/api/v1/task`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 64 * 1024)
            controller.enqueue(bytes.subarray(i, i + 64 * 1024));
          controller.close();
        },
      }),
    });
    expect(chunked.status).toBe(413);
    expect(((await chunked.json()) as { code: number }).code).toBe(41301);
    expect((await api("GET", "/api/v1/task/stats")).body.data).toEqual(stats);
  });

  test("Content-Type is application/json, optionally with charset=utf-8, and nothing else", async () => {
    const body = JSON.stringify({
      serials: ["PHONE1"],
      script_name: "follow",
      script_config: { target_users: ["a"] },
    });
    for (const type of [
      "application/json",
      "Application/JSON",
      "application/json; charset=utf-8",
      "application/json;charset=UTF-8",
    ]) {
      expect((await api("POST", "/api/v1/task", body, { "content-type": type })).body.code).toBe(0);
    }
    const stats = (await api("GET", "/api/v1/task/stats")).body.data;
    for (const type of [
      "application/jsonx",
      "application/json; charset=utf-16",
      "application/json-patch+json",
      "text/json",
      "text/plain",
      "application/x-www-form-urlencoded",
    ]) {
      const r = await api("POST", "/api/v1/task", body, { "content-type": type });
      expect({ type, code: r.body.code }).toEqual({ type, code: 40001 });
      expect(r.body.message).toStartWith("Content-Type must be application/json");
    }
    expect((await api("GET", "/api/v1/task/stats")).body.data).toEqual(stats);
  });
});

describe("Host", () => {
  test("a malformed or missing Host is refused with 40302", async () => {
    for (const host of ["::1", "localhost@evil.example", "a b", "localhost:50809/x", ""]) {
      const answer = await raw(
        `GET /api/v1/task/stats HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      );
      expect(answer).toStartWith("HTTP/1.1 403");
      expect(answer).toContain('"code":40302');
    }
    for (const path of ["/api/v1/task/stats", "/health"]) {
      const answer = await raw(`GET ${path} HTTP/1.0\r\n\r\n`);
      expect(answer).toStartWith("HTTP/1.1 403");
      expect(answer).toContain('"code":40302');
    }
  });
});

describe("every answer", () => {
  test("forbids framing; the favicon is served", async () => {
    for (const path of [
      "/health",
      "/swagger",
      "/swagger/json",
      "/favicon.ico",
      "/api/v1/task",
      "/api/v1/nope",
      "/api/v1/task/abc",
    ]) {
      const r = await fetch(`${running.url}${path}`);
      await r.arrayBuffer();
      expect({ path, frame: r.headers.get("x-frame-options") }).toEqual({ path, frame: "DENY" });
      expect(r.headers.get("content-security-policy")).toBe("frame-ancestors 'none'");
    }
    const refused = await fetch(`${running.url}/api/v1/task`, { headers: { origin: "http://evil.example" } });
    expect(refused.status).toBe(403);
    expect(refused.headers.get("x-frame-options")).toBe("DENY");
    const icon = await fetch(`${running.url}/favicon.ico`);
    expect(icon.headers.get("content-type")).toBe("image/x-icon");
    const bytes = new Uint8Array(await icon.arrayBuffer());
    expect([...bytes.subarray(0, 4)]).toEqual([0, 0, 1, 0]); // an ICO header
  });
});
