// A service on a temp data folder, driven through app.handle (no socket), for the API tests.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Config, defaultConfig } from "../../src/config.ts";
import { silentLogger } from "../../src/log.ts";
import { createService, type Service, type ServiceOptions } from "../../src/server.ts";

export interface Answer {
  status: number;
  body: { code: number; message: string; data: any };
  headers: Headers;
}

export interface TestService extends Omit<Service, "stop"> {
  dir: string;
  config: Config;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer>;
  /** Makes the service know a phone, as the fleet will once phones are attached. */
  addDevice(serial: string, state?: "online" | "offline" | "unauthorized"): Promise<void>;
  /** Creates a test_sleep task of `seconds` on the phone (the test scripts registered); its id. */
  sleepTask(serial: string, seconds: number): Promise<number>;
  stop(): Promise<void>;
}

export async function startTestService(
  overrides: Partial<Config> = {},
  options: ServiceOptions = {},
): Promise<TestService> {
  const dir = mkdtempSync(join(tmpdir(), "farm-test-"));
  const config: Config = { ...defaultConfig(), dataDir: dir, timezone: "Europe/Madrid", ...overrides };
  const service = await createService(config, { log: silentLogger, ...options });
  const call: TestService["call"] = async (method, path, body, headers = {}) => {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === "string" ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)["content-type"] ??= "application/json";
    }
    const res = await service.app.handle(new Request(`http://localhost${path}`, init));
    const text = await res.text();
    let parsed: Answer["body"];
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = { code: -1, message: text, data: null };
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  return {
    ...service,
    dir,
    config,
    call,
    addDevice(serial, state = "online") {
      const now = Date.now();
      return service.devices.upsert({
        serial,
        transport: "usb",
        state,
        model: "Pixel 7",
        brand: "google",
        androidVersion: "14",
        sdk: 34,
        screenWidth: 1080,
        screenHeight: 2400,
        battery: 80,
        hint: null,
        lastSeen: now,
      });
    },
    async sleepTask(serial, seconds) {
      const r = await call("POST", "/api/v1/task", {
        serials: [serial],
        script_name: "test_sleep",
        script_config: { seconds },
      });
      if (r.body.code !== 0) throw new Error(`task not created on ${serial}: ${r.body.message}`);
      return r.body.data.task_ids[0] as number;
    },
    async stop() {
      await service.stop(0);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
