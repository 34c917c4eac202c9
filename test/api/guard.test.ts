import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateVendorKeys } from "../../src/license/license.ts";
import { testKeys, writeLicense } from "../helpers/license.ts";
import { startTestService, type TestService } from "../helpers/service.ts";

let s: TestService | undefined;
afterEach(() => s?.stop());

const dir = mkdtempSync(join(tmpdir(), "farm-lic-"));
const withLicense = async (payload: Parameters<typeof writeLicense>[1], keys = testKeys) =>
  await startTestService(
    { licenseFile: writeLicense(dir, payload, keys) },
    { licensePublicKey: testKeys.publicKey },
  );

describe("license plans", () => {
  test("no license: the Free plan, API enabled, 2 phones at once", async () => {
    s = await startTestService();
    const r = await s.call("GET", "/api/v1/license/check");
    expect(r.body).toMatchObject({
      code: 0,
      data: { plan_name: "Free", api_enabled: true, device_limit: 2, warning: null },
    });
  });

  test.each([
    ["Pro", 20],
    ["Team", 50],
    ["Business", 100],
  ] as const)("%s: API enabled, device_limit %d", async (plan, limit) => {
    s = await withLicense({ plan, licensee: "Acme" });
    const r = await s.call("GET", "/api/v1/license/check");
    expect(r.body).toMatchObject({
      code: 0,
      data: {
        plan_name: plan,
        api_enabled: true,
        device_limit: limit,
        licensee: "Acme",
        message: "API access enabled",
      },
    });
  });

  test("Starter: every /api/v1 endpoint answers 40301, health still answers", async () => {
    s = await withLicense({ plan: "Starter" });
    const check = await s.call("GET", "/api/v1/license/check");
    expect(check.status).toBe(403);
    expect(check.body).toMatchObject({
      code: 40301,
      data: { plan_name: "Starter", api_enabled: false, device_limit: 5 },
    });
    for (const [m, p] of [
      ["GET", "/api/v1/task"],
      ["POST", "/api/v1/task"],
      ["GET", "/api/v1/task/stats"],
      ["GET", "/api/v1/device"],
      ["GET", "/api/v1/accounts"],
    ]) {
      expect((await s.call(m as string, p as string)).body.code).toBe(40301);
    }
    expect((await s.call("GET", "/health")).status).toBe(200);
  });

  test("expired, tampered or foreign-signed licenses count as none, with a warning", async () => {
    s = await withLicense({ plan: "Business", expires_at: "2020-01-01T00:00:00.000Z" });
    let r = await s.call("GET", "/api/v1/license/check");
    expect(r.body.data).toMatchObject({ plan_name: "Free", device_limit: 2 });
    expect(r.body.data.warning).toMatch(/expired/);
    await s.stop();

    const file = writeLicense(dir, { plan: "Pro" });
    const lic = JSON.parse(readFileSync(file, "utf8"));
    lic.payload = lic.payload.replace('"Pro"', '"Business"');
    writeFileSync(file, JSON.stringify(lic));
    s = await startTestService({ licenseFile: file }, { licensePublicKey: testKeys.publicKey });
    r = await s.call("GET", "/api/v1/license/check");
    expect(r.body.data.plan_name).toBe("Free");
    expect(r.body.data.warning).toMatch(/invalid signature/);
    await s.stop();

    s = await withLicense({ plan: "Team" }, generateVendorKeys());
    r = await s.call("GET", "/api/v1/license/check");
    expect(r.body.data.plan_name).toBe("Free");
    expect(r.body.data.warning).toMatch(/invalid signature/);
  });
});

describe("refusals that protect the operator", () => {
  test("with a token, /api/v1 needs the bearer token; /health and /swagger do not", async () => {
    s = await startTestService({ token: "farm-secret-123" });
    expect((await s.call("GET", "/api/v1/task")).body.code).toBe(40101);
    expect(
      (await s.call("GET", "/api/v1/task", undefined, { authorization: "Bearer wrong-token" })).status,
    ).toBe(401);
    const ok = await s.call("GET", "/api/v1/task", undefined, { authorization: "Bearer farm-secret-123" });
    expect(ok.body.code).toBe(0);
    expect((await s.call("GET", "/health")).status).toBe(200);
    expect((await s.call("GET", "/swagger/json")).status).toBe(200);
  });

  test("a foreign Origin or Host is refused with 40302 and creates nothing", async () => {
    s = await startTestService();
    await s.addDevice("P1");
    const body = { serials: ["P1"], script_name: "follow", script_config: { target_users: ["x"] } };
    const evil = await s.call("POST", "/api/v1/task", body, { origin: "http://evil.example" });
    expect(evil.status).toBe(403);
    expect(evil.body.code).toBe(40302);
    const rebind = await s.call("POST", "/api/v1/task", body, { host: "attacker.example:50809" });
    expect(rebind.body.code).toBe(40302);
    expect((await s.call("GET", "/api/v1/task/stats")).body.data.total).toBe(0);
    const same = await s.call("POST", "/api/v1/task", body, {
      host: "127.0.0.1:50809",
      origin: "http://127.0.0.1:50809",
    });
    expect(same.body.code).toBe(0);
    expect((await s.call("GET", "/health", undefined, { host: "[::1]:50809" })).status).toBe(200);
  });

  test("configured host names are accepted", async () => {
    s = await startTestService({ allowedHosts: ["farm-pc.lan"] });
    expect((await s.call("GET", "/api/v1/task", undefined, { host: "farm-pc.lan:50809" })).body.code).toBe(0);
  });
});

describe("health and docs", () => {
  test("/health reports status, version, uptime and the database", async () => {
    s = await startTestService();
    const r = await s.call("GET", "/health");
    expect(r.body).toMatchObject({
      status: "ok",
      db: "ok",
      version: expect.any(String),
      uptime_s: expect.any(Number),
    });
  });

  test("/swagger serves the UI from inside the service; /swagger/json describes every route", async () => {
    s = await startTestService();
    const ui = await s.app.handle(new Request("http://localhost/swagger"));
    const html = await ui.text();
    expect(html).toContain("/swagger/assets/swagger-ui-bundle.js");
    expect(html).not.toContain("unpkg.com");
    expect(html).not.toContain("cdn.jsdelivr");
    const js = await s.app.handle(new Request("http://localhost/swagger/assets/swagger-ui-bundle.js"));
    expect(js.status).toBe(200);
    expect((await js.text()).length).toBeGreaterThan(500_000);
    const spec = (await s.call("GET", "/swagger/json")).body as unknown as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const paths = Object.keys(spec.paths).sort();
    expect(paths).toEqual(
      [
        "/api/v1/accounts",
        "/api/v1/accounts/{id}",
        "/api/v1/backup",
        "/api/v1/device",
        "/api/v1/device/connect",
        "/api/v1/device/disconnect",
        "/api/v1/device/{serial}",
        "/api/v1/device/{serial}/fast-ui",
        "/api/v1/device/{serial}/screenshot",
        "/api/v1/events",
        "/api/v1/license/check",
        "/api/v1/license/reload",
        "/api/v1/logs",
        "/api/v1/material",
        "/api/v1/material/{id}",
        "/api/v1/material/{id}/file",
        "/api/v1/material/paths-check",
        "/api/v1/task",
        "/api/v1/task/batch",
        "/api/v1/task/retry-all",
        "/api/v1/task/stats",
        "/api/v1/task/{task_id}",
        "/api/v1/task/{task_id}/proof",
        "/api/v1/task/{task_id}/retry",
        "/api/v1/task/{task_id}/screenshot",
        "/api/v1/task/{task_id}/stop",
        "/health",
      ].sort(),
    );
    expect(Object.keys(spec.paths["/api/v1/task"]?.post?.responses ?? {}).sort()).toEqual(
      ["200", "400", "401", "403", "404", "413", "429", "500", "503"].sort(),
    );
  });
});
