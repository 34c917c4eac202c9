/** Instagram (com.instagram.android): what the app does — launches, links, taps, BACK, the reel flow, uploads. */

import type { MediaEntry } from "../../media.ts";
import { type AppEnv, type Intent, OPENER, type Parent, type PopupDef, SimApp, type Tap } from "../app.ts";
import type { NodeSpec } from "../ui.ts";
import { screenNodes } from "./screens.ts";
import {
  DEST_KIND,
  type Dest,
  type InstagramView,
  POPUPS,
  RATE_POPUP,
  REELS,
  type Reel,
  reelKey,
  topicReels,
  unfollowPopup,
} from "./view.ts";

export const INSTAGRAM_PKG = "com.instagram.android";
export const INSTAGRAM_MAIN = "com.instagram.mainactivity.LauncherActivity";
/** The share target "Stories": shared media open in the story editor. */
export const INSTAGRAM_STORY_SHARE = "com.instagram.share.handleractivity.StoryShareHandlerActivity";
export const INSTAGRAM_FEED_SHARE = "com.instagram.share.handleractivity.ShareHandlerActivity";
export const INSTAGRAM_REELS_SHARE = "com.instagram.share.handleractivity.ClipsShareHandlerActivity";
export const INSTAGRAM_DIRECT_SHARE = "com.instagram.direct.share.handler.DirectShareHandlerActivity";

/** Instagram's share targets for a video, as the system chooser lists them (label, activity). */
export const INSTAGRAM_SHARE_TARGETS = [
  { label: "Feed", activity: INSTAGRAM_FEED_SHARE },
  { label: "Reels", activity: INSTAGRAM_REELS_SHARE },
  { label: "Stories", activity: INSTAGRAM_STORY_SHARE },
  { label: "Chats", activity: INSTAGRAM_DIRECT_SHARE },
];

/** Where a share lands, by the share activity named (none: the reel editor). */
const SHARE_DEST: Record<string, Dest | "direct"> = {
  [INSTAGRAM_FEED_SHARE]: "feed",
  [INSTAGRAM_REELS_SHARE]: "clips",
  [INSTAGRAM_STORY_SHARE]: "story",
  [INSTAGRAM_DIRECT_SHARE]: "direct",
};

/** The verbs of Instagram's taps (a node's action is "VERB" or "VERB:ARG"). */
type InstagramVerb =
  | "tab"
  | "cancel"
  | "follow"
  | "following"
  | "profile"
  | "openPost"
  | "openOwnPost"
  | "openOwnStory"
  | "like"
  | "comments"
  | "openReel"
  | "reelLike"
  | "reelComments"
  | "reelMore"
  | "reelSave"
  | "postComment"
  | "back"
  | "dest"
  | "thumb"
  | "editBack"
  | "editNext"
  | "storyCancel"
  | "captionBack"
  | "discardPending"
  | "saveDraft"
  | "share";

export class InstagramApp extends SimApp implements InstagramView {
  readonly pkg = INSTAGRAM_PKG;
  readonly label = "Instagram";
  readonly mainActivity = INSTAGRAM_MAIN;
  readonly ref = { width: 720, height: 1440 };
  dest: Dest = "clips";
  private draft: MediaEntry[] | null = null;
  private shareStart = 0;
  private doneUntil = 0;
  pending: { caption: string; media: MediaEntry[]; dest: Dest } | null = null;
  /** The post on screen ("postView" / "comments"): "p/CODE" or "reel/CODE" and its author. */
  postRef: { key: string; author: string; caption?: string } = { key: "", author: "" };
  liked = new Set<string>();
  commentsByPost = new Map<string, string[]>();
  savedReels = new Set<string>();
  reelMore = false;
  searchQuery = "";
  /** What the Reels viewer swipes through: the Reels tab's feed, or a search's reels. */
  private reelList: Reel[] = REELS;
  private reelIndex = 0;

  constructor(env: AppEnv) {
    super(env);
  }

  override get activity(): string {
    switch (this.screen) {
      case "gallery":
      case "edit":
      case "storyEditor":
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
    const media = this.sharedMedia(intent);
    if (media?.length) {
      const dest = SHARE_DEST[intent.component?.split("/")[1] ?? ""] ?? "clips";
      this.selected = media;
      this.fields = {};
      if (dest === "direct") {
        this.go("directShare");
        return null;
      }
      this.draft = media;
      this.dest = dest;
      this.go(dest === "story" ? "storyEditor" : "edit");
    }
    return null;
  }

  override forceStop(): void {
    super.forceStop();
    this.pending = null;
    this.reelMore = false;
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

  private openPost(key: string, author: string): void {
    this.backStack.push(this.screen);
    this.postRef = { key, author };
    this.go("postView");
  }

  override key(code: number): void {
    if (code === 66 && (this.screen === "comments" || this.screen === "reelComments"))
      this.taps.postComment(undefined);
    if (code === 66 && this.screen === "search") this.submitSearch();
  }

  currentReel(): Reel {
    return this.reelList[this.reelIndex] ?? (REELS[0] as Reel);
  }

  /** ENTER in search: the query's results (a grid of reels). */
  private submitSearch(): void {
    const q = (this.fields.search ?? "").trim();
    if (!q) return;
    this.act("search", q);
    this.searchQuery = q;
    this.focused = null;
    this.go("searchResults");
  }

  private openReels(list: Reel[], index: number): void {
    this.reelList = list;
    this.reelIndex = index % list.length;
    this.reelMore = false;
    this.go("reels");
  }

  override playsVideo(): boolean {
    return ["home", "sharing", "shared", "shareFailed", "reels"].includes(this.screen) && !this.popup;
  }

  override swipe(_dx: number, dy: number): void {
    if (this.screen === "reels" && !this.reelMore && Math.abs(dy) > 100) {
      const n = this.reelList.length;
      this.reelIndex = (this.reelIndex + (dy < 0 ? 1 : n - 1)) % n;
    }
  }

  override tick(now: number): void {
    if (this.screen === "sharing" && this.pending && now - this.shareStart >= this.uploadMs) {
      const p = this.pending;
      this.pending = null;
      if (this.failUpload) {
        this.go("shareFailed");
        return;
      }
      this.posts.push({
        ...(this.account ? { account: this.account } : {}),
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

  protected override closeOverlay(): boolean {
    if (this.screen !== "reels" || !this.reelMore) return false;
    this.reelMore = false;
    return true;
  }

  protected readonly parents: Readonly<Record<string, Parent>> = {
    reelComments: "reels",
    searchResults: "search",
    user: OPENER,
    postView: OPENER,
    comments: "postView",
    gallery: "home",
    edit: "gallery",
    storyEditor: "home",
    storyViewer: "home",
    directShare: "home",
    caption: "edit",
    search: "home",
    reels: "home",
    profile: "home",
  };

  protected override onPopup(p: PopupDef, result: string): void {
    if (p.name === "unfollow") {
      if (result === "unfollow") this.unfollow(this.profileUser);
      return;
    }
    if (p.name === "media_permission") {
      if (this.answerMediaPermission(result)) this.go("gallery");
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
    if (this.mayOpenGallery()) {
      this.selected = [];
      this.go("gallery");
    }
  }

  hasStory(): boolean {
    return this.posts.some((p) => p.kind === "story" && p.account === (this.account ?? undefined));
  }

  items(): MediaEntry[] {
    return this.galleryMedia((e) =>
      this.dest === "clips"
        ? e.kind === "video" || e.kind === "images"
        : e.kind === "video" || e.kind === "images",
    );
  }

  /** Instagram shows the new account's own profile. */
  protected override afterSwitch(): void {
    this.backStack = [];
    this.go("profile");
  }

  protected readonly taps: Readonly<Record<InstagramVerb, Tap>> = {
    tab: (arg) => {
      if (arg === "create") {
        if (this.draft && this.env.popups) this.popupAlways(POPUPS.draft as PopupDef);
        else this.openGallery();
      } else if (arg === "home") this.go("home");
      else if (arg === "reels") this.openReels(REELS, 0);
      else if (arg === "search") {
        this.fields.search = "";
        this.go("search");
        this.focused = "search";
      } else if (arg) this.go(arg);
    },
    cancel: () => this.go("home"),
    follow: (arg) => this.follow(arg ?? this.profileUser),
    following: () => this.popupAlways(unfollowPopup(this.profileUser)),
    profile: (arg) => {
      if (this.screen === "search") this.act("search", (this.fields.search ?? "").trim());
      this.openProfile(arg ?? this.postRef.author);
    },
    openPost: (arg) => this.openPost(`p/C${this.profileUser.length}x${arg ?? "0"}`, this.profileUser),
    openOwnPost: (arg) => {
      const posts = this.ownPosts();
      const post = posts[Number(arg)];
      if (!post || !this.account) return;
      this.openPost(`p/OWN${posts.length - Number(arg)}`, this.account);
      this.postRef.caption = post.caption;
    },
    openOwnStory: () => {
      if (!this.hasStory()) return;
      this.go("storyViewer");
    },
    like: () => this.toggle(this.liked, this.postRef.key || "p/feed", "like", "unlike"),
    comments: () => this.go("comments"),
    openReel: (arg) => this.openReels(topicReels(this.searchQuery), Number(arg)),
    reelLike: () => this.toggle(this.liked, reelKey(this.currentReel()), "like", "unlike"),
    reelComments: () => {
      this.postRef = { key: reelKey(this.currentReel()), author: this.currentReel().author };
      this.go("reelComments");
    },
    reelMore: () => {
      this.reelMore = true;
    },
    reelSave: () => {
      this.toggle(this.savedReels, reelKey(this.currentReel()), "favorite", "unfavorite");
      this.reelMore = false;
    },
    postComment: () => this.sendComment(this.commentsByPost, this.postRef.key),
    back: () => this.back(),
    dest: (arg) => {
      this.dest = (arg as Dest) ?? "clips";
    },
    thumb: (arg) => {
      const m = this.items()[Number(arg)];
      if (!m) return;
      this.selected = [m];
      this.draft = [m];
      this.fields = {};
      this.go("edit");
    },
    editBack: () => this.go("gallery"),
    editNext: () => {
      this.go("caption");
      if (this.occasionalPopups) this.popupOnce(RATE_POPUP);
    },
    storyCancel: () => this.go("home"),
    captionBack: () => this.go("edit"),
    discardPending: () => this.go("home"),
    saveDraft: () => this.go("home"),
    share: () => {
      this.pending = { caption: this.fields.caption ?? "", media: [...this.selected], dest: this.dest };
      this.shareStart = this.env.now();
      this.draft = null;
      this.selected = [];
      this.fields = {};
      this.go("sharing");
      this.env.wake(this.uploadMs);
    },
  };

  protected screenNodes(): NodeSpec[] {
    const nodes = screenNodes(this);
    return this.env.realism.unlabelledCreate ? nodes.map(unlabelCreate) : nodes;
  }
}

/** The 410 home feed's "+" (Create) as the real dump has it: no id, no text, no description. */
function unlabelCreate(node: NodeSpec): NodeSpec {
  const children = node.children?.map(unlabelCreate);
  if (node.id !== "creation_tab") return children ? { ...node, children } : node;
  const { id: _id, desc: _desc, ...rest } = node;
  return children ? { ...rest, children } : rest;
}
