// POST and DELETE /api/v1/device/{serial}/fast-ui without phones: the choice is kept per phone (in
// DATA_DIR/fast-ui.json, ahead of --fast-ui) and shown in GET /device; a bad body, an unknown phone, an offline
// phone's removal are refused with their envelopes.
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestService, type TestService } from "../helpers/service.ts";

let service: TestService | undefined;
afterEach(async () => {
  await service?.stop();
  service = undefined;
});

const OFF = { enabled: false, state: "off", reason: null, retry_at: null };

describe("fast UI per phone", () => {
  test("off by default; turned on for one phone, remembered, listed; --fast-ui turns it on for the others", async () => {
    service = await startTestService();
    await service.addDevice("A", "offline");
    await service.addDevice("B", "offline");
    const list = async () =>
      Object.fromEntries(
        (await service?.call("GET", "/api/v1/device"))?.body.data.devices.map(
          (d: { serial: string; fast_ui: unknown }) => [d.serial, d.fast_ui],
        ),
      );
    expect(await list()).toEqual({ A: OFF, B: OFF });
    const on = await service.call("POST", "/api/v1/device/A/fast-ui", { enabled: true });
    expect(on.body).toEqual({ code: 0, message: "success", data: { ...OFF, enabled: true } });
    expect(await list()).toEqual({ A: { ...OFF, enabled: true }, B: OFF });
    expect((await service.call("GET", "/api/v1/device/A")).body.data.fast_ui.enabled).toBe(true);
    expect(JSON.parse(readFileSync(join(service.dir, "fast-ui.json"), "utf8"))).toEqual({ A: true });
    await service.call("POST", "/api/v1/device/B/fast-ui", { enabled: false });
    const saved = readFileSync(join(service.dir, "fast-ui.json"), "utf8");
    expect(JSON.parse(saved)).toEqual({ A: true, B: false });

    // a new start on those choices: each phone's own wins over --fast-ui
    const dir = mkdtempSync(join(tmpdir(), "farm-fast-ui-api-"));
    writeFileSync(join(dir, "fast-ui.json"), saved);
    const again = await startTestService({ dataDir: dir, fastUi: true });
    try {
      for (const serial of ["A", "B", "C"]) await again.addDevice(serial, "offline");
      const devices = (await again.call("GET", "/api/v1/device")).body.data.devices;
      expect(devices.map((d: { fast_ui: { enabled: boolean } }) => d.fast_ui.enabled)).toEqual([
        true,
        false,
        true,
      ]);
    } finally {
      await again.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("refusals: a body that is not {enabled: boolean}, a phone never seen, removal from an offline phone", async () => {
    service = await startTestService();
    await service.addDevice("A", "offline");
    const bad = await service.call("POST", "/api/v1/device/A/fast-ui", { enabled: "yes" });
    expect({ status: bad.status, code: bad.body.code }).toEqual({ status: 400, code: 40001 });
    const extra = await service.call("POST", "/api/v1/device/A/fast-ui", { enabled: true, all: true });
    expect(extra.body.code).toBe(40001);
    const unknown = await service.call("POST", "/api/v1/device/NOPE/fast-ui", { enabled: true });
    expect({ status: unknown.status, code: unknown.body.code }).toEqual({ status: 404, code: 40401 });
    expect((await service.call("DELETE", "/api/v1/device/NOPE/fast-ui")).body.code).toBe(40401);
    await service.call("POST", "/api/v1/device/A/fast-ui", { enabled: true });
    const offline = await service.call("DELETE", "/api/v1/device/A/fast-ui");
    expect({ status: offline.status, code: offline.body.code }).toEqual({ status: 409, code: 40901 });
    expect(offline.body.message).toContain("not online");
    // turned off all the same
    expect((await service.call("GET", "/api/v1/device/A")).body.data.fast_ui).toEqual(OFF);
  });
});
