/**
 * Pages and dialogs as data against real screens (test/fixtures/ui/, copied from ../shared/ui/): each real
 * dump shows the page it is of and none of the pages a flow could take it for; each dialog is recognised
 * and answered by the button its decision needs, whichever permission controller shows it.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Platform } from "../../src/domain.ts";
import { popupOn, Screen } from "../../src/scripts/screen/index.ts";
import { loadSelectors, pageFor, popupsFor } from "../../src/scripts/selectors/index.ts";

const FIXTURES = join(import.meta.dir, "../fixtures/ui");
const screenOf = (file: string) => Screen.fromXml(readFileSync(join(FIXTURES, file), "utf8"));

const APPS: Record<Platform, { pkg: string }> = {
  tiktok: { pkg: "com.zhiliaoapp.musically" },
  instagram: { pkg: "com.instagram.android" },
};

/** Which page each real dump is, and which pages of the same walk it must not be taken for. */
const PAGES: { file: string; app: Platform; version: string; is: string[]; isNot: string[] }[] = [
  {
    file: "tiktok_43_camera_create_screen_1080x2400.xml",
    app: "tiktok",
    version: "43.1.4",
    is: ["camera"],
    isNot: ["gallery", "editor", "post"],
  },
  {
    file: "tiktok_43_gallery_picker_1080x2400.xml",
    app: "tiktok",
    version: "43.1.4",
    is: ["gallery"],
    isNot: ["camera", "editor", "post"],
  },
  {
    file: "tiktok_43_post_caption_screen_1080x2400.xml",
    app: "tiktok",
    version: "43.1.4",
    is: ["post"],
    isNot: ["camera", "gallery", "editor"],
  },
  {
    file: "tiktok_43_comment_panel_1080x2400.xml",
    app: "tiktok",
    version: "43.1.4",
    is: ["comments"],
    isNot: ["video"],
  },
  {
    file: "tiktok_video_page_comment_bar_480x640.xml",
    app: "tiktok",
    version: "32.3.4",
    is: ["video", "feed"],
    isNot: ["comments"],
  },
  {
    file: "tiktok_43_for_you_feed_1080x2400.xml",
    app: "tiktok",
    version: "43.1.4",
    is: ["home", "feed"],
    isNot: ["comments", "camera", "editor"],
  },
  {
    file: "instagram_new_reel_gallery_720x1440.xml",
    app: "instagram",
    version: "410",
    is: ["gallery"],
    isNot: ["edit", "caption", "storyEditor"],
  },
  {
    file: "instagram_new_reel_caption_share_720x1440.xml",
    app: "instagram",
    version: "410",
    is: ["caption"],
    isNot: ["gallery", "edit", "storyEditor"],
  },
  {
    file: "instagram_story_editor_share_1080x1920.xml",
    app: "instagram",
    version: "410",
    is: ["storyEditor"],
    isNot: ["caption", "edit"],
  },
  {
    file: "instagram_home_feed_posting_720x1440.xml",
    app: "instagram",
    version: "410",
    is: ["home", "post"],
    isNot: ["storyEditor", "caption", "comments"],
  },
  {
    file: "instagram_410_account_switcher_1080x2220.xml",
    app: "instagram",
    version: "410.0.0.53.71",
    is: ["switcher"],
    isNot: [],
  },
];

describe("pages by their anchors on the real dumps", () => {
  for (const { file, app, version, is, isNot } of PAGES) {
    test(`${file}: ${is.join(", ")}${isNot.length ? `, not ${isNot.join(", ")}` : ""}`, () => {
      const selectors = loadSelectors(app);
      const screen = screenOf(file);
      const pkg = file.includes("story_editor") ? "com.instagram.androie" : APPS[app].pkg;
      for (const name of is)
        expect([name, screen.shows(pageFor(selectors, name, pkg, version))]).toEqual([name, true]);
      for (const name of isNot)
        expect([name, screen.shows(pageFor(selectors, name, pkg, version))]).toEqual([name, false]);
    });
  }

  test("every page of both files resolves: its anchors name selectors that exist", () => {
    for (const app of ["tiktok", "instagram"] as const) {
      const selectors = loadSelectors(app);
      for (const name of Object.keys(selectors.pages)) {
        const page = pageFor(selectors, name, APPS[app].pkg, "");
        expect(page.has.length).toBeGreaterThan(0);
      }
    }
  });
});

/** A dialog as `uiautomator dump` writes it: a message and buttons, in `pkg`. */
function dialog(
  pkg: string,
  message: string,
  buttons: [string, string][],
  messageId = `${pkg}:id/permission_message`,
) {
  const rows = [
    `<node index="0" text="${message}" resource-id="${messageId}" class="android.widget.TextView" package="${pkg}" content-desc="" checkable="false" checked="false" clickable="false" enabled="true" focusable="false" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="[100,900][980,1000]"/>`,
    ...buttons.map(
      ([id, text], i) =>
        `<node index="${i + 1}" text="${text}" resource-id="${id ? `${pkg}:id/${id}` : ""}" class="android.widget.Button" package="${pkg}" content-desc="" checkable="false" checked="false" clickable="true" enabled="true" focusable="true" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="[100,${1100 + i * 150}][980,${1230 + i * 150}]"/>`,
    ),
  ];
  return Screen.fromXml(
    `<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation="0"><node index="0" text="" resource-id="${pkg}:id/grant_dialog" class="android.widget.LinearLayout" package="${pkg}" content-desc="" checkable="false" checked="false" clickable="false" enabled="true" focusable="false" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="[0,800][1080,1700]">${rows.join("")}</node></hierarchy>`,
  );
}

const GOOGLE = "com.google.android.permissioncontroller";
const AOSP = "com.android.permissioncontroller";

describe("dialogs as data: the button each decision needs", () => {
  const cases: { what: string; screen: Screen; popup: string; pressed: string }[] = [
    {
      what: "media, Android 14 on a Pixel (Google's package): Allow all",
      screen: dialog(GOOGLE, "Allow TikTok to access photos and videos on this device?", [
        ["permission_allow_selected_button", "Select photos and videos"],
        ["permission_allow_all_button", "Allow all"],
        ["permission_deny_button", "Don’t allow"],
      ]),
      popup: "media permission",
      pressed: "Allow all",
    },
    {
      what: "media, Android 10 (AOSP): Allow",
      screen: dialog(AOSP, "Allow TikTok to access photos, media and files on your device?", [
        ["permission_allow_button", "Allow"],
        ["permission_deny_button", "Deny"],
      ]),
      popup: "media permission",
      pressed: "Allow",
    },
    {
      what: "media, a maker's package without ids: by the texts",
      screen: dialog(
        "com.samsung.android.permissioncontroller",
        "Allow TikTok to access photos and videos?",
        [
          ["", "Allow"],
          ["", "Don’t allow"],
        ],
      ),
      popup: "media permission",
      pressed: "Allow",
    },
    {
      what: "contacts (Google's package): Don't allow",
      screen: dialog(GOOGLE, "Allow TikTok to access your contacts?", [
        ["permission_allow_button", "Allow"],
        ["permission_deny_button", "Don’t allow"],
      ]),
      popup: "contacts permission",
      pressed: "Don’t allow",
    },
    {
      what: "any other permission: denied",
      screen: dialog(GOOGLE, "Allow TikTok to send you notifications?", [
        ["permission_allow_button", "Allow"],
        ["permission_deny_button", "Don’t allow"],
      ]),
      popup: "other permission",
      pressed: "Don’t allow",
    },
    {
      what: "an app that is not responding: Wait",
      screen: dialog(
        "android",
        "TikTok isn't responding",
        [
          ["aerr_close", "Close app"],
          ["aerr_wait", "Wait"],
        ],
        "android:id/alertTitle",
      ),
      popup: "app not responding",
      pressed: "Wait",
    },
  ];
  for (const { what, screen, popup, pressed } of cases) {
    test(what, () => {
      for (const app of ["tiktok", "instagram"] as const) {
        const on = popupOn(screen, popupsFor(loadSelectors(app), APPS[app].pkg, ""));
        expect([on?.popup.name, on?.button.text]).toEqual([popup, pressed]);
      }
    });
  }

  test("the real dialogs: TikTok's contacts dialog denied, Instagram's rating dismissed with No, thanks", () => {
    const contacts = popupOn(
      screenOf("tiktok_43_contacts_permission_dialog_1080x2400.xml"),
      popupsFor(loadSelectors("tiktok"), APPS.tiktok.pkg, "43.1.4"),
    );
    expect([contacts?.popup.name, contacts?.button.text]).toEqual(["contacts", "Don’t allow"]);
    const rate = popupOn(
      screenOf("instagram_rate_app_dialog_720x1440.xml"),
      popupsFor(loadSelectors("instagram"), APPS.instagram.pkg, "410"),
    );
    expect([rate?.popup.name, rate?.button.text]).toEqual(["rate", "No, thanks"]);
  });

  test("each permission in the data says whether granting is right", () => {
    const decisions = loadSelectors("tiktok")
      .popups.filter((p) => p.name.endsWith("permission"))
      .map((p) => [p.name, p.grant]);
    expect(decisions).toEqual([
      ["media permission", true],
      ["contacts permission", false],
      ["other permission", false],
    ]);
  });
});
