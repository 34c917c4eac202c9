/** The screen drawn from the view tree: what `screencap` shows differs with what is on the screen, and only then. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Canvas, VirtualPhone } from "../src/index.ts";
import { center, dumpNodes } from "./ui-dump.ts";

const TT = "com.zhiliaoapp.musically";
const IG = "com.instagram.android";
let phone: VirtualPhone;

beforeAll(async () => {
  phone = await VirtualPhone.start({ auth: "none", packages: [TT, IG] });
});
afterAll(async () => {
  await phone?.stop();
});

const sh = async (c: string) => (await phone.exec(c)).stdout;
const shot = () => phone.device.screenshot();
/** The share of pixels (0–1) that differ between two pictures of one size. */
function changed(a: Canvas, b: Canvas): number {
  let n = 0;
  for (let i = 0; i < a.data.length; i += 3)
    if (a.data[i] !== b.data[i] || a.data[i + 1] !== b.data[i + 1] || a.data[i + 2] !== b.data[i + 2]) n++;
  return n / (a.width * a.height);
}
/** Mean brightness (0–255) of a rectangle. */
function brightness(c: Canvas, x1: number, y1: number, x2: number, y2: number): number {
  let sum = 0;
  for (let y = y1; y < y2; y++)
    for (let x = x1; x < x2; x++) {
      const o = (y * c.width + x) * 3;
      sum += ((c.data[o] as number) + (c.data[o + 1] as number) + (c.data[o + 2] as number)) / 3;
    }
  return sum / ((x2 - x1) * (y2 - y1));
}
const bounds = (b: string) => (b.match(/\d+/g) ?? []).map(Number) as [number, number, number, number];

describe("screencap draws the screen", () => {
  test("the same screen gives the same pixels; another screen other pixels", async () => {
    const launcher = shot();
    expect(launcher.data.equals(shot().data)).toBe(true);
    await sh(`monkey -p ${TT} -c android.intent.category.LAUNCHER 1`);
    await sh("input keyevent 4"); // "Find your friends"
    const feed = shot();
    expect(changed(launcher, feed)).toBeGreaterThan(0.5);
    expect(feed.data.equals(shot().data)).toBe(true);
  });

  test("each app in its colours: TikTok's feed dark, Instagram white; texts are drawn", async () => {
    const tiktok = shot();
    expect(brightness(tiktok, 0, 300, 1080, 900)).toBeLessThan(60);
    await sh(`monkey -p ${IG} -c android.intent.category.LAUNCHER 1`);
    await sh("input keyevent 4"); // "Save your login info?"
    const instagram = shot();
    expect(brightness(instagram, 0, 1600, 1080, 2100)).toBeGreaterThan(230);
    // the user name over the first post is ink on the white page
    const name = dumpNodes(await sh("uiautomator dump /dev/tty")).find((n) => n.text === "natgeo");
    const [x1, y1, x2, y2] = bounds(name?.bounds ?? "");
    expect(brightness(instagram, x1, y1, x2, y2)).toBeLessThan(250);
  });

  test("typing into a field changes the pixels of that field and nowhere else", async () => {
    await sh(`am start -a android.intent.action.VIEW -d https://www.tiktok.com/@dancing.queen/video/1 ${TT}`);
    const dump = async () => dumpNodes(await sh("uiautomator dump /dev/tty"));
    const comments = (await dump()).find((n) => n["resource-id"] === `${TT}:id/dtv`);
    const [cx, cy] = center(comments?.bounds ?? "");
    await sh(`input tap ${cx} ${cy}`);
    const input = (await dump()).find((n) => n["resource-id"] === `${TT}:id/dpl`);
    const [ix, iy] = center(input?.bounds ?? "");
    await sh(`input tap ${ix} ${iy}`);
    const before = shot();
    await sh("input text nice%svideo");
    const after = shot();
    expect(changed(before, after)).toBeGreaterThan(0);
    const field = bounds((await dump()).find((n) => n["resource-id"] === `${TT}:id/dpl`)?.bounds ?? "");
    // the rows where pixels changed: the field's (the send button beside it appears on the same row)
    const rows = new Set<number>();
    for (let i = 0; i < before.data.length; i += 3)
      if (before.data[i] !== after.data[i]) rows.add(Math.floor(i / 3 / before.width));
    expect(Math.min(...rows)).toBeGreaterThanOrEqual(field[1]);
    expect(Math.max(...rows)).toBeLessThan(field[3]);
  });

  test("a dialog dims what is under it and is drawn light on top", async () => {
    await sh(`pm clear ${TT}`);
    await sh(`monkey -p ${TT} -c android.intent.category.LAUNCHER 1`);
    expect(phone.apps.tiktok.popup?.name).toBe("contacts");
    const withDialog = shot();
    const dialog = bounds(
      dumpNodes(await sh("uiautomator dump /dev/tty")).find((n) => n.text === "Find your friends")?.bounds ??
        "",
    );
    expect(dialog).toHaveLength(4);
    await sh("input keyevent 4");
    const without = shot();
    // above the dialog: the same feed, darker; the dialog's card: light
    expect(brightness(withDialog, 0, 1800, 900, 2000)).toBeLessThan(brightness(without, 0, 1800, 900, 2000));
    expect(brightness(withDialog, 130, dialog[1] - 30, 950, dialog[1])).toBeGreaterThan(200);
  });

  test("a screen that is off is black", async () => {
    await sh("input keyevent 26");
    const off = shot();
    expect(off.data.every((b) => b === 0)).toBe(true);
    await sh("input keyevent 26");
  });
});
