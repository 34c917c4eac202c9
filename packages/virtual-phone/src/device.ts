/** The phone's system state: properties, packages, settings, IMEs, media store, apps and the screen. */
import type { AppEnv, Intent, PopupDef, SimApp } from "./apps/app.ts";
import { INSTAGRAM_PKG, INSTAGRAM_SHARE_TARGETS, InstagramApp } from "./apps/instagram/behaviour.ts";
import { chooserScreen, GenericApp, launcherScreen, type ShareTarget } from "./apps/system.ts";
import { TIKTOK_PKG, TIKTOK_SHARE, TikTokApp, TRILL_PKG } from "./apps/tiktok/behaviour.ts";
import { buildNode, hitTest, toXml, type UiNode, walk } from "./apps/ui.ts";
import type { PhoneFs } from "./fs.ts";
import { MediaStore } from "./media.ts";
import { Canvas } from "./png.ts";
import { type Realism, seededRandom } from "./realism.ts";
import { renderScreen } from "./render.ts";
import { Uia2Sim } from "./uia2.ts";

export const LAUNCHER_PKG = "com.google.android.apps.nexuslauncher";
export const ADB_KEYBOARD_PKG = "com.android.adbkeyboard";
export const ADB_KEYBOARD_IME = "com.android.adbkeyboard/.AdbIME";
export const LATIN_IME = "com.google.android.inputmethod.latin/com.android.inputmethod.latin.LatinIME";

/** Always installed (the system). */
export const CORE_PACKAGES = [
  "android",
  "com.android.systemui",
  "com.android.shell",
  "com.android.settings",
  "com.android.providers.media",
  "com.android.providers.media.module",
  "com.android.permissioncontroller",
  "com.google.android.inputmethod.latin",
  LAUNCHER_PKG,
];

export const DEFAULT_APPS = [
  TIKTOK_PKG,
  INSTAGRAM_PKG,
  ADB_KEYBOARD_PKG,
  "com.android.chrome",
  "com.google.android.youtube",
  "com.google.android.gms",
  "com.android.vending",
];

const LABELS: Record<string, string> = {
  [TIKTOK_PKG]: "TikTok",
  [TRILL_PKG]: "TikTok",
  [INSTAGRAM_PKG]: "Instagram",
  [ADB_KEYBOARD_PKG]: "ADB Keyboard",
  "com.android.chrome": "Chrome",
  "com.google.android.youtube": "YouTube",
  "com.android.vending": "Play Store",
  "com.android.settings": "Settings",
  "com.google.android.gms": "Google Play services",
};

const NO_LAUNCHER = new Set([
  "android",
  "com.android.systemui",
  "com.android.shell",
  "com.android.providers.media",
  "com.android.providers.media.module",
  "com.android.permissioncontroller",
  "com.google.android.permissioncontroller",
  "com.google.android.inputmethod.latin",
  "com.google.android.gms",
  LAUNCHER_PKG,
]);

export const KEYCODES: Record<string, number> = {
  HOME: 3,
  BACK: 4,
  CALL: 5,
  ENDCALL: 6,
  DPAD_UP: 19,
  DPAD_DOWN: 20,
  DPAD_LEFT: 21,
  DPAD_RIGHT: 22,
  DPAD_CENTER: 23,
  VOLUME_UP: 24,
  VOLUME_DOWN: 25,
  POWER: 26,
  CAMERA: 27,
  CLEAR: 28,
  SPACE: 62,
  TAB: 61,
  ENTER: 66,
  DEL: 67,
  MENU: 82,
  SEARCH: 84,
  MEDIA_PLAY_PAUSE: 85,
  PAGE_UP: 92,
  PAGE_DOWN: 93,
  ESCAPE: 111,
  FORWARD_DEL: 112,
  MOVE_END: 123,
  APP_SWITCH: 187,
  SLEEP: 223,
  WAKEUP: 224,
};

export interface DeviceConfig {
  serial: string;
  model: string;
  brand: string;
  androidVersion: string;
  sdk: number;
  screen: { width: number; height: number };
  battery: number;
  packages: string[];
  popups: boolean;
  clock: PhoneClock;
  realism: Realism;
}

/** The phone's time: now, and a wake-up at a moment (ms since the epoch; returns a cancel function). */
export interface PhoneClock {
  now(): number;
  wakeAt(when: number, wake: () => void): () => void;
}

export const systemTime: PhoneClock = {
  now: () => Date.now(),
  wakeAt(when, wake) {
    const t = setTimeout(wake, Math.max(0, when - Date.now()));
    t.unref?.();
    return () => clearTimeout(t);
  },
};

export type LaunchResult = { ok: true; component: string } | { ok: false; error: string };

export class Device {
  readonly media: MediaStore;
  readonly apps: { tiktok: TikTokApp; instagram: InstagramApp };
  readonly typed: string[] = [];
  readonly packages: Set<string>;
  /** `pm install` refuses every APK with this reason (`Failure [REASON]`), as a locked-down phone does. */
  installRefusal: string | null = null;
  /** Versions of the packages installed with `pm install` (as their manifest says). */
  readonly versions = new Map<string, { code: number | null; name: string | null }>();
  /** Appium's UiAutomator2 server, once installed and started (uia2.ts). */
  readonly uia2: Uia2Sim = new Uia2Sim(this);
  readonly props: Record<string, string>;
  readonly settings: Record<string, Record<string, string>>;
  readonly imeEnabled = new Set<string>([LATIN_IME]);
  ime = LATIN_IME;
  density = 420;
  screenOn = true;
  /** The next N `uiautomator dump`s fail with "ERROR: could not get idle state." (like an animated screen). */
  idleFailures = 0;
  foreground: SimApp | null = null;
  /** A pending share intent waiting in the system chooser, and the targets it offers. */
  chooser: { intent: Intent; targets: ShareTarget[] } | null = null;
  /** Taps that reached no app: lost during a screen change, or landing on the soft keyboard. */
  readonly missedTaps: { x: number; y: number; why: "change" | "keyboard" }[] = [];
  private appByPkg = new Map<string, SimApp>();
  private env: AppEnv;
  /**
   * A screen change in progress (realism): what the screen showed before it and which popup was on it,
   * shown in dumps, screenshots and `dumpsys window` until the change commits at `until`.
   */
  private change: {
    roots: UiNode[];
    popup: PopupDef | null;
    /** The app in front then (null: the launcher or the chooser), and the window with focus. */
    appPkg: string | null;
    pkg: string;
    component: string;
    until: number;
  } | null = null;
  private inputDepth = 0;
  private readonly changeRandom: () => number;
  private readonly idleRandom: () => number;
  /** The field ("pkg/screen/field") whose keyboard BACK hid; a tap on a field shows it again. */
  private keyboardHiddenFor: string | null = null;

  constructor(
    readonly cfg: DeviceConfig,
    readonly fs: PhoneFs,
  ) {
    this.media = new MediaStore(fs);
    this.changeRandom = seededRandom(cfg.realism.seed);
    this.idleRandom = seededRandom(cfg.realism.seed ^ 0x9e3779b9);
    this.packages = new Set([...CORE_PACKAGES, cfg.realism.permissionPackage, ...cfg.packages]);
    this.env = {
      media: this.media,
      screen: cfg.screen,
      popups: cfg.popups,
      sdk: cfg.sdk,
      realism: cfg.realism,
      now: () => cfg.clock.now(),
      // a real timer: a reminder, not a wait (every read of the screen ticks on the phone's clock anyway);
      // on a clock that moves itself it would end a toast before anyone could read it
      wake: (ms) => {
        const t = setTimeout(() => this.tick(), ms + 5);
        t.unref?.();
      },
    };
    // the regional package answers as TikTok when it is installed alone
    const tiktokPkg =
      cfg.packages.includes(TRILL_PKG) && !cfg.packages.includes(TIKTOK_PKG) ? TRILL_PKG : TIKTOK_PKG;
    this.apps = { tiktok: new TikTokApp(this.env, tiktokPkg), instagram: new InstagramApp(this.env) };
    this.appByPkg.set(tiktokPkg, this.apps.tiktok);
    this.appByPkg.set(INSTAGRAM_PKG, this.apps.instagram);
    const product = cfg.model.toLowerCase().replace(/[^a-z0-9]+/g, "_");
    const fingerprint = `${cfg.brand}/${product}/${product}:${cfg.androidVersion}/UQ1A.240205.004/11269751:user/release-keys`;
    this.props = {
      "ro.product.model": cfg.model,
      "ro.product.brand": cfg.brand,
      "ro.product.manufacturer": cfg.brand === "google" ? "Google" : cfg.brand,
      "ro.product.name": product,
      "ro.product.device": product,
      "ro.product.board": product,
      "ro.product.cpu.abi": "arm64-v8a",
      "ro.product.cpu.abilist": "arm64-v8a,armeabi-v7a,armeabi",
      "ro.build.version.release": cfg.androidVersion,
      "ro.build.version.sdk": String(cfg.sdk),
      "ro.build.version.security_patch": "2024-02-05",
      "ro.build.id": "UQ1A.240205.004",
      "ro.build.display.id": "UQ1A.240205.004",
      "ro.build.type": "user",
      "ro.build.tags": "release-keys",
      "ro.build.fingerprint": fingerprint,
      "ro.serialno": cfg.serial,
      "ro.boot.serialno": cfg.serial,
      "ro.debuggable": "0",
      "ro.secure": "1",
      "ro.sf.lcd_density": "420",
      "ro.hardware": product,
      "ro.boot.hardware": product,
      "persist.sys.locale": "en-US",
      "persist.sys.timezone": "UTC",
      "ro.product.locale": "en-US",
      "sys.boot_completed": "1",
      "dev.bootcomplete": "1",
      "init.svc.adbd": "running",
      "service.adb.tcp.port": "5555",
      "gsm.operator.alpha": "",
      "net.hostname": `${product}-${cfg.serial.slice(-4).toLowerCase()}`,
      "ro.adb.secure": "1",
    };
    this.settings = {
      system: { screen_off_timeout: "60000", screen_brightness: "128", font_scale: "1.0" },
      secure: {
        default_input_method: LATIN_IME,
        enabled_input_methods: LATIN_IME,
        android_id: cfg.serial.toLowerCase().padEnd(16, "0").slice(0, 16),
      },
      global: {
        adb_enabled: "1",
        stay_on_while_plugged_in: "0",
        airplane_mode_on: "0",
        development_settings_enabled: "1",
      },
    };
  }

  label(pkg: string): string {
    return LABELS[pkg] ?? pkg.slice(pkg.lastIndexOf(".") + 1);
  }

  app(pkg: string): SimApp | null {
    if (!this.packages.has(pkg)) return null;
    let a = this.appByPkg.get(pkg);
    if (!a) {
      a = new GenericApp(this.env, pkg, this.label(pkg));
      this.appByPkg.set(pkg, a);
    }
    return a;
  }

  runningApps(): SimApp[] {
    return [...this.appByPkg.values()].filter((a) => a.running && this.packages.has(a.pkg));
  }

  hasLauncherActivity(pkg: string): boolean {
    return this.packages.has(pkg) && !NO_LAUNCHER.has(pkg);
  }

  /** Starts an activity for `am start` / monkey. */
  startActivity(intent: Intent): LaunchResult {
    return this.input(() => this.start(intent));
  }

  private start(intent: Intent): LaunchResult {
    // what came due first (an upload's end) happens before the app is asked to start
    this.tick();
    let pkg = intent.pkg;
    let activity: string | undefined;
    if (intent.component) {
      const [p, a] = intent.component.split("/") as [string, string | undefined];
      pkg = p;
      activity = a ? (a.startsWith(".") ? p + a : a) : undefined;
      if (!this.packages.has(p) || !activity || NO_LAUNCHER.has(p)) {
        return {
          ok: false,
          error: `Error type 3\nError: Activity class {${p}/${activity ?? ""}} does not exist.`,
        };
      }
    }
    const isShare =
      intent.action === "android.intent.action.SEND" ||
      intent.action === "android.intent.action.SEND_MULTIPLE";
    if (!pkg) {
      if (isShare) {
        const targets = this.shareTargets();
        if (targets.length === 0)
          return {
            ok: false,
            error: `Error: Activity not started, unable to resolve ${describeIntent(intent)}`,
          };
        return this.choose(intent, targets);
      }
      if (intent.action === "android.intent.action.VIEW" && intent.data) {
        const d = intent.data;
        // Verified app links open the app; other web links open the browser.
        if (
          (/^https?:\/\/([a-z0-9-]+\.)*tiktok\.com\//i.test(d) || d.startsWith("snssdk1233:")) &&
          this.packages.has(this.apps.tiktok.pkg)
        ) {
          pkg = this.apps.tiktok.pkg;
        } else if (
          (/^https?:\/\/(www\.)?instagram\.com\//i.test(d) || d.startsWith("instagram:")) &&
          this.packages.has(INSTAGRAM_PKG)
        ) {
          pkg = INSTAGRAM_PKG;
        } else if (/^https?:/.test(d) && this.packages.has("com.android.chrome")) {
          pkg = "com.android.chrome";
        }
      }
      if (
        intent.action === "android.intent.action.MAIN" &&
        intent.categories.includes("android.intent.category.HOME")
      ) {
        this.foreground = null;
        this.chooser = null;
        return { ok: true, component: `${LAUNCHER_PKG}/.NexusLauncherActivity` };
      }
    }
    if (!pkg || !this.packages.has(pkg) || NO_LAUNCHER.has(pkg)) {
      return { ok: false, error: `Error: Activity not started, unable to resolve ${describeIntent(intent)}` };
    }
    if (isShare && !activity && !this.shareTargets().includes(pkg)) {
      return { ok: false, error: `Error: Activity not started, unable to resolve ${describeIntent(intent)}` };
    }
    // an app with several share targets for one intent: Android asks which
    if (isShare && !activity && pkg === INSTAGRAM_PKG && this.cfg.realism.shareChooser)
      return this.choose(intent, [pkg]);
    if (pkg === this.apps.tiktok.pkg && isShare && activity && activity !== TIKTOK_SHARE) {
      // Sharing to the splash activity just opens the app.
      intent = { ...intent, action: "android.intent.action.MAIN" };
    }
    const app = this.app(pkg) as SimApp;
    const err = app.launch(intent);
    if (err) return { ok: false, error: err };
    this.chooser = null;
    this.foreground = app;
    return { ok: true, component: `${pkg}/${activity ?? app.mainActivity}` };
  }

  /** Opens the system chooser on `intent`, offering the share targets of `pkgs`. */
  private choose(intent: Intent, pkgs: string[]): LaunchResult {
    const targets = pkgs.flatMap((pkg): ShareTarget[] => {
      if (pkg === this.apps.tiktok.pkg) return [{ label: this.label(pkg), pkg, activity: TIKTOK_SHARE }];
      if (pkg === INSTAGRAM_PKG && this.cfg.realism.shareChooser)
        return INSTAGRAM_SHARE_TARGETS.map((t) => ({ ...t, pkg }));
      return [{ label: this.label(pkg), pkg }];
    });
    this.chooser = { intent, targets };
    this.foreground = null;
    return { ok: true, component: "android/com.android.internal.app.ChooserActivity" };
  }

  shareTargets(): string[] {
    return [this.apps.tiktok.pkg, INSTAGRAM_PKG].filter((p) => this.packages.has(p));
  }

  forceStop(pkg: string): void {
    this.uia2.forceStopped(pkg);
    this.change = null;
    const a = this.appByPkg.get(pkg);
    if (!a) return;
    a.forceStop();
    if (this.foreground === a) this.foreground = null;
  }

  clearData(pkg: string): void {
    const a = this.appByPkg.get(pkg);
    a?.clearData();
    if (this.foreground === a) this.foreground = null;
  }

  uninstall(pkg: string): boolean {
    if (!this.packages.has(pkg) || CORE_PACKAGES.includes(pkg)) return false;
    this.forceStop(pkg);
    this.packages.delete(pkg);
    return true;
  }

  /** After a reboot: no app runs, the launcher is in front. */
  reboot(): void {
    this.uia2.stop();
    for (const a of this.appByPkg.values()) a.forceStop();
    this.change = null;
    this.foreground = null;
    this.chooser = null;
    this.screenOn = true;
  }

  private tick(): void {
    const now = this.cfg.clock.now();
    for (const a of this.appByPkg.values()) a.tick(now);
    if (this.foreground && !this.foreground.running) this.foreground = null;
  }

  /** A screen change is in progress (its old screen still shows). */
  changing(): boolean {
    if (this.change && this.cfg.clock.now() >= this.change.until) this.change = null;
    return this.change !== null;
  }

  /** The screen as view roots (the last one receives touches): during a change, the old screen. */
  roots(): UiNode[] {
    const live = this.liveRoots();
    return this.changing() && this.change ? this.change.roots : live;
  }

  /** The screen as the apps have it now (a change in progress included). */
  private liveRoots(): UiNode[] {
    this.tick();
    if (this.foreground) return this.foreground.render();
    const ctx = {
      pkg: LAUNCHER_PKG,
      ref: { width: 1080, height: 2400 },
      screen: this.cfg.screen,
      fields: {},
      focused: null,
    };
    if (this.chooser) {
      return [
        buildNode(
          chooserScreen(this.chooser.targets, this.cfg.realism.shareChooser ? "Share with" : "Share"),
          {
            ...ctx,
            pkg: "android",
          },
        ),
      ];
    }
    const apps = [...this.packages]
      .filter((p) => this.hasLauncherActivity(p))
      .map((p) => ({ pkg: p, label: this.label(p) }))
      .sort((a, b) => a.label.localeCompare(b.label));
    return [buildNode(launcherScreen(apps), ctx)];
  }

  dumpXml(): string {
    return toXml(this.roots(), this.cfg.sdk >= 30);
  }

  focusedPackage(): string {
    if (this.changing() && this.change) return this.change.pkg;
    return this.liveFocusedPackage();
  }

  private liveFocusedPackage(): string {
    if (this.foreground) return this.foreground.popup?.pkg ?? this.foreground.pkg;
    return this.chooser ? "android" : LAUNCHER_PKG;
  }

  focusedComponent(): string {
    if (this.changing() && this.change) return this.change.component;
    return this.liveFocusedComponent();
  }

  private liveFocusedComponent(): string {
    if (this.foreground) return `${this.foreground.pkg}/${this.foreground.activity}`;
    if (this.chooser) return "android/com.android.internal.app.ChooserActivity";
    return `${LAUNCHER_PKG}/com.google.android.apps.nexuslauncher.NexusLauncherActivity`;
  }

  /**
   * Runs an input; with realism, when it changes the screen the old one stays shown for the change's time
   * (300–800 ms by default, on the phone's clock): a dump right after a tap still shows what was tapped.
   */
  private input<T>(apply: () => T): T {
    const [min, max] = this.cfg.realism.changeMs;
    if (this.inputDepth > 0 || max <= 0) return apply();
    const before = this.liveRoots();
    const shown = {
      popup: this.foreground?.popup ?? null,
      appPkg: this.foreground?.pkg ?? null,
      pkg: this.liveFocusedPackage(),
      component: this.liveFocusedComponent(),
    };
    this.inputDepth++;
    let result: T;
    try {
      result = apply();
    } finally {
      this.inputDepth--;
    }
    if (screenSignature(this.liveRoots()) === screenSignature(before)) return result;
    const until = this.cfg.clock.now() + min + Math.round(this.changeRandom() * (max - min));
    if (this.changing() && this.change) this.change.until = until;
    else this.change = { roots: before, ...shown, until };
    return result;
  }

  tap(x: number, y: number): void {
    if (!this.screenOn) return;
    if (this.keyboardCovers(y)) {
      this.missedTaps.push({ x, y, why: "keyboard" });
      return;
    }
    this.input(() => {
      const change = this.changing() ? this.change : null;
      const live = this.liveRoots();
      if (!change) return this.tapNode(this.nodeAt(live, x, y), x);
      if (this.cfg.realism.tapsDuringChange === "lost") {
        this.missedTaps.push({ x, y, why: "change" });
        return;
      }
      // a dialog that is closing takes no input: the tap falls through to what is underneath it now
      if (change.popup && this.foreground?.popup !== change.popup)
        return this.tapNode(this.nodeAt(live, x, y), x);
      // the old screen takes the tap; what it asks for happens only where the app still offers it
      const old = this.nodeAt(change.roots, x, y);
      const offered = live.some((r) => [...walk(r)].some((n) => n.clickable && n.action === old?.action));
      if (old && offered) this.tapNode(old, x);
      else this.missedTaps.push({ x, y, why: "change" });
    });
  }

  /** The node a tap at (x, y) reaches in the top window of `roots`. */
  private nodeAt(roots: UiNode[], x: number, y: number): UiNode | null {
    const top = roots[roots.length - 1];
    return top ? hitTest(top, x, y) : null;
  }

  private tapNode(node: UiNode | null, x: number): void {
    if (!node?.action) return;
    // a slider's action takes where along it the tap fell, 0–100 ("{pct}")
    const [x1, , x2] = node.bounds;
    const pct = Math.round(((x - x1) * 100) / Math.max(1, x2 - x1 - 1));
    const action = node.action.replace("{pct}", String(Math.min(100, Math.max(0, pct))));
    if (action.startsWith("focus:")) this.keyboardHiddenFor = null;
    if (this.foreground) {
      this.foreground.tapAction(action);
      if (!this.foreground.running) this.foreground = null;
      return;
    }
    if (action.startsWith("launch:")) {
      const pkg = action.slice(7);
      this.startActivity({
        action: "android.intent.action.MAIN",
        categories: ["android.intent.category.LAUNCHER"],
        pkg,
        extras: {},
        streams: [],
      });
    } else if (action.startsWith("share:") && this.chooser) {
      const target = this.chooser.targets[Number(action.slice(6))];
      if (!target) return;
      const { pkg, activity } = target;
      const intent = {
        ...this.chooser.intent,
        pkg,
        ...(activity ? { component: `${pkg}/${activity}` } : {}),
      };
      this.chooser = null;
      this.startActivity(intent);
    }
  }

  /** The field with focus, as "pkg/screen/field" (null: none, or a dialog covers it). */
  private focusedField(): string | null {
    const app = this.foreground;
    return app?.focused && !app.popup ? `${app.pkg}/${app.screen}/${app.focused}` : null;
  }

  /**
   * The soft keyboard is up: with realism, while a field has focus and BACK did not hide it. Without, there
   * is no keyboard (BACK leaves the page), so `mInputShown` must not say there is one.
   */
  keyboardShown(): boolean {
    if (!this.cfg.realism.keyboard) return false;
    const field = this.focusedField();
    return field !== null && field !== this.keyboardHiddenFor;
  }

  /**
   * With realism, the keyboard covers the lower 40 % of the screen: a tap there reaches the keyboard. A field
   * that is itself down there (a comment bar) is lifted above the keyboard with its bar, as Android pans
   * the window to keep the focused field in view: then nothing is covered.
   */
  private keyboardCovers(y: number): boolean {
    const { keyboard, keyboardCoversBottom } = this.cfg.realism;
    const line = this.cfg.screen.height * 0.6;
    if (!keyboard || !keyboardCoversBottom || y < line || !this.keyboardShown()) return false;
    const field = this.liveRoots()
      .flatMap((r) => [...walk(r)])
      .find((n) => n.focused);
    return !field || field.bounds[1] < line;
  }

  /** With realism, a `uiautomator dump` of a screen playing video fails now and then (no idle state). */
  dumpFindsNoIdle(): boolean {
    const share = this.cfg.realism.idleFailureShare;
    return share > 0 && !!this.foreground?.playsVideo() && this.idleRandom() < share;
  }

  swipe(x1: number, y1: number, x2: number, y2: number, ms: number): void {
    if (!this.screenOn) return;
    if (Math.abs(x2 - x1) < 10 && Math.abs(y2 - y1) < 10) {
      if (ms < 500) this.tap(x1, y1);
      return;
    }
    this.input(() => {
      this.tick();
      if (this.foreground && !this.foreground.popup) this.foreground.swipe(x2 - x1, y2 - y1);
    });
  }

  key(code: number): void {
    this.input(() => this.pressKey(code));
  }

  private pressKey(code: number): void {
    switch (code) {
      case 3:
        this.foreground = null;
        this.chooser = null;
        return;
      case 4: {
        this.tick();
        if (this.chooser) {
          this.chooser = null;
          return;
        }
        const app = this.foreground;
        if (!app) return;
        // BACK with the keyboard up only hides it (and what hangs on it, like a suggestion list)
        if (this.cfg.realism.keyboard && this.keyboardShown()) {
          this.keyboardHiddenFor = this.focusedField();
          app.keyboardHidden();
          return;
        }
        if (app.popup) {
          const p: PopupDef = app.popup;
          const deny =
            p.buttons.find((b) => b.result === "deny" || b.result === "notNow") ??
            p.buttons[p.buttons.length - 1];
          if (deny) app.tapAction(`popup:${deny.result}`);
          return;
        }
        if (!app.back()) this.foreground = null;
        return;
      }
      case 26:
      case 223:
        this.screenOn = code === 26 ? !this.screenOn : false;
        return;
      case 224:
      case 82:
        this.screenOn = true;
        return;
      case 67:
        this.tick();
        this.foreground?.deleteChar();
        return;
      default:
        this.tick();
        if (this.foreground && !this.foreground.popup) this.foreground.key(code);
        return;
    }
  }

  /** Text arriving from an input method (input text, ADBKeyBoard). */
  typeText(text: string): void {
    this.typed.push(text);
    this.input(() => {
      this.tick();
      this.foreground?.type(text);
    });
  }

  clearText(): void {
    this.input(() => this.foreground?.clearText());
  }

  focusedFieldText(): string | null {
    const app = this.foreground;
    if (!app?.focused) return null;
    return app.fields[app.focused] ?? "";
  }

  /** A picture of the screen, drawn from what `uiautomator dump` shows (black when the screen is off). */
  screenshot(): Canvas {
    const c = new Canvas(this.cfg.screen.width, this.cfg.screen.height);
    if (this.screenOn) renderScreen(c, this.roots());
    return c;
  }
}

export function describeIntent(i: Intent): string {
  const parts: string[] = [];
  if (i.action) parts.push(`act=${i.action}`);
  if (i.categories.length) parts.push(`cat=[${i.categories.join(",")}]`);
  if (i.data) parts.push(`dat=${i.data}`);
  if (i.type) parts.push(`typ=${i.type}`);
  parts.push("flg=0x10000000");
  if (i.pkg && !i.component) parts.push(`pkg=${i.pkg}`);
  if (i.component) parts.push(`cmp=${i.component}`);
  if (Object.keys(i.extras).length || i.streams.length) parts.push("(has extras)");
  return `Intent { ${parts.join(" ")} }`;
}

/**
 * What a screen shows, but for the text in fields and focus: typing is drawn at once, a new screen, sheet,
 * dialog or tick takes a change's time.
 */
function screenSignature(roots: UiNode[]): string {
  const parts: string[] = [];
  for (const root of roots)
    for (const n of walk(root))
      parts.push(
        `${n.cls}|${n.resourceId}|${n.field === undefined ? n.text : ""}|${n.desc}|${n.bounds}|${n.selected}|${n.checked}|${n.enabled}`,
      );
  return parts.join("\n");
}
