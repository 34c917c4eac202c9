/** TikTok (com.zhiliaoapp.musically), resource ids of 43.1.4, layouts in 1080x2400. */
import type { MediaEntry } from "../media.ts";
import { type AppEnv, type Intent, mediaPermission, type PopupDef, SimApp } from "./app.ts";
import type { NodeSpec } from "./ui.ts";

export const TIKTOK_PKG = "com.zhiliaoapp.musically";
export const TIKTOK_MAIN = "com.ss.android.ugc.aweme.splash.SplashActivity";
export const TIKTOK_SHARE = "com.ss.android.ugc.aweme.share.SystemShareActivity";

interface Video {
  id: string;
  author: string;
  desc: string;
  likes: number;
  comments: number;
}

const FEED: Video[] = [
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

function videoKey(v: Video): string {
  return `@${v.author}/video/${v.id}`;
}

const POPUPS: Record<string, PopupDef> = {
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

const NAV: [string, string, string][] = [
  ["mkq", "Home", "home"],
  ["mkp", "Friends", "friends"],
  ["mkn", "Create", "create"],
  ["mkr", "Inbox", "inbox"],
  ["mks", "Profile", "profile"],
];

function nav(current: string): NodeSpec[] {
  return [
    {
      c: "LinearLayout",
      id: "mkl",
      b: [0, 2200, 1080, 2337],
      children: NAV.map(([id, label, action], i) => ({
        c: "FrameLayout",
        id,
        desc: label,
        b: [i * 216, 2200, (i + 1) * 216, 2337] as [number, number, number, number],
        tap: `nav:${action}`,
        selected: action === current,
        children:
          action === "create"
            ? [{ c: "ImageView", id: "mko", b: [i * 216 + 58, 2225, i * 216 + 158, 2310] }]
            : [{ c: "TextView", id: "mkt", text: label, b: [i * 216 + 40, 2280, (i + 1) * 216 - 40, 2330] }],
      })),
    },
  ];
}

export class TikTokApp extends SimApp {
  readonly pkg = TIKTOK_PKG;
  readonly label = "TikTok";
  readonly mainActivity = TIKTOK_MAIN;
  readonly ref = { width: 1080, height: 2400 };
  private feedIndex = 0;
  private liked = new Set<string>();
  private favorites = new Set<string>();
  /** Comments typed on videos, by video key. */
  private commentsByVideo = new Map<string, string[]>();
  private commentsOpen = false;
  /** The video opened from a link (screen "video"). */
  private linkVideo: Video | null = null;
  /** The profile on screen (screen "user"). */
  private profileUser = "";
  private searchResults: string[] = [];
  /** Where BACK goes from "user" / "video" / "search". */
  private backStack: string[] = [];
  private galleryTab: "all" | "videos" | "photos" = "all";
  private mediaGranted = false;
  private fromShare = false;
  private postStart = 0;
  private toastUntil = 0;
  private pending: { caption: string; title: string; media: MediaEntry[] } | null = null;

  constructor(env: AppEnv) {
    super(env);
  }

  override get activity(): string {
    switch (this.screen) {
      case "camera":
      case "gallery":
        return "com.ss.android.ugc.aweme.shortvideo.ui.VideoRecordNewActivity";
      case "editor":
        return "com.ss.android.ugc.aweme.shortvideo.edit.VEVideoPublishEditActivity";
      case "post":
        return "com.ss.android.ugc.aweme.shortvideo.publish.VideoPublishActivity";
      case "user":
        return "com.ss.android.ugc.aweme.profile.ui.UserProfileActivity";
      case "video":
        return "com.ss.android.ugc.aweme.detail.ui.DetailActivity";
      case "search":
        return "com.ss.android.ugc.aweme.search.activity.SearchResultActivity";
      default:
        return "com.ss.android.ugc.aweme.main.MainActivity";
    }
  }

  launch(intent: Intent): string | null {
    const cold = !this.running;
    const isShare =
      intent.action === "android.intent.action.SEND" ||
      intent.action === "android.intent.action.SEND_MULTIPLE";
    if (isShare) {
      const media = intent.streams.map((u) => this.env.media.fromUri(u)).filter((m): m is MediaEntry => !!m);
      if (cold) this.go("home");
      if (media.length === 0) {
        // TikTok shows a toast and stays where it is.
        return null;
      }
      this.selected = media;
      this.fromShare = true;
      this.fields = {};
      this.go("editor");
      if (cold) this.popupOnce(POPUPS.contacts as PopupDef);
      return null;
    }
    if (cold) {
      this.go("home");
      this.popupOnce(POPUPS.contacts as PopupDef);
    }
    if (intent.action === "android.intent.action.VIEW" && intent.data) this.openLink(intent.data);
    return null;
  }

  /** https://www.tiktok.com/@user, https://www.tiktok.com/@user/video/ID, https://vm.tiktok.com/CODE */
  private openLink(url: string): void {
    const video = /tiktok\.com\/@([\w.-]+)\/video\/(\d+)/i.exec(url);
    const user = /tiktok\.com\/@([\w.-]+)\/?(?:\?.*)?$/i.exec(url);
    const short = /vm\.tiktok\.com\/(\w+)/i.exec(url);
    this.commentsOpen = false;
    if (video) {
      this.openVideo({
        id: video[2] as string,
        author: video[1] as string,
        desc: "",
        likes: 1200,
        comments: 0,
      });
    } else if (short) {
      this.openVideo({
        id: `7${(short[1] as string).length}00000000000000000`,
        author: "creator",
        desc: "",
        likes: 1200,
        comments: 0,
      });
    } else if (user) {
      this.openProfile(user[1] as string);
    }
  }

  private openVideo(v: Video): void {
    if (this.screen !== "video") this.backStack.push(this.screen);
    this.linkVideo = v;
    this.commentsOpen = false;
    this.go("video");
  }

  private openProfile(name: string): void {
    if (this.screen !== "user") this.backStack.push(this.screen);
    this.profileUser = name;
    this.go("user");
  }

  /** The video on screen (feed or link). */
  private currentVideo(): Video {
    if (this.screen === "video" && this.linkVideo) return this.linkVideo;
    return FEED[this.feedIndex] ?? (FEED[0] as Video);
  }

  override forceStop(): void {
    super.forceStop();
    this.pending = null;
    this.backStack = [];
    this.commentsOpen = false;
    this.searchResults = [];
  }

  override tick(now: number): void {
    if (this.screen === "posting" && this.pending && now - this.postStart >= this.uploadMs) {
      const p = this.pending;
      this.pending = null;
      this.posts.push({
        caption: p.caption,
        ...(p.title ? { title: p.title } : {}),
        media: p.media.map((m) => m.data),
        kind: p.media.every((m) => m.kind === "images") ? "photo" : "video",
        at: now,
      });
      this.toastUntil = now + 2500;
      this.go("posted");
      this.env.wake(2500);
      this.popupOnce(POPUPS.notifications as PopupDef);
    } else if (this.screen === "posted" && now >= this.toastUntil) {
      this.go("home");
    }
  }

  override swipe(_dx: number, dy: number): void {
    if (
      (this.screen === "home" || this.screen === "posted" || this.screen === "posting") &&
      Math.abs(dy) > 100
    ) {
      this.feedIndex = (this.feedIndex + (dy < 0 ? 1 : FEED.length - 1)) % FEED.length;
    }
  }

  override key(code: number): void {
    if (code === 66 && this.screen === "search") this.doSearch();
  }

  private doSearch(): void {
    const q = (this.fields.search ?? "").trim().replace(/^@/, "");
    if (!q) return;
    this.act("search", q);
    this.searchResults = [q, `${q}_official`, `${q}.fan`];
    this.focused = null;
  }

  back(): boolean {
    if (this.commentsOpen) {
      this.commentsOpen = false;
      this.focused = null;
      return true;
    }
    switch (this.screen) {
      case "video":
      case "user":
      case "search":
        this.go(this.backStack.pop() ?? "home");
        return true;
      case "camera":
        this.go("home");
        return true;
      case "gallery":
        this.go("camera");
        return true;
      case "editor":
        this.go(this.fromShare ? "home" : "gallery");
        return true;
      case "post":
        this.go("editor");
        return true;
      case "friends":
      case "inbox":
      case "profile":
        this.go("home");
        return true;
      default:
        return false;
    }
  }

  protected override onPopup(p: PopupDef, result: string): void {
    if (p.name === "unfollow" && result === "unfollow") {
      if (this.following.delete(this.profileUser)) this.act("unfollow", this.profileUser);
      return;
    }
    if (p.name === "media_permission") {
      if (result === "allow") {
        this.mediaGranted = true;
        this.galleryTab = "all";
        this.selected = [];
        this.go("gallery");
      }
    }
  }

  private visibleMedia(): MediaEntry[] {
    const t = this.galleryTab;
    return this.env.media.gallery((e) =>
      t === "videos"
        ? e.kind === "video"
        : t === "photos"
          ? e.kind === "images"
          : e.kind === "video" || e.kind === "images",
    );
  }

  protected onAction(action: string): void {
    const [verb, arg] = action.split(":") as [string, string | undefined];
    switch (verb) {
      case "nav":
        if (arg === "create") {
          this.fromShare = false;
          this.go("camera");
        } else if (arg) {
          this.backStack = [];
          this.commentsOpen = false;
          this.go(arg);
        }
        return;
      case "follow": {
        const a = arg ?? this.currentVideo().author;
        if (!this.following.has(a)) {
          this.following.add(a);
          this.act("follow", a);
        }
        return;
      }
      case "following":
        this.popupAlways({
          name: "unfollow",
          title: `Unfollow @${this.profileUser}?`,
          message: "You won’t see their videos in your Following feed.",
          ids: { root: "b2x", title: "title", message: "b2y" },
          buttons: [
            { text: "Unfollow", id: "b30", result: "unfollow" },
            { text: "Cancel", id: "b31", result: "cancel" },
          ],
        });
        return;
      case "like": {
        const k = videoKey(this.currentVideo());
        if (this.liked.has(k)) {
          this.liked.delete(k);
          this.act("unlike", k);
        } else {
          this.liked.add(k);
          this.act("like", k);
        }
        return;
      }
      case "favorite": {
        const k = videoKey(this.currentVideo());
        if (this.favorites.has(k)) {
          this.favorites.delete(k);
          this.act("unfavorite", k);
        } else {
          this.favorites.add(k);
          this.act("favorite", k);
        }
        return;
      }
      case "comments":
        this.commentsOpen = true;
        return;
      case "closeComments":
        this.commentsOpen = false;
        this.focused = null;
        return;
      case "sendComment": {
        const text = this.fields.comment ?? "";
        if (!text.trim()) return;
        const k = videoKey(this.currentVideo());
        this.commentsByVideo.set(k, [...(this.commentsByVideo.get(k) ?? []), text]);
        this.act("comment", k, text);
        this.fields.comment = "";
        this.focused = null;
        return;
      }
      case "profile":
        this.openProfile(arg ?? this.currentVideo().author);
        return;
      case "search":
        this.backStack.push(this.screen);
        this.fields.search = "";
        this.searchResults = [];
        this.go("search");
        this.focused = "search";
        return;
      case "doSearch":
        this.doSearch();
        return;
      case "back":
        this.back();
        return;
      case "openUserVideo":
        this.openVideo({
          id: `73000000000000000${arg ?? "0"}`.slice(0, 19),
          author: this.profileUser,
          desc: `video by @${this.profileUser}`,
          likes: 900,
          comments: 3,
        });
        return;
      case "closeCamera":
        this.go("home");
        return;
      case "openGallery":
        if (this.mediaGranted || !this.env.popups) {
          this.mediaGranted = true;
          this.selected = [];
          this.galleryTab = "all";
          this.go("gallery");
        } else {
          this.popupAlways(mediaPermission("TikTok"));
        }
        return;
      case "closeGallery":
        this.go("camera");
        return;
      case "tab":
        this.galleryTab = (arg as "all" | "videos" | "photos") ?? "all";
        return;
      case "tick": {
        const m = this.visibleMedia()[Number(arg)];
        if (!m) return;
        const i = this.selected.findIndex((s) => s.id === m.id);
        if (i >= 0) this.selected.splice(i, 1);
        else this.selected.push(m);
        return;
      }
      case "galleryNext":
        if (this.selected.length === 0) return;
        this.fields = {};
        this.go("editor");
        return;
      case "editorBack":
        this.back();
        return;
      case "editorNext":
        this.go("post");
        this.popupOnce(POPUPS.titleTip as PopupDef);
        return;
      case "postBack":
        this.go("editor");
        return;
      case "drafts":
        this.selected = [];
        this.fields = {};
        this.go("home");
        return;
      case "post":
        this.pending = {
          caption: this.fields.caption ?? "",
          title: this.fields.title ?? "",
          media: [...this.selected],
        };
        this.postStart = Date.now();
        this.selected = [];
        this.fields = {};
        this.go("posting");
        this.env.wake(this.uploadMs);
        return;
    }
  }

  protected screenNodes(): NodeSpec[] {
    switch (this.screen) {
      case "camera":
        return this.camera();
      case "gallery":
        return [...this.camera(), ...this.gallery()];
      case "editor":
        return this.editor();
      case "post":
        return this.postScreen();
      case "video":
        return this.videoPage(this.currentVideo(), false);
      case "user":
        return this.userPage();
      case "search":
        return this.searchPage();
      case "friends":
      case "inbox":
      case "profile":
        return [
          {
            c: "TextView",
            id: "title",
            text: this.screen[0]?.toUpperCase() + this.screen.slice(1),
            b: [300, 140, 780, 230],
          },
          ...nav(this.screen),
        ];
      default:
        return this.home();
    }
  }

  private home(): NodeSpec[] {
    return this.videoPage(this.currentVideo(), true);
  }

  /** A full-screen video: the feed (with the bottom bar) or a video opened from a link. */
  private videoPage(v: Video, feed: boolean): NodeSpec[] {
    const key = videoKey(v);
    const liked = this.liked.has(key);
    const likes = v.likes + (liked ? 1 : 0);
    const extra = this.commentsByVideo.get(key) ?? [];
    const comments = v.comments + extra.length;
    const bottom = feed ? 2200 : 2337;
    const nodes: NodeSpec[] = [
      {
        c: "ViewPager",
        id: "nx4",
        b: [0, 0, 1080, bottom],
        scrollable: true,
        children: [
          {
            c: "View",
            id: "long_press_layout",
            desc: "Video",
            b: [0, 0, 1080, bottom],
            clickable: true,
            longClickable: true,
          },
          ...(feed
            ? [
                {
                  c: "TextView",
                  id: "t0b",
                  text: "Following",
                  b: [290, 130, 520, 220],
                  tap: "noop",
                } as NodeSpec,
                {
                  c: "TextView",
                  id: "t0c",
                  text: "For You",
                  b: [560, 130, 790, 220],
                  selected: true,
                  tap: "noop",
                } as NodeSpec,
                {
                  c: "ImageView",
                  id: "gxd",
                  desc: "Search",
                  b: [950, 130, 1050, 230],
                  tap: "search",
                } as NodeSpec,
              ]
            : [{ c: "ImageView", id: "b98", desc: "Back", b: [16, 136, 131, 252], tap: "back" } as NodeSpec]),
          {
            c: "ImageView",
            id: "zt2",
            desc: `${v.author} profile`,
            b: [950, 1000, 1060, 1110],
            tap: `profile:${v.author}`,
          },
          ...(this.following.has(v.author)
            ? []
            : [
                {
                  c: "Button",
                  id: "hi1",
                  desc: `Follow ${v.author}`,
                  b: [975, 1080, 1035, 1140],
                  tap: `follow:${v.author}`,
                } as NodeSpec,
              ]),
          {
            c: "Button",
            id: "f57",
            desc: `Like video. ${likes} likes`,
            b: [950, 1180, 1060, 1330],
            tap: "like",
            selected: liked,
          },
          {
            c: "Button",
            id: "dtv",
            desc: `Read or add comments. ${comments} comments`,
            b: [950, 1350, 1060, 1500],
            tap: "comments",
          },
          {
            c: "Button",
            id: "guh",
            desc: "Add or remove this video from Favorites.",
            b: [950, 1520, 1060, 1670],
            tap: "favorite",
            selected: this.favorites.has(key),
          },
          { c: "Button", id: "ra1", desc: "Share video", b: [950, 1690, 1060, 1840], tap: "noop" },
          {
            c: "TextView",
            id: "title",
            text: `@${v.author}`,
            b: [32, 1900, 600, 1960],
            tap: `profile:${v.author}`,
          },
          { c: "TextView", id: "desc", text: v.desc, b: [32, 1970, 900, 2080] },
        ],
      },
    ];
    if (this.screen === "posting") {
      const pct = Math.min(99, Math.floor(((Date.now() - this.postStart) / this.uploadMs) * 100));
      nodes.push({
        c: "LinearLayout",
        id: "su4",
        b: [32, 260, 420, 420],
        children: [
          { c: "TextView", id: "su6", text: "Posting...", b: [60, 280, 300, 340] },
          { c: "TextView", id: "su5", text: `${pct}%`, b: [60, 345, 200, 400] },
        ],
      });
    }
    if (this.screen === "posted") {
      nodes.push({ c: "TextView", id: "tqh", text: "Video posted!", b: [290, 1100, 790, 1200] });
    }
    if (feed) nodes.push(...nav("home"));
    if (this.commentsOpen) nodes.push(this.commentSheet(comments, extra));
    return nodes;
  }

  private commentSheet(count: number, mine: string[]): NodeSpec {
    const shown = [...mine].reverse().slice(0, 5);
    const hasText = (this.fields.comment ?? "").length > 0;
    return {
      c: "FrameLayout",
      id: "dub",
      b: [0, 700, 1080, 2337],
      clickable: true,
      children: [
        { c: "TextView", id: "title", text: `${count} comments`, b: [340, 730, 740, 800] },
        { c: "ImageView", id: "ba6", desc: "Close", b: [960, 720, 1050, 810], tap: "closeComments" },
        {
          c: "RecyclerView",
          id: "cqx",
          b: [0, 820, 1080, 2180],
          scrollable: true,
          children: shown.map(
            (t, i): NodeSpec => ({
              c: "TextView",
              id: "cqw",
              text: t,
              b: [140, 850 + i * 200, 1000, 1000 + i * 200],
            }),
          ),
        },
        { c: "EditText", id: "dpl", field: "comment", hint: "Add comment...", b: [30, 2200, 900, 2310] },
        ...(hasText
          ? [
              {
                c: "ImageView",
                id: "dq6",
                desc: "Post comment",
                b: [930, 2200, 1050, 2310],
                tap: "sendComment",
              } as NodeSpec,
            ]
          : []),
      ],
    };
  }

  private userPage(): NodeSpec[] {
    const u = this.profileUser;
    const following = this.following.has(u);
    const cells: NodeSpec[] = [0, 1, 2, 3, 4, 5].map((i) => {
      const x = (i % 3) * 360;
      const y = 1250 + Math.floor(i / 3) * 480;
      return {
        c: "FrameLayout",
        id: "cover",
        desc: `Video ${i + 1}`,
        b: [x, y, x + 358, y + 478],
        tap: `openUserVideo:${i}`,
      };
    });
    return [
      { c: "ImageView", id: "b98", desc: "Back", b: [16, 136, 131, 252], tap: "back" },
      { c: "TextView", id: "qh4", text: u, b: [300, 150, 780, 240] },
      { c: "ImageView", id: "avatar", desc: `${u} profile photo`, b: [420, 300, 660, 540] },
      { c: "TextView", id: "qh5", text: `@${u}`, b: [300, 560, 780, 630] },
      { c: "TextView", id: "qfw", text: "128", b: [200, 680, 400, 740] },
      { c: "TextView", id: "qfv", text: "Following", b: [200, 740, 400, 790] },
      { c: "TextView", id: "qfw", text: following ? "10.1K" : "10K", b: [440, 680, 640, 740] },
      { c: "TextView", id: "qfv", text: "Followers", b: [440, 740, 640, 790] },
      { c: "TextView", id: "qfw", text: "250K", b: [680, 680, 880, 740] },
      { c: "TextView", id: "qfv", text: "Likes", b: [680, 740, 880, 790] },
      following
        ? {
            c: "Button",
            id: "e4f",
            text: "Following",
            desc: `Following ${u}`,
            b: [200, 850, 620, 970],
            tap: "following",
          }
        : {
            c: "Button",
            id: "e4f",
            text: "Follow",
            desc: `Follow ${u}`,
            b: [200, 850, 880, 970],
            tap: `follow:${u}`,
          },
      ...(following
        ? [{ c: "Button", id: "e4g", text: "Message", b: [640, 850, 880, 970], tap: "noop" } as NodeSpec]
        : []),
      { c: "GridView", id: "gxv", b: [0, 1250, 1080, 2337], scrollable: true, children: cells },
    ];
  }

  private searchPage(): NodeSpec[] {
    const rows: NodeSpec[] = this.searchResults.map((u, i) => ({
      c: "LinearLayout",
      id: "yhb",
      b: [0, 400 + i * 200, 1080, 590 + i * 200],
      tap: `profile:${u}`,
      children: [
        { c: "ImageView", id: "avatar", b: [32, 420 + i * 200, 172, 560 + i * 200] },
        { c: "TextView", id: "yhc", text: u, b: [200, 430 + i * 200, 760, 490 + i * 200] },
        { c: "TextView", id: "yhd", text: `@${u}`, b: [200, 500 + i * 200, 760, 550 + i * 200] },
        this.following.has(u)
          ? {
              c: "Button",
              id: "yhe",
              text: "Following",
              b: [800, 450 + i * 200, 1048, 540 + i * 200],
              tap: `profile:${u}`,
            }
          : {
              c: "Button",
              id: "yhe",
              text: "Follow",
              b: [800, 450 + i * 200, 1048, 540 + i * 200],
              tap: `follow:${u}`,
            },
      ],
    }));
    return [
      { c: "ImageView", id: "b98", desc: "Back", b: [16, 136, 131, 252], tap: "back" },
      { c: "EditText", id: "ehd", field: "search", hint: "Search", b: [150, 150, 880, 240] },
      { c: "TextView", id: "s3b", text: "Search", b: [900, 150, 1060, 240], tap: "doSearch" },
      ...(rows.length
        ? [
            {
              c: "TextView",
              id: "tab_users",
              text: "Users",
              b: [32, 280, 250, 370],
              selected: true,
            } as NodeSpec,
            {
              c: "RecyclerView",
              id: "yha",
              b: [0, 400, 1080, 2337],
              scrollable: true,
              children: rows,
            } as NodeSpec,
          ]
        : []),
    ];
  }

  private camera(): NodeSpec[] {
    return [
      { c: "FrameLayout", id: "tty", b: [0, 0, 1080, 2337] },
      { c: "ImageView", id: "jix", desc: "Close", b: [32, 193, 148, 309], tap: "closeCamera" },
      {
        c: "LinearLayout",
        id: "d83",
        b: [372, 198, 707, 314],
        tap: "noop",
        children: [
          { c: "ImageView", id: "d88", desc: "Music", b: [414, 232, 456, 274] },
          { c: "TextView", id: "ycm", text: "Add sound", b: [456, 198, 686, 314] },
        ],
      },
      ...["Flip", "Flash", "Timer", "Layout", "Ratio", "Retouch"].map(
        (d, i): NodeSpec => ({
          c: "Button",
          desc: d,
          b: [933, 193 + i * 137, 1080, 330 + i * 137],
          tap: "noop",
        }),
      ),
      ...["10m", "60s", "15s", "PHOTO", "TEXT"].map(
        (t, i): NodeSpec => ({
          c: "TextView",
          id: "v5w",
          text: t,
          b: [46 + i * 150, 1655, 188 + i * 150, 1742],
        }),
      ),
      { c: "Button", id: "r3r", desc: "Record video", b: [395, 1752, 684, 2041], tap: "noop" },
      {
        c: "FrameLayout",
        id: "ymg",
        b: [0, 2081, 210, 2239],
        tap: "openGallery",
        children: [{ c: "ImageView", id: "kwk", b: [53, 2121, 158, 2226] }],
      },
      { c: "TextView", id: "v5w", text: "POST", b: [457, 2115, 623, 2233] },
      { c: "TextView", id: "v5w", text: "CREATE", b: [623, 2115, 830, 2233] },
    ];
  }

  private gallery(): NodeSpec[] {
    const items = this.visibleMedia();
    const cells: NodeSpec[] = [];
    for (let i = 0; i < items.length; i++) {
      const row = Math.floor(i / 3);
      const col = i % 3;
      const x = 5 + col * 359;
      const y = 385 + row * 362;
      if (y >= 2137) break;
      const y2 = Math.min(2137, y + 357);
      const m = items[i] as MediaEntry;
      const order = this.selected.findIndex((s) => s.id === m.id);
      cells.push({
        c: "FrameLayout",
        b: [x, y, x + 354, y2],
        tap: `tick:${i}`,
        children: [
          { c: "ImageView", id: "mub", b: [x, y, x + 354, y2] },
          ...(m.kind === "video"
            ? [
                {
                  c: "TextView",
                  id: "dui",
                  text: "00:15",
                  b: [x + 250, y2 - 60, x + 340, y2 - 10],
                } as NodeSpec,
              ]
            : []),
          {
            c: "FrameLayout",
            id: "h9t",
            b: [x + 238, y, x + 354, Math.min(y2, y + 116)],
            tap: `tick:${i}`,
            children: [
              {
                c: "Button",
                id: "jh7",
                text: order >= 0 ? String(order + 1) : "",
                b: [x + 275, y + 16, x + 338, Math.min(y2, y + 79)],
                tap: `tick:${i}`,
                selected: order >= 0,
              },
            ],
          },
        ],
      });
    }
    const tabs: [string, string][] = [
      ["All", "all"],
      ["Videos", "videos"],
      ["Photos", "photos"],
    ];
    const hasSel = this.selected.length > 0;
    return [
      {
        c: "FrameLayout",
        id: "e1x",
        b: [0, 136, 1080, 2337],
        clickable: true,
        children: [
          { c: "ImageView", id: "b9b", desc: "Close", b: [42, 167, 105, 230], tap: "closeGallery" },
          {
            c: "LinearLayout",
            id: "d2t",
            b: [403, 151, 676, 246],
            tap: "noop",
            children: [
              { c: "TextView", id: "yc0", text: "Recents", b: [445, 173, 586, 223] },
              { c: "ImageView", id: "kun", desc: "Down", b: [602, 177, 644, 219] },
            ],
          },
          {
            c: "HorizontalScrollView",
            id: "mua",
            b: [0, 262, 1080, 380],
            children: tabs.map(
              ([label, key], i): NodeSpec => ({
                c: "FrameLayout",
                desc: label,
                b: [42 + i * 240, 262, 42 + (i + 1) * 240, 380],
                tap: `tab:${key}`,
                selected: this.galleryTab === key,
                children: [{ c: "TextView", text: label, b: [68 + i * 240, 262, 16 + (i + 1) * 240, 380] }],
              }),
            ),
          },
          {
            c: "ViewPager",
            id: "zpi",
            b: [0, 380, 1080, 2137],
            children: [
              { c: "GridView", id: "i8o", b: [0, 380, 1080, 2137], scrollable: true, children: cells },
            ],
          },
          {
            c: "LinearLayout",
            id: "nbr",
            b: [0, 2137, 1080, 2337],
            children: [
              {
                c: "RelativeLayout",
                id: "nbv",
                b: [32, 2137, 354, 2337],
                tap: "noop",
                children: [
                  { c: "CheckBox", id: "nbk", b: [32, 2211, 95, 2274], checkable: true },
                  { c: "TextView", id: "nbu", text: "Select multiple", b: [111, 2214, 354, 2261] },
                ],
              },
              {
                c: "Button",
                id: "uyb",
                text: "Next",
                b: [550, 2179, 1048, 2295],
                clickable: hasSel,
                ...(hasSel ? { tap: "galleryNext" } : {}),
              },
            ],
          },
        ],
      },
    ];
  }

  private editor(): NodeSpec[] {
    return [
      { c: "FrameLayout", id: "fjb", b: [0, 0, 1080, 2337] },
      { c: "ImageView", id: "b98", desc: "Back", b: [16, 136, 131, 252], tap: "editorBack" },
      {
        c: "LinearLayout",
        id: "d83",
        b: [372, 150, 707, 260],
        tap: "noop",
        children: [{ c: "TextView", id: "ycm", text: "Add sound", b: [456, 160, 686, 250] }],
      },
      ...["Text", "Stickers", "Effects", "Filters", "Voice"].map(
        (t, i): NodeSpec => ({
          c: "TextView",
          id: "fpr",
          text: t,
          b: [900, 300 + i * 150, 1060, 420 + i * 150],
          tap: "noop",
        }),
      ),
      {
        c: "FrameLayout",
        id: "qxr",
        b: [32, 2179, 529, 2295],
        tap: "noop",
        children: [{ c: "TextView", id: "qxs", text: "Your Story", b: [150, 2210, 420, 2265] }],
      },
      {
        c: "FrameLayout",
        id: "ntn",
        b: [550, 2179, 1048, 2295],
        tap: "editorNext",
        children: [{ c: "TextView", id: "ntq", text: "Next", b: [740, 2210, 860, 2265] }],
      },
    ];
  }

  private postScreen(): NodeSpec[] {
    return [
      { c: "Button", id: "b98", desc: "Back", b: [16, 136, 131, 252], tap: "postBack" },
      {
        c: "ScrollView",
        id: "qrf",
        b: [0, 253, 1080, 2147],
        scrollable: true,
        children: [
          { c: "ImageView", id: "ji6", b: [42, 274, 320, 552], tap: "noop" },
          { c: "TextView", id: "ji9", text: "Cover", b: [42, 274, 161, 332] },
          { c: "EditText", id: "g1c", field: "title", hint: "Add a catchy title", b: [42, 584, 1038, 637] },
          {
            c: "EditText",
            id: "g19",
            field: "caption",
            hint: "Writing a long description can help get 3x more views on average.",
            b: [42, 691, 1038, 1059],
          },
          { c: "Button", id: "awo", text: "# Hashtags", b: [42, 1080, 116, 1154], tap: "noop" },
          { c: "Button", id: "awn", text: "Mention", b: [137, 1080, 211, 1154], tap: "noop" },
          { c: "TextView", id: "w4m", text: "Location", b: [100, 1229, 250, 1279] },
          { c: "Button", id: "d0z", desc: "Add link", b: [0, 1413, 1080, 1539], tap: "noop" },
          {
            c: "Button",
            id: "d0z",
            desc: "Everyone can view this post",
            b: [0, 1539, 1080, 1665],
            tap: "noop",
          },
          {
            c: "Button",
            id: "d0z",
            desc: "More options, Privacy and more settings ",
            b: [0, 1665, 1080, 1832],
            tap: "noop",
          },
          { c: "TextView", id: "tbp", text: "Share to", b: [100, 1870, 244, 1920] },
        ],
      },
      {
        c: "LinearLayout",
        id: "fgc",
        b: [32, 2179, 1048, 2305],
        children: [
          { c: "Button", id: "fex", text: "Drafts", b: [32, 2179, 529, 2305], tap: "drafts" },
          { c: "Button", id: "qrb", text: "Post", b: [550, 2179, 1048, 2305], tap: "post" },
        ],
      },
    ];
  }
}
