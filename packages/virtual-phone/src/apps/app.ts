/** Base of the simulated apps: a screen state machine with text fields, popups and recorded posts. */
import type { MediaEntry, MediaStore } from "../media.ts";
import type { Realism } from "../realism.ts";
import { buildNode, type NodeSpec, type UiNode } from "./ui.ts";

export interface Intent {
  action?: string;
  data?: string;
  type?: string;
  component?: string;
  pkg?: string;
  categories: string[];
  extras: Record<string, string>;
  /** android.intent.extra.STREAM values (one or more URIs). */
  streams: string[];
}

export interface Post {
  /** The account in use when the upload ended. */
  account?: string;
  /** Text typed into the caption/description field. */
  caption: string;
  /** TikTok's title field, if anything was typed there. */
  title?: string;
  /** Device paths of the posted media (/storage/emulated/0/...). */
  media: string[];
  /** e.g. "video", "photo" (TikTok) or "reel", "post", "story" (Instagram). */
  kind: string;
  /** TikTok: the sound added in the editor or chosen by "Use this sound". */
  sound?: string;
  /** TikTok: the volumes (0–100) set in the editor's Volume panel for the video's own and the added sound. */
  volumes?: { original: number; added: number };
  /** TikTok: a product link was added ("Add link" → Products). */
  productLink?: boolean;
  at: number;
}

/** Something the user did in an app besides posting. */
export interface AppAction {
  type: "follow" | "unfollow" | "like" | "unlike" | "favorite" | "unfavorite" | "comment" | "search";
  /** A user name (follow), a video/post ("@user/video/ID", "p/CODE") or the search query. */
  target: string;
  /** The comment text. */
  text?: string;
  /** The account in use when it happened. */
  account?: string;
  /** A comment's image: its device path (/storage/emulated/0/...). */
  image?: string;
  at: number;
}

export interface AppEnv {
  media: MediaStore;
  screen: { width: number; height: number };
  popups: boolean;
  sdk: number;
  realism: Realism;
  /** The phone's time in ms. */
  now(): number;
  /** Asks for tick() to run after ms (time-driven screens). */
  wake(ms: number): void;
}

export interface PopupButton {
  text: string;
  id?: string;
  result: string;
}

export interface PopupDef {
  name: string;
  /** Package of the dialog's window (the permission controller for system dialogs). */
  pkg?: string;
  title?: string;
  message: string;
  buttons: PopupButton[];
  ids?: { root?: string; title?: string; message?: string };
}

/** Users that have no account (their profile is a "not found" page, search does not list them): names starting with "nouser". */
export function isUnknownUser(name: string): boolean {
  return /^nouser/i.test(name);
}

/**
 * Android's runtime dialog for photos and videos, from the permission controller `pkg`; with `byVersion`
 * worded as Android `sdk` words it (10–15: "Deny" then "Don’t allow"; 14 on: "Allow all" and a limited
 * choice), else the plain Allow / Don’t allow.
 */
export function mediaPermission(label: string, pkg: string, sdk: number, byVersion: boolean): PopupDef {
  const allow = { text: "Allow", id: "permission_allow_button", result: "allow" };
  const deny = {
    text: sdk <= 30 && byVersion ? "Deny" : "Don’t allow",
    id: "permission_deny_button",
    result: "deny",
  };
  const limited = sdk >= 35 ? "Allow limited access" : "Select photos and videos";
  const what =
    !byVersion || sdk >= 33
      ? "photos and videos on this device"
      : sdk >= 31
        ? "photos, media, and files on your device"
        : "photos, media and files on your device";
  return {
    name: "media_permission",
    pkg,
    message: `Allow ${label} to access ${what}?`,
    ids: { root: "grant_dialog", message: "permission_message" },
    buttons:
      byVersion && sdk >= 34
        ? [
            { text: limited, id: "permission_allow_selected_button", result: "limited" },
            { text: "Allow all", id: "permission_allow_all_button", result: "allow" },
            deny,
          ]
        : [allow, deny],
  };
}

/** Reference layout of popups, in 1080x2400 coordinates. */
function popupSpecs(p: PopupDef, pkg: string): NodeSpec {
  const top = 900;
  const btnTop = 1260;
  const children: NodeSpec[] = [];
  if (p.title)
    children.push({
      c: "TextView",
      id: p.ids?.title ?? "title",
      text: p.title,
      b: [140, top + 40, 940, top + 120],
    });
  children.push({
    c: "TextView",
    id: p.ids?.message ?? "message",
    text: p.message,
    b: [140, top + 140, 940, top + 320],
  });
  p.buttons.forEach((btn, i) => {
    children.push({
      c: "Button",
      id: btn.id,
      text: btn.text,
      b: [120, btnTop + i * 130, 960, btnTop + i * 130 + 110],
      tap: `popup:${btn.result}`,
    });
  });
  const bottom = btnTop + p.buttons.length * 130 + 40;
  return {
    c: "FrameLayout",
    pkg: p.pkg ?? pkg,
    b: [0, 0, 1080, 2400],
    children: [
      {
        c: "LinearLayout",
        id: p.ids?.root ?? "dialog_root",
        pkg: p.pkg ?? pkg,
        b: [80, top, 1000, bottom],
        children: children.map((c) => ({ ...c, pkg: p.pkg ?? pkg })),
      },
    ],
  };
}

/** What a tap does; `arg` is what follows the verb in the node's action ("VERB:ARG"). */
export type Tap = (arg: string | undefined) => void;

/** BACK from a page opened on top of others (a profile, a video, search) returns to the screen it was opened from. */
export const OPENER = Symbol("the screen it was opened from");

/** Where BACK leads from a screen: another screen, its opener, or a screen that depends on the flow. */
export type Parent = string | typeof OPENER | (() => string);

type AccountVerb = "openSwitcher" | "closeSwitcher" | "switchAccount" | "addAccount";

/** What `table` holds under `key`, its own keys only (never Object.prototype's). */
function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

export abstract class SimApp {
  abstract readonly pkg: string;
  abstract readonly label: string;
  abstract readonly mainActivity: string;
  /** Reference size the screen layouts are written in. */
  abstract readonly ref: { width: number; height: number };

  /** Current screen name ("closed" when the app is not running). */
  screen = "closed";
  /** Published posts, in order. */
  readonly posts: Post[] = [];
  /** Follows, likes, comments, searches, in order. */
  readonly actions: AppAction[] = [];
  /** Signed-in accounts, in the account switcher's order (none: the app shows its login page). */
  accounts: string[] = [];
  /** The account in use, one of `accounts` (null when none is signed in). */
  account: string | null = null;
  /** Switches made through the account switcher. */
  switches = 0;
  /** Accounts whose switcher row does nothing when tapped (a switch that fails). */
  readonly switchFails = new Set<string>();
  /** The account switcher sheet is open (on the own profile). */
  switcherOpen = false;
  /** Whom each account follows. */
  private readonly followingByAccount = new Map<string, Set<string>>();
  /** The popup covering the screen, if any. */
  popup: PopupDef | null = null;
  /** Text fields' contents by field name. */
  fields: Record<string, string> = {};
  focused: string | null = null;
  /** The versionName `dumpsys package` reports, when the app sets one (else the APK table's). */
  version: string | null = null;
  /** How long an upload takes, in ms. */
  uploadMs = 3000;
  /**
   * When set (and popups are on), the dialogs that come only now and then show mid-flow too: Instagram's
   * "Rate Instagram", TikTok's "Follow your friends" and its "Publish now" confirm.
   */
  occasionalPopups = false;
  /** When set, uploads end in the app's failure message instead of a post. */
  failUpload = false;
  /**
   * When set, sent comments are recorded (`actions`) but never listed, as when an app silently hides a
   * comment it flags as spam.
   */
  hideComments = false;
  /** Media selected in the current flow. */
  selected: MediaEntry[] = [];
  /** The profile on screen (screen "user"). */
  profileUser = "";
  /** Where BACK goes from pages opened on top of others (a profile, a video or post, search). */
  protected backStack: string[] = [];
  protected shown = new Set<string>();
  /** Photos and videos: not asked yet, all of them, or none (denied, or limited to a choice not simulated). */
  protected mediaAccess: "unasked" | "all" | "none" = "unasked";
  protected pendingPopups: PopupDef[] = [];

  constructor(protected readonly env: AppEnv) {}

  get running(): boolean {
    return this.screen !== "closed";
  }

  /** The activity in front, for dumpsys. */
  get activity(): string {
    return this.mainActivity;
  }

  /** Handles an intent aimed at this app. Returns an error message, or null. */
  abstract launch(intent: Intent): string | null;
  /** The current screen's nodes (reference coordinates). */
  protected abstract screenNodes(): NodeSpec[];
  /** What each tap does, by its verb (a node's action is "VERB" or "VERB:ARG"). */
  protected abstract readonly taps: Readonly<Record<string, Tap>>;
  /** Where BACK leads from each screen; from a screen not named here the app goes to the background. */
  protected abstract readonly parents: Readonly<Record<string, Parent>>;
  /** Popup button result. */
  protected onPopup(_popup: PopupDef, _result: string): void {}
  /** Closes the sheet or panel open over the screen, if any (true): BACK does that first. */
  protected closeOverlay(): boolean {
    return false;
  }

  /** BACK key: returns false when the app goes to the background. */
  back(): boolean {
    if (this.switcherOpen) {
      this.switcherOpen = false;
      return true;
    }
    if (this.closeOverlay()) return true;
    const parent = own(this.parents, this.screen);
    if (parent === undefined) return false;
    if (parent === OPENER) this.go(this.backStack.pop() ?? "home");
    else this.go(typeof parent === "function" ? parent() : parent);
    return true;
  }
  /** The screen plays video (a dump of it may find no idle state). */
  playsVideo(): boolean {
    return false;
  }
  /** BACK hid the soft keyboard: what hangs on it (a suggestion list) closes with it. */
  keyboardHidden(): void {}
  /** Time-driven transitions (uploads). */
  tick(_now: number): void {}
  /** A swipe on the screen (dy < 0: finger moved up). */
  swipe(_dx: number, _dy: number): void {}
  /** A key other than HOME/BACK (ENTER = 66). */
  key(_code: number): void {}

  protected act(type: AppAction["type"], target: string, text?: string, image?: string): void {
    this.actions.push({
      type,
      target,
      ...(text !== undefined ? { text } : {}),
      ...(this.account ? { account: this.account } : {}),
      ...(image !== undefined ? { image } : {}),
      at: Date.now(),
    });
  }

  /** How the app tells an upload went up (realism's `successText`). */
  get successText(): Realism["successText"] {
    return this.env.realism.successText;
  }

  /** What the account in use posted to its profile (stories aside), newest first: its profile grid. */
  ownPosts(): Post[] {
    return this.posts
      .filter((p) => p.account === (this.account ?? undefined) && p.kind !== "story")
      .reverse();
  }

  /** User names the account in use follows. */
  get following(): Set<string> {
    const key = this.account ?? "";
    let set = this.followingByAccount.get(key);
    if (!set) {
      set = new Set();
      this.followingByAccount.set(key, set);
    }
    return set;
  }

  /** Signs these accounts in (the first one in use unless one already is). */
  signIn(...names: string[]): void {
    for (const name of names) if (!this.accounts.includes(name)) this.accounts.push(name);
    this.account ??= this.accounts[0] ?? null;
  }

  /** Signs an account out; when it was in use, the app moves to the next signed-in one, as the apps do. */
  logOut(name: string): void {
    this.accounts = this.accounts.filter((a) => a !== name);
    if (this.account === name) this.account = this.accounts[0] ?? null;
  }

  /**
   * The account switcher's taps, alike in both apps: open and close the sheet, and a row's tap, after which
   * the sheet closes and `afterSwitch` runs (where the app lands differs).
   */
  private readonly accountTaps: Readonly<Record<AccountVerb, Tap>> = {
    openSwitcher: () => {
      this.switcherOpen = this.account !== null;
    },
    closeSwitcher: () => {
      this.switcherOpen = false;
    },
    switchAccount: (arg) => {
      const name = arg ?? "";
      // a failing row does nothing: the sheet stays open with the old account ticked
      if (!this.accounts.includes(name) || this.switchFails.has(name)) return;
      this.switcherOpen = false;
      if (this.account !== name) {
        this.switches++;
        this.account = name;
        this.afterSwitch(name);
      }
    },
    // adding an account means a login form: out of the simulation's scope, nothing happens
    addAccount: () => {},
  };

  /** Where the app lands after switching to `name`. */
  protected afterSwitch(_name: string): void {}

  /** Follows a user once: a second tap on Follow changes nothing. */
  protected follow(user: string): void {
    if (this.following.has(user)) return;
    this.following.add(user);
    this.act("follow", user);
  }

  protected unfollow(user: string): void {
    if (this.following.delete(user)) this.act("unfollow", user);
  }

  /** Like/unlike, favorite/unfavorite: flips `key` in `set` and records which way it went. */
  protected toggle(set: Set<string>, key: string, on: AppAction["type"], off: AppAction["type"]): void {
    if (set.has(key)) {
      set.delete(key);
      this.act(off, key);
    } else {
      set.add(key);
      this.act(on, key);
    }
  }

  /**
   * Sends what is typed in the comment field (and `image`, a device path, when attached) as a comment on
   * `key` (nothing when both are blank); the field empties.
   */
  protected sendComment(comments: Map<string, string[]>, key: string, image?: string): void {
    const text = this.fields.comment ?? "";
    if (!text.trim() && !image) return;
    if (!this.hideComments) comments.set(key, [...(comments.get(key) ?? []), text]);
    this.act("comment", key, text, image);
    this.fields.comment = "";
    this.focused = null;
  }

  /** The media a share intent (SEND / SEND_MULTIPLE) carries that the media store knows; null for other intents. */
  protected sharedMedia(intent: Intent): MediaEntry[] | null {
    const isShare =
      intent.action === "android.intent.action.SEND" ||
      intent.action === "android.intent.action.SEND_MULTIPLE";
    if (!isShare) return null;
    return intent.streams.map((u) => this.env.media.fromUri(u)).filter((m): m is MediaEntry => !!m);
  }

  forceStop(): void {
    this.screen = "closed";
    this.switcherOpen = false;
    this.popup = null;
    this.pendingPopups = [];
    this.fields = {};
    this.focused = null;
    this.selected = [];
    this.backStack = [];
  }

  /** Clears all app data (pm clear): popups come back. */
  clearData(): void {
    this.forceStop();
    this.shown.clear();
  }

  /**
   * Before the gallery: true when it may open now (access answered, or popups off), else the permission
   * dialog is shown.
   */
  protected mayOpenGallery(): boolean {
    if (this.mediaAccess !== "unasked" || !this.env.popups) {
      if (this.mediaAccess === "unasked") this.mediaAccess = "all";
      return true;
    }
    const { permissionPackage, permissionByVersion } = this.env.realism;
    this.popupAlways(mediaPermission(this.label, permissionPackage, this.env.sdk, permissionByVersion));
    return false;
  }

  /**
   * The answer to the media dialog: true when the app goes on to its gallery (Allow; with Android's wording,
   * any answer, denying or limiting leaving it empty); false: it stays and asks again next time.
   */
  protected answerMediaPermission(result: string): boolean {
    if (result === "allow") this.mediaAccess = "all";
    else if (this.env.realism.permissionByVersion) this.mediaAccess = "none";
    return this.mediaAccess !== "unasked";
  }

  /** The gallery's media as access allows: none when denied. */
  protected galleryMedia(filter: (e: MediaEntry) => boolean): MediaEntry[] {
    return this.mediaAccess === "none" ? [] : this.env.media.gallery(filter);
  }

  /** Queues a popup that the app throws once (only when popups are on). */
  protected popupOnce(p: PopupDef): void {
    if (!this.env.popups || this.shown.has(p.name)) return;
    this.shown.add(p.name);
    if (this.popup) this.pendingPopups.push(p);
    else this.popup = p;
  }

  /** A popup that shows every time the condition holds (like a permission still not granted). */
  protected popupAlways(p: PopupDef): void {
    if (this.popup) this.pendingPopups.push(p);
    else this.popup = p;
  }

  protected openProfile(name: string): void {
    if (this.screen !== "user") this.backStack.push(this.screen);
    this.profileUser = name;
    this.go("user");
  }

  protected go(screen: string): void {
    this.screen = screen;
    this.focused = null;
  }

  tapAction(action: string): void {
    if (action.startsWith("popup:")) {
      const p = this.popup;
      if (!p) return;
      this.popup = this.pendingPopups.shift() ?? null;
      this.onPopup(p, action.slice(6));
      return;
    }
    if (action.startsWith("focus:")) {
      this.focused = action.slice(6);
      return;
    }
    const [verb, arg] = action.split(":") as [string, string | undefined];
    (own(this.accountTaps, verb) ?? own(this.taps, verb))?.(arg);
  }

  type(text: string): void {
    if (this.popup || !this.focused) return;
    this.fields[this.focused] = (this.fields[this.focused] ?? "") + text;
  }

  clearText(): void {
    if (this.focused) this.fields[this.focused] = "";
  }

  deleteChar(): void {
    if (!this.focused) return;
    const chars = [...(this.fields[this.focused] ?? "")];
    chars.pop();
    this.fields[this.focused] = chars.join("");
  }

  /** View roots for the dump: the app window, then the popup window if any. */
  render(): UiNode[] {
    const ctx = {
      pkg: this.pkg,
      ref: this.ref,
      screen: this.env.screen,
      fields: this.fields,
      focused: this.focused,
    };
    const { width: w, height: h } = this.ref;
    const navH = Math.round((63 * h) / 2400);
    const root: NodeSpec = {
      c: "FrameLayout",
      b: [0, 0, w, h],
      children: [
        {
          c: "LinearLayout",
          b: [0, 0, w, h - navH],
          children: [
            {
              c: "FrameLayout",
              id: "android:id/content",
              b: [0, 0, w, h - navH],
              children: this.screenNodes(),
            },
          ],
        },
      ],
    };
    const popup = this.popup
      ? buildNode(popupSpecs(this.popup, this.pkg), { ...ctx, ref: { width: 1080, height: 2400 } })
      : null;
    // A system dialog is its own activity window: the dump shows only it. In-app dialogs sit on the screen.
    if (popup && this.popup?.pkg && this.popup.pkg !== this.pkg) return [popup];
    const roots = [buildNode(root, ctx)];
    if (popup) roots.push(popup);
    return roots;
  }
}
