/**
 * Selectors as data against real screens: every selector a real dump (test/fixtures/ui/, copied from
 * ../shared/ui/) covers must find its node there; the override file in the data folder wins.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseUiDump } from "../../src/devices/ui-tree.ts";
import type { Platform as AppName } from "../../src/domain.ts";
import { textOf } from "../../src/scripts/account-warmup/flow.ts";
import { commentRows } from "../../src/scripts/comment/flow.ts";
import { switcherRows } from "../../src/scripts/screen/accounts.ts";
import { Screen } from "../../src/scripts/screen/index.ts";
import { forVersion, loadSelectors } from "../../src/scripts/selectors/index.ts";

const FIXTURES = join(import.meta.dir, "../fixtures/ui");

function screenOf(file: string): Screen {
  const xml = readFileSync(join(FIXTURES, file), "utf8");
  return new Screen(parseUiDump(xml));
}

/** Which screen's selectors each real dump shows (state-dependent ones are listed where they show). */
const COVERED: {
  file: string;
  app: AppName;
  pkg: string;
  version: string;
  covers: Record<string, string[]>;
}[] = [
  {
    file: "tiktok_43_for_you_feed_1080x2400.xml",
    app: "tiktok",
    pkg: "com.zhiliaoapp.musically",
    version: "43.1.4",
    covers: {
      home: ["create", "search", "profileTab"],
      feed: ["video", "author", "like", "follow", "favorite", "comments"],
    },
  },
  {
    file: "tiktok_43_comment_panel_1080x2400.xml",
    app: "tiktok",
    pkg: "com.zhiliaoapp.musically",
    version: "43.1.4",
    covers: { feed: ["commentInput", "commentsOpen"] },
  },
  {
    file: "tiktok_video_page_comment_bar_480x640.xml",
    app: "tiktok",
    pkg: "com.zhiliaoapp.musically",
    version: "32.3.4",
    covers: {
      feed: ["video", "caption", "author", "like", "follow", "favorite", "comments", "commentInput"],
    },
  },
  {
    file: "tiktok_search_results_tabs_480x640.xml",
    app: "tiktok",
    pkg: "com.zhiliaoapp.musically",
    version: "32.3.4",
    covers: { searchVideos: ["box", "videosTab", "result"] },
  },
  {
    file: "tiktok_43_camera_create_screen_1080x2400.xml",
    app: "tiktok",
    pkg: "com.zhiliaoapp.musically",
    version: "43.1.4",
    covers: { camera: ["upload", "addSound"] },
  },
  {
    file: "tiktok_43_gallery_picker_1080x2400.xml",
    app: "tiktok",
    pkg: "com.zhiliaoapp.musically",
    version: "43.1.4",
    covers: { gallery: ["select", "next"] },
  },
  {
    file: "tiktok_43_post_caption_screen_1080x2400.xml",
    app: "tiktok",
    pkg: "com.zhiliaoapp.musically",
    version: "43.1.4",
    covers: { post: ["title", "description", "post", "addLink"] },
  },
  {
    file: "tiktok_other_user_profile_follow_480x640.xml",
    app: "tiktok",
    pkg: "com.zhiliaoapp.musically",
    version: "32.3.4",
    covers: { user: ["handle", "follow"] },
  },
  {
    file: "tiktok_search_results_tabs_480x640.xml",
    app: "tiktok",
    pkg: "com.zhiliaoapp.musically",
    version: "32.3.4",
    covers: { userSearch: ["box", "usersTab"] },
  },
  {
    file: "instagram_other_user_profile_follow_720x1440.xml",
    app: "instagram",
    pkg: "com.instagram.android",
    version: "410.0.0.53.71",
    covers: { user: ["handle", "follow"] },
  },
  {
    file: "instagram_home_feed_posting_720x1440.xml",
    app: "instagram",
    pkg: "com.instagram.android",
    version: "410.0.0.53.71",
    covers: { home: ["search"] },
  },
  {
    file: "instagram_new_reel_gallery_720x1440.xml",
    app: "instagram",
    pkg: "com.instagram.android",
    version: "410.0.0.53.71",
    covers: { gallery: ["title", "reel", "story", "post", "thumbnail"] },
  },
  {
    file: "instagram_new_reel_caption_share_720x1440.xml",
    app: "instagram",
    pkg: "com.instagram.android",
    version: "410.0.0.53.71",
    covers: { caption: ["caption", "share"] },
  },
  {
    file: "instagram_home_feed_posting_720x1440.xml",
    app: "instagram",
    pkg: "com.instagram.android",
    version: "410.0.0.53.71",
    covers: { home: ["profileTab", "feed"], upload: ["progress"] }, // this build has no Create tab
  },
  {
    file: "instagram_home_feed_posted_send_720x1440.xml",
    app: "instagram",
    pkg: "com.instagram.android",
    version: "410.0.0.53.71",
    covers: { upload: ["done"] },
  },
  {
    file: "instagram_reels_viewer_sharing_720x1440.xml",
    app: "instagram",
    pkg: "com.instagram.android",
    version: "410.0.0.53.71",
    covers: {
      upload: ["progress"],
      reels: ["tab", "video", "author", "caption", "like", "follow", "comment", "more"],
      searchReels: ["tab"],
    },
  },
  {
    file: "instagram_story_editor_share_1080x1920.xml",
    app: "instagram",
    pkg: "com.instagram.android",
    version: "410.0.0.53.71",
    covers: { story: ["yourStory", "shareTo"] },
  },
  {
    file: "instagram_410_account_switcher_1080x2220.xml",
    app: "instagram",
    pkg: "com.instagram.android",
    version: "410.0.0.53.71",
    covers: { account: ["switcher", "row", "addAccount"] },
  },
  {
    file: "tiktok_43_comment_panel_1080x2400.xml",
    app: "tiktok",
    pkg: "com.zhiliaoapp.musically",
    version: "43.1.4",
    covers: { comments: ["input", "commentText"] }, // send shows once text is typed, not in this dump
  },
  {
    file: "tiktok_video_page_comment_bar_480x640.xml",
    app: "tiktok",
    pkg: "com.zhiliaoapp.musically",
    version: "", // not stated in the dump
    covers: { comments: ["open", "input"] },
  },
  {
    file: "tiktok_43_for_you_feed_1080x2400.xml",
    app: "tiktok",
    pkg: "com.zhiliaoapp.musically",
    version: "43.1.4",
    covers: { comments: ["feed", "open"] },
  },
  {
    file: "instagram_home_feed_posting_720x1440.xml",
    app: "instagram",
    pkg: "com.instagram.android",
    version: "410.0.0.53.71",
    covers: { comments: ["feed", "open"] },
  },
];

describe("selectors against real dumps", () => {
  for (const { file, app, pkg, version, covers } of COVERED) {
    const selectors = loadSelectors(app);
    for (const [screenName, names] of Object.entries(covers)) {
      for (const name of names) {
        test(`${app}.${screenName}.${name} in ${file}`, () => {
          const screen = screenOf(file);
          const alternatives = selectors.screens[screenName]?.[name];
          expect(alternatives).toBeDefined();
          const node = screen.find(forVersion(alternatives ?? [], pkg, version));
          expect(node).toBeDefined();
          // a node to tap has an area
          expect((node?.bounds.x2 ?? 0) > (node?.bounds.x1 ?? 0)).toBe(true);
        });
      }
    }
  }

  test("the upload states do not match the wrong dump", () => {
    const s = loadSelectors("instagram").screens.upload ?? {};
    const posting = screenOf("instagram_home_feed_posting_720x1440.xml");
    const posted = screenOf("instagram_home_feed_posted_send_720x1440.xml");
    const sel = (n: string) => forVersion(s[n] ?? [], "com.instagram.android", "410");
    expect(posting.has(sel("done"))).toBe(false);
    expect(posting.has(sel("failed"))).toBe(false);
    expect(posted.has(sel("done"))).toBe(true);
  });

  test("popups: TikTok's contacts dialog and Instagram's rating dialog have a known button", () => {
    const cases: [string, AppName, string, string][] = [
      [
        "tiktok_43_contacts_permission_dialog_1080x2400.xml",
        "tiktok",
        "com.zhiliaoapp.musically",
        "contacts",
      ],
      ["instagram_rate_app_dialog_720x1440.xml", "instagram", "com.instagram.android", "rate"],
    ];
    for (const [file, app, pkg, name] of cases) {
      const screen = screenOf(file);
      const hit = loadSelectors(app).popups.find((p) => screen.has(forVersion(p.tap, pkg, "")));
      expect(hit?.name).toBe(name);
    }
  });

  test("Instagram's real account switcher: one account row, the active one; the buttons are no accounts", () => {
    const selectors = loadSelectors("instagram");
    const sel = (screen: string, name: string) =>
      forVersion(selectors.screens[screen]?.[name] ?? [], "com.instagram.android", "410.0.0.53.71");
    const rows = switcherRows(screenOf("instagram_410_account_switcher_1080x2220.xml"), {
      app: "instagram",
      sel,
    });
    expect(rows.map((r) => [r.username, r.active])).toEqual([["user_1", true]]);
  });

  test("the feed's signs are not on a linked post's page or its comment panel", () => {
    const feed = loadSelectors("tiktok").screens.comments?.feed ?? [];
    expect(feed.length).toBeGreaterThan(0);
    for (const [file, version] of [
      ["tiktok_43_comment_panel_1080x2400.xml", "43.1.4"],
      ["tiktok_video_page_comment_bar_480x640.xml", ""],
    ] as const) {
      expect(screenOf(file).has(forVersion(feed, "com.zhiliaoapp.musically", version))).toBe(false);
    }
  });

  test("a comment's row is found by its text in the real panel; the input field never counts", () => {
    const screen = screenOf("tiktok_43_comment_panel_1080x2400.xml");
    const text = forVersion(
      loadSelectors("tiktok").screens.comments?.commentText ?? [],
      "com.zhiliaoapp.musically",
      "43.1.4",
    );
    const rows = screen.findAll(commentRows(text, "Follow me for follow back"));
    expect(rows.map((n) => n.resourceId)).toEqual(["com.zhiliaoapp.musically:id/e7j"]);
    expect(screen.findAll(commentRows(text, "Add comment..."))).toEqual([]);
  });

  test("the warm-up reads a video's state from the real dumps: not liked, not saved, the reel's caption", () => {
    const tiktok = loadSelectors("tiktok").screens.feed ?? {};
    const feed = screenOf("tiktok_43_for_you_feed_1080x2400.xml");
    const tt = (n: string) => forVersion(tiktok[n] ?? [], "com.zhiliaoapp.musically", "43.1.4");
    expect(feed.has(tt("liked"))).toBe(false);
    expect(feed.has(tt("favorited"))).toBe(false);
    // Like and Share carry the same id: the like selector must pick Like
    expect(feed.find(tt("like"))?.contentDesc).toBe("Like video. 169.2K likes");
    // a video page's own comment bar is no open comment sheet; the comment panel is
    const page = screenOf("tiktok_video_page_comment_bar_480x640.xml");
    const old = (n: string) => forVersion(tiktok[n] ?? [], "com.zhiliaoapp.musically", "32.3.4");
    expect(page.has(old("commentsOpen"))).toBe(false);
    expect(feed.has(tt("commentsOpen"))).toBe(false);
    expect(textOf(page.find(old("caption")))).toMatch(/^Missing on the road/);
    expect(textOf(page.find(old("author")))).toBe("Dark Knight");
    const reels = loadSelectors("instagram").screens.reels ?? {};
    const viewer = screenOf("instagram_reels_viewer_sharing_720x1440.xml");
    const ig = (n: string) => forVersion(reels[n] ?? [], "com.instagram.android", "410");
    expect(viewer.has(ig("liked"))).toBe(false);
    // the caption is the description of a node deep inside the caption component
    expect(textOf(viewer.find(ig("caption")))).toBe("LIKE AYEE BSF | creds …");
    expect(viewer.find(ig("author"))?.text).toBe("askaboutnathan");
  });

  test("the feed is no popup: nothing on it is dismissed", () => {
    const screen = screenOf("tiktok_43_for_you_feed_1080x2400.xml");
    const hit = loadSelectors("tiktok").popups.find((p) =>
      screen.has(forVersion(p.tap, "com.zhiliaoapp.musically", "43.1.4")),
    );
    expect(hit).toBeUndefined();
  });
});

describe("the follow flow's selectors on the real profiles", () => {
  const cases: [string, AppName, string, string, string][] = [
    [
      "tiktok_other_user_profile_follow_480x640.xml",
      "tiktok",
      "com.zhiliaoapp.musically",
      "jennyjp2020",
      "ihh",
    ],
    [
      "instagram_other_user_profile_follow_720x1440.xml",
      "instagram",
      "com.instagram.android",
      "jefflenett",
      "profile_header_follow_button",
    ],
  ];
  for (const [file, app, pkg, user, buttonId] of cases) {
    test(`${app}: the handle names the user, the main button reads Follow and not Following (${file})`, () => {
      const screen = screenOf(file);
      const s = loadSelectors(app).screens.user ?? {};
      const sel = (n: string) => forVersion(s[n] ?? [], pkg, "");
      // the flow narrows the handle to the user's name, with or without "@", any case
      const handle = sel("handle").map((m) => ({ ...m, textRegex: `^@?${user.toUpperCase()}$` }));
      expect(screen.find(handle)?.text.replace(/^@/, "")).toBe(user);
      expect(screen.find(sel("follow"))?.resourceId).toBe(`${pkg}:id/${buttonId}`);
      // the count labels read "Following" / "following": they are no button
      expect(screen.has(sel("following"))).toBe(false);
      expect(screen.has(sel("notFound"))).toBe(false);
      expect(screen.has(sel("unfollowConfirm"))).toBe(false);
    });
  }

  test("TikTok's search results: the query box is the EditText, the Users tab is found by its label", () => {
    const screen = screenOf("tiktok_search_results_tabs_480x640.xml");
    const s = loadSelectors("tiktok").screens.userSearch ?? {};
    const sel = (n: string) => forVersion(s[n] ?? [], "com.zhiliaoapp.musically", "");
    expect(screen.find(sel("box"))?.resourceId).toBe("com.zhiliaoapp.musically:id/d4s");
    expect(screen.find(sel("usersTab"))?.selected).toBe(false);
    expect(screen.has(sel("noResults"))).toBe(false);
  });
});

describe("versions and overrides", () => {
  const dir = mkdtempSync(join(tmpdir(), "farm-selectors-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("this version's ids first, unversioned next, other versions' last; short ids get the package", () => {
    const create = loadSelectors("tiktok").screens.home?.create ?? [];
    const on43 = forVersion(create, "com.ss.android.ugc.trill", "43.1.4");
    expect(on43[0]).toEqual({ id: "com.ss.android.ugc.trill:id/mkn" });
    const on50 = forVersion(create, "com.zhiliaoapp.musically", "50.0.1");
    expect(on50[0]).toEqual({ id: "com.zhiliaoapp.musically:id/lxd" });
    expect(on50[on50.length - 1]).toEqual({ id: "com.zhiliaoapp.musically:id/mkn" });
  });

  test("DATA_DIR/selectors/<app>.json is tried before the built-in data", () => {
    mkdirSync(join(dir, "selectors"), { recursive: true });
    writeFileSync(
      join(dir, "selectors", "tiktok.json"),
      JSON.stringify({
        screens: { post: { post: [{ id: "zzz" }] } },
        popups: [{ name: "tip", tap: [{ text: "OK!" }] }],
      }),
    );
    const s = loadSelectors("tiktok", dir);
    const post = forVersion(s.screens.post?.post ?? [], "com.zhiliaoapp.musically", "43.1.4");
    expect(post[0]).toEqual({ id: "com.zhiliaoapp.musically:id/qrb" }); // versioned still first
    const unversioned = forVersion(s.screens.post?.post ?? [], "com.zhiliaoapp.musically", "99");
    expect(unversioned[0]).toEqual({ id: "com.zhiliaoapp.musically:id/zzz" });
    expect(s.popups.filter((p) => p.name === "tip")).toEqual([{ name: "tip", tap: [{ text: "OK!" }] }]);
    // untouched selectors stay
    expect(s.screens.home?.create?.length).toBe(loadSelectors("tiktok").screens.home?.create?.length);
  });

  test("places: the built-in Profile tab of 43.1.4 at 1080x2400 (the real dump's mks); an override's replace them", () => {
    const built = loadSelectors("tiktok").places["home.profileTab"];
    expect(built).toEqual([
      {
        versions: ["43."],
        screen: [1080, 2400],
        bounds: [864, 2208, 1080, 2337],
        activity: "com.ss.android.ugc.aweme.main.MainActivity",
      },
    ]);
    const other = join(dir, "places");
    mkdirSync(join(other, "selectors"), { recursive: true });
    writeFileSync(
      join(other, "selectors", "tiktok.json"),
      JSON.stringify({ places: { "home.profileTab": [] } }),
    );
    expect(loadSelectors("tiktok", other).places["home.profileTab"]).toEqual([]);
    expect(loadSelectors("instagram").places).toEqual({});
  });

  test("a broken override file is an error that names the file", () => {
    mkdirSync(join(dir, "selectors"), { recursive: true });
    writeFileSync(join(dir, "selectors", "instagram.json"), "{ not json");
    expect(() => loadSelectors("instagram", dir)).toThrow(/selectors\/instagram\.json is not valid JSON/);
  });
});
