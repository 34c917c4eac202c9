// GET /device/{serial}/screenshot for a grid of thumbnails: scaled to max_width, one capture shared by
// concurrent requests and reused while younger than max_age_ms (the service's clock), bad queries refused.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { VirtualPhone } from "@farm/virtual-phone";
import { decodePng } from "../../src/devices/screen-image.ts";
import { ManualClock } from "../../src/tasks/clock.ts";
import { type AdbServer, startAdbServer } from "../helpers/adb.ts";
import { startTestService, type TestService } from "../helpers/service.ts";
import { waitFor } from "../helpers/wait.ts";

let adb: AdbServer;
let s: TestService;
let phone: VirtualPhone;
let serial: string;
const clock = new ManualClock(Date.parse("2026-12-07T10:00:00Z"));

beforeAll(async () => {
  adb = await startAdbServer();
  phone = await VirtualPhone.start({
    serial: "SHOT1",
    popups: false,
    packages: ["com.zhiliaoapp.musically"],
  });
  s = await startTestService({ adb: { host: "127.0.0.1", port: adb.port } }, { clock });
  await s.start();
  serial = `${phone.host}:${phone.port}`;
  expect(
    (await s.call("POST", "/api/v1/device/connect", { host: phone.host, port: phone.port })).body.code,
  ).toBe(0);
  await waitFor(
    "online",
    async () => (await s.call("GET", `/api/v1/device/${serial}`)).body.data.state === "online",
    20_000,
  );
});

afterAll(async () => {
  await s?.stop();
  await phone?.stop();
  await adb?.stop();
});

const shot = (query = "") =>
  s.app.handle(new Request(`http://localhost/api/v1/device/${serial}/screenshot${query}`));
const png = async (query = "") => {
  const res = await shot(query);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("image/png");
  const pixels = decodePng(new Uint8Array(await res.arrayBuffer()));
  if (!pixels) throw new Error("not a PNG the service decodes");
  return { pixels, capturedAt: res.headers.get("x-captured-at") };
};
const captures = () => phone.commands.filter((c) => c.command.startsWith("screencap")).length;

describe("screenshots for a grid", () => {
  test("max_width scales the PNG down keeping the aspect ratio, and never up", async () => {
    clock.advance(60_000);
    const thumb = await png("?max_width=240");
    expect([thumb.pixels.width, thumb.pixels.height]).toEqual([240, 533]);
    expect(thumb.capturedAt).toBe(new Date(clock.now()).toISOString());
    const full = await png("?max_width=2000");
    expect([full.pixels.width, full.pixels.height]).toEqual([1080, 2400]);
  });

  test("concurrent requests share one capture; a young one is reused, an old one taken again", async () => {
    clock.advance(60_000);
    const before = captures();
    const [a, b, c] = await Promise.all([
      png("?max_width=240"),
      png("?max_width=240"),
      png("?max_width=120"),
    ]);
    expect(captures()).toBe(before + 1);
    expect(a.pixels.data).toEqual(b.pixels.data);
    expect(c.pixels.width).toBe(120);

    // the screen changes; within the default second the grid still gets the capture it has
    await phone.exec("monkey -p com.zhiliaoapp.musically -c android.intent.category.LAUNCHER 1");
    clock.advance(999);
    expect((await png("?max_width=240")).pixels.data).toEqual(a.pixels.data);
    expect(captures()).toBe(before + 1);
    // older than it accepts: the phone is asked again, and the new screen shows
    clock.advance(1);
    const after = await png("?max_width=240");
    expect(captures()).toBe(before + 2);
    expect(after.pixels.data).not.toEqual(a.pixels.data);
    // max_age_ms=0 asks every time; a larger one reuses
    await png("?max_width=240&max_age_ms=0");
    expect(captures()).toBe(before + 3);
    clock.advance(5000);
    await png("?max_width=240&max_age_ms=10000");
    expect(captures()).toBe(before + 3);
  });

  test("a bad max_width or max_age_ms is 40001 naming it, and the phone is not asked", async () => {
    const before = captures();
    const bad: [string, string][] = [
      ["max_width=10", "max_width"],
      ["max_width=4097", "max_width"],
      ["max_width=abc", "max_width"],
      ["max_width=240.5", "max_width"],
      ["max_age_ms=-1", "max_age_ms"],
      ["max_age_ms=60001", "max_age_ms"],
    ];
    for (const [query, field] of bad) {
      const res = await shot(`?${query}`);
      const body = (await res.json()) as { code: number; message: string };
      expect([res.status, body.code]).toEqual([400, 40001]);
      expect(body.message).toContain(field);
    }
    expect(captures()).toBe(before);
  });
});
