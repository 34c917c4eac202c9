// The compiled executable, copied alone into an empty folder, over real HTTP, restarted: nothing is lost.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AdbServer, startAdbServer } from "../helpers/adb.ts";
import { addDevices, buildBinary, type Running, startBinary } from "../helpers/binary.ts";
import { TEST_PRIVATE_KEY_FILE } from "../helpers/license.ts";
import { waitFor } from "../helpers/wait.ts";

let dir: string;
let binary: string;
let running: Running | undefined;
let adb: AdbServer;
let args: string[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "farm-e2e-"));
  binary = join(dir, "farm-tasks");
  copyFileSync(await buildBinary(), binary);
  adb = await startAdbServer();
  args = ["--adb", `127.0.0.1:${adb.port}`];
});
afterAll(async () => {
  running?.proc.kill("SIGKILL");
  await adb.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${running?.url}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { code: number; message: string; data: any } };
}

test("--help, --version and bad flags", async () => {
  const run = (args: string[]) => Bun.spawnSync([binary, ...args], { cwd: dir });
  // the version and the commit it was built from (CI clones have git)
  expect(run(["--version"]).stdout.toString().trim()).toMatch(
    /^farm-tasks \d+\.\d+\.\d+ \(commit [0-9a-f]{12}(-dirty)?, test build: trusts the TEST-ONLY license key\)$/,
  );
  expect(run(["--help"]).stdout.toString()).toContain("--data-dir");
  // the licences of what it carries travel inside it: Appium's APKs and Swagger UI are Apache-2.0
  const licences = run(["--licenses"]).stdout.toString();
  for (const head of [
    /^appium-uiautomator2-server \d+\.\d+\.\d+ — Apache-2\.0$/m,
    /^swagger-ui-dist \d+\.\d+\.\d+ — Apache-2\.0$/m,
    /^drizzle-orm \d+\.\d+\.\d+ — Apache-2\.0$/m,
    /^@yume-chan\/adb \d+\.\d+\.\d+ — MIT$/m,
  ])
    expect(licences).toMatch(head);
  expect(licences).toContain("TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION");
  expect(licences).toContain("Permission is hereby granted, free of charge");
  for (const bad of [["--port", "abc"], ["--timezone", "Mars/Olympus"], ["--host", "0.0.0.0"], ["--bogus"]]) {
    const r = run(bad);
    expect(r.exitCode).toBe(2);
    const lines = r.stderr.toString().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^farm-tasks: /);
  }
});

test("alone in an empty folder it migrates its database, serves the API and Swagger, and keeps every task across restarts", async () => {
  running = await startBinary(binary, args, dir);
  expect(readdirSync(join(dir, "data"))).toContain("farm.db");
  const health = await (await fetch(`${running.url}/health`)).json();
  expect(health).toMatchObject({ status: "ok", db: "ok" });
  const ui = await fetch(`${running.url}/swagger`);
  expect(await ui.text()).toContain("swagger-ui-bundle.js");
  expect((await fetch(`${running.url}/swagger/assets/swagger-ui-bundle.js`)).status).toBe(200);
  // the dashboard's files are inside the executable too
  const page = await (await fetch(`${running.url}/`)).text();
  // the bundle of src/ui's modules and its style sheet, as the page names them
  const files = [...page.matchAll(/(?:src|href)="(\/ui\/[\w.-]+\.(?:js|css))"/g)].map((m) => m[1]);
  expect(files).toHaveLength(2);
  for (const file of files) {
    const res = await fetch(`${running.url}${file}`);
    expect({ file, status: res.status, size: (await res.text()).length > 1000 }).toEqual({
      file,
      status: 200,
      size: true,
    });
  }
  expect((await api("GET", "/api/v1/task/stats")).body.data.total).toBe(0);

  // phones are the fleet's business (another test); here the store is told about two, as an earlier run
  // leaves them (a running service holds its database alone)
  running.proc.kill("SIGTERM");
  expect(await running.proc.exited).toBe(0);
  await addDevices(join(dir, "data"), ["E2E-1", "E2E-2"]);
  running = await startBinary(binary, args, dir);

  const ids: number[] = [];
  for (let i = 0; i < 10; i++) {
    const r = await api("POST", "/api/v1/task", {
      serials: ["E2E-1", "E2E-2"],
      script_name: "follow",
      script_config: { target_users: [`user${i}`] },
    });
    expect(r.body.code).toBe(0);
    ids.push(...r.body.data.task_ids);
  }
  await api("POST", `/api/v1/task/${ids[0]}/stop`);
  const bad = await api("POST", "/api/v1/task", {
    serials: ["E2E-1"],
    script_name: "nope",
    script_config: {},
  });
  expect(bad.body.code).toBe(40003);
  const before = (await api("GET", "/api/v1/task?page_size=100")).body.data;
  expect(before.total).toBe(20);

  running.proc.kill("SIGTERM");
  expect(await running.proc.exited).toBe(0);
  running = await startBinary(binary, args, dir);
  const after = (await api("GET", "/api/v1/task?page_size=100")).body.data;
  expect(after.total).toBe(20);
  expect(after.tasks).toEqual(before.tasks);

  // a crash (kill -9) loses nothing acknowledged either
  const more = await api("POST", "/api/v1/task", {
    serials: ["E2E-1"],
    script_name: "follow",
    script_config: { target_users: ["z"] },
  });
  running.proc.kill("SIGKILL");
  await running.proc.exited;
  running = await startBinary(binary, args, dir);
  expect((await api("GET", `/api/v1/task/${more.body.data.task_ids[0]}`)).body.data.status).toBe(0);
  expect((await api("GET", "/api/v1/task/stats")).body.data).toMatchObject({
    total: 21,
    failed: 1,
    pending: 20,
  });
});

test("demo mode: --simulate 2 shows two virtual phones online, and tasks run on them", async () => {
  running?.proc.kill("SIGKILL");
  const demoDir = mkdtempSync(join(tmpdir(), "farm-demo-"));
  try {
    running = await startBinary(binary, [...args, "--simulate", "2", "--data-dir", demoDir], dir, {
      FARM_TEST_SCRIPTS: "1",
    });
    const online = async () =>
      (await api("GET", "/api/v1/device")).body.data.devices.filter(
        (d: { state: string }) => d.state === "online",
      );
    await waitFor("two phones online", async () => (await online()).length >= 2, 15_000).catch(() => {});
    const phones = await online();
    expect(phones).toHaveLength(2);
    expect(phones[0].model).toBeTruthy();
    const r = await api("POST", "/api/v1/task", {
      serials: phones.map((p: { serial: string }) => p.serial),
      script_name: "test_sleep",
      script_config: { seconds: 0 },
    });
    expect(r.body.code).toBe(0);
    // the demo's own match_accounts tasks run too: 2 of those, 2 of ours
    const completed = async () => (await api("GET", "/api/v1/task/stats")).body.data.completed;
    await waitFor("four tasks completed", async () => (await completed()) >= 4, 30_000).catch(() => {});
    expect((await api("GET", "/api/v1/task/stats")).body.data).toMatchObject({ completed: 4, failed: 0 });
    const accounts = (await api("GET", "/api/v1/accounts")).body.data;
    expect(accounts.total).toBe(6);
    running.proc.kill("SIGTERM");
    expect(await running.proc.exited).toBe(0);
    running = undefined;
  } finally {
    rmSync(demoDir, { recursive: true, force: true });
  }
});

test("license keygen and issue: the service honours a license signed with the key it was built with, and no other", async () => {
  running?.proc.kill("SIGKILL");
  running = undefined;
  const keys = join(dir, "vendor");
  const run = (a: string[], env: Record<string, string> = {}) =>
    Bun.spawnSync([binary, ...a], { cwd: dir, env: { ...process.env, ...env } });
  expect(run(["license", "keygen", "--out-dir", keys]).exitCode).toBe(0);
  expect(run(["license", "keygen", "--out-dir", keys]).exitCode).toBe(2); // never overwrites a signing key
  const issue = (key: string, out: string) =>
    run(["license", "issue", "--key", key, "--plan", "Team", "--licensee", "Acme", "--out", out]);
  const vendorSigned = join(dir, "team.json");
  const selfSigned = join(dir, "self.json");
  expect(issue(TEST_PRIVATE_KEY_FILE, vendorSigned).exitCode).toBe(0);
  expect(issue(join(keys, "license-private.pem"), selfSigned).exitCode).toBe(0);
  expect(
    run(["license", "issue", "--key", TEST_PRIVATE_KEY_FILE, "--plan", "Gold", "--licensee", "x"]).exitCode,
  ).toBe(2);
  // no flag replaces the built-in key any more: an unknown flag, exit 2
  const flag = run(["--license-public-key", join(keys, "license-public.pem")]);
  expect(flag.exitCode).toBe(2);
  expect(flag.stderr.toString()).toMatch(/unknown option "--license-public-key"/);

  const licDir = mkdtempSync(join(tmpdir(), "farm-lic-e2e-"));
  try {
    // the test executable was built with the TEST-ONLY key: a license it signed counts
    running = await startBinary(binary, [...args, "--data-dir", licDir, "--license", vendorSigned], dir);
    expect((await api("GET", "/api/v1/license/check")).body.data).toMatchObject({
      plan_name: "Team",
      device_limit: 50,
      licensee: "Acme",
    });
    // a license signed with a key of one's own is none, whatever the environment says
    running.proc.kill("SIGKILL");
    const ownKey = join(keys, "license-public.pem");
    running = await startBinary(binary, [...args, "--data-dir", licDir, "--license", selfSigned], dir, {
      FARM_LICENSE_PUBLIC_KEY: ownKey,
      FARM_VENDOR_PUBLIC_KEY: ownKey,
    });
    const free = (await api("GET", "/api/v1/license/check")).body.data;
    expect(free).toMatchObject({ plan_name: "Free", device_limit: 2 });
    expect(free.warning).toMatch(
      /invalid signature: it was signed with another key \([0-9a-f]{16}\), not the vendor's/,
    );
    expect(running.log()).toMatch(/license: .*signed with another key.*Free plan/);
  } finally {
    running?.proc.kill("SIGKILL");
    running = undefined;
    rmSync(licDir, { recursive: true, force: true });
  }
});
