/**
 * One phone, whatever carries it (adb server or direct TCP): the verbs automation scripts use.
 * Every verb takes `{ signal, timeoutMs }`, builds its command with `sh()` and runs through `runVerb`.
 */
import { open, unlink } from "node:fs/promises";
import type { Adb } from "@yume-chan/adb";
import type { ReadableStream as AdbReadableStream } from "@yume-chan/stream-extra";
import { PhoneError, runVerb, type VerbContext, type VerbOptions } from "./errors.ts";
import { inputTextArg, isInputTextSafe, raw, sh } from "./shell-quote.ts";
import { parseUiDump, type UiNode } from "./ui-tree.ts";

export type Transport = import("../domain.ts").Transport;

export interface ShellResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface RemoteStat {
  type: "file" | "directory" | "link" | "other";
  size: number;
  /** Permission bits (e.g. 0o644). */
  mode: number;
  mtime: Date;
}

export interface ScreenSize {
  width: number;
  height: number;
}

export interface PhoneDetails {
  model: string | null;
  brand: string | null;
  android_version: string | null;
  sdk: number | null;
  screen: ScreenSize | null;
  battery: number | null;
}

export interface PhoneOptions {
  serial?: string;
  transport?: Transport;
  /** SDK level when already known (saves a getprop). */
  sdk?: number;
}

export const ADB_KEYBOARD_PACKAGE = "com.android.adbkeyboard";
export const ADB_KEYBOARD_IME = "com.android.adbkeyboard/.AdbIME";
export const UI_DUMP_PATH = "/sdcard/window_dump.xml";

/** Default limits per kind of verb, in milliseconds. */
export const TIMEOUTS = { quick: 30_000, shell: 120_000, transfer: 600_000 } as const;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const VIDEO_EXTENSIONS = new Set(["mp4", "m4v", "mov", "3gp", "3g2", "webm", "mkv", "avi", "ts"]);
const FILE_CHUNK = 256 * 1024;

async function readAll(stream: AdbReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    // The transport may reuse its buffers: keep a copy.
    chunks.push(value.slice());
    length += value.length;
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

const decoder = new TextDecoder();
const text = async (stream: AdbReadableStream<Uint8Array>) => decoder.decode(await readAll(stream));

/** A pull-based stream over a local file: reads 256 KiB at a time, never the whole file. */
export function fileReadableStream(handle: Awaited<ReturnType<typeof open>>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      // a fresh chunk each time (the consumer keeps it), not zero-filled: it is overwritten at once
      const buffer = Buffer.allocUnsafeSlow(FILE_CHUNK);
      const { bytesRead } = await handle.read(buffer, 0, FILE_CHUNK, null);
      if (bytesRead === 0) {
        controller.close();
        await handle.close().catch(() => {});
      } else {
        controller.enqueue(bytesRead === FILE_CHUNK ? buffer : buffer.subarray(0, bytesRead));
      }
    },
    async cancel() {
      await handle.close().catch(() => {});
    },
  });
}

/** `wm size` → the size apps see (override when set, else physical). */
export function parseWmSize(output: string): ScreenSize | null {
  const pick = (label: string) => new RegExp(`${label} size:\\s*(\\d+)x(\\d+)`).exec(output);
  const m = pick("Override") ?? pick("Physical");
  return m ? { width: Number(m[1]), height: Number(m[2]) } : null;
}

/** `dumpsys battery` → percent (level/scale), or null. */
export function parseBattery(output: string): number | null {
  const level = /^\s*level:\s*(\d+)/m.exec(output);
  if (!level) return null;
  const scale = /^\s*scale:\s*(\d+)/m.exec(output);
  const s = scale ? Number(scale[1]) : 100;
  return s > 0 ? Math.round((Number(level[1]) * 100) / s) : Number(level[1]);
}

export class Phone {
  readonly adb: Adb;
  readonly serial: string;
  readonly transport: Transport;
  readonly #gone = new AbortController();
  #sdk: number | undefined;
  #hasKeyboard: boolean | undefined;

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

  /** Closes the connection (direct) or the handle on the server transport. */
  async close(): Promise<void> {
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

  #fail(verb: string, message: string): PhoneError {
    return new PhoneError("failed", verb, this.serial, `${verb} failed on ${this.serial}: ${message}`);
  }

  // ---- processes ---------------------------------------------------------------------------------

  async #shell(command: string, signal: AbortSignal): Promise<ShellResult> {
    const shellProtocol = this.adb.subprocess.shellProtocol;
    if (shellProtocol) {
      // An array of one element goes over the wire unchanged (`shell,v2,raw:<command>`).
      const proc = await shellProtocol.spawn([command], signal);
      const [stdout, stderr, exitCode] = await Promise.all([
        text(proc.stdout),
        text(proc.stderr),
        proc.exited,
      ]);
      return { stdout, stderr, exitCode };
    }
    // No shell v2 (very old phones): fold the exit code into the output behind a marker.
    const marker = "__farm_exit__";
    const wrapped = `(${command}); __e=$?; echo; echo ${marker}$__e`;
    const proc = await this.adb.subprocess.noneProtocol.spawn([wrapped], signal);
    const out = await text(proc.output);
    const m = new RegExp(`\\n${marker}(\\d+)\\s*$`).exec(out);
    if (!m) return { stdout: out, stderr: "", exitCode: -1 };
    return { stdout: out.slice(0, m.index), stderr: "", exitCode: Number(m[1]) };
  }

  async #exec(command: string, signal: AbortSignal): Promise<Uint8Array> {
    const proc = await this.adb.subprocess.noneProtocol.spawn([command], signal);
    return await readAll(proc.output);
  }

  /** Runs `command` through the phone's shell: stdout, stderr and the exit code (shell protocol v2). */
  shell(command: string, options?: VerbOptions): Promise<ShellResult> {
    return this.#run("shell", options, TIMEOUTS.shell, ({ signal }) => this.#shell(command, signal));
  }

  /** A shell command that must succeed (exit 0); returns stdout. */
  #check(
    verb: string,
    command: string,
    options: VerbOptions | undefined,
    timeoutMs: number = TIMEOUTS.quick,
  ) {
    return this.#run(verb, options, timeoutMs, async ({ signal }) => {
      const r = await this.#shell(command, signal);
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

  /** `getprop KEY` (empty string when unset). */
  getProp(key: string, options?: VerbOptions): Promise<string> {
    return this.#run("getProp", options, TIMEOUTS.quick, async ({ signal }) =>
      decoder.decode(await this.#exec(sh("getprop", key), signal)).trim(),
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

  // ---- files ---------------------------------------------------------------------------------------

  /** Copies a local file to the phone (mode 0644), streamed from disk. */
  push(localPath: string, remotePath: string, options?: VerbOptions): Promise<void> {
    return this.#run("push", options, TIMEOUTS.transfer, async ({ signal }) => {
      let handle: Awaited<ReturnType<typeof open>>;
      try {
        handle = await open(localPath, "r");
      } catch (e) {
        throw this.#fail("push", `cannot read ${localPath}: ${(e as Error).message}`);
      }
      const { mtimeMs } = await handle.stat();
      const file = fileReadableStream(handle);
      const sync = await this.adb.sync().catch(async (e) => {
        await handle.close().catch(() => {});
        throw e;
      });
      const onAbort = () => {
        void sync.dispose();
        void file.cancel().catch(() => {});
      };
      signal.addEventListener("abort", onAbort, { once: true });
      try {
        await sync.write({
          filename: remotePath,
          file: file as unknown as AdbReadableStream<Uint8Array>,
          permission: 0o644,
          mtime: Math.floor(mtimeMs / 1000),
        });
      } catch (e) {
        if (signal.aborted) throw e;
        throw this.#fail("push", `${remotePath}: ${(e as Error).message}`);
      } finally {
        signal.removeEventListener("abort", onAbort);
        await sync.dispose().catch(() => {});
        await handle.close().catch(() => {});
      }
    });
  }

  /** Copies a file from the phone to `localPath`, streamed to disk (a partial file is removed). */
  pull(remotePath: string, localPath: string, options?: VerbOptions): Promise<void> {
    return this.#run("pull", options, TIMEOUTS.transfer, async ({ signal }) => {
      const sync = await this.adb.sync();
      const onAbort = () => void sync.dispose();
      signal.addEventListener("abort", onAbort, { once: true });
      let handle: Awaited<ReturnType<typeof open>> | undefined;
      try {
        handle = await open(localPath, "w");
        const reader = sync.read(remotePath).getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          await handle.write(value);
        }
        await handle.close();
        handle = undefined;
      } catch (e) {
        await handle?.close().catch(() => {});
        await unlink(localPath).catch(() => {});
        if (signal.aborted) throw e;
        throw this.#fail("pull", `${remotePath}: ${(e as Error).message}`);
      } finally {
        signal.removeEventListener("abort", onAbort);
        await sync.dispose().catch(() => {});
      }
    });
  }

  /** File information, or null when nothing is at `path`. */
  stat(path: string, options?: VerbOptions): Promise<RemoteStat | null> {
    return this.#run("stat", options, TIMEOUTS.quick, async ({ signal }) => {
      const sync = await this.adb.sync();
      const onAbort = () => void sync.dispose();
      signal.addEventListener("abort", onAbort, { once: true });
      try {
        const s = sync.supportsStat ? await sync.stat(path) : await sync.lstat(path);
        const kind = s.mode >> 12;
        return {
          type: kind === 0o04 ? "directory" : kind === 0o10 ? "file" : kind === 0o12 ? "link" : "other",
          size: Number(s.size),
          mode: s.mode & 0o7777,
          mtime: new Date(Number(s.mtime) * 1000),
        };
      } catch (e) {
        const message = (e as Error).message;
        if (message === "ENOENT" || message === "ENOTDIR" || message === "lstat error") return null;
        throw this.#fail("stat", `${path}: ${message}`);
      } finally {
        signal.removeEventListener("abort", onAbort);
        await sync.dispose().catch(() => {});
      }
    });
  }

  /** Removes a file (or a folder with `recursive`); absent is fine. */
  async remove(path: string, options?: VerbOptions & { recursive?: boolean }): Promise<void> {
    await this.#check("remove", sh("rm", options?.recursive ? "-rf" : "-f", path), options);
  }

  // ---- apps ----------------------------------------------------------------------------------------

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
    // `am` says "Error: …" with exit code 0 on many Android versions.
    const error = /^(Error|Exception|java\.\S+Exception)[:\s].*$/m.exec(out);
    if (error) throw this.#fail(verb, error[0]);
    return out;
  }

  /** Starts an app: its launcher activity (monkey) or the given activity. */
  async startApp(pkg: string, activity?: string, options?: VerbOptions): Promise<void> {
    if (activity) {
      const component = activity.includes("/") ? activity : `${pkg}/${activity}`;
      await this.#am("startApp", sh("am", "start", "-n", component), options);
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
    await this.#check("forceStop", sh("am", "force-stop", pkg), options);
  }

  /** Opens a URL with a VIEW intent (in `pkg` when given). */
  async openUrl(url: string, pkg?: string, options?: VerbOptions): Promise<void> {
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
    const words: string[] = ["am", "start"];
    if (contentUris.length === 1) {
      words.push("-a", "android.intent.action.SEND", "-t", mime, "--eu", "android.intent.extra.STREAM");
      words.push(contentUris[0] as string);
    } else {
      words.push(
        "-a",
        "android.intent.action.SEND_MULTIPLE",
        "-t",
        mime,
        "--eua",
        "android.intent.extra.STREAM",
      );
      words.push(contentUris.join(","));
    }
    words.push("--grant-read-uri-permission");
    if (activity) words.push("-n", activity.includes("/") ? activity : `${pkg}/${activity}`);
    else words.push("-p", pkg);
    await this.#am("shareFiles", sh(...words), options);
  }

  // ---- media ---------------------------------------------------------------------------------------

  /** Makes a pushed file visible to the gallery and apps' pickers. */
  async mediaScan(remotePath: string, options?: VerbOptions): Promise<void> {
    await this.#check(
      "mediaScan",
      sh(
        "am",
        "broadcast",
        "-a",
        "android.intent.action.MEDIA_SCANNER_SCAN_FILE",
        "-d",
        `file://${remotePath}`,
      ),
      options,
    );
    if ((await this.sdk(options)) >= 29) {
      await this.#check(
        "mediaScan",
        sh("content", "call", "--uri", "content://media", "--method", "scan_file", "--arg", remotePath),
        options,
      );
    }
  }

  /** The content:// URI the media store gave a scanned file (video or image by extension), or null. */
  async mediaContentUri(remotePath: string, options?: VerbOptions): Promise<string | null> {
    const ext = remotePath.split(".").pop()?.toLowerCase() ?? "";
    const base = VIDEO_EXTENSIONS.has(ext)
      ? "content://media/external/video/media"
      : "content://media/external/images/media";
    // The media store records canonical paths (/storage/emulated/0/…), not the /sdcard alias.
    const canonical = remotePath.replace(
      /^\/(?:sdcard|mnt\/sdcard|storage\/self\/primary)(?=\/|$)/,
      "/storage/emulated/0",
    );
    const where = `_data='${canonical.replaceAll("'", "''")}'`;
    const out = await this.#check(
      "mediaContentUri",
      sh("content", "query", "--uri", base, "--projection", "_id", "--where", where),
      options,
    );
    const m = /_id=(\d+)/.exec(out);
    return m ? `${base}/${m[1]}` : null;
  }

  // ---- input ---------------------------------------------------------------------------------------

  async tap(x: number, y: number, options?: VerbOptions): Promise<void> {
    await this.#check("tap", sh("input", "tap", Math.round(x), Math.round(y)), options);
  }

  async swipe(
    x1: number,
    y1: number,
    x2: number,
    y2: number,
    ms = 300,
    options?: VerbOptions,
  ): Promise<void> {
    const n = [x1, y1, x2, y2, ms].map(Math.round);
    await this.#check("swipe", sh("input", "swipe", ...n), options);
  }

  /** `input keyevent` with a number (66) or a name (KEYCODE_ENTER). */
  async keyEvent(code: number | string, options?: VerbOptions): Promise<void> {
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
    if (value === "") return;
    if (isInputTextSafe(value)) {
      // `input text` turns "%s" into a space and has no escape for it: type such text in pieces
      // that split every literal "%s" between "…%" and "s…".
      const parts = value.split("%s");
      const pieces = parts
        .map((part, i) => `${i > 0 ? "s" : ""}${part}${i < parts.length - 1 ? "%" : ""}`)
        .filter((piece) => piece !== "");
      for (const piece of pieces) {
        await this.#check("typeText", `${sh("input", "text")} ${inputTextArg(piece)}`, options);
      }
      return;
    }
    if (!(await this.hasAdbKeyboard(options))) {
      const what = [...value].some((c) => c.charCodeAt(0) > 0x7f)
        ? "non-ASCII characters"
        : "control characters (newline, tab…)";
      throw this.#fail(
        "typeText",
        `text contains ${what} and ADBKeyBoard is not installed on ${this.serial}`,
      );
    }
    const current = await this.#check(
      "typeText",
      sh("settings", "get", "secure", "default_input_method"),
      options,
    ).catch(() => "");
    if (current.trim() !== ADB_KEYBOARD_IME) {
      await this.#run("typeText", options, TIMEOUTS.quick, ({ signal }) =>
        this.#shell(sh("ime", "enable", ADB_KEYBOARD_IME, raw(";"), "ime", "set", ADB_KEYBOARD_IME), signal),
      );
    }
    const b64 = Buffer.from(value, "utf8").toString("base64");
    await this.#check("typeText", sh("am", "broadcast", "-a", "ADB_INPUT_B64", "--es", "msg", b64), options);
  }

  // ---- screen --------------------------------------------------------------------------------------

  /** The current UI tree (`uiautomator dump`, retried while the screen will not settle). */
  async dumpUi(options?: VerbOptions): Promise<UiNode> {
    return parseUiDump(await this.dumpUiXml(options));
  }

  /** The current screen's `uiautomator dump` XML, as the phone wrote it (kept as evidence of failures). */
  dumpUiXml(options?: VerbOptions): Promise<string> {
    return this.#run("dumpUi", options, TIMEOUTS.shell, async ({ signal }) => {
      let last = "";
      for (let attempt = 1; attempt <= 4; attempt++) {
        const r = await this.#shell(
          sh("rm", "-f", UI_DUMP_PATH, raw(";"), "uiautomator", "dump", UI_DUMP_PATH),
          signal,
        );
        last = `${r.stdout}${r.stderr}`.trim();
        if (/could not get idle state/i.test(last) || (r.exitCode !== 0 && /idle/i.test(last))) {
          await Bun.sleep(250 * attempt);
          continue;
        }
        if (r.exitCode !== 0 || /^ERROR/m.test(last))
          throw this.#fail("dumpUi", last || `exit code ${r.exitCode}`);
        const xml = decoder.decode(await this.#exec(sh("cat", UI_DUMP_PATH), signal));
        if (!xml.includes("<hierarchy"))
          throw this.#fail("dumpUi", `no UI dump in ${UI_DUMP_PATH}: ${xml.slice(0, 200)}`);
        return xml;
      }
      throw this.#fail("dumpUi", `screen never became idle (${last})`);
    });
  }

  /** A PNG of the screen (`screencap -p`). */
  screenshot(options?: VerbOptions): Promise<Uint8Array> {
    return this.#run("screenshot", options, TIMEOUTS.quick, async ({ signal }) => {
      const png = await this.#exec(sh("screencap", "-p"), signal);
      if (png.length < 8 || PNG_SIGNATURE.some((b, i) => png[i] !== b)) {
        throw this.#fail("screenshot", `not a PNG: ${decoder.decode(png.subarray(0, 200)).trim()}`);
      }
      return png;
    });
  }

  // ---- facts ---------------------------------------------------------------------------------------

  async screenSize(options?: VerbOptions): Promise<ScreenSize | null> {
    return parseWmSize(await this.#check("screenSize", sh("wm", "size"), options));
  }

  async battery(options?: VerbOptions): Promise<number | null> {
    return parseBattery(await this.#check("battery", sh("dumpsys", "battery"), options));
  }

  /** Model, brand, Android version, SDK, screen and battery; a fact that cannot be read is null. */
  async details(options?: VerbOptions): Promise<PhoneDetails> {
    const orNull = <T>(p: Promise<T>) => p.catch(() => null);
    const prop = (key: string) => orNull(this.getProp(key, options)).then((v) => v || null);
    const [model, brand, android_version, sdk, screen, battery] = await Promise.all([
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
      model,
      brand,
      android_version,
      sdk: Number.isFinite(sdkNumber) ? sdkNumber : null,
      screen,
      battery,
    };
  }
}
