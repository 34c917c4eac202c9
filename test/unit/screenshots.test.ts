// One capture per phone shared and reused; a screen that did not change is not scaled again; a failed
// capture is not reused. The phone is a stand-in that hands out PNGs (the HTTP side: test/flow/screenshots).
import { expect, test } from "bun:test";
import { encodePng, packed } from "../../src/devices/screen-image.ts";
import { type Camera, Screenshots } from "../../src/devices/screenshots.ts";

/** A 400×100 screen of one grey. */
const screen = (grey: number) => encodePng(packed(400, 100, 3, new Uint8Array(400 * 100 * 3).fill(grey)));

function phoneShowing(pngs: (Uint8Array | Error)[]) {
  let asked = 0;
  const camera: Camera = {
    screenshot: async () => {
      const next = pngs[Math.min(asked++, pngs.length - 1)] as Uint8Array | Error;
      if (next instanceof Error) throw next;
      return new Uint8Array(next); // a new copy each time, as from the wire
    },
  };
  return { camera, asked: () => asked };
}

test("an unchanged screen's thumbnail is the one made before; a changed one is made again", async () => {
  let now = 0;
  const shots = new Screenshots(() => now);
  const phone = phoneShowing([screen(10), screen(10), screen(200)]);
  const wish = { maxWidth: 100, maxAgeMs: 1000 };
  const first = await shots.take("A", phone.camera, wish);
  now = 1000;
  const same = await shots.take("A", phone.camera, wish);
  expect(phone.asked()).toBe(2);
  expect(same.png).toBe(first.png);
  expect(same.capturedAt).toBe(1000);
  now = 2000;
  const changed = await shots.take("A", phone.camera, wish);
  expect(phone.asked()).toBe(3);
  expect(changed.png).not.toEqual(first.png);
});

test("a failed capture is not reused: the next request asks the phone again", async () => {
  const shots = new Screenshots(() => 0);
  const phone = phoneShowing([new Error("phone went away"), screen(10)]);
  const wish = { maxAgeMs: 1000 };
  const failures = await Promise.allSettled([
    shots.take("A", phone.camera, wish),
    shots.take("A", phone.camera, wish),
  ]);
  expect(failures.map((f) => f.status)).toEqual(["rejected", "rejected"]);
  expect(phone.asked()).toBe(1);
  expect((await shots.take("A", phone.camera, wish)).png).toEqual(screen(10));
  expect(phone.asked()).toBe(2);
});

test("a PNG the service cannot decode is answered as it came, not as an error", async () => {
  const damaged = screen(10);
  damaged.fill(7, 60, 90); // inside the compressed pixels
  const shots = new Screenshots(() => 0);
  const shot = await shots.take("A", phoneShowing([damaged]).camera, { maxWidth: 100, maxAgeMs: 1000 });
  expect(shot.png).toEqual(damaged);
});
