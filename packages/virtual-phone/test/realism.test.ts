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

  test("a comment bar at the bottom rises above the keyboard: its send button takes the tap", async () => {
    const p = await realPhone();
    await p.sh(
      "am start -a android.intent.action.VIEW -d https://www.tiktok.com/@someone/video/7301234567890123999",
    );
    p.settle();
    await p.tap(tt("dtv"), "comments");
    p.settle();
    await p.tap(tt("dpl"), "Add comment...");
    await p.sh("input text 'nice'");
    p.settle();
    expect(await p.sh("dumpsys input_method")).toContain("mInputShown=true");
    await p.tap(desc("Post comment"), "send");
    p.settle();
    expect(p.phone.apps.tiktok.actions.map((a) => [a.type, a.text])).toEqual([["comment", "nice"]]);
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

describe("TikTok's hashtag suggestions", () => {
  test("a '#' word opens a list over the lower screen; BACK closes it with the keyboard, the text as typed", async () => {
    const p = await realPhone();
    await tiktokPostScreen(p);
    await p.tap(tt("g19"), "the description");
    await p.sh("input text 'Nice%sday%s#fo'");
    p.settle();
    const list = await p.nodes();
    expect(list.filter(tt("hashtag_name")).map((n) => n.text)).toEqual([
      "#fo",
      "#fochallenge",
      "#fyp",
      "#foryou",
      "#viral",
    ]);
    await p.sh("input keyevent 4");
    p.settle();
    expect(await p.find(tt("hashtag_suggestions"))).toBeUndefined();
    expect(await p.sh("dumpsys input_method")).toContain("mInputShown=false");
    expect((await p.find(tt("g19")))?.text).toBe("Nice day #fo");
    expect(p.phone.apps.tiktok.screen).toBe("post");
  });

  test("the list covers Post; a tapped row replaces the word being typed", async () => {
    const p = await realPhone({ keyboardCoversBottom: false });
    await tiktokPostScreen(p);
    await p.tap(tt("g19"), "the description");
    await p.sh("input text 'Nice%s#fo'");
    p.settle();
    await p.tap(tt("qrb"), "Post");
    p.settle();
    expect(p.phone.apps.tiktok.screen).toBe("post");
    await p.tap(text("#fyp"), "#fyp");
    p.settle();
    expect((await p.find(tt("g19")))?.text).toBe("Nice #fyp ");
    expect(await p.find(tt("hashtag_suggestions"))).toBeUndefined();
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

/** Shares a new video to Instagram's share activity `activity` (or to the package only, `-p`). */
async function shareToInstagram(p: Awaited<ReturnType<typeof realPhone>>, name: string, activity?: string) {
  const id = await p.media(name);
  const target = activity ? `-n ${IG}/${activity}` : `-p ${IG}`;
  await p.sh(
    `am start -a android.intent.action.SEND -t video/mp4 --eu android.intent.extra.STREAM content://media/external/video/media/${id} ${target}`,
  );
  p.settle();
}

/** From Instagram's edit screen: Next, the caption, BACK (the keyboard), Share; the upload ends. */
async function instagramCaptionAndShare(p: Awaited<ReturnType<typeof realPhone>>, caption: string) {
  await p.tap(ig("clips_right_action_button"), "Next");
  p.settle();
  await p.tap(ig("caption_input_text_view"), "the caption");
  await p.sh(`input text '${caption.replaceAll(" ", "%s")}'`);
  await p.sh("input keyevent 4");
  p.settle();
  await p.tap(ig("share_button"), "Share");
  p.settle();
  expect(p.phone.apps.instagram.screen).toBe("sharing");
  p.clock.advance(p.phone.apps.instagram.uploadMs);
}

describe("the runtime media permission dialog", () => {
  /** TikTok's camera → gallery thumbnail: the dialog's nodes (a video is in the store). */
  async function mediaDialog(opts: VirtualPhoneOptions, realistic: true | RealismOptions = true) {
    const p = await realPhone(realistic, { popups: true, ...opts });
    await p.media("v.mp4");
    await p.launch(TT);
    await p.sh("input keyevent 4"); // the contacts dialog: Don’t allow
    p.settle();
    await p.tap(tt("mkn"), "Create");
    p.settle();
    await p.tap(tt("ymg"), "the gallery thumbnail");
    p.settle();
    return { p, nodes: await p.nodes() };
  }
  const buttons = (nodes: Node[]) =>
    nodes.filter((n) => n.class === "android.widget.Button").map((n) => [n["resource-id"], n.text]);
  const G = "com.google.android.permissioncontroller:id/";

  test("Android 14 on a Pixel: Google's package, 'Allow all' / 'Select photos and videos' / 'Don’t allow'; deny leaves the gallery empty", async () => {
    const { p, nodes } = await mediaDialog({ sdk: 34, androidVersion: "14" });
    expect(nodes.every((n) => n.package === "com.google.android.permissioncontroller")).toBe(true);
    expect(buttons(nodes)).toEqual([
      [`${G}permission_allow_selected_button`, "Select photos and videos"],
      [`${G}permission_allow_all_button`, "Allow all"],
      [`${G}permission_deny_button`, "Don’t allow"],
    ]);
    expect(await p.sh("dumpsys window | grep mCurrentFocus")).toContain(
      "com.google.android.permissioncontroller/com.android.permissioncontroller.permission.ui.GrantPermissionsActivity",
    );
    await p.tap(text("Don’t allow"), "Don’t allow");
    p.settle();
    expect(p.phone.apps.tiktok.screen).toBe("gallery");
    expect((await p.nodes()).filter(tt("jh7"))).toHaveLength(0);
  });

  test("the wording by Android version, and the AOSP package as an option", async () => {
    const allow = (pkg: string) => [`${pkg}:id/permission_allow_button`, "Allow"];
    const deny = (pkg: string, t: string) => [`${pkg}:id/permission_deny_button`, t];
    const g = "com.google.android.permissioncontroller";
    const a = "com.android.permissioncontroller";
    expect(buttons((await mediaDialog({ sdk: 29, androidVersion: "10" })).nodes)).toEqual([
      allow(g),
      deny(g, "Deny"),
    ]);
    expect(buttons((await mediaDialog({ sdk: 33, androidVersion: "13" })).nodes)).toEqual([
      allow(g),
      deny(g, "Don’t allow"),
    ]);
    const v15 = await mediaDialog({ sdk: 35, androidVersion: "15" }, { permissionPackage: a });
    expect(buttons(v15.nodes)).toEqual([
      [`${a}:id/permission_allow_selected_button`, "Allow limited access"],
      [`${a}:id/permission_allow_all_button`, "Allow all"],
      deny(a, "Don’t allow"),
    ]);
    await v15.p.tap(text("Allow all"), "Allow all");
    v15.p.settle();
    expect((await v15.p.nodes()).filter(tt("jh7"))).toHaveLength(1);
  });
});

describe("success texts", () => {
  test("TikTok's 'Video posted!' is a toast: the post goes up, no dump shows it", async () => {
    const p = await realPhone({ idleFailureShare: 0 });
    p.phone.apps.tiktok.uploadMs = 3000;
    await tiktokPostScreen(p);
    await p.tap(tt("qrb"), "Post");
    p.settle();
    expect(await p.find(tt("su6"))).toBeDefined();
    p.clock.advance(2000);
    expect(await p.find(text("Video posted!"))).toBeUndefined();
    expect(p.phone.apps.tiktok.posts).toHaveLength(1);
    expect(p.phone.apps.tiktok.screen).toBe("posted");
    expect(await p.find(tt("su6"))).toBeUndefined();
  });

  test("Instagram: 'Posted! Nicely done.' for a moment, then the row is gone; a story shows no text", async () => {
    const p = await realPhone({ idleFailureShare: 0 });
    await shareToInstagram(p, "reel.mp4", "com.instagram.share.handleractivity.ClipsShareHandlerActivity");
    await instagramCaptionAndShare(p, "a reel");
    expect((await p.find(ig("row_pending_media_status_textview")))?.text).toBe("Posted! Nicely done.");
    p.clock.advance(2000);
    expect(await p.find(ig("row_pending_container"))).toBeUndefined();
    await shareToInstagram(p, "story.mp4", "com.instagram.share.handleractivity.StoryShareHandlerActivity");
    await p.tap(desc("Your story"), "Your story");
    p.settle();
    p.clock.advance(p.phone.apps.instagram.uploadMs);
    const texts = (await p.nodes()).map((n) => n.text).join("|");
    expect(p.phone.apps.instagram.posts.map((x) => x.kind)).toEqual(["reel", "story"]);
    expect(texts).not.toMatch(/Posted|shared/);
  });
});

describe("Instagram's share targets", () => {
  test("a share naming only the package shows the system's chooser; its Reels row opens the reel editor", async () => {
    const p = await realPhone();
    await shareToInstagram(p, "chooser.mp4");
    const nodes = await p.nodes();
    expect(nodes.find(text("Share with"))?.package).toBe("android");
    const rows = nodes.filter((n) => n["resource-id"] === "android:id/text1");
    expect(rows.map((n) => n.text)).toEqual(["Feed", "Reels", "Stories", "Chats"]);
    expect(rows.every((n) => n.package === "android")).toBe(true);
    expect(await p.sh("dumpsys window | grep mCurrentFocus")).toContain("ChooserActivity");
    await p.tap(text("Reels"), "Reels");
    p.settle();
    expect(p.phone.apps.instagram.screen).toBe("edit");
    expect(p.phone.apps.instagram.dest).toBe("clips");
  });

  test("each target has its own activity: Feed, Stories, Chats", async () => {
    const p = await realPhone();
    await shareToInstagram(p, "a.mp4", "com.instagram.share.handleractivity.ShareHandlerActivity");
    expect([p.phone.apps.instagram.screen, p.phone.apps.instagram.dest]).toEqual(["edit", "feed"]);
    await shareToInstagram(p, "b.mp4", "com.instagram.share.handleractivity.StoryShareHandlerActivity");
    expect(p.phone.apps.instagram.screen).toBe("storyEditor");
    await shareToInstagram(p, "c.mp4", "com.instagram.direct.share.handler.DirectShareHandlerActivity");
    expect((await p.find(ig("action_bar_title")))?.text).toBe("Send to");
  });

  test("the home feed's Create tab has no id, text or description", async () => {
    const p = await realPhone();
    await p.launch(IG);
    const tabs = (await p.nodes()).filter(
      (n) => n["resource-id"]?.endsWith("_tab") || n["content-desc"] === "Create",
    );
    expect(tabs.map((n) => n["resource-id"])).toEqual([
      `${IG}:id/feed_tab`,
      `${IG}:id/search_tab`,
      `${IG}:id/clips_tab`,
      `${IG}:id/profile_tab`,
    ]);
    expect(await p.find(ig("creation_tab"))).toBeUndefined();
  });
});

describe("proof of post: the own profile", () => {
  test("TikTok: the grid lists the account's videos newest first; the newest opens with its caption in desc", async () => {
    const p = await realPhone({ idleFailureShare: 0 });
    for (const caption of ["first video", "second video"]) {
      await tiktokPostScreen(p);
      await p.tap(tt("g19"), "the description");
      await p.sh(`input text '${caption.replace(" ", "%s")}'`);
      await p.sh("input keyevent 4");
      p.settle();
      await p.tap(tt("qrb"), "Post");
      p.settle();
      p.clock.advance(3000);
      p.settle();
    }
    await p.tap(tt("mks"), "Profile");
    p.settle();
    expect(p.phone.apps.tiktok.posts.map((x) => x.caption)).toEqual(["first video", "second video"]);
    const cells = (await p.nodes()).filter(tt("e52"));
    expect(cells).toHaveLength(2);
    expect((await p.nodes()).filter(tt("cover"))).toHaveLength(2);
    await p.tapAt(cells[0], "the newest video");
    p.settle();
    expect((await p.find(tt("desc")))?.text).toBe("second video");
    await p.sh("input keyevent 4");
    p.settle();
    expect(p.phone.apps.tiktok.screen).toBe("profile");
  });

  test("Instagram: image_button cells newest first ('Reel by NAME at row 1, column 1'), the caption under the media", async () => {
    const p = await realPhone({ idleFailureShare: 0 });
    const name = p.phone.apps.instagram.account as string;
    await shareToInstagram(p, "post.mp4", "com.instagram.share.handleractivity.ShareHandlerActivity");
    await instagramCaptionAndShare(p, "my feed post");
    await shareToInstagram(p, "reel.mp4", "com.instagram.share.handleractivity.ClipsShareHandlerActivity");
    await instagramCaptionAndShare(p, "my reel");
    p.settle();
    p.clock.advance(2000);
    await p.tap(ig("profile_tab"), "Profile");
    p.settle();
    const cells = (await p.nodes()).filter(ig("image_button"));
    expect(cells.map((n) => n["content-desc"])).toEqual([
      `Reel by ${name} at row 1, column 1`,
      `Photo by ${name} at row 1, column 2`,
    ]);
    await p.tapAt(cells[0], "the newest");
    p.settle();
    expect((await p.find(ig("row_feed_comment_textview_layout")))?.text).toBe(`${name} my reel`);
  });

  test("Instagram story: the own tray item becomes a story to watch and opens the viewer", async () => {
    const p = await realPhone({ idleFailureShare: 0 });
    await p.launch(IG);
    expect(await p.find(ig("reel_empty_badge"))).toBeDefined();
    await shareToInstagram(p, "story.mp4", "com.instagram.share.handleractivity.StoryShareHandlerActivity");
    await p.tap(desc("Your story"), "Your story");
    p.settle();
    p.clock.advance(p.phone.apps.instagram.uploadMs + 2000);
    p.settle();
    expect(await p.find(ig("reel_empty_badge"))).toBeUndefined();
    await p.tap(desc("Your story, 1 of 1, Unseen."), "the own story");
    p.settle();
    expect((await p.find(ig("reel_viewer_title")))?.text).toBe(p.phone.apps.instagram.account as string);
  });
});
