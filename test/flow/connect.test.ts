// Connect says when it failed: a refused or silent address is a ConnectError (40001 through the API)
// naming the address and the reason, and nothing is left behind: no fleet entry, no event, no row,
// nothing in the adb server.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultConfig } from "../../src/config.ts";
import { ConnectError, type DeviceInfo, Fleet } from "../../src/devices/index.ts";
import { silentLogger } from "../../src/log.ts";
import { createService } from "../../src/server.ts";
import { ADB, type AdbServer, startAdbServer } from "../helpers/adb.ts";
import { freePort } from "../helpers/ports.ts";

let work: string;
let adb: AdbServer;
let silent: Server;
let silentPort: number;
const sockets: Socket[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "farm-connect-"));
  adb = await startAdbServer();
  // takes the TCP connection, never says a word of ADB (like a wrong port, or a black-holed address)
  silent = createServer((s) => sockets.push(s));
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  silentPort = (silent.address() as { port: number }).port;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  silent?.close();
  await adb?.stop().catch(() => {});
  await rm(work, { recursive: true, force: true });
});

async function adbDevices(): Promise<string> {
  const proc = Bun.spawn([ADB, "-P", String(adb.port), "devices"], { env: adb.env, stdout: "pipe" });
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  return out;
}

for (const direct of [false, true]) {
  describe(`connect ${direct ? "directly" : "through the adb server"}`, () => {
    let fleet: Fleet;
    const changes: DeviceInfo[] = [];

    beforeAll(async () => {
      fleet = new Fleet({
        dataDir: join(work, direct ? "direct" : "server"),
        adbServer: { port: adb.port },
        connectTimeoutMs: 500,
        onChange: (info) => changes.push(info),
        log: silentLogger,
      });
      await fleet.start();
    });
    afterAll(() => fleet?.stop());

    test("a refused port fails at once with the reason, and nothing is kept", async () => {
      const port = await freePort();
      const started = Date.now();
      const error = await fleet.connect("127.0.0.1", port, { direct }).catch((e) => e);
      console.info(
        `[bench] connect to a refused port (${direct ? "direct" : "server"}): ${Date.now() - started} ms`,
      );
      expect(error).toBeInstanceOf(ConnectError);
      expect((error as ConnectError).message).toBe(
        `cannot connect to 127.0.0.1:${port}: connection refused (nothing listens on that port: is wireless debugging on, and the port right?)`,
      );
      expect(fleet.get(`127.0.0.1:${port}`)).toBeUndefined();
      expect(changes.filter((c) => c.serial === `127.0.0.1:${port}`)).toEqual([]);
      expect(await adbDevices()).not.toContain(`127.0.0.1:${port}`);
    });

    test("an address that never speaks ADB fails within a bounded time, and nothing is kept", async () => {
      const serial = `127.0.0.1:${silentPort}`;
      const error = await fleet.connect("127.0.0.1", silentPort, { direct }).catch((e) => e);
      expect(error).toBeInstanceOf(ConnectError);
      expect((error as Error).message).toStartWith(`cannot connect to ${serial}: no ADB answer within `);
      expect(fleet.get(serial)).toBeUndefined();
      await Bun.sleep(1500); // a poll or a retry would bring it back
      expect(fleet.get(serial)).toBeUndefined();
      expect(changes.filter((c) => c.serial === serial)).toEqual([]);
      // the adb server listed it offline after its failed attempt: let go again
      expect(await adbDevices()).not.toContain(serial);
    }, 30_000);

    test("keepTrying lists an unreachable phone offline with the reason instead (reattach after restart)", async () => {
      const port = await freePort();
      const info = await fleet.connect("127.0.0.1", port, { direct, keepTrying: true });
      expect(info.state).toBe("offline");
      expect(info.hint).toContain(`cannot reach 127.0.0.1:${port}: connection refused`);
      await fleet.disconnect("127.0.0.1", port);
      expect(fleet.get(`127.0.0.1:${port}`)).toBeUndefined();
    });
  });
}

test("POST /device/connect to a refused port: 40001 naming the address and the reason, no device row", async () => {
  const dataDir = join(work, "service");
  const service = await createService(
    { ...defaultConfig(), dataDir, timezone: "UTC", adb: { host: "127.0.0.1", port: adb.port } },
    { log: silentLogger },
  );
  try {
    await service.start();
    const port = await freePort();
    for (const direct of [false, true]) {
      const res = await service.app.handle(
        new Request("http://localhost/api/v1/device/connect", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ host: "127.0.0.1", port, direct }),
        }),
      );
      const body = (await res.json()) as { code: number; message: string; data: unknown };
      expect(res.status).toBe(400);
      expect(body.code).toBe(40001);
      expect(body.message).toStartWith(`cannot connect to 127.0.0.1:${port}: connection refused`);
      expect(await service.devices.get(`127.0.0.1:${port}`)).toBeUndefined();
      expect(await service.devices.list()).toEqual([]);
    }
  } finally {
    await service.stop(0);
  }
});
