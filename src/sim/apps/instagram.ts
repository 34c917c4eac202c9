/** Instagram (com.instagram.android): reel flow, layouts in 720x1440 (stable resource ids). */
import type { MediaEntry } from "../media.ts";
import { type AppEnv, type Intent, mediaPermission, type PopupDef, SimApp } from "./app.ts";
import type { NodeSpec } from "./ui.ts";

export const INSTAGRAM_PKG = "com.instagram.android";
export const INSTAGRAM_MAIN = "com.instagram.mainactivity.LauncherActivity";

const POPUPS: Record<string, PopupDef> = {
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

type Dest = "feed" | "story" | "clips";
const DEST_TITLE: Record<Dest, string> = { feed: "New post", story: "Add to story", clips: "New reel" };
const DEST_KIND: Record<Dest, string> = { feed: "post", story: "story", clips: "reel" };
const SHARING: Record<Dest, string> = {
  feed: "Sharing…",
  story: "Sharing to your story…",
  clips: "Sharing to Reels…",
};

const TABS: [string, string, string][] = [
  ["feed_tab", "Home", "home"],
  ["search_tab", "Search and explore", "search"],
  ["creation_tab", "Create", "create"],
  ["clips_tab", "Reels", "reels"],
  ["profile_tab", "Profile", "profile"],
];

function tabBar(current: string): NodeSpec[] {
  return [
    {
      c: "LinearLayout",
      id: "tab_bar",
      b: [0, 1362, 720, 1440],
      children: TABS.map(([id, desc, key], i) => ({
        c: "FrameLayout",
        id,
        desc,
        b: [i * 144, 1362, (i + 1) * 144, 1440] as [number, number, number, number],
        tap: `tab:${key}`,
        selected: key === current,
        children: [{ c: "ImageView", id: "tab_icon", b: [i * 144 + 52, 1381, i * 144 + 92, 1421] }],
      })),
    },
  ];
}

function formatDate(sec: number): string {
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

export class InstagramApp extends SimApp {
  readonly pkg = INSTAGRAM_PKG;
  readonly label = "Instagram";
  readonly mainActivity = INSTAGRAM_MAIN;
  readonly ref = { width: 720, height: 1440 };
  private dest: Dest = "clips";
  private mediaGranted = false;
  private draft: MediaEntry[] | null = null;
  private shareStart = 0;
  private doneUntil = 0;
  private pending: { caption: string; media: MediaEntry[]; dest: Dest } | null = null;
  /** The profile on screen ("user"). */
  private profileUser = "";
  /** The post on screen ("postView" / "comments"): "p/CODE" or "reel/CODE" and its author. */
  private postRef = { key: "", author: "" };
  private liked = new Set<string>();
  private commentsByPost = new Map<string, string[]>();
  private backStack: string[] = [];

  constructor(env: AppEnv) {
    super(env);
  }

  override get activity(): string {
    switch (this.screen) {
      case "gallery":
      case "edit":
      case "caption":
      case "comments":
        return "com.instagram.modal.ModalActivity";
      default:
        return "com.instagram.mainactivity.InstagramMainActivity";
    }
  }

  launch(intent: Intent): string | null {
    const cold = !this.running;
    if (cold) {
      this.go("home");
      this.popupOnce(POPUPS.saveLogin as PopupDef);
    }
    if (intent.action === "android.intent.action.VIEW" && intent.data) {
      this.openLink(intent.data);
      return null;
    }
    if (
      intent.action === "android.intent.action.SEND" ||
      intent.action === "android.intent.action.SEND_MULTIPLE"
    ) {
      const media = intent.streams.map((u) => this.env.media.fromUri(u)).filter((m): m is MediaEntry => !!m);
      if (media.length) {
        this.selected = media;
        this.draft = media;
        this.fields = {};
        this.go("edit");
      }
    }
    return null;
  }

  override forceStop(): void {
    super.forceStop();
    this.pending = null;
    this.backStack = [];
  }

  /** instagram://user?username=U, https://www.instagram.com/U/, https://www.instagram.com/p/CODE/ (or /reel/). */
  private openLink(url: string): void {
    const scheme = /^instagram:\/\/user\?username=([\w.]+)/i.exec(url);
    const post = /instagram\.com\/(p|reel|reels|tv)\/([\w-]+)/i.exec(url);
    const user = /instagram\.com\/([\w.]+)\/?(?:\?.*)?$/i.exec(url);
    if (scheme) this.openProfile(scheme[1] as string);
    else if (post) this.openPost(`${post[1] === "p" ? "p" : "reel"}/${post[2]}`, "creator");
    else if (user && !["explore", "accounts", "direct"].includes(user[1] as string))
      this.openProfile(user[1] as string);
  }

  private openProfile(name: string): void {
    if (this.screen !== "user") this.backStack.push(this.screen);
    this.profileUser = name;
    this.go("user");
  }

  private openPost(key: string, author: string): void {
    this.backStack.push(this.screen);
    this.postRef = { key, author };
    this.go("postView");
  }

  override key(code: number): void {
    if (code === 66 && this.screen === "comments") this.onAction("postComment");
  }

  override tick(now: number): void {
    if (this.screen === "sharing" && this.pending && now - this.shareStart >= this.uploadMs) {
      const p = this.pending;
      this.pending = null;
      this.posts.push({
        caption: p.caption,
        media: p.media.map((m) => m.data),
        kind: DEST_KIND[p.dest],
        at: now,
      });
      this.doneUntil = now + 2000;
      this.go("shared");
      this.env.wake(2000);
    } else if (this.screen === "shared" && now >= this.doneUntil) {
      this.go("home");
    }
  }

  back(): boolean {
    switch (this.screen) {
      case "user":
      case "postView":
        this.go(this.backStack.pop() ?? "home");
        return true;
      case "comments":
        this.go("postView");
        return true;
      case "gallery":
        this.go("home");
        return true;
      case "edit":
        this.go("gallery");
        return true;
      case "caption":
        this.go("edit");
        return true;
      case "search":
      case "reels":
      case "profile":
        this.go("home");
        return true;
      default:
        return false;
    }
  }

  protected override onPopup(p: PopupDef, result: string): void {
    if (p.name === "unfollow") {
      if (result === "unfollow" && this.following.delete(this.profileUser))
        this.act("unfollow", this.profileUser);
      return;
    }
    if (p.name === "media_permission") {
      if (result === "allow") {
        this.mediaGranted = true;
        this.go("gallery");
      }
    } else if (p.name === "draft") {
      if (result === "keepEditing" && this.draft) {
        this.selected = [...this.draft];
        this.go("edit");
      } else {
        this.draft = null;
        this.openGallery();
      }
    }
  }

  private openGallery(): void {
    if (this.mediaGranted || !this.env.popups) {
      this.mediaGranted = true;
      this.selected = [];
      this.go("gallery");
    } else {
      this.popupAlways(mediaPermission("Instagram"));
    }
  }

  private items(): MediaEntry[] {
    return this.env.media.gallery((e) =>
      this.dest === "clips"
        ? e.kind === "video" || e.kind === "images"
        : e.kind === "video" || e.kind === "images",
    );
  }

  protected onAction(action: string): void {
    const [verb, arg] = action.split(":") as [string, string | undefined];
    switch (verb) {
      case "tab":
        if (arg === "create") {
          if (this.draft && this.env.popups) this.popupAlways(POPUPS.draft as PopupDef);
          else this.openGallery();
        } else if (arg === "home") this.go("home");
        else if (arg === "search") {
          this.fields.search = "";
          this.go("search");
          this.focused = "search";
        } else if (arg) this.go(arg);
        return;
      case "cancel":
        this.go("home");
        return;
      case "follow": {
        const u = arg ?? this.profileUser;
        if (!this.following.has(u)) {
          this.following.add(u);
          this.act("follow", u);
        }
        return;
      }
      case "following":
        this.popupAlways({
          name: "unfollow",
          title: this.profileUser,
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
        });
        return;
      case "profile":
        if (this.screen === "search") this.act("search", (this.fields.search ?? "").trim());
        this.openProfile(arg ?? this.postRef.author);
        return;
      case "openPost":
        this.openPost(`p/C${this.profileUser.length}x${arg ?? "0"}`, this.profileUser);
        return;
      case "like": {
        const k = this.postRef.key || "p/feed";
        if (this.liked.has(k)) {
          this.liked.delete(k);
          this.act("unlike", k);
        } else {
          this.liked.add(k);
          this.act("like", k);
        }
        return;
      }
      case "comments":
        this.go("comments");
        return;
      case "postComment": {
        const text = this.fields.comment ?? "";
        if (!text.trim()) return;
        const k = this.postRef.key;
        this.commentsByPost.set(k, [...(this.commentsByPost.get(k) ?? []), text]);
        this.act("comment", k, text);
        this.fields.comment = "";
        this.focused = null;
        return;
      }
      case "back":
        this.back();
        return;
      case "dest":
        this.dest = (arg as Dest) ?? "clips";
        return;
      case "thumb": {
        const m = this.items()[Number(arg)];
        if (!m) return;
        this.selected = [m];
        this.draft = [m];
        this.fields = {};
        this.go("edit");
        return;
      }
      case "editBack":
        this.go("gallery");
        return;
      case "editNext":
        this.go("caption");
        return;
      case "captionBack":
        this.go("edit");
        return;
      case "saveDraft":
        this.go("home");
        return;
      case "share":
        this.pending = { caption: this.fields.caption ?? "", media: [...this.selected], dest: this.dest };
        this.shareStart = Date.now();
        this.draft = null;
        this.selected = [];
        this.fields = {};
        this.go("sharing");
        this.env.wake(this.uploadMs);
        return;
    }
  }

  protected screenNodes(): NodeSpec[] {
    switch (this.screen) {
      case "gallery":
        return this.gallery();
      case "edit":
        return this.edit();
      case "caption":
        return this.caption();
      case "user":
        return this.userPage();
      case "postView":
        return this.postView();
      case "comments":
        return this.commentsPage();
      case "search":
        return this.searchPage();
      case "reels":
      case "profile":
        return [
          { c: "TextView", id: "action_bar_title", text: this.screen, b: [117, 65, 400, 104] },
          ...tabBar(this.screen),
        ];
      default:
        return this.home();
    }
  }

  private userPage(): NodeSpec[] {
    const u = this.profileUser;
    const f = this.following.has(u);
    const cells: NodeSpec[] = [0, 1, 2, 3, 4, 5].map((i) => {
      const x = (i % 3) * 240;
      const y = 700 + Math.floor(i / 3) * 240;
      return {
        c: "ImageView",
        id: "image_button",
        desc: `Photo by ${u} at Row 1, Column ${(i % 3) + 1}`,
        b: [x, y, x + 238, y + 238],
        tap: `openPost:${i}`,
      };
    });
    return [
      {
        c: "LinearLayout",
        id: "action_bar",
        b: [0, 39, 720, 130],
        children: [
          { c: "ImageView", id: "action_bar_button_back", desc: "Back", b: [0, 39, 91, 130], tap: "back" },
          { c: "TextView", id: "action_bar_title", text: u, b: [117, 65, 500, 104] },
        ],
      },
      {
        c: "ImageView",
        id: "row_profile_header_imageview",
        desc: `${u}'s profile picture`,
        b: [26, 150, 186, 310],
      },
      { c: "TextView", id: "row_profile_header_textview_post_count", text: "42", b: [240, 180, 360, 220] },
      {
        c: "TextView",
        id: "row_profile_header_textview_followers_count",
        text: f ? "1,235" : "1,234",
        b: [380, 180, 520, 220],
      },
      {
        c: "TextView",
        id: "row_profile_header_textview_following_count",
        text: "310",
        b: [540, 180, 680, 220],
      },
      { c: "TextView", id: "profile_header_full_name", text: u, b: [26, 330, 500, 370] },
      f
        ? {
            c: "Button",
            id: "profile_header_follow_button",
            text: "Following",
            b: [26, 420, 350, 490],
            tap: "following",
          }
        : {
            c: "Button",
            id: "profile_header_follow_button",
            text: "Follow",
            b: [26, 420, 350, 490],
            tap: `follow:${u}`,
          },
      {
        c: "Button",
        id: "profile_header_message_button",
        text: "Message",
        b: [370, 420, 694, 490],
        tap: "noop",
      },
      {
        c: "RecyclerView",
        id: "profile_tab_layout",
        b: [0, 700, 720, 1362],
        scrollable: true,
        children: cells,
      },
      ...tabBar("profile"),
    ];
  }

  private postView(): NodeSpec[] {
    const { key, author } = this.postRef;
    const liked = this.liked.has(key);
    const n = this.commentsByPost.get(key)?.length ?? 0;
    return [
      {
        c: "LinearLayout",
        id: "action_bar",
        b: [0, 39, 720, 130],
        children: [
          { c: "ImageView", id: "action_bar_button_back", desc: "Back", b: [0, 39, 91, 130], tap: "back" },
          {
            c: "TextView",
            id: "action_bar_title",
            text: key.startsWith("reel") ? "Reels" : "Posts",
            b: [117, 65, 400, 104],
          },
        ],
      },
      {
        c: "TextView",
        id: "row_feed_photo_profile_name",
        text: author,
        b: [90, 150, 400, 190],
        tap: `profile:${author}`,
      },
      { c: "FrameLayout", id: "row_feed_media", desc: `Photo by ${author}`, b: [0, 210, 720, 930] },
      {
        c: "ImageView",
        id: "row_feed_button_like",
        desc: liked ? "Unlike" : "Like",
        b: [10, 940, 80, 1010],
        tap: "like",
        selected: liked,
      },
      {
        c: "ImageView",
        id: "row_feed_button_comment",
        desc: "Comment",
        b: [90, 940, 160, 1010],
        tap: "comments",
      },
      {
        c: "ImageView",
        id: "row_feed_button_share",
        desc: "Send post",
        b: [170, 940, 240, 1010],
        tap: "noop",
      },
      {
        c: "TextView",
        id: "row_feed_textview_likes",
        text: `${1000 + (liked ? 1 : 0)} likes`,
        b: [20, 1020, 400, 1060],
      },
      ...(n
        ? [
            {
              c: "TextView",
              id: "row_feed_view_all_comments_text",
              text: `View all ${n} comments`,
              b: [20, 1120, 500, 1160],
              tap: "comments",
            } as NodeSpec,
          ]
        : []),
      ...tabBar("home"),
    ];
  }

  private commentsPage(): NodeSpec[] {
    const mine = this.commentsByPost.get(this.postRef.key) ?? [];
    const hasText = (this.fields.comment ?? "").length > 0;
    return [
      {
        c: "LinearLayout",
        id: "action_bar",
        b: [0, 39, 720, 130],
        children: [
          { c: "ImageView", id: "action_bar_button_back", desc: "Back", b: [0, 39, 91, 130], tap: "back" },
          { c: "TextView", id: "action_bar_title", text: "Comments", b: [117, 65, 400, 104] },
        ],
      },
      {
        c: "RecyclerView",
        id: "sticky_header_list",
        b: [0, 130, 720, 1250],
        scrollable: true,
        children: mine.map(
          (t, i): NodeSpec => ({
            c: "TextView",
            id: "row_comment_textview_comment",
            text: t,
            b: [90, 150 + i * 120, 700, 250 + i * 120],
          }),
        ),
      },
      {
        c: "AutoCompleteTextView",
        id: "layout_comment_thread_edittext",
        field: "comment",
        hint: `Add a comment for ${this.postRef.author}…`,
        b: [90, 1270, 600, 1350],
      },
      {
        c: "FrameLayout",
        id: "layout_comment_thread_post_button_click_area",
        b: [600, 1270, 720, 1350],
        enabled: hasText,
        tap: "postComment",
        children: [
          {
            c: "TextView",
            id: "layout_comment_thread_post_button",
            text: "Post",
            b: [620, 1290, 700, 1330],
            enabled: hasText,
          },
        ],
      },
    ];
  }

  private searchPage(): NodeSpec[] {
    const q = (this.fields.search ?? "").trim().replace(/^@/, "");
    const results = q ? [q, `${q}.official`, `${q}_fans`] : [];
    return [
      {
        c: "EditText",
        id: "action_bar_search_edit_text",
        field: "search",
        hint: "Search",
        b: [26, 50, 694, 120],
      },
      {
        c: "RecyclerView",
        id: "recycler_view",
        b: [0, 140, 720, 1362],
        scrollable: true,
        children: results.map(
          (u, i): NodeSpec => ({
            c: "LinearLayout",
            id: "row_search_user_container",
            b: [0, 150 + i * 130, 720, 270 + i * 130],
            tap: `profile:${u}`,
            children: [
              {
                c: "TextView",
                id: "row_search_user_username",
                text: u,
                b: [120, 170 + i * 130, 600, 210 + i * 130],
              },
              {
                c: "TextView",
                id: "row_search_user_fullname",
                text: u.replace(/[._]/g, " "),
                b: [120, 215 + i * 130, 600, 250 + i * 130],
              },
            ],
          }),
        ),
      },
      ...tabBar("search"),
    ];
  }

  private home(): NodeSpec[] {
    const nodes: NodeSpec[] = [
      {
        c: "FrameLayout",
        id: "action_bar_container",
        b: [0, 39, 720, 130],
        children: [
          { c: "ImageView", id: "title_logo", desc: "Instagram", b: [26, 55, 200, 115] },
          {
            c: "ImageView",
            id: "action_bar_inbox_button",
            desc: "Messenger",
            b: [640, 55, 700, 115],
            tap: "noop",
          },
        ],
      },
      {
        c: "RecyclerView",
        id: "list",
        b: [0, 130, 720, 1362],
        scrollable: true,
        children: [
          {
            c: "TextView",
            id: "row_feed_photo_profile_name",
            text: "natgeo",
            b: [90, 150, 400, 190],
            tap: "noop",
          },
          { c: "FrameLayout", id: "row_feed_media", desc: "Photo by natgeo", b: [0, 210, 720, 930] },
          { c: "ImageView", id: "row_feed_button_like", desc: "Like", b: [10, 940, 80, 1010], tap: "noop" },
          {
            c: "ImageView",
            id: "row_feed_button_comment",
            desc: "Comment",
            b: [90, 940, 160, 1010],
            tap: "noop",
          },
        ],
      },
    ];
    if (this.screen === "sharing" || this.screen === "shared") {
      nodes.push({
        c: "FrameLayout",
        id: "upload_snackbar_container",
        b: [0, 130, 720, 230],
        children: [
          { c: "ImageView", id: "thumbnail", b: [20, 140, 100, 220] },
          {
            c: "TextView",
            id: "status_text",
            text:
              this.screen === "sharing"
                ? SHARING[this.pending?.dest ?? this.dest]
                : "Your reel has been shared.",
            b: [120, 160, 640, 200],
          },
        ],
      });
    }
    nodes.push(...tabBar("home"));
    return nodes;
  }

  private gallery(): NodeSpec[] {
    const items = this.items();
    const cells: NodeSpec[] = [{ c: "Button", desc: "Open camera", b: [3, 274, 239, 693], tap: "noop" }];
    for (let i = 0; i < items.length; i++) {
      const slot = i + 1;
      const row = Math.floor(slot / 3);
      const col = slot % 3;
      const x = 3 + col * 239;
      const y = 274 + row * 422;
      if (y >= 1277) break;
      const y2 = Math.min(1277, y + 419);
      const m = items[i] as MediaEntry;
      const what = m.kind === "video" ? "Video" : "Photo";
      cells.push(
        { c: "ImageView", id: "background_color", b: [x, y, x + 236, y2] },
        {
          c: "Button",
          id: "gallery_grid_item_thumbnail",
          desc: `Unselected ${what} thumbnail created on ${formatDate(m.dateModified)}`,
          b: [x, y, x + 236, y2],
          tap: `thumb:${i}`,
        },
      );
      if (m.kind === "video") {
        cells.push({
          c: "TextView",
          id: "gallery_grid_item_label",
          text: "0:15",
          b: [x + 178, y2 - 43, x + 223, y2 - 11],
        });
      }
    }
    const dests: [Dest, string, number, number][] = [
      ["feed", "POST", 303, 400],
      ["story", "STORY", 400, 513],
      ["clips", "REEL", 513, 607],
    ];
    return [
      {
        c: "ViewGroup",
        id: "gallery_root_container",
        b: [0, 0, 720, 1362],
        clickable: true,
        children: [
          {
            c: "Button",
            id: "gallery_cancel_button",
            desc: "Back to Home",
            b: [0, 7, 85, 92],
            tap: "cancel",
          },
          { c: "TextView", id: "gallery_title_text", text: DEST_TITLE[this.dest], b: [299, 31, 421, 68] },
          {
            c: "Button",
            id: "gallery_settings_gear",
            desc: "Camera settings",
            b: [635, 7, 720, 92],
            tap: "noop",
          },
          {
            c: "RecyclerView",
            id: "gallery_destination_bar",
            b: [0, 92, 720, 185],
            children: ["Edits", "Drafts", "Templates"].map(
              (t, i): NodeSpec => ({
                c: "ViewGroup",
                id: "gallery_destination_item",
                b: [23 + i * 180, 99, 180 + i * 180, 178],
                tap: "noop",
                children: [
                  { c: "TextView", id: "button_name", text: t, b: [98 + i * 180, 122, 170 + i * 180, 155] },
                ],
              }),
            ),
          },
          {
            c: "TextView",
            id: "gallery_folder_menu_tv",
            text: "Album switcher, Recents, button, double tap to change album",
            b: [0, 209, 172, 246],
          },
          {
            c: "Button",
            id: "gallery_menu_multi_select_button",
            desc: "Select multiple, activate to select multiple photos in your gallery",
            b: [644, 203, 702, 261],
            tap: "noop",
          },
          {
            c: "GridView",
            id: "gallery_recycler_view",
            b: [0, 274, 720, 1277],
            scrollable: true,
            children: cells,
          },
        ],
      },
      {
        c: "FrameLayout",
        id: "multi_destination_scroll_view",
        b: [0, 1277, 720, 1440],
        children: dests.map(
          ([key, text, x1, x2]): NodeSpec => ({
            c: "TextView",
            id: `cam_dest_${key}`,
            text,
            desc: text,
            b: [x1, 1285, x2, 1340],
            tap: `dest:${key}`,
            selected: this.dest === key,
          }),
        ),
      },
    ];
  }

  private edit(): NodeSpec[] {
    return [
      { c: "FrameLayout", id: "clips_editor_preview", b: [0, 0, 720, 1280] },
      {
        c: "ImageView",
        id: "clips_action_bar_back_button",
        desc: "Back",
        b: [0, 39, 91, 130],
        tap: "editBack",
      },
      ...["Audio", "Text", "Overlay", "Edit video"].map(
        (t, i): NodeSpec => ({
          c: "TextView",
          id: "clips_editor_tool",
          text: t,
          b: [20 + i * 140, 1190, 150 + i * 140, 1260],
          tap: "noop",
        }),
      ),
      {
        c: "Button",
        id: "clips_right_action_button",
        text: "Next",
        desc: "Next",
        b: [500, 1290, 700, 1370],
        tap: "editNext",
      },
    ];
  }

  private caption(): NodeSpec[] {
    return [
      {
        c: "LinearLayout",
        id: "action_bar",
        b: [0, 39, 720, 130],
        children: [
          {
            c: "ImageView",
            id: "action_bar_button_back",
            desc: "Back",
            b: [0, 39, 91, 130],
            tap: "captionBack",
          },
          {
            c: "TextView",
            id: "action_bar_title",
            text: DEST_TITLE[this.dest],
            desc: DEST_TITLE[this.dest],
            b: [117, 65, 255, 104],
          },
        ],
      },
      {
        c: "ScrollView",
        id: "scroll_view",
        b: [0, 130, 720, 1233],
        scrollable: true,
        children: [
          {
            c: "AutoCompleteTextView",
            id: "caption_input_text_view",
            field: "caption",
            hint: "Write a caption and add hashtags...",
            b: [26, 141, 694, 305],
          },
          { c: "TextView", id: "title", text: "Tag people", b: [85, 422, 239, 455] },
          {
            c: "LinearLayout",
            id: "metadata_location_first_row",
            b: [0, 478, 720, 556],
            tap: "noop",
            children: [{ c: "TextView", id: "location_label", text: "Add location", b: [85, 478, 655, 556] }],
          },
          { c: "TextView", id: "title", text: "Rename audio", b: [85, 655, 276, 688] },
          { c: "TextView", id: "title", text: "Audience", b: [85, 880, 220, 913] },
          { c: "TextView", id: "inline_subtitle", text: "Everyone", b: [220, 882, 642, 911] },
        ],
      },
      {
        c: "LinearLayout",
        id: "share_button_container",
        b: [0, 1233, 720, 1362],
        children: [
          {
            c: "Button",
            id: "save_draft_button",
            desc: "Save draft",
            b: [26, 1257, 347, 1329],
            tap: "saveDraft",
            children: [{ c: "TextView", text: "Save draft", b: [129, 1278, 243, 1308] }],
          },
          {
            c: "FrameLayout",
            id: "share_button",
            desc: "Share",
            b: [373, 1257, 694, 1329],
            tap: "share",
            children: [{ c: "TextView", text: "Share", b: [501, 1278, 566, 1308] }],
          },
        ],
      },
    ];
  }
}
