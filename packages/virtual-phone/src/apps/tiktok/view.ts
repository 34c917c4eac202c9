/** What TikTok's screens read of the app, the content they show (feed, popups) and the bottom bar they share. */
import type { MediaEntry } from "../../media.ts";
import type { PopupDef, Post } from "../app.ts";
import { bottomBar, type NodeSpec, type Rect, type Tab } from "../ui.ts";

/** What the screens read of the app. */
export interface TikTokView {
  readonly screen: string;
  readonly fields: Record<string, string>;
  readonly focused: string | null;
  readonly following: ReadonlySet<string>;
  /** Signed-in accounts (switcher order), the one in use, and whether the switcher sheet is open. */
  readonly accounts: readonly string[];
  readonly account: string | null;
  readonly switcherOpen: boolean;
  readonly selected: readonly MediaEntry[];
  readonly uploadMs: number;
  readonly liked: ReadonlySet<string>;
  readonly favorites: ReadonlySet<string>;
  readonly commentsByVideo: ReadonlyMap<string, string[]>;
  readonly commentsOpen: boolean;
  /** The comment bar's image picker, if open, the image ticked in it, and the image attached. */
  readonly imagePicker: boolean;
  readonly pickerChoice: MediaEntry | null;
  readonly commentImage: MediaEntry | null;
  readonly profileUser: string;
  readonly searchResults: readonly string[];
  /** The query the results are for ("" before ENTER; the Videos tab shows its videos). */
  readonly searchQuery: string;
  readonly galleryTab: "all" | "videos" | "photos";
  readonly postStart: number;
  /** How long the upload in progress has taken so far (ms, on the phone's clock). */
  uploadedFor(): number;
  readonly version: string;
  /** Search results: "users", or "sounds" / "videos" once that tab is chosen. */
  readonly searchTab: "users" | "sounds" | "videos";
  /** The editor's "Add sound" sheet, if open. */
  readonly soundSheet: boolean;
  readonly soundResults: readonly string[];
  /** The sheet's Volume panel, if open, and its sliders (0–100). */
  readonly volumePanel: boolean;
  readonly volumes: { readonly original: number; readonly added: number };
  /** The sound the video will carry ("" for its own). */
  readonly sound: string;
  /** The sound page opened from search. */
  readonly soundPageName: string;
  readonly linkSheet: boolean;
  readonly productLink: boolean;
  currentVideo(): Video;
  /** The hashtag suggestions open over the post screen (none: closed). */
  hashtagSuggestions(): string[];
  /** How the app tells an upload went up: "shown" draws "Video posted!" (else it is a toast). */
  readonly successText: string;
  /** The account's own posts, newest first (its profile grid). */
  ownPosts(): readonly Post[];
  visibleMedia(): MediaEntry[];
  recentImages(): MediaEntry[];
}

export interface Video {
  id: string;
  author: string;
  desc: string;
  likes: number;
  comments: number;
}

export const FEED: Video[] = [
  {
    id: "7301234567890123456",
    author: "dancing.queen",
    desc: "Sunday vibes #fyp #dance",
    likes: 12400,
    comments: 231,
  },
  {
    id: "7301234567890123457",
    author: "chef.marco",
    desc: "3 minute pasta 🍝 #cooking",
    likes: 88100,
    comments: 1204,
  },
  {
    id: "7301234567890123458",
    author: "travelwithkim",
    desc: "Lisbon at sunset #travel",
    likes: 5310,
    comments: 87,
  },
];

/** The videos a search for `query` finds (Videos tab): captions that mention it, authors that carry it. */
export function topicVideos(query: string): Video[] {
  const slug = query.toLowerCase().replace(/[^a-z0-9]+/g, "") || "video";
  const seed = [...slug].reduce((n, ch) => (n * 31 + ch.charCodeAt(0)) % 100_000, 7);
  const authors = [`${slug}.daily`, `${slug}_lover`, `all.about.${slug}`, `${slug}.tips`, `the${slug}club`];
  const captions = [
    `Best ${query} moments this week #${slug} #fyp`,
    `You have to try this: ${query} edition #${slug}`,
    `POV: your first day of ${query} #${slug} #viral`,
    `${query} tips nobody tells you #${slug}`,
    `Rating ${query} so you don't have to #${slug} #review`,
  ];
  return authors.map((author, i) => ({
    id: `74${String(seed).padStart(5, "0")}${String(i).padStart(12, "0")}`,
    author,
    desc: captions[i] as string,
    likes: 1000 + seed + i * 97,
    comments: 10 + i,
  }));
}

export function videoKey(v: Video): string {
  return `@${v.author}/video/${v.id}`;
}

/** The editor sheet's recommendations. */
export const RECOMMENDED_SOUNDS = ["Summer Vibes", "Lo-fi Beat", "Epic Drums"];

export const POPUPS: Record<string, PopupDef> = {
  contacts: {
    name: "contacts",
    title: "Find your friends",
    message: "Sync your contacts to easily find people you know on TikTok.",
    ids: { root: "a9q", title: "title", message: "fgq" },
    buttons: [
      { text: "OK", id: "a2z", result: "ok" },
      { text: "Don’t allow", id: "a2y", result: "deny" },
    ],
  },
  titleTip: {
    name: "titleTip",
    title: "Add a catchy title",
    message: "Titles help viewers find your video. You can add one before you post.",
    ids: { root: "tyc", title: "title", message: "tyd" },
    buttons: [{ text: "Got it", id: "tye", result: "ok" }],
  },
  followFriends: {
    name: "followFriends",
    title: "Follow your friends",
    message: "See what your friends are posting: find them from your contacts and Facebook.",
    ids: { root: "f2k", title: "title", message: "f2l" },
    buttons: [
      { text: "Find friends", id: "f2m", result: "find" },
      { text: "Not now", id: "f2n", result: "deny" },
    ],
  },
  publishNow: {
    name: "publishNow",
    title: "Publish now?",
    message: "Your video will be posted right away. You can't change its settings after posting.",
    ids: { root: "p7a", title: "title", message: "p7b" },
    buttons: [
      { text: "Publish now", id: "p7c", result: "publish" },
      { text: "Cancel", id: "p7d", result: "cancel" },
    ],
  },
  notifications: {
    name: "notifications",
    title: "Turn on notifications?",
    message: "Get notified when people like and comment on your videos.",
    ids: { root: "h8q", title: "title", message: "h8r" },
    buttons: [
      { text: "Turn on", id: "h8s", result: "ok" },
      { text: "Not now", id: "h8t", result: "deny" },
    ],
  },
};

/** The bottom bar: Home, Friends, Create (an icon), Inbox, Profile; tapping performs `nav:KEY`. */
const NAV: Tab[] = [
  { id: "mkq", desc: "Home", key: "home" },
  { id: "mkp", desc: "Friends", key: "friends" },
  { id: "mkn", desc: "Create", key: "create" },
  { id: "mkr", desc: "Inbox", key: "inbox" },
  { id: "mks", desc: "Profile", key: "profile" },
];

export function nav(current: string): NodeSpec[] {
  const bar = { id: "mkl", b: [0, 2200, 1080, 2337] as Rect, action: "nav" };
  return [
    bottomBar(bar, NAV, current, (tab, x, w) =>
      tab.key === "create"
        ? [{ c: "ImageView", id: "mko", b: [x + 58, 2225, x + 158, 2310] }]
        : [{ c: "TextView", id: "mkt", text: tab.desc, b: [x + 40, 2280, x + w - 40, 2330] }],
    ),
  ];
}

/** Tapping "Following" on a profile asks first. */
/** After a switch: TikTok offers to remember the login (taktik-bot's dumps: `visual_area`, `yxo`, `f43`). */
export function saveLoginPopup(user: string): PopupDef {
  return {
    // once per account, as the app remembers the answer
    name: `saveLogin:${user}`,
    title: "Save login for next time?",
    message: `Log in to ${user} on this device without needing to enter your info.`,
    ids: { root: "visual_area", title: "yxo", message: "f43" },
    buttons: [
      { text: "Save login", result: "save" },
      { text: "Not now", result: "deny" },
    ],
  };
}

export function unfollowPopup(user: string): PopupDef {
  return {
    name: "unfollow",
    title: `Unfollow @${user}?`,
    message: "You won’t see their videos in your Following feed.",
    ids: { root: "b2x", title: "title", message: "b2y" },
    buttons: [
      { text: "Unfollow", id: "b30", result: "unfollow" },
      { text: "Cancel", id: "b31", result: "cancel" },
    ],
  };
}
