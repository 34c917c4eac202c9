/**
 * TikTok's own profile and its account switcher (ids of 43.1.4, from taktik-bot's dumps): the display name
 * Button `qf8` opens the "Switch account" bottom sheet `f0u`, one Button `k5o` per signed-in account whose
 * content-desc is the username, the active one selected with a checkmark `en4`, "Add account" last.
 * Signed out, the profile tab shows the login prompt instead.
 */
import type { NodeSpec } from "../ui.ts";
import { nav, type TikTokView } from "./view.ts";

const ROW_H = 140;

export function ownProfile(app: TikTokView): NodeSpec[] {
  const name = app.account;
  if (!name) {
    return [
      { c: "TextView", id: "title", text: "Profile", b: [300, 140, 780, 230] },
      { c: "TextView", id: "lgn", text: "Sign up for an account", b: [140, 900, 940, 980] },
      { c: "Button", id: "lgb", text: "Log in", b: [140, 1100, 940, 1220], tap: "noop" },
      ...nav("profile"),
    ];
  }
  return [
    {
      c: "Button",
      id: "qf8",
      text: name.replace(/[._]+/g, " "),
      b: [300, 140, 780, 230],
      tap: "openSwitcher",
    },
    { c: "ImageView", id: "b5s", desc: "Profile photo", b: [420, 300, 660, 540] },
    { c: "Button", id: "qh5", text: `@${name}`, b: [300, 560, 780, 630] },
    { c: "TextView", id: "qfw", text: "52", b: [200, 680, 400, 740] },
    { c: "TextView", id: "qfv", text: "Following", b: [200, 740, 400, 790] },
    { c: "TextView", id: "qfw", text: "1.2K", b: [440, 680, 640, 740] },
    { c: "TextView", id: "qfv", text: "Followers", b: [440, 740, 640, 790] },
    { c: "TextView", id: "qfw", text: "8.4K", b: [680, 680, 880, 740] },
    { c: "TextView", id: "qfv", text: "Likes", b: [680, 740, 880, 790] },
    { c: "Button", id: "qfe", text: "Edit profile", b: [300, 850, 780, 970], tap: "noop" },
    ...videoGrid(app),
    ...nav("profile"),
    ...(app.switcherOpen ? switcher(app) : []),
  ];
}

/** The profile's videos, newest first, as 43.1.4 draws them: grid `gxd` of `e52` cells with `cover` and views `xxy`. */
function videoGrid(app: TikTokView): NodeSpec[] {
  const posts = app.ownPosts().slice(0, 6);
  if (posts.length === 0)
    return [{ c: "TextView", id: "w4m", text: "No videos yet", b: [300, 1400, 780, 1460] }];
  return [
    {
      c: "RecyclerView",
      id: "gxd",
      b: [0, 1010, 1080, 2200],
      scrollable: true,
      children: posts.map((_, i): NodeSpec => {
        const x = (i % 3) * 360;
        const y = 1010 + Math.floor(i / 3) * 590;
        return {
          c: "FrameLayout",
          id: "e52",
          b: [x, y, x + 358, y + 588],
          tap: `openOwnVideo:${i}`,
          children: [
            { c: "ImageView", id: "cover", b: [x, y, x + 358, y + 588] },
            { c: "TextView", id: "xxy", text: "0", b: [x + 60, y + 520, x + 200, y + 570] },
          ],
        };
      }),
    },
  ];
}

function switcher(app: TikTokView): NodeSpec[] {
  const rows = [...app.accounts, ""];
  const top = 2337 - 170 - rows.length * ROW_H;
  return [
    {
      c: "FrameLayout",
      id: "f0u",
      desc: "Bottom sheet",
      b: [0, top, 1080, 2337],
      children: [
        {
          c: "TextView",
          id: "nmh",
          text: "Switch account",
          desc: "Switch account",
          b: [300, top + 40, 780, top + 120],
        },
        { c: "ImageView", desc: "Close", b: [940, top + 30, 1050, top + 130], tap: "closeSwitcher" },
        ...rows.map((name, i): NodeSpec => {
          const y = top + 170 + i * ROW_H;
          const active = name === app.account;
          return {
            c: "Button",
            id: "k5o",
            desc: name || "Add account",
            selected: active,
            b: [0, y, 1080, y + ROW_H],
            tap: name ? `switchAccount:${name}` : "addAccount",
            children: [
              {
                c: "TextView",
                id: "ljk",
                text: name || "Add account",
                selected: active,
                b: [180, y + 40, 800, y + 100],
              },
              ...(active ? [checkmark(y)] : []),
            ],
          };
        }),
      ],
    },
  ];
}

const checkmark = (y: number): NodeSpec => ({
  c: "ImageView",
  id: "en4",
  desc: "Checkmark",
  b: [960, y + 40, 1020, y + 100],
});
