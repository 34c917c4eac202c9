/** What Instagram's screens read of the app, their texts (popups, destinations) and the tab bar they share. */
import type { MediaEntry } from "../../media.ts";
import type { PopupDef, Post } from "../app.ts";
import { bottomBar, type NodeSpec, type Rect, type Tab } from "../ui.ts";

/** What the screens read of the app. */
export interface InstagramView {
  readonly screen: string;
  readonly fields: Record<string, string>;
  readonly following: ReadonlySet<string>;
  /** Signed-in accounts (switcher order), the one in use, and whether the switcher sheet is open. */
  readonly accounts: readonly string[];
  readonly account: string | null;
  readonly switcherOpen: boolean;
  readonly dest: Dest;
  readonly pending: { readonly dest: Dest } | null;
  readonly profileUser: string;
  /** The post on screen; `caption` for the account's own posts (shown under the media). */
  readonly postRef: { readonly key: string; readonly author: string; readonly caption?: string };
  readonly liked: ReadonlySet<string>;
  readonly commentsByPost: ReadonlyMap<string, string[]>;
  /** Reels saved from the Reels viewer's "More" sheet, by key ("reel/CODE"). */
  readonly savedReels: ReadonlySet<string>;
  /** The Reels viewer's "More" sheet is open. */
  readonly reelMore: boolean;
  /** The last query submitted in search (its results grid shows its reels). */
  readonly searchQuery: string;
  items(): MediaEntry[];
  /** How the app tells an upload went up (realism's `successText`). */
  readonly successText: string;
  /** The account's own posts, newest first (its profile grid), and whether it has a story up. */
  ownPosts(): readonly Post[];
  hasStory(): boolean;
  currentReel(): Reel;
}

export interface Reel {
  code: string;
  author: string;
  caption: string;
  likes: number;
  comments: number;
}

export const reelKey = (r: Reel) => `reel/${r.code}`;

/** The Reels tab's feed. */
export const REELS: Reel[] = [
  {
    code: "C1aaa",
    author: "askaboutnathan",
    caption: "LIKE AYEE BSF | creds to my bestie",
    likes: 80057,
    comments: 356,
  },
  {
    code: "C1bbb",
    author: "wanderlust.eva",
    caption: "Sunrise over the Dolomites #travel",
    likes: 12034,
    comments: 88,
  },
  {
    code: "C1ccc",
    author: "homecook.sam",
    caption: "Crispy potatoes, 3 ingredients #cooking",
    likes: 45120,
    comments: 410,
  },
];

/** The reels a search for `query` finds: captions that mention it. */
export function topicReels(query: string): Reel[] {
  const slug = query.toLowerCase().replace(/[^a-z0-9]+/g, "") || "reels";
  const captions = [
    `${query} done right #${slug}`,
    `Day 3 of ${query} #${slug} #reels`,
    `Things I wish I knew about ${query} #${slug}`,
    `${query}, but make it fast #${slug}`,
  ];
  return captions.map((caption, i) => ({
    code: `T${slug.slice(0, 6)}${i}`,
    author: [`${slug}.daily`, `${slug}_club`, `learn.${slug}`, `${slug}.vibes`][i] as string,
    caption,
    likes: 2000 + i * 311,
    comments: 20 + i,
  }));
}

export const POPUPS: Record<string, PopupDef> = {
  saveLogin: {
    name: "saveLogin",
    title: "Save your login info?",
    message:
      "We'll save the login info for your account, so you won't need to enter it next time you log in.",
    ids: { root: "dialog_container", title: "igds_headline_headline", message: "igds_headline_body" },
    buttons: [
      { text: "Save", id: "igds_button_primary", result: "save" },
      { text: "Not Now", id: "igds_button_secondary", result: "notNow" },
    ],
  },
  draft: {
    name: "draft",
    title: "Keep editing your draft?",
    message: "You can keep editing your reel or start a new one.",
    ids: { root: "dialog_container", title: "igds_headline_headline", message: "igds_headline_body" },
    buttons: [
      { text: "Start new video", id: "igds_button_primary", result: "startNew" },
      { text: "Keep editing", id: "igds_button_secondary", result: "keepEditing" },
    ],
  },
};

/** The appirater dialog (ids and texts of a real dump, instagram_rate_app_dialog). */
export const RATE_POPUP: PopupDef = {
  name: "rate",
  title: "Rate Instagram",
  message:
    "If you enjoy using Instagram, would you mind taking a moment to rate it? It won't take more than a minute. Thanks for your support!",
  ids: { root: "alertTitleContainer", title: "appirater_title_area", message: "appirater_message_area" },
  buttons: [
    { text: "Rate Instagram", id: "appirater_rate_button", result: "rate" },
    { text: "Remind me later", id: "appirater_rate_later_button", result: "later" },
    { text: "No, thanks", id: "appirater_cancel_button", result: "cancel" },
  ],
};

export type Dest = "feed" | "story" | "clips";
export const DEST_TITLE: Record<Dest, string> = {
  feed: "New post",
  story: "Add to story",
  clips: "New reel",
};
export const DEST_KIND: Record<Dest, string> = { feed: "post", story: "story", clips: "reel" };
export const SHARING: Record<Dest, string> = {
  feed: "Sharing…",
  story: "Sharing to your story…",
  clips: "Sharing to Reels…",
};

/** The bottom bar: Home, Search, Create, Reels, Profile; tapping performs `tab:KEY`. */
const TABS: Tab[] = [
  { id: "feed_tab", desc: "Home", key: "home" },
  { id: "search_tab", desc: "Search and explore", key: "search" },
  { id: "creation_tab", desc: "Create", key: "create" },
  { id: "clips_tab", desc: "Reels", key: "reels" },
  { id: "profile_tab", desc: "Profile", key: "profile" },
];

export function tabBar(current: string): NodeSpec[] {
  const bar = { id: "tab_bar", b: [0, 1362, 720, 1440] as Rect, action: "tab" };
  return [
    bottomBar(bar, TABS, current, (_tab, x) => [
      { c: "ImageView", id: "tab_icon", b: [x + 52, 1381, x + 92, 1421] },
    ]),
  ];
}

export function formatDate(sec: number): string {
  const d = new Date(sec * 1000);
  const months = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
  ];
  const h = d.getUTCHours();
  const hh = h % 12 === 0 ? 12 : h % 12;
  const mm = String(d.getUTCMinutes()).padStart(2, "0");
  return `${months[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()} ${hh}:${mm} ${h < 12 ? "AM" : "PM"}`;
}

/** Tapping "Following" on a profile opens the follow sheet. */
export function unfollowPopup(user: string): PopupDef {
  return {
    name: "unfollow",
    title: user,
    message: "Unfollow?",
    ids: {
      root: "follow_sheet_container",
      title: "follow_sheet_title",
      message: "follow_sheet_subtitle",
    },
    buttons: [
      { text: "Unfollow", id: "follow_sheet_unfollow_row", result: "unfollow" },
      { text: "Cancel", id: "follow_sheet_cancel", result: "cancel" },
    ],
  };
}
