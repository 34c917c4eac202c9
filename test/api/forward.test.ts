// One PC on SQLite has no other node: nothing is passed on, whatever a phone's row says, and a `node` that
// names another PC is refused, changing nothing.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { DeviceStore } from "../../src/store/devices.ts";
import { startTestService, type TestService } from "../helpers/service.ts";

let s: TestService;

beforeAll(async () => {
  s = await startTestService();
});
afterAll(() => s.stop());

test("a phone another node held is answered here on SQLite", async () => {
  await s.addDevice("FWSOLO1", "offline");
  // a row written under another name (this PC renamed, or a copied database)
  await new DeviceStore(s.db, "pc-gone").upsert((await s.devices.get("FWSOLO1"))!);
  const shot = await s.call("GET", "/api/v1/device/FWSOLO1/screenshot");
  expect(shot.body).toMatchObject({ code: 40901, message: "device 'FWSOLO1' is not online" });
  const off = await s.call("DELETE", "/api/v1/device/FWSOLO1/fast-ui");
  expect(off.body.code).toBe(40901);
});

test("connect with ?node= on a PC on its own: 40001 naming the field, nothing attached", async () => {
  const r = await s.call("POST", "/api/v1/device/connect?node=pc-2", { host: "127.0.0.1", port: 9 });
  expect(r.status).toBe(400);
  expect(r.body.message).toBe(
    'node: unknown node "pc-2": this service is one PC on its own (no --database): it has no other node',
  );
  expect(r.body.data.errors).toEqual([
    {
      path: "/query/node",
      message: 'unknown node "pc-2": this service is one PC on its own (no --database): it has no other node',
    },
  ]);
  expect(
    (await s.call("GET", "/api/v1/device")).body.data.devices.map((d: { serial: string }) => d.serial),
  ).toEqual(["FWSOLO1"]);
});
