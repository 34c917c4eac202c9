/**
 * One phone, whatever carries it (adb server or direct TCP): the verbs automation scripts use.
 * Every verb takes `{ signal, timeoutMs }`, builds its command with `sh()` and runs through `runVerb`;
 * the work of each section lives in `phone/` (shell, files, apps, input, screen, properties).
 */
import type { Adb } from "@yume-chan/adb";
import type { Transport } from "../domain.ts";
import { PhoneError, ScreenNotIdle } from "./errors.ts";
import type { FastUi } from "./fast-ui/session.ts";
import { amError, component, mediaQuery, mediaScanCommands, shareCommand } from "./phone/apps.ts";
import { pullFile, pushFile, type RemoteStat, statFile } from "./phone/files.ts";
import {
  ADB_KEYBOARD_IME,
  ADB_KEYBOARD_PACKAGE,
  inputTextPieces,
  keyboardTypeCommand,
  whyKeyboardNeeded,
} from "./phone/input.ts";
import { type PhoneDetails, parseBattery, parseWmSize, type ScreenSize } from "./phone/properties.ts";
import { type DumpWay, parseFocus, parseInputShown, readUiDumpXml, takeScreenshot } from "./phone/screen.ts";
import { decoder, runExec, runShell, type ShellResult } from "./phone/shell.ts";
import { inputTextArg, isInputTextSafe, raw, sh } from "./shell-quote.ts";
import { parseUiDump, type UiNode } from "./ui-tree.ts";
import { runVerb, type VerbContext, type VerbOptions } from "./verb.ts";

export interface DumpOptions extends VerbOptions {
  /** Dumps tried while the screen will not settle, before a `ScreenNotIdle` (default 4). */
  idleAttempts?: number;
}

export type { RemoteStat } from "./phone/files.ts";
export type { PhoneDetails, ScreenSize } from "./phone/properties.ts";
export type { ShellResult } from "./phone/shell.ts";

export interface PhoneOptions {
  serial?: string;
  transport?: Transport;
  /** SDK level when already known (saves a getprop). */
  sdk?: number;
}

/** Default limits per kind of verb, in milliseconds. */
export const TIMEOUTS = { quick: 30_000, shell: 120_000, transfer: 600_000 } as const;

export class Phone {
  readonly adb: Adb;
  readonly serial: string;
  readonly transport: Transport;
  readonly #gone = new AbortController();
  #sdk: number | undefined;
  #hasKeyboard: boolean | undefined;
  /**
   * Verbs sent that may change the screen (input, app starts, any shell command): a screen read when this
   * was the same is still the screen (`Ui` reuses it instead of dumping again).
   */
  #actions = 0;
  /** Whether this phone's dumps come on its tty, learnt on the first one. */
  readonly #dumpWay: DumpWay = {};
  /** Appium's UiAutomator2 server when fast UI is on for this phone (`fast-ui/`): reads and taps go through it. */
  fastUi: FastUi | undefined;

  constructor(adb: Adb, options: PhoneOptions = {}) {
    this.adb = adb;
    this.serial = options.serial ?? adb.serial;
    this.transport = options.transport ?? "usb";
    this.#sdk = options.sdk;
    const gone = () => {
      if (!this.#gone.signal.aborted) this.#gone.abort(new Error(`${this.serial} disconnected`));
    };
    adb.disconnected.then(gone, gone);
  }

  /** True once the connection is gone: every verb then fails with an "offline" PhoneError. */
  get closed(): boolean {
    return this.#gone.signal.aborted;
  }

  /** Fires when the phone disconnects. */
  get goneSignal(): AbortSignal {
    return this.#gone.signal;
  }

  /** How many verbs that may change the screen were sent so far (a tree read at the same count is current). */
  get actions(): number {
    return this.#actions;
  }

  /** Closes the connection (direct) or the handle on the server transport. */
  async close(): Promise<void> {
    await this.fastUi?.stop().catch(() => {});
    if (!this.#gone.signal.aborted) this.#gone.abort(new Error(`${this.serial} closed`));
    await this.adb.close().catch(() => {});
  }

  #run<T>(
    verb: string,
    options: VerbOptions | undefined,
    timeoutMs: number,
    work: (ctx: VerbContext) => Promise<T>,
  ) {
    return runVerb(verb, this.serial, options, timeoutMs, this.#gone.signal, work);
  }

  /**
   * `work` through Appium's server when fast UI is ready on this phone: `{ value }` when it served; null when
   * it is not on, or failed now (then it falls back for this phone, saying why once): use the stock tools.
   */
  async #viaFastUi<T>(
    verb: string,
    options: VerbOptions | undefined,
    timeoutMs: number,
    work: (fast: FastUi, signal: AbortSignal) => Promise<T>,
  ): Promise<{ value: T } | null> {
    const fast = this.fastUi;
    if (fast?.due) void fast.start(); // its back-off passed: tried again, the stock tools serve meanwhile
    if (!fast?.ready) return null;
    return this.#run(verb, options, timeoutMs, async ({ signal }) => {
      try {
        return { value: await work(fast, signal) };
      } catch (e) {
        if (signal.aborted) throw e;
        fast.fail(`${verb}: ${(e as Error).message}`);
        return null;
      }
    });
  }

  #fail(verb: string, message: string): PhoneError {
    return new PhoneError("failed", verb, this.serial, `${verb} failed on ${this.serial}: ${message}`);
  }

  #failer(verb: string) {
    return (message: string) => this.#fail(verb, message);
  }

  // ---- shell ---------------------------------------------------------------------------------------

  /** Runs `command` through the phone's shell: stdout, stderr and the exit code (shell protocol v2). */
  shell(command: string, options?: VerbOptions): Promise<ShellResult> {
    this.#actions++; // anything may run: the screen may change
    return this.#run("shell", options, TIMEOUTS.shell, ({ signal }) => runShell(this.adb, command, signal));
  }

  /** A shell command that must succeed (exit 0); returns stdout. */
  #check(
    verb: string,
    command: string,
    options: VerbOptions | undefined,
    timeoutMs: number = TIMEOUTS.quick,
  ) {
    return this.#run(verb, options, timeoutMs, async ({ signal }) => {
      const r = await runShell(this.adb, command, signal);
      if (r.exitCode !== 0) {
        const detail = (r.stderr.trim() || r.stdout.trim() || "no output").slice(0, 500);
        throw this.#fail(verb, `exit code ${r.exitCode}: ${detail}`);
      }
      return r.stdout;
    });
  }

  /**
   * True when the phone's adbd answers within `timeoutMs`. Opens and closes a `sync:` session: a
   * round trip that adbd serves in-process (no shell is spawned on the phone).
   */
  async ping(timeoutMs = 1500): Promise<boolean> {
    try {
      await this.#run("ping", { timeoutMs }, timeoutMs, async () => {
        const opening = this.adb.createSocket("sync:");
        // Close it whenever it opens, even after we stopped waiting.
        opening.then(
          (socket) => socket.close(),
          () => {},
        );
        await opening;
      });
      return true;
    } catch {
      return false;
    }
  }

  // ---- files ---------------------------------------------------------------------------------------

  /** Copies a local file to the phone (mode 0644), streamed from disk. */
  push(localPath: string, remotePath: string, options?: VerbOptions): Promise<void> {
    return this.#run("push", options, TIMEOUTS.transfer, ({ signal }) =>
      pushFile(this.adb, localPath, remotePath, signal, this.#failer("push")),
    );
  }

  /** Copies a file from the phone to `localPath`, streamed to disk (a partial file is removed). */
  pull(remotePath: string, localPath: string, options?: VerbOptions): Promise<void> {
    return this.#run("pull", options, TIMEOUTS.transfer, ({ signal }) =>
      pullFile(this.adb, remotePath, localPath, signal, this.#failer("pull")),
    );
  }

  /** File information, or null when nothing is at `path`. */
  stat(path: string, options?: VerbOptions): Promise<RemoteStat | null> {
    return this.#run("stat", options, TIMEOUTS.quick, ({ signal }) =>
      statFile(this.adb, path, signal, this.#failer("stat")),
    );
  }

  /** Removes a file (or a folder with `recursive`); absent is fine. */
  async remove(path: string, options?: VerbOptions & { recursive?: boolean }): Promise<void> {
    await this.#check("remove", sh("rm", options?.recursive ? "-rf" : "-f", path), options);
  }

  // ---- apps and media ------------------------------------------------------------------------------

  async listPackages(options?: VerbOptions): Promise<string[]> {
    const out = await this.#check("listPackages", sh("pm", "list", "packages"), options);
    return out
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l.startsWith("package:"))
      .map((l) => l.slice("package:".length))
      .sort();
  }

  async #am(verb: string, command: string, options?: VerbOptions): Promise<string> {
    const out = await this.#check(verb, command, options);
    const error = amError(out);
    if (error) throw this.#fail(verb, error);
    return out;
  }

  /** Starts an app: its launcher activity (monkey) or the given activity. */
  async startApp(pkg: string, activity?: string, options?: VerbOptions): Promise<void> {
    this.#actions++;
    if (activity) {
      await this.#am("startApp", sh("am", "start", "-n", component(pkg, activity)), options);
      return;
    }
    const out = await this.#check(
      "startApp",
      sh("monkey", "-p", pkg, "-c", "android.intent.category.LAUNCHER", 1),
      options,
    );
    if (/monkey aborted|No activities found/i.test(out))
      throw this.#fail("startApp", `${pkg} has no launcher activity`);
  }

  async forceStop(pkg: string, options?: VerbOptions): Promise<void> {
    this.#actions++;
    await this.#check("forceStop", sh("am", "force-stop", pkg), options);
  }

  /** Opens a URL with a VIEW intent (in `pkg` when given). */
  async openUrl(url: string, pkg?: string, options?: VerbOptions): Promise<void> {
    this.#actions++;
    const words: string[] = ["am", "start", "-a", "android.intent.action.VIEW", "-d", url];
    if (pkg) words.push("-p", pkg);
    await this.#am("openUrl", sh(...words), options);
  }

  /** Shares content:// URIs to an app (SEND for one, SEND_MULTIPLE for several). */
  async shareFiles(
    pkg: string,
    activity: string | undefined,
    mime: string,
    contentUris: string[],
    options?: VerbOptions,
  ): Promise<void> {
    if (contentUris.length === 0) throw this.#fail("shareFiles", "no files to share");
    this.#actions++;
    await this.#am("shareFiles", shareCommand(pkg, activity, mime, contentUris), options);
  }

  /** Makes a pushed file visible to the gallery and apps' pickers. */
  async mediaScan(remotePath: string, options?: VerbOptions): Promise<void> {
    const { broadcast, scanFile } = mediaScanCommands(remotePath);
    await this.#check("mediaScan", broadcast, options);
    if ((await this.sdk(options)) >= 29) await this.#check("mediaScan", scanFile, options);
  }

  /** The content:// URI the media store gave a scanned file (video or image by extension), or null. */
  async mediaContentUri(remotePath: string, options?: VerbOptions): Promise<string | null> {
    const { base, command } = mediaQuery(remotePath);
    const out = await this.#check("mediaContentUri", command, options);
    const m = /_id=(\d+)/.exec(out);
    return m ? `${base}/${m[1]}` : null;
  }

  // ---- input ---------------------------------------------------------------------------------------

  async tap(x: number, y: number, options?: VerbOptions): Promise<void> {
    this.#actions++;
    const [rx, ry] = [Math.round(x), Math.round(y)];
    if (await this.#viaFastUi("tap", options, TIMEOUTS.quick, (f, signal) => f.tap(rx, ry, signal))) return;
    await this.#check("tap", sh("input", "tap", rx, ry), options);
  }

  async swipe(
    x1: number,
    y1: number,
    x2: number,
    y2: number,
    ms = 300,
    options?: VerbOptions,
  ): Promise<void> {
    this.#actions++;
    const n = [x1, y1, x2, y2, ms].map(Math.round) as [number, number, number, number, number];
    if (await this.#viaFastUi("swipe", options, TIMEOUTS.quick, (f, signal) => f.swipe(...n, signal))) return;
    await this.#check("swipe", sh("input", "swipe", ...n), options);
  }

  /** `input keyevent` with a number (66) or a name (KEYCODE_ENTER). */
  async keyEvent(code: number | string, options?: VerbOptions): Promise<void> {
    this.#actions++;
    if (
      typeof code === "number" &&
      (await this.#viaFastUi("keyEvent", options, TIMEOUTS.quick, (f, signal) => f.keyEvent(code, signal)))
    )
      return;
    await this.#check("keyEvent", sh("input", "keyevent", code), options);
  }

  /** Whether ADBKeyBoard is installed (checked once per connection when present). */
  async hasAdbKeyboard(options?: VerbOptions): Promise<boolean> {
    if (this.#hasKeyboard) return true;
    const out = await this.#check("typeText", sh("pm", "list", "packages", ADB_KEYBOARD_PACKAGE), options);
    this.#hasKeyboard = out.split("\n").some((l) => l.trim() === `package:${ADB_KEYBOARD_PACKAGE}`);
    return this.#hasKeyboard;
  }

  /**
   * Types text into the focused field: printable ASCII through `input text`, anything else through
   * ADBKeyBoard (made the current input method when it is not).
   */
  async typeText(value: string, options?: VerbOptions): Promise<void> {
    this.#actions++;
    if (value === "") return;
    if (isInputTextSafe(value)) {
      for (const piece of inputTextPieces(value)) {
        await this.#check("typeText", `${sh("input", "text")} ${inputTextArg(piece)}`, options);
      }
      return;
    }
    if (!(await this.hasAdbKeyboard(options))) {
      throw this.#fail(
        "typeText",
        `text contains ${whyKeyboardNeeded(value)} and ADBKeyBoard is not installed on ${this.serial}`,
      );
    }
    const current = await this.#check(
      "typeText",
      sh("settings", "get", "secure", "default_input_method"),
      options,
    ).catch(() => "");
    if (current.trim() !== ADB_KEYBOARD_IME) {
      await this.#run("typeText", options, TIMEOUTS.quick, ({ signal }) =>
        runShell(
          this.adb,
          sh("ime", "enable", ADB_KEYBOARD_IME, raw(";"), "ime", "set", ADB_KEYBOARD_IME),
          signal,
        ),
      );
    }
    await this.#check("typeText", keyboardTypeCommand(value), options);
  }

  // ---- screen --------------------------------------------------------------------------------------

  /**
   * The current UI tree (`uiautomator dump` to `/dev/tty` where the phone prints it there, else to a file; tried `idleAttempts` times (default 4) while the screen will not
   * settle; then a `ScreenNotIdle`).
   */
  async dumpUi(options?: DumpOptions): Promise<UiNode> {
    return parseUiDump(await this.dumpUiXml(options));
  }

  /**
   * The current screen's XML, as the phone wrote it (kept as evidence of failures): `uiautomator dump`'s, or
   * the page source of Appium's server when fast UI is ready on this phone (the class name as the tag).
   */
  async dumpUiXml(options?: DumpOptions): Promise<string> {
    const fast = await this.#viaFastUi("dumpUi", options, TIMEOUTS.shell, (f, signal) => f.source(signal));
    if (fast) return fast.value;
    return this.#run("dumpUi", options, TIMEOUTS.shell, ({ signal }) =>
      readUiDumpXml(
        this.adb,
        signal,
        this.#failer("dumpUi"),
        (message) => new ScreenNotIdle("dumpUi", this.serial, `dumpUi failed on ${this.serial}: ${message}`),
        options?.idleAttempts,
        this.#dumpWay,
      ),
    );
  }

  /** Whether the soft keyboard is shown (`dumpsys input_method`): far cheaper than a dump. */
  async keyboardShown(options?: VerbOptions): Promise<boolean> {
    return parseInputShown(await this.#check("keyboardShown", sh("dumpsys", "input_method"), options));
  }

  /** The focused window's package and activity (`dumpsys window`), null when none: far cheaper than a dump. */
  async foreground(options?: VerbOptions): Promise<{ pkg: string; activity: string } | null> {
    return parseFocus(await this.#check("foreground", sh("dumpsys", "window", "windows"), options));
  }

  /** A PNG of the screen (`screencap -p`). */
  screenshot(options?: VerbOptions): Promise<Uint8Array> {
    return this.#run("screenshot", options, TIMEOUTS.quick, ({ signal }) =>
      takeScreenshot(this.adb, signal, this.#failer("screenshot")),
    );
  }

  // ---- properties ----------------------------------------------------------------------------------

  /** `getprop KEY` (empty string when unset). */
  getProp(key: string, options?: VerbOptions): Promise<string> {
    return this.#run("getProp", options, TIMEOUTS.quick, async ({ signal }) =>
      decoder.decode(await runExec(this.adb, sh("getprop", key), signal)).trim(),
    );
  }

  /** The SDK level (read once per connection). */
  async sdk(options?: VerbOptions): Promise<number> {
    if (this.#sdk === undefined) {
      const value = Number.parseInt(await this.getProp("ro.build.version.sdk", options), 10);
      this.#sdk = Number.isFinite(value) ? value : 0;
    }
    return this.#sdk;
  }

  async screenSize(options?: VerbOptions): Promise<ScreenSize | null> {
    return parseWmSize(await this.#check("screenSize", sh("wm", "size"), options));
  }

  async battery(options?: VerbOptions): Promise<number | null> {
    return parseBattery(await this.#check("battery", sh("dumpsys", "battery"), options));
  }

  /** Hardware serial, model, brand, Android version, SDK, screen and battery; what cannot be read is null. */
  async details(options?: VerbOptions): Promise<PhoneDetails> {
    const orNull = <T>(p: Promise<T>) => p.catch(() => null);
    const prop = (key: string) => orNull(this.getProp(key, options)).then((v) => v || null);
    const [hardware_serial, model, brand, android_version, sdk, screen, battery] = await Promise.all([
      prop("ro.serialno"),
      prop("ro.product.model"),
      prop("ro.product.brand"),
      prop("ro.build.version.release"),
      prop("ro.build.version.sdk"),
      orNull(this.screenSize(options)),
      orNull(this.battery(options)),
    ]);
    const sdkNumber = sdk ? Number.parseInt(sdk, 10) : Number.NaN;
    if (Number.isFinite(sdkNumber)) this.#sdk = sdkNumber;
    return {
      hardware_serial,
      model,
      brand,
      android_version,
      sdk: Number.isFinite(sdkNumber) ? sdkNumber : null,
      screen,
      battery,
    };
  }
}
