/**
 * Instagram's own profile and its account switcher (410, from the real dump
 * instagram_410_account_switcher_1080x2220.xml): the username in the action bar opens a bottom sheet
 * without resource-ids besides `recycler_view_container_id`: one clickable ViewGroup per signed-in account,
 * content-desc the username (the active one selected), then "Add Instagram account" and "Go to Accounts
 * Center". Signed out, Instagram shows its login page instead of any screen.
 */
import type { NodeSpec } from "../ui.ts";
import { type InstagramView, tabBar } from "./view.ts";

const ROW_H = 110;

export function ownProfile(app: InstagramView): NodeSpec[] {
  const name = app.account ?? "";
  return [
    {
      c: "LinearLayout",
      id: "action_bar_username_container",
      b: [24, 56, 420, 112],
      tap: "openSwitcher",
      children: [
        { c: "TextView", id: "action_bar_title", text: name, b: [24, 60, 360, 108] },
        { c: "ImageView", id: "action_bar_title_chevron", b: [366, 72, 396, 98] },
      ],
    },
    { c: "ImageView", id: "row_profile_header_imageview", desc: "Profile picture", b: [24, 140, 204, 320] },
    {
      c: "TextView",
      id: "profile_header_full_name",
      text: name.replace(/[._]+/g, " "),
      b: [24, 340, 400, 380],
    },
    { c: "Button", text: "Edit profile", b: [24, 420, 350, 480], tap: "noop" },
    ...postGrid(app, name),
    ...tabBar("profile"),
    ...(app.switcherOpen ? switcher(app) : []),
  ];
}

/**
 * The profile's grid, newest first: `image_button` cells whose desc says what and where ("Reel by NAME at
 * row 1, column 1"), under the tabs (`profile_tab_layout`, "Grid view").
 */
function postGrid(app: InstagramView, name: string): NodeSpec[] {
  const tabs: NodeSpec = {
    c: "LinearLayout",
    id: "profile_tab_layout",
    b: [0, 500, 720, 560],
    children: [
      {
        c: "ImageView",
        id: "profile_tab_icon_view",
        desc: "Grid view",
        selected: true,
        b: [0, 500, 360, 560],
      },
    ],
  };
  const cells = app
    .ownPosts()
    .slice(0, 12)
    .map((p, i): NodeSpec => {
      const [row, col] = [Math.floor(i / 3), i % 3];
      const what = p.kind === "reel" ? "Reel" : "Photo";
      return {
        c: "ImageView",
        id: "image_button",
        desc: `${what} by ${name} at row ${row + 1}, column ${col + 1}`,
        b: [col * 240, 562 + row * 240, col * 240 + 238, 562 + row * 240 + 238],
        tap: `openOwnPost:${i}`,
      };
    });
  return [tabs, ...cells];
}

function switcher(app: InstagramView): NodeSpec[] {
  const top = 1362 - 220 - (app.accounts.length + 1) * ROW_H;
  const rows = app.accounts.map((name, i): NodeSpec => {
    const y = top + 40 + i * ROW_H;
    const active = name === app.account;
    return {
      c: "ViewGroup",
      desc: name,
      selected: active,
      b: [30, y, 690, y + ROW_H - 10],
      tap: `switchAccount:${name}`,
      children: [
        { c: "ImageView", selected: active, b: [58, y + 20, 128, y + 90] },
        { c: "View", text: name, selected: active, b: [150, y + 35, 450, y + 75] },
      ],
    };
  });
  const end = top + 40 + app.accounts.length * ROW_H;
  return [
    {
      c: "ViewGroup",
      id: "recycler_view_container_id",
      b: [0, top, 720, 1362],
      children: [
        { c: "View", desc: "Cancel", b: [320, top + 8, 400, top + 24], tap: "closeSwitcher" },
        ...rows,
        {
          c: "Button",
          desc: "Add Instagram account",
          b: [30, end, 690, end + ROW_H - 10],
          tap: "addAccount",
          children: [{ c: "View", text: "Add Instagram account", b: [150, end + 35, 460, end + 75] }],
        },
        {
          c: "Button",
          desc: "Go to Accounts Center",
          b: [30, end + ROW_H, 690, end + ROW_H + 70],
          tap: "noop",
          children: [
            { c: "View", text: "Go to Accounts Center", b: [210, end + ROW_H + 15, 510, end + ROW_H + 55] },
          ],
        },
        { c: "ImageView", desc: "Meta logo", b: [290, end + ROW_H + 90, 430, end + ROW_H + 120] },
      ],
    },
  ];
}

/** What Instagram shows with no account signed in. */
export function loginPage(): NodeSpec[] {
  return [
    { c: "ImageView", desc: "Instagram", b: [260, 300, 460, 420] },
    {
      c: "EditText",
      id: "login_username",
      hint: "Username, email or mobile number",
      b: [40, 560, 680, 640],
      field: "login",
    },
    { c: "Button", id: "button_text", text: "Log in", b: [40, 700, 680, 780], tap: "noop" },
    {
      c: "Button",
      desc: "Create new account",
      text: "Create new account",
      b: [40, 1250, 680, 1320],
      tap: "noop",
    },
  ];
}
