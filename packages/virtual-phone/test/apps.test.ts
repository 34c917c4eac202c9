/** Simulated TikTok and Instagram: screens, popups, share intents, posts. */
import { afterEach, describe, expect, test } from "bun:test";
import { AutoClock } from "../../../src/tasks/clock.ts";
import { waitFor } from "../../../test/helpers/wait.ts";
import { VirtualPhone, type VirtualPhoneOptions } from "../src/index.ts";
import { addVideo } from "./phone-media.ts";
import { center, dumpNodes } from "./ui-dump.ts";

type Node = Record<string, string>;
const phones: VirtualPhone[] = [];

afterEach(async () => {
  for (const p of phones.splice(0)) await p.stop();
});

async function start(opts: VirtualPhoneOptions = {}) {
  const phone = await VirtualPhone.start(opts);
  phones.push(phone);
  const sh = async (c: string) => {
    const r = await phone.exec(c);
    return r.stdout;
  };
  const dump = async () => dumpNodes(await sh("uiautomator dump /dev/tty"));
  const find = async (pred: (n: Node) => boolean) => (await dump()).find(pred);
  const tap = async (pred: (n: Node) => boolean, what: string) => {
    const n = await find(pred);
    if (!n)
      throw new Error(
        `${what} not on screen: ${(await dump()).map((x) => x["resource-id"] || x.text).join(",")}`,
      );
    const [x, y] = center(n.bounds as string);
    await sh(`input tap ${x} ${y}`);
  };
  const media = (name: string) => addVideo(sh, name);
  return { phone, sh, dump, find, tap, media };
}

const id = (full: string) => (n: Node) => n["resource-id"] === full;
const tt = (s: string) => id(`com.zhiliaoapp.musically:id/${s}`);
const ig = (s: string) => id(`com.instagram.android:id/${s}`);
const text = (s: string) => (n: Node) => n.text === s;

describe("TikTok", () => {
  test("com.ss.android.ugc.trill installed alone: TikTok under the regional package's ids and version", async () => {
    const { phone, sh, find } = await start({ popups: false, packages: ["com.ss.android.ugc.trill"] });
    expect(await sh("dumpsys package com.ss.android.ugc.trill")).toContain("versionName=43.1.4");
    await sh("monkey -p com.ss.android.ugc.trill -c android.intent.category.LAUNCHER 1");
    expect(phone.apps.tiktok.screen).toBe("home");
    expect(await find(id("com.ss.android.ugc.trill:id/mkn"))).toBeDefined();
    expect(await find(tt("mkn"))).toBeUndefined();
  });

  test("share intent goes to the editor; post recorded without popups", async () => {
    const { phone, sh, tap, media, find } = await start({ popups: false });
    phone.apps.tiktok.uploadMs = 200;
    const mediaId = await media("share.mp4");
    const out = await sh(
      `am start -a android.intent.action.SEND -t video/mp4 --eu android.intent.extra.STREAM content://media/external/video/media/${mediaId} --grant-read-uri-permission -n com.zhiliaoapp.musically/com.ss.android.ugc.aweme.share.SystemShareActivity`,
    );
    expect(out).toContain("Starting: Intent { act=android.intent.action.SEND");
    expect(phone.apps.tiktok.screen).toBe("editor");
    await tap(tt("ntn"), "Next");
    await tap(tt("g19"), "description");
    expect((await find(tt("g19")))?.focused).toBe("true");
    await sh("input text 'shared%svia%sintent'");
    expect((await find(tt("g19")))?.text).toBe("shared via intent");
    await tap(tt("qrb"), "Post");
    expect(phone.apps.tiktok.screen).toBe("posting");
    await waitFor("the upload's end", () => phone.apps.tiktok.posts.length > 0);
    expect(phone.apps.tiktok.posts).toHaveLength(1);
    expect(phone.apps.tiktok.posts[0]?.caption).toBe("shared via intent");
    expect(phone.apps.tiktok.posts[0]?.media).toEqual(["/storage/emulated/0/DCIM/Camera/share.mp4"]);
  });

  test("SEND_MULTIPLE with photos: a photo post with both images", async () => {
    const { phone, sh, tap } = await start({ popups: false });
    phone.apps.tiktok.uploadMs = 100;
    const ids: number[] = [];
    for (const n of ["a.jpg", "b.jpg"]) {
      await sh(`echo img > /sdcard/Pictures/${n}`);
      const r = await sh(`content call --uri content://media --method scan_file --arg /sdcard/Pictures/${n}`);
      ids.push(Number(/\/(\d+)\}/.exec(r)?.[1]));
    }
    const uris = ids.map((i) => `content://media/external/images/media/${i}`).join(",");
    await sh(
      `am start -a android.intent.action.SEND_MULTIPLE -t image/jpeg --eua android.intent.extra.STREAM ${uris} -n com.zhiliaoapp.musically/com.ss.android.ugc.aweme.share.SystemShareActivity`,
    );
    expect(phone.apps.tiktok.screen).toBe("editor");
    await tap(tt("ntn"), "Next");
    await tap(tt("qrb"), "Post");
    await waitFor("the upload's end", () => phone.apps.tiktok.posts.length > 0);
    expect(phone.apps.tiktok.posts[0]?.kind).toBe("photo");
    expect(phone.apps.tiktok.posts[0]?.media).toEqual([
      "/storage/emulated/0/Pictures/a.jpg",
      "/storage/emulated/0/Pictures/b.jpg",
    ]);
  });

  test("first launch popup covers the screen until dismissed", async () => {
    const { phone, sh, tap, find } = await start();
    await sh("am start -n com.zhiliaoapp.musically/com.ss.android.ugc.aweme.splash.SplashActivity");
    expect(phone.apps.tiktok.popup?.name).toBe("contacts");
    // A tap on Create under the popup does nothing.
    await tap(tt("mkn"), "Create");
    expect(phone.apps.tiktok.screen).toBe("home");
    expect(await find(text("Don’t allow"))).toBeDefined();
    await tap(text("Don’t allow"), "Don’t allow");
    expect(phone.apps.tiktok.popup).toBeNull();
    await tap(tt("mkn"), "Create");
    expect(phone.apps.tiktok.screen).toBe("camera");
    // The system permission dialog belongs to the permission controller.
    await tap(tt("ymg"), "gallery");
    const allow = await find(id("com.android.permissioncontroller:id/permission_allow_button"));
    expect(allow?.package).toBe("com.android.permissioncontroller");
    await sh("input keyevent KEYCODE_BACK");
    expect(phone.apps.tiktok.screen).toBe("camera");
    await sh("input keyevent 4");
    await sh("input keyevent 4");
    expect(phone.foreground).toBeNull();
    expect((await sh("dumpsys window windows")).includes("nexuslauncher")).toBe(true);
  });

  test("gallery shows scanned media newest first; Next needs a tick", async () => {
    const { phone, sh, tap, dump, media } = await start({ popups: false });
    await media("old.mp4");
    await sh(
      "touch -d 2020-01-01 /sdcard/DCIM/Camera/old.mp4; content call --uri content://media --method scan_file --arg /sdcard/DCIM/Camera/old.mp4",
    );
    await media("new.mp4");
    await sh("echo x > /sdcard/DCIM/Camera/unscanned.mp4");
    await sh("monkey -p com.zhiliaoapp.musically -c android.intent.category.LAUNCHER 1");
    await tap(tt("mkn"), "Create");
    await tap(tt("ymg"), "gallery");
    const nodes = await dump();
    expect(nodes.filter(tt("jh7"))).toHaveLength(2);
    expect(nodes.find(tt("uyb"))?.clickable).toBe("false");
    await tap(tt("uyb"), "Next");
    expect(phone.apps.tiktok.screen).toBe("gallery");
    await tap(tt("jh7"), "first select box");
    expect(phone.apps.tiktok.selected.map((m) => m.displayName)).toEqual(["new.mp4"]);
  });

  test("not installed: am start and monkey fail", async () => {
    const { phone, sh } = await start({ packages: ["com.instagram.android"] });
    const r = await phone.exec(
      "am start -n com.zhiliaoapp.musically/com.ss.android.ugc.aweme.splash.SplashActivity",
    );
    expect(r.stderr).toContain("does not exist");
    expect(await sh("monkey -p com.zhiliaoapp.musically -c android.intent.category.LAUNCHER 1")).toContain(
      "** No activities found to run, monkey aborted.",
    );
    expect(await sh("pm list packages com.zhiliaoapp")).toBe("");
  });
});

describe("Instagram", () => {
  test("reel flow with popups, draft modal, caption and share", async () => {
    const { phone, sh, tap, find, media } = await start();
    phone.apps.instagram.uploadMs = 200;
    await media("reel.mp4");
    await sh("monkey -p com.instagram.android -c android.intent.category.LAUNCHER 1");
    expect(await find(text("Save your login info?"))).toBeDefined();
    await tap(text("Not Now"), "Not Now");
    await tap(ig("creation_tab"), "Create");
    await tap(id("com.android.permissioncontroller:id/permission_allow_button"), "Allow");
    expect((await find(ig("gallery_title_text")))?.text).toBe("New reel");
    await tap(ig("gallery_grid_item_thumbnail"), "thumbnail");
    expect(phone.apps.instagram.screen).toBe("edit");
    // Leave mid-flow: a draft remains.
    await sh("input keyevent KEYCODE_HOME");
    await sh("am start -n com.instagram.android/com.instagram.mainactivity.LauncherActivity");
    await sh("input keyevent 4");
    await sh("input keyevent 4");
    expect(phone.apps.instagram.screen).toBe("home");
    await tap(ig("creation_tab"), "Create");
    expect(await find(text("Keep editing your draft?"))).toBeDefined();
    await tap(text("Start new video"), "Start new video");
    await tap(ig("gallery_grid_item_thumbnail"), "thumbnail");
    await tap(ig("clips_right_action_button"), "Next");
    await tap(ig("caption_input_text_view"), "caption");
    await sh("ime enable com.android.adbkeyboard/.AdbIME && ime set com.android.adbkeyboard/.AdbIME");
    await sh(
      `am broadcast -a ADB_INPUT_B64 --es msg ${Buffer.from("Reel time ✨ #reels").toString("base64")}`,
    );
    await tap(ig("share_button"), "Share");
    expect((await find(ig("status_text")))?.text).toBe("Sharing to Reels…");
    await waitFor("the upload's end", () => phone.apps.instagram.posts.length > 0);
    expect(phone.apps.instagram.posts).toEqual([
      {
        account: phone.apps.instagram.account as string,
        caption: "Reel time ✨ #reels",
        media: ["/storage/emulated/0/DCIM/Camera/reel.mp4"],
        kind: "reel",
        at: expect.any(Number),
      },
    ]);
  });

  test("layout is scaled to the phone's screen", async () => {
    const { sh, find } = await start({ popups: false, screen: { width: 1080, height: 2400 } });
    await sh("monkey -p com.instagram.android 1");
    const tab = await find(ig("creation_tab"));
    // 720x1440 reference [288,1362][432,1440] scaled by 1.5 x 1.667.
    expect(tab?.bounds).toBe("[432,2270][648,2400]");
  });
});

describe("follow, like, comment, search", () => {
  test("TikTok: profile link, follow, unfollow; video link, like, comment; search", async () => {
    const { phone, sh, tap, find } = await start({ popups: false });
    await sh(
      "am start -a android.intent.action.VIEW -d https://www.tiktok.com/@someone com.zhiliaoapp.musically",
    );
    expect(phone.apps.tiktok.screen).toBe("user");
    await tap(text("Follow"), "Follow");
    expect([...phone.apps.tiktok.following]).toEqual(["someone"]);
    await tap(tt("eme"), "Following");
    await tap(text("Unfollow"), "Unfollow");
    expect(phone.apps.tiktok.following.size).toBe(0);
    // A video link (no package: the verified app link opens TikTok).
    await sh(
      "am start -a android.intent.action.VIEW -d https://www.tiktok.com/@chef/video/7106594312292453675",
    );
    expect(phone.apps.tiktok.screen).toBe("video");
    await tap(tt("f57"), "Like");
    expect((await find(tt("f57")))?.["content-desc"]).toBe("Like video. 1201 likes");
    await tap(tt("dtv"), "comments");
    expect(await find(tt("dq6"))).toBeUndefined();
    await tap(tt("dpl"), "comment input");
    await sh("input text 'Great%svideo!'");
    await tap(tt("dq6"), "send");
    await sh("input keyevent 4");
    await sh("input keyevent 4");
    expect(phone.apps.tiktok.screen).toBe("user");
    await sh("input keyevent 4");
    expect(phone.apps.tiktok.screen).toBe("home");
    await tap(tt("gxd"), "Search");
    await sh("input text cats.daily && input keyevent 66");
    await tap(text("@cats.daily"), "result");
    expect(phone.apps.tiktok.screen).toBe("user");
    expect(
      phone.apps.tiktok.actions.map((a) => `${a.type} ${a.target}${a.text ? ` ${a.text}` : ""}`),
    ).toEqual([
      "follow someone",
      "unfollow someone",
      "like @chef/video/7106594312292453675",
      "comment @chef/video/7106594312292453675 Great video!",
      "search cats.daily",
    ]);
  });

  test("Instagram: profile by scheme, follow; post link, like, comment", async () => {
    const { phone, sh, tap } = await start({ popups: false });
    const r = await sh(
      "am start -a android.intent.action.VIEW -d 'instagram://user?username=natgeo' com.instagram.android",
    );
    expect(r).toContain("Starting: Intent");
    await tap(ig("profile_header_follow_button"), "Follow");
    expect(phone.apps.instagram.following.has("natgeo")).toBe(true);
    await sh("am start -a android.intent.action.VIEW -d https://www.instagram.com/p/CxYz123/");
    expect(phone.apps.instagram.screen).toBe("postView");
    await tap(ig("row_feed_button_like"), "Like");
    await tap(ig("row_feed_button_comment"), "Comment");
    await tap(ig("layout_comment_thread_edittext"), "comment box");
    await sh("input text 'nice%sshot'");
    await tap(ig("layout_comment_thread_post_button_click_area"), "Post");
    expect(phone.apps.instagram.actions.map((a) => a.type)).toEqual(["follow", "like", "comment"]);
    expect(phone.apps.instagram.actions[2]).toMatchObject({ target: "p/CxYz123", text: "nice shot" });
  });
});

describe("launcher and chooser", () => {
  test("tap an icon on the launcher; SEND without a component opens the chooser", async () => {
    const { phone, sh, tap, media } = await start({ popups: false });
    await tap(text("TikTok"), "TikTok icon");
    expect(phone.foreground?.pkg).toBe("com.zhiliaoapp.musically");
    await sh("input keyevent 3");
    const mediaId = await media("c.mp4");
    await sh(
      `am start -a android.intent.action.SEND -t video/mp4 --eu android.intent.extra.STREAM content://media/external/video/media/${mediaId}`,
    );
    await tap(text("TikTok"), "chooser entry");
    expect(phone.apps.tiktok.screen).toBe("editor");
  });
});

describe("the phone's clock", () => {
  test("`sleep` and a swipe take the given clock's time, not the system's", async () => {
    const start0 = Date.parse("2026-11-28T09:00:00.000Z");
    // moves itself to each wake-up: 30 s of the phone's time pass at once
    const clock = new AutoClock(start0);
    const { sh } = await start({ clock, popups: false });
    await sh("sleep 30");
    expect(clock.now()).toBe(start0 + 30_000);
    await sh("input swipe 500 1500 500 500 300");
    expect(clock.now()).toBe(start0 + 30_300);
  });
});
