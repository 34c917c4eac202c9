// The service log an operator reads, through the executable: each task's start and end (id, phone, account,
// script, outcome, duration, reason), automatic and asked-for retries and phone state changes, one line
// each, in DATA_DIR/logs/farm.log and in GET /api/v1/logs; `--log-level warn` keeps only warnings and errors.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AdbServer, startAdbServer } from "../helpers/adb.ts";
import { buildBinary, call, type Running, startBinary } from "../helpers/binary.ts";
import { waitFor } from "../helpers/wait.ts";

interface Line {
  time: string;
  level: string;
  task?: number;
  phone?: string;
  message: string;
  line: string;
}

let dir: string;
let adb: AdbServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "farm-logs-e2e-"));
  adb = await startAdbServer();
});
afterAll(async () => {
  await adb?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const stop = async (running: Running) => {
  running.proc.kill("SIGTERM");
  await running.proc.exited;
};

/** The executable with two demo phones and test_sleep, on a data folder of its own. */
async function start(name: string, args: string[] = []) {
  const dataDir = join(dir, name);
  const running = await startBinary(
    await buildBinary(),
    [
      "--adb",
      `127.0.0.1:${adb.port}`,
      "--data-dir",
      dataDir,
      "--simulate",
      "2",
      "--retry-max",
      "1",
      "--retry-delay",
      "0-0",
      ...args,
    ],
    dir,
    { FARM_TEST_SCRIPTS: "1" },
  );
  const api = async (method: string, path: string, body?: unknown) =>
    (await call(running.url, method, path, body)).body;
  // from the API: at --log-level warn the demo's announcement (info) is not written
  const phones = await waitFor(
    "the demo's phones online",
    async () => {
      const devices = (await api("GET", "/api/v1/device")).data.devices as {
        serial: string;
        state: string;
      }[];
      const online = devices.filter((d) => d.state === "online").map((d) => d.serial);
      return online.length === 2 && online.sort();
    },
    20_000,
  ).catch(async (e) => {
    await stop(running);
    throw e;
  });
  const create = async (serial: string, script_config: Record<string, unknown>) => {
    const r = await api("POST", "/api/v1/task", {
      serials: [serial],
      script_name: "test_sleep",
      script_config,
    });
    expect({ code: r.code, message: r.message }).toEqual({ code: 0, message: "success" });
    return r.data.task_ids[0] as number;
  };
  const ended = (id: number) =>
    waitFor(
      `task ${id} to end`,
      async () => (await api("GET", `/api/v1/task/${id}`)).data.status >= 2,
      30_000,
    );
  const file = join(dataDir, "logs", "farm.log");
  return { running, phones, api, create, ended, file };
}

describe("at the default level", () => {
  let s: Awaited<ReturnType<typeof start>>;
  let ok: number;
  let failing: number;
  let flaky: number;

  beforeAll(async () => {
    s = await start("info");
    const [one = "", two = ""] = s.phones;
    ok = await s.create(one, { seconds: 0 });
    failing = await s.create(two, { fail: "permanent" });
    // fails once, is retried automatically at once, then completes
    flaky = await s.create(one, { fail: "retryable", fail_until_retry: 1 });
    await Promise.all([s.ended(ok), s.ended(failing)]);
    await waitFor(
      "the flaky task to complete on its retry",
      async () => (await s.api("GET", `/api/v1/task/${flaky}`)).data.status === 2,
      30_000,
    );
    // a person retries the failed one; it fails again
    expect((await s.api("POST", `/api/v1/task/${failing}/retry`)).code).toBe(0);
    await waitFor(
      "the retried task to fail again",
      async () => (await s.api("GET", `/api/v1/task/${failing}`)).data.status === 3,
      30_000,
    );
  }, 120_000);
  afterAll(() => stop(s.running));

  /** What the file says about `task`: its lines' words after the level. */
  const about = (text: string, task: number) =>
    text.split("\n").filter((l) => new RegExp(`^\\S+ \\w+ +task ${task} phone `).test(l));

  test("the file has one start and one end line per run, with the fields, time-stamped and levelled", () => {
    const text = readFileSync(s.file, "utf8");
    const [one, two] = s.phones;
    expect(about(text, ok)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^\\d{4}-\\d\\d-\\d\\dT\\S+Z info  task ${ok} phone ${one}: started script=test_sleep account=- retry=0$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `info  task ${ok} phone ${one}: ended script=test_sleep account=- outcome=completed duration_s=\\d+\\.\\d$`,
        ),
      ),
    ]);
    const failed = about(text, failing);
    expect(failed).toEqual([
      expect.stringContaining(
        `info  task ${failing} phone ${two}: started script=test_sleep account=- retry=0`,
      ),
      expect.stringMatching(
        /warn {2}task \d+ phone \S+: ended script=test_sleep account=- outcome=failed reason=script class=permanent duration_s=\d+\.\d message="asked to fail \(permanent\)"$/,
      ),
      expect.stringContaining(`info  task ${failing} phone ${two}: retry 1 asked for`),
      expect.stringContaining(`started script=test_sleep account=- retry=1`),
      expect.stringContaining("outcome=failed reason=script class=permanent"),
    ]);
    const retried = about(text, flaky).map((l) => l.replace(/^\S+ /, ""));
    expect(retried).toEqual([
      expect.stringContaining("started script=test_sleep account=- retry=0"),
      expect.stringContaining("outcome=failed reason=script class=retryable"),
      expect.stringContaining("retrying automatically in 0 s (retry 1 of 1)"),
      expect.stringContaining("started script=test_sleep account=- retry=1"),
      expect.stringContaining("outcome=completed"),
    ]);
  });

  test("the file says each phone's state changes and where the service listens", () => {
    const text = readFileSync(s.file, "utf8");
    expect(text).toContain("listening on http://");
    for (const phone of s.phones) expect(text).toContain(`info  phone ${phone}: online\n`);
  });

  test("GET /api/v1/logs answers the same lines, filtered by level, time and count", async () => {
    const all = (await s.api("GET", "/api/v1/logs?limit=1000")).data as { lines: Line[]; file: string };
    expect(all.file).toBe(s.file);
    const fileLines = readFileSync(s.file, "utf8").split("\n").filter(Boolean);
    // the tail is the file's lines since this start, in the same words
    expect(all.lines.map((l) => l.line)).toEqual(fileLines.slice(-all.lines.length));
    const end = all.lines.find((l) => l.task === ok && l.message.startsWith("ended"));
    expect(end).toMatchObject({ level: "info", task: ok, phone: s.phones[0] });

    const warnings = (await s.api("GET", "/api/v1/logs?level=warn")).data.lines as Line[];
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.every((l) => l.level === "warn" || l.level === "error")).toBe(true);
    expect(warnings.map((l) => l.task)).toContain(failing);

    const last = all.lines.at(-1) as Line;
    const since = (await s.api("GET", `/api/v1/logs?since=${encodeURIComponent(last.time)}`)).data.lines;
    expect(since.map((l: Line) => l.line)).toContain(last.line);
    expect(since.length).toBeLessThan(all.lines.length);
    const inMs = (await s.api("GET", `/api/v1/logs?since=${Date.parse(last.time)}`)).data.lines;
    expect(inMs).toEqual(since);
    expect((await s.api("GET", "/api/v1/logs?limit=2")).data.lines).toEqual(all.lines.slice(-2));
  });

  test("a bad query is refused with what was wrong", async () => {
    for (const [query, field] of [
      ["since=yesterday", "since"],
      ["since=2026-13-45T99:00:00Z", "since"],
      ["level=loud", "level"],
      ["limit=0", "limit"],
      ["limit=1001", "limit"],
    ]) {
      const r = await call(s.running.url, "GET", `/api/v1/logs?${query}`);
      expect({ query, status: r.status, code: r.body.code }).toEqual({ query, status: 400, code: 40001 });
      expect(r.body.message).toStartWith(`${field}: `);
    }
  });

  test("a phone going away is a warning line", async () => {
    const [host, port] = (s.phones[1] ?? "").split(":");
    expect((await s.api("POST", "/api/v1/device/disconnect", { host, port: Number(port) })).code).toBe(0);
    await waitFor("the phone's offline line", () =>
      readFileSync(s.file, "utf8").includes(`warn  phone ${s.phones[1]}: offline\n`),
    );
  });
});

test("--log-level warn keeps warnings and errors only, in the file and in the API", async () => {
  const s = await start("warn", ["--log-level", "warn"]);
  try {
    const [one = "", two = ""] = s.phones;
    const ok = await s.create(one, { seconds: 0 });
    const failing = await s.create(two, { fail: "permanent" });
    await Promise.all([s.ended(ok), s.ended(failing)]);
    const text = readFileSync(s.file, "utf8");
    // the start-up line is written whatever the level: it says where the service listens
    const lines = text.split("\n").filter((l) => l && !l.includes("listening on http://"));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((l) => !/^\S+ (warn |error) /.test(l))).toEqual([]);
    expect(text).toContain(`task ${failing} phone ${two}: ended script=test_sleep`);
    expect(text).not.toContain(`task ${ok} `);
    const api = (await s.api("GET", "/api/v1/logs")).data.lines as Line[];
    expect(api.filter((l) => l.level === "info" && !l.message.includes("listening on"))).toEqual([]);
  } finally {
    await stop(s.running);
  }
}, 120_000);
