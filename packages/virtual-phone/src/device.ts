/** The phone's system state: properties, packages, settings, IMEs, media store, apps and the screen. */
import type { AppEnv, Intent, PopupDef, SimApp } from "./apps/app.ts";
import { INSTAGRAM_PKG, InstagramApp } from "./apps/instagram/behaviour.ts";
import { chooserScreen, GenericApp, launcherScreen } from "./apps/system.ts";
import { TIKTOK_PKG, TIKTOK_SHARE, TikTokApp, TRILL_PKG } from "./apps/tiktok/behaviour.ts";
import { buildNode, hitTest, toXml, type UiNode } from "./apps/ui.ts";
import type { PhoneFs } from "./fs.ts";
import { MediaStore } from "./media.ts";
import { Canvas } from "./png.ts";
import { renderScreen } from "./render.ts";

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
  readonly props: Record<string, string>;
  readonly settings: Record<string, Record<string, string>>;
  readonly imeEnabled = new Set<string>([LATIN_IME]);
  ime = LATIN_IME;
  density = 420;
  screenOn = true;
  /** The next N `uiautomator dump`s fail with "ERROR: could not get idle state." (like an animated screen). */
  idleFailures = 0;
  foreground: SimApp | null = null;
  /** A pending share intent waiting in the system chooser. */
  chooser: Intent | null = null;
  private appByPkg = new Map<string, SimApp>();
  private env: AppEnv;

  constructor(
    readonly cfg: DeviceConfig,
    readonly fs: PhoneFs,
  ) {
    this.media = new MediaStore(fs);
    this.packages = new Set([...CORE_PACKAGES, ...cfg.packages]);
    this.env = {
      media: this.media,
      screen: cfg.screen,
      popups: cfg.popups,
      sdk: cfg.sdk,
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
        this.chooser = intent;
        this.foreground = null;
        return { ok: true, component: "android/com.android.internal.app.ChooserActivity" };
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

  shareTargets(): string[] {
    return [this.apps.tiktok.pkg, INSTAGRAM_PKG].filter((p) => this.packages.has(p));
  }

  forceStop(pkg: string): void {
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
    for (const a of this.appByPkg.values()) a.forceStop();
    this.foreground = null;
    this.chooser = null;
    this.screenOn = true;
  }

  private tick(): void {
    const now = this.cfg.clock.now();
    for (const a of this.appByPkg.values()) a.tick(now);
    if (this.foreground && !this.foreground.running) this.foreground = null;
  }

  /** The screen as view roots (the last one receives touches). */
  roots(): UiNode[] {
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
        buildNode(chooserScreen(this.shareTargets().map((p) => ({ pkg: p, label: this.label(p) }))), {
          ...ctx,
          pkg: "android",
        }),
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
    if (this.foreground) return this.foreground.popup?.pkg ?? this.foreground.pkg;
    return this.chooser ? "android" : LAUNCHER_PKG;
  }

  focusedComponent(): string {
    if (this.foreground) return `${this.foreground.pkg}/${this.foreground.activity}`;
    if (this.chooser) return "android/com.android.internal.app.ChooserActivity";
    return `${LAUNCHER_PKG}/com.google.android.apps.nexuslauncher.NexusLauncherActivity`;
  }

  tap(x: number, y: number): void {
    if (!this.screenOn) return;
    const roots = this.roots();
    const top = roots[roots.length - 1];
    if (!top) return;
    const node = hitTest(top, x, y);
    if (!node?.action) return;
    // a slider's action takes where along it the tap fell, 0–100 ("{pct}")
    const [x1, , x2] = node.bounds;
    const pct = Math.round(((x - x1) * 100) / Math.max(1, x2 - x1 - 1));
    const action = node.action.replace("{pct}", String(Math.min(100, Math.max(0, pct))));
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
      const intent = { ...this.chooser, pkg: action.slice(6) };
      if (intent.pkg === this.apps.tiktok.pkg) intent.component = `${intent.pkg}/${TIKTOK_SHARE}`;
      this.chooser = null;
      this.startActivity(intent);
    }
  }

  swipe(x1: number, y1: number, x2: number, y2: number, ms: number): void {
    if (!this.screenOn) return;
    if (Math.abs(x2 - x1) < 10 && Math.abs(y2 - y1) < 10) {
      if (ms < 500) this.tap(x1, y1);
      return;
    }
    this.tick();
    if (this.foreground && !this.foreground.popup) this.foreground.swipe(x2 - x1, y2 - y1);
  }

  key(code: number): void {
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
    this.tick();
    this.foreground?.type(text);
  }

  clearText(): void {
    this.foreground?.clearText();
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
