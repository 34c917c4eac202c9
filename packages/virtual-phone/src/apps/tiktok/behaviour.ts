/** TikTok (com.zhiliaoapp.musically), ids of 43.1.4: what the app does — launches, links, taps, BACK, uploads. */

import type { MediaEntry } from "../../media.ts";
import {
  type AppEnv,
  type Intent,
  isUnknownUser,
  OPENER,
  type Parent,
  type PopupDef,
  SimApp,
  type Tap,
} from "../app.ts";
import type { NodeSpec } from "../ui.ts";
import { screenNodes } from "./screens.ts";
import {
  FEED,
  POPUPS,
  RECOMMENDED_SOUNDS,
  saveLoginPopup,
  type TikTokView,
  topicVideos,
  unfollowPopup,
  type Video,
  videoKey,
} from "./view.ts";

export const TIKTOK_PKG = "com.zhiliaoapp.musically";
export const TIKTOK_MAIN = "com.ss.android.ugc.aweme.splash.SplashActivity";
/** The regional build (Asia): same app, same ids under its own package. */
export const TRILL_PKG = "com.ss.android.ugc.trill";
export const TIKTOK_VERSION = "43.1.4";
export const TIKTOK_SHARE = "com.ss.android.ugc.aweme.share.SystemShareActivity";

/** The verbs of TikTok's taps (a node's action is "VERB" or "VERB:ARG"). */
type TikTokVerb =
  | "nav"
  | "follow"
  | "following"
  | "like"
  | "favorite"
  | "comments"
  | "closeComments"
  | "sendComment"
  | "commentImage"
  | "pickImage"
  | "confirmImage"
  | "closePicker"
  | "removeImage"
  | "profile"
  | "search"
  | "doSearch"
  | "searchTab"
  | "openSearchVideo"
  | "soundPage"
  | "useSound"
  | "openSounds"
  | "soundSearch"
  | "pickSound"
  | "volume"
  | "setVolume"
  | "closeSounds"
  | "addLink"
  | "productLink"
  | "back"
  | "openUserVideo"
  | "openOwnVideo"
  | "pickHashtag"
  | "closeCamera"
  | "openGallery"
  | "closeGallery"
  | "tab"
  | "tick"
  | "galleryNext"
  | "editorBack"
  | "editorNext"
  | "postBack"
  | "drafts"
  | "post";

export class TikTokApp extends SimApp implements TikTokView {
  readonly label = "TikTok";
  readonly mainActivity = TIKTOK_MAIN;
  readonly ref = { width: 1080, height: 2400 };
  /** 43.1.4, whose ids the layouts use; RENAMED_POST_VERSION renames the Post button (see post-screens). */
  override version = TIKTOK_VERSION;
  private feedIndex = 0;
  liked = new Set<string>();
  favorites = new Set<string>();
  /** Comments typed on videos, by video key. */
  commentsByVideo = new Map<string, string[]>();
  commentsOpen = false;
  /** The comment bar's image picker, if open, and the image ticked in it. */
  imagePicker = false;
  pickerChoice: MediaEntry | null = null;
  /** The image attached to the comment being written. */
  commentImage: MediaEntry | null = null;
  /** The video opened from a link (screen "video"). */
  private linkVideo: Video | null = null;
  searchResults: string[] = [];
  searchTab: "users" | "sounds" | "videos" = "users";
  searchQuery = "";
  /** Videos opened from search's Videos tab: the "video" screen swipes through them. */
  private videoList: Video[] = [];
  private videoListIndex = 0;
  soundSheet = false;
  soundResults: string[] = [];
  volumePanel = false;
  volumes = { original: 100, added: 100 };
  sound = "";
  soundPageName = "";
  linkSheet = false;
  productLink = false;
  galleryTab: "all" | "videos" | "photos" = "all";
  /** The caption's hashtag suggestion list is open (realism: typing a `#` word opens it). */
  private hashtagList = false;
  private fromShare = false;
  postStart = 0;
  private toastUntil = 0;
  private pending: {
    caption: string;
    title: string;
    media: MediaEntry[];
    sound: string;
    volumes: { original: number; added: number };
    productLink: boolean;
  } | null = null;

  constructor(
    env: AppEnv,
    readonly pkg: typeof TIKTOK_PKG | typeof TRILL_PKG = TIKTOK_PKG,
  ) {
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
    const media = this.sharedMedia(intent);
    if (media) {
      if (cold) this.go("home");
      if (media.length === 0) {
        // TikTok shows a toast and stays where it is.
        return null;
      }
      this.selected = media;
      this.fromShare = true;
      this.fields = {};
      this.resetDraft();
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
    this.videoList = [];
    this.linkVideo = v;
    this.commentsOpen = false;
    this.clearCommentImage();
    this.go("video");
  }

  /** The video on screen (feed or link). */
  currentVideo(): Video {
    if (this.screen === "video" && this.linkVideo) return this.linkVideo;
    return FEED[this.feedIndex] ?? (FEED[0] as Video);
  }

  override forceStop(): void {
    super.forceStop();
    this.pending = null;
    this.commentsOpen = false;
    this.clearCommentImage();
    this.searchResults = [];
    this.searchQuery = "";
  }

  uploadedFor(): number {
    return this.env.now() - this.postStart;
  }

  override tick(now: number): void {
    if (this.screen === "posting" && this.pending && now - this.postStart >= this.uploadMs) {
      const p = this.pending;
      this.pending = null;
      if (this.failUpload) {
        this.go("uploadFailed");
        return;
      }
      this.posts.push({
        ...(this.account ? { account: this.account } : {}),
        caption: p.caption,
        ...(p.title ? { title: p.title } : {}),
        media: p.media.map((m) => m.data),
        kind: p.media.every((m) => m.kind === "images") ? "photo" : "video",
        ...(p.sound ? { sound: p.sound, volumes: p.volumes } : {}),
        ...(p.productLink ? { productLink: true } : {}),
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

  override playsVideo(): boolean {
    return ["home", "posting", "posted", "uploadFailed", "video"].includes(this.screen) && !this.popup;
  }

  override swipe(_dx: number, dy: number): void {
    if (
      (this.screen === "home" || this.screen === "posted" || this.screen === "posting") &&
      Math.abs(dy) > 100
    ) {
      this.feedIndex = (this.feedIndex + (dy < 0 ? 1 : FEED.length - 1)) % FEED.length;
    } else if (this.screen === "video" && this.videoList.length && !this.commentsOpen && Math.abs(dy) > 100) {
      const n = this.videoList.length;
      this.videoListIndex = (this.videoListIndex + (dy < 0 ? 1 : n - 1)) % n;
      this.linkVideo = this.videoList[this.videoListIndex] ?? this.linkVideo;
    }
  }

  override key(code: number): void {
    if (code === 66 && this.screen === "search") this.doSearch();
    if (code === 66 && this.soundSheet) this.searchSounds();
  }

  /** A new post starts without a sound or a link. */
  private resetDraft(): void {
    this.sound = "";
    this.soundSheet = false;
    this.volumePanel = false;
    this.volumes = { original: 100, added: 100 };
    this.soundResults = [];
    this.linkSheet = false;
    this.productLink = false;
  }

  private searchSounds(): void {
    const q = (this.fields.soundSearch ?? "").trim();
    if (!q) return;
    this.soundResults = [`${q}`, `${q} (remix)`, `${q} - original sound`];
    this.focused = null;
  }

  private doSearch(): void {
    const q = (this.fields.search ?? "").trim().replace(/^@/, "");
    if (!q) return;
    this.act("search", q);
    this.searchQuery = q;
    this.searchResults = [q, `${q}_official`, `${q}.fan`].filter((u) => !isUnknownUser(u));
    this.focused = null;
  }

  /** The caption's last word, when it is a hashtag being typed ("#fo"), else null. */
  private typedHashtag(): string | null {
    return /(?:^|\s)(#[^\s#]*)$/.exec(this.fields.caption ?? "")?.[1] ?? null;
  }

  hashtagSuggestions(): string[] {
    const typed = this.typedHashtag();
    if (!this.hashtagList || this.focused !== "caption" || typed === null) return [];
    const word = typed.slice(1).toLowerCase();
    return [...new Set([`#${word}`, `#${word}challenge`, "#fyp", "#foryou", "#viral"])].filter(
      (t) => t !== "#",
    );
  }

  override type(text: string): void {
    super.type(text);
    this.hashtagList = this.env.realism.hashtagSuggestions && this.typedHashtag() !== null;
  }

  override deleteChar(): void {
    super.deleteChar();
    this.hashtagList &&= this.typedHashtag() !== null;
  }

  override keyboardHidden(): void {
    this.hashtagList = false;
  }

  protected override closeOverlay(): boolean {
    if (this.hashtagSuggestions().length) {
      this.hashtagList = false;
      return true;
    }
    if (this.imagePicker) {
      this.imagePicker = false;
      return true;
    }
    if (this.soundSheet || this.linkSheet) {
      this.soundSheet = false;
      this.volumePanel = false;
      this.linkSheet = false;
      this.focused = null;
      return true;
    }
    if (this.commentsOpen) {
      this.commentsOpen = false;
      this.focused = null;
      return true;
    }
    return false;
  }

  protected readonly parents: Readonly<Record<string, Parent>> = {
    video: OPENER,
    user: OPENER,
    search: OPENER,
    camera: "home",
    gallery: "camera",
    editor: () => (this.fromShare ? "home" : "gallery"),
    soundPage: "search",
    post: "editor",
    friends: "home",
    inbox: "home",
    profile: "home",
  };

  protected override onPopup(p: PopupDef, result: string): void {
    if (p.name === "unfollow" && result === "unfollow") {
      this.unfollow(this.profileUser);
      return;
    }
    if (p.name === "publishNow") {
      if (result === "publish") this.startUpload();
      return;
    }
    if (p.name === "media_permission") {
      if (this.answerMediaPermission(result)) {
        this.galleryTab = "all";
        this.selected = [];
        this.go("gallery");
      }
    }
  }

  /** The comment image picker's images: the media store's, newest first. */
  recentImages(): MediaEntry[] {
    return this.env.media.gallery((e) => e.kind === "images");
  }

  private clearCommentImage(): void {
    this.imagePicker = false;
    this.pickerChoice = null;
    this.commentImage = null;
  }

  visibleMedia(): MediaEntry[] {
    const t = this.galleryTab;
    return this.galleryMedia((e) =>
      t === "videos"
        ? e.kind === "video"
        : t === "photos"
          ? e.kind === "images"
          : e.kind === "video" || e.kind === "images",
    );
  }

  /** TikTok may offer to save the login, and lands on Home rather than the profile. */
  protected override afterSwitch(name: string): void {
    this.popupOnce(saveLoginPopup(name));
    this.backStack = [];
    this.go("home");
  }

  protected readonly taps: Readonly<Record<TikTokVerb, Tap>> = {
    nav: (arg) => {
      if (arg === "create") {
        this.fromShare = false;
        this.resetDraft();
        this.go("camera");
        if (this.occasionalPopups) this.popupOnce(POPUPS.followFriends as PopupDef);
      } else if (arg) {
        this.backStack = [];
        this.commentsOpen = false;
        this.go(arg);
      }
    },
    follow: (arg) => this.follow(arg ?? this.currentVideo().author),
    following: () => this.popupAlways(unfollowPopup(this.profileUser)),
    like: () => this.toggle(this.liked, videoKey(this.currentVideo()), "like", "unlike"),
    favorite: () => this.toggle(this.favorites, videoKey(this.currentVideo()), "favorite", "unfavorite"),
    comments: () => {
      this.commentsOpen = true;
    },
    closeComments: () => {
      this.commentsOpen = false;
      this.focused = null;
    },
    sendComment: () => {
      this.sendComment(this.commentsByVideo, videoKey(this.currentVideo()), this.commentImage?.data);
      this.commentImage = null;
    },
    commentImage: () => {
      this.imagePicker = true;
      this.pickerChoice = null;
      this.focused = null;
    },
    pickImage: (arg) => {
      this.pickerChoice = this.recentImages()[Number(arg)] ?? null;
    },
    confirmImage: () => {
      if (!this.pickerChoice) return;
      this.commentImage = this.pickerChoice;
      this.imagePicker = false;
    },
    closePicker: () => {
      this.imagePicker = false;
    },
    removeImage: () => {
      this.commentImage = null;
    },
    profile: (arg) => this.openProfile(arg ?? this.currentVideo().author),
    search: () => {
      this.backStack.push(this.screen);
      this.fields.search = "";
      this.searchResults = [];
      this.searchQuery = "";
      this.searchTab = "users";
      this.go("search");
      this.focused = "search";
    },
    doSearch: () => this.doSearch(),
    searchTab: (arg) => {
      this.searchTab = arg === "sounds" || arg === "videos" ? arg : "users";
    },
    openSearchVideo: (arg) => {
      const list = topicVideos(this.searchQuery);
      const i = Number(arg) % list.length;
      this.openVideo(list[i] as Video);
      this.videoList = list;
      this.videoListIndex = i;
    },
    soundPage: (arg) => {
      this.soundPageName = this.searchResults[Number(arg)] ?? "";
      this.go("soundPage");
    },
    useSound: () => {
      // the camera opens with the sound; the upload button leads to the gallery as from Create
      this.fromShare = false;
      this.resetDraft();
      this.sound = this.soundPageName;
      this.backStack = [];
      this.go("camera");
    },
    openSounds: () => {
      this.soundSheet = true;
      this.soundResults = [];
      this.fields.soundSearch = "";
    },
    soundSearch: () => {
      this.focused = "soundSearch";
    },
    pickSound: (arg) => {
      // the sheet stays open with the sound ticked (Volume, or a tap on Close/Done, ends it)
      this.sound = (this.soundResults.length ? this.soundResults : RECOMMENDED_SOUNDS)[Number(arg)] ?? "";
      this.focused = null;
    },
    volume: () => {
      this.volumePanel = true;
    },
    setVolume: (arg) => {
      const [which, value] = (arg ?? "").split("=");
      if (which === "original" || which === "added") this.volumes[which] = Number(value);
    },
    closeSounds: () => {
      this.soundSheet = false;
      this.volumePanel = false;
      this.focused = null;
    },
    addLink: () => {
      this.linkSheet = true;
    },
    productLink: () => {
      this.productLink = true;
      this.linkSheet = false;
    },
    back: () => this.back(),
    openUserVideo: (arg) =>
      this.openVideo({
        id: `73000000000000000${arg ?? "0"}`.slice(0, 19),
        author: this.profileUser,
        desc: `video by @${this.profileUser}`,
        likes: 900,
        comments: 3,
      }),
    openOwnVideo: (arg) => {
      const i = Number(arg);
      const post = this.ownPosts()[i];
      if (!post || !this.account) return;
      const n = this.ownPosts().length - i;
      this.openVideo({
        id: `7450000000000000${String(n).padStart(3, "0")}`,
        author: this.account,
        desc: post.caption,
        likes: 0,
        comments: 0,
      });
    },
    pickHashtag: (arg) => {
      const tag = this.hashtagSuggestions()[Number(arg)];
      const typed = this.typedHashtag();
      if (!tag || typed === null) return;
      // the word being typed becomes the tag, and a space follows, as in the app
      this.fields.caption = `${(this.fields.caption ?? "").slice(0, -typed.length)}${tag} `;
      this.hashtagList = false;
    },
    closeCamera: () => this.go("home"),
    openGallery: () => {
      if (this.mayOpenGallery()) {
        this.selected = [];
        this.galleryTab = "all";
        this.go("gallery");
      }
    },
    closeGallery: () => this.go("camera"),
    tab: (arg) => {
      this.galleryTab = (arg as "all" | "videos" | "photos") ?? "all";
    },
    tick: (arg) => {
      const m = this.visibleMedia()[Number(arg)];
      if (!m) return;
      const i = this.selected.findIndex((s) => s.id === m.id);
      if (i >= 0) this.selected.splice(i, 1);
      else this.selected.push(m);
    },
    galleryNext: () => {
      if (this.selected.length === 0) return;
      this.fields = {};
      this.go("editor");
    },
    editorBack: () => this.back(),
    editorNext: () => {
      this.go("post");
      this.popupOnce(POPUPS.titleTip as PopupDef);
    },
    postBack: () => this.go("editor"),
    drafts: () => {
      this.selected = [];
      this.fields = {};
      this.go("home");
    },
    post: () => {
      if (this.occasionalPopups && this.env.popups) this.popupAlways(POPUPS.publishNow as PopupDef);
      else this.startUpload();
    },
  };

  private startUpload(): void {
    this.pending = {
      caption: this.fields.caption ?? "",
      title: this.fields.title ?? "",
      media: [...this.selected],
      sound: this.sound,
      volumes: { ...this.volumes },
      productLink: this.productLink,
    };
    this.resetDraft();
    this.postStart = this.env.now();
    this.selected = [];
    this.fields = {};
    this.go("posting");
    this.env.wake(this.uploadMs);
  }

  protected screenNodes(): NodeSpec[] {
    return screenNodes(this);
  }
}
