/** The realistic phone (`realistic`) through Debian's real adb: what the real apps do that a simple simulation would not. */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ManualClock } from "../../../src/tasks/clock.ts";
import { type AdbServer, startAdbServer } from "../../../test/helpers/adb.ts";
import { waitFor } from "../../../test/helpers/wait.ts";
import { type RealismOptions, VirtualPhone, type VirtualPhoneOptions } from "../src/index.ts";
import { addVideo } from "./phone-media.ts";
import { center, dumpNodes } from "./ui-dump.ts";

type Node = Record<string, string>;
const TT = "com.zhiliaoapp.musically";
const IG = "com.instagram.android";
const tt = (s: string) => (n: Node) => n["resource-id"] === `${TT}:id/${s}`;
const ig = (s: string) => (n: Node) => n["resource-id"] === `${IG}:id/${s}`;
const desc = (s: string) => (n: Node) => n["content-desc"] === s;
const text = (s: string) => (n: Node) => n.text === s;

let adb: AdbServer;
const phones: VirtualPhone[] = [];

beforeAll(async () => {
  adb = await startAdbServer();
});
afterEach(async () => {
  for (const p of phones.splice(0)) {
    await adb.run(["disconnect", `127.0.0.1:${p.port}`]);
    await p.stop();
  }
});
afterAll(async () => {
  await adb?.stop();
});

/** A realistic phone on a manual clock, attached to the adb server, with its shell and screen as adb reads them. */
async function realPhone(realistic: true | RealismOptions = true, opts: VirtualPhoneOptions = {}) {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const phone = await VirtualPhone.start({ popups: false, clock, realistic, ...opts });
  phones.push(phone);
  const serial = `127.0.0.1:${phone.port}`;
  await adb.run(["connect", serial]);
  await waitFor("the phone attached", async () =>
    (await adb.run(["-s", serial, "get-state"])).text.includes("device"),
  );
  const run = (cmd: string) => adb.run(["-s", serial, "shell", cmd]);
  const sh = async (cmd: string) => (await run(cmd)).text;
  /** The screen's nodes; a dump that found no idle state (a playing video) is tried again, as clients do. */
  const nodes = async (): Promise<Node[]> => {
    for (;;) {
      const xml = await sh("uiautomator dump /dev/tty");
      if (!xml.includes("could not get idle state")) return dumpNodes(xml);
    }
  };
  const find = async (pred: (n: Node) => boolean) => (await nodes()).find(pred);
  const tapAt = async (n: Node | undefined, what: string) => {
    if (!n) throw new Error(`${what} is not on screen`);
    const [x, y] = center(n.bounds as string);
    await sh(`input tap ${x} ${y}`);
  };
  const tap = async (pred: (n: Node) => boolean, what: string) => tapAt(await find(pred), what);
  /** Lets any screen change commit (they take at most 800 ms). */
  const settle = () => clock.advance(1000);
  const media = (name: string) => addVideo(sh, name);
  const launch = async (pkg: string) => {
    await sh(`monkey -p ${pkg} -c android.intent.category.LAUNCHER 1`);
    settle();
  };
  return { phone, clock, serial, run, sh, nodes, find, tap, tapAt, settle, media, launch };
}

describe("screen changes take the phone's time", () => {
  test("a dump and a screenshot during a change show the old screen; the new one after 300–800 ms", async () => {
    const { phone, clock, sh, find, tap, launch } = await realPhone();
    await launch(TT);
    const before = await sh("screencap -p /sdcard/before.png && echo ok");
    expect(before).toContain("ok");
    await tap(tt("mkn"), "Create");
    expect(phone.apps.tiktok.screen).toBe("camera");
    expect(await find(tt("mkn"))).toBeDefined();
    expect(await find(tt("ymg"))).toBeUndefined();
    expect(await sh("dumpsys window | grep mCurrentFocus")).toContain("MainActivity");
    await sh("screencap -p /sdcard/during.png");
    const png = (f: string) => Bun.file(join(phone.root, "sdcard", f)).bytes();
    expect(await png("during.png")).toEqual(await png("before.png"));
    clock.advance(299);
    expect(await find(tt("ymg"))).toBeUndefined();
    clock.advance(501);
    expect(await find(tt("ymg"))).toBeDefined();
    expect(await sh("dumpsys window | grep mCurrentFocus")).toContain("VideoRecordNewActivity");
  });

  test("tapsDuringChange lost: a tap before the change commits does nothing", async () => {
    const { phone, find, tap, tapAt, settle, launch } = await realPhone({ tapsDuringChange: "lost" });
    await launch(TT);
    const homeTab = await find(tt("mkq"));
    await tap(tt("mks"), "Profile");
    // the Home tab is on both screens: tapped while the profile is still coming, the tap is lost
    await tapAt(homeTab, "Home");
    settle();
    expect(phone.apps.tiktok.screen).toBe("profile");
    expect(phone.device.missedTaps.map((t) => t.why)).toEqual(["change"]);
  });

  test("tapsDuringChange old-screen: the old screen takes the tap, where the app still offers it", async () => {
    const { phone, find, tap, tapAt, settle, launch } = await realPhone({ tapsDuringChange: "old-screen" });
    await launch(TT);
    const homeTab = await find(tt("mkq"));
    const create = await find(tt("mkn"));
    await tap(tt("mks"), "Profile");
    await tapAt(homeTab, "Home");
    settle();
    expect(phone.apps.tiktok.screen).toBe("home");
    // Create is not on the camera: a second tap on it while the camera comes does nothing
    await tapAt(create, "Create");
    await tapAt(create, "Create");
    settle();
    expect(phone.apps.tiktok.screen).toBe("camera");
    expect(phone.device.missedTaps.map((t) => t.why)).toEqual(["change"]);
  });

  test("a closing dialog still shows in dumps, and a tap on it falls through to what is under it", async () => {
    const { phone, find, tap, tapAt, settle, launch } = await realPhone(true, { popups: true });
    await launch(TT);
    expect(phone.apps.tiktok.popup?.name).toBe("contacts");
    const profileTab = await find(tt("mks"));
    await tap(text("Don’t allow"), "Don’t allow");
    expect(phone.apps.tiktok.popup).toBeNull();
    expect(await find(text("Don’t allow"))).toBeDefined();
    await tapAt(profileTab, "Profile");
    settle();
    expect(await find(text("Don’t allow"))).toBeUndefined();
    expect(phone.apps.tiktok.screen).toBe("profile");
  });
});

/** TikTok's post screen from a share intent: editor, Next. */
async function tiktokPostScreen(p: Awaited<ReturnType<typeof realPhone>>) {
  const id = await p.media("clip.mp4");
  await p.sh(
    `am start -a android.intent.action.SEND -t video/mp4 --eu android.intent.extra.STREAM content://media/external/video/media/${id} -n ${TT}/com.ss.android.ugc.aweme.share.SystemShareActivity`,
  );
  p.settle();
  await p.tap(tt("ntn"), "the editor's Next");
  p.settle();
  expect(p.phone.apps.tiktok.screen).toBe("post");
}

describe("the soft keyboard", () => {
  test("shows while a field has focus, covers Post (still in the dump), and BACK only hides it", async () => {
    const p = await realPhone();
    const { phone, sh, find, tap, settle } = p;
    await tiktokPostScreen(p);
    const inputShown = async () => /mInputShown=(\w+)/.exec(await sh("dumpsys input_method"))?.[1];
    expect(await inputShown()).toBe("false");
    await tap(tt("g19"), "the description");
    settle();
    expect(await inputShown()).toBe("true");
    await sh("input text 'keyboard%sup'");
    // the app window is not resized: Post keeps its place in the dump, under the keyboard
    const post = await find(tt("qrb"));
    expect(Number(center(post?.bounds as string)[1])).toBeGreaterThan(2400 * 0.6);
    await tap(tt("qrb"), "Post");
    settle();
    expect(phone.apps.tiktok.screen).toBe("post");
    expect(phone.device.missedTaps.map((t) => t.why)).toEqual(["keyboard"]);
    await sh("input keyevent 4");
    settle();
    expect(await inputShown()).toBe("false");
    expect(phone.apps.tiktok.screen).toBe("post");
    expect((await find(tt("g19")))?.text).toBe("keyboard up");
    await tap(tt("qrb"), "Post");
    settle();
    expect(phone.apps.tiktok.screen).toBe("posting");
  });

  test("keyboardCoversBottom false: the keyboard shows, but a tap on Post reaches the app", async () => {
    const p = await realPhone({ keyboardCoversBottom: false });
    await tiktokPostScreen(p);
    await p.tap(tt("g19"), "the description");
    p.settle();
    expect(await p.sh("dumpsys input_method")).toContain("mInputShown=true");
    await p.tap(tt("qrb"), "Post");
    p.settle();
    expect(p.phone.apps.tiktok.screen).toBe("posting");
  });
});

describe("video screens and idle state", () => {
  test("a share of the feed's dumps fail 'could not get idle state.' (exit 0, no file); the camera's never", async () => {
    const { sh, run, tap, settle, phone, launch } = await realPhone({ idleFailureShare: 0.5 });
    await launch(TT);
    let failed = 0;
    for (let i = 0; i < 30; i++) {
      const r = await run("rm -f /sdcard/w.xml; uiautomator dump /sdcard/w.xml");
      expect(r.code).toBe(0);
      const written = existsSync(join(phone.root, "sdcard", "w.xml"));
      if (r.text.includes("ERROR: could not get idle state.")) {
        failed++;
        expect(written).toBe(false);
      } else expect(r.text).toContain("UI hierchary dumped to: /sdcard/w.xml");
    }
    expect(failed).toBeGreaterThan(3);
    expect(failed).toBeLessThan(27);
    await tap(tt("mkn"), "Create");
    settle();
    for (let i = 0; i < 10; i++) expect(await sh("uiautomator dump /dev/tty")).toContain("<hierarchy");
  });
});

export { desc, ig };
