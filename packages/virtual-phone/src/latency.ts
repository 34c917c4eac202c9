/**
 * How long each command takes on a real phone over USB (the `latency` option): a profile of per-kind ranges,
 * the waits on the phone's clock, and a record of every wait by kind.
 *
 * `real-usb`, a Pixel-class phone on USB 2 (the sources in the package README's table):
 * - `uiautomator dump` 0.8–2.5 s: AOSP's DumpCommand first calls `waitForIdle(1000, 1000 * 10)` (1 s without
 *   accessibility events, 10 s at most), then walks the tree and writes the XML file.
 * - `screencap -p` 1.5–2.5 s: ~250 ms to capture the frame, the rest Skia's PNG encoding on the phone's CPU
 *   (a measured median of 2.12 s). `screencap` (raw RGBA) 200–300 ms, plus its ~10 MB over the cable when it
 *   goes to stdout.
 * - `input tap|swipe|keyevent|text` 300–400 ms: the `input` tool starts a Java VM (app_process) per call.
 *   A swipe's own duration comes on top (the command's `sleep`-like wait).
 * - `am start` 150–400 ms: without `-W`, `am` returns once ActivityManager accepted the intent; the app's
 *   launch behind it is the screen's time (the `realistic` option's change times), not the command's.
 * - `dumpsys window|input_method|…` 20–60 ms: a binder call that prints system_server's state.
 * - every stream (`adb shell`, `exec:`, `sync:`) 10–30 ms: the USB round trip and adbd forking its shell.
 * - `sync` transfers 30–38 MB/s: AOSP adb measured a Pixel 3 over USB 2.0 at 36 MB/s uncompressed.
 * - `pm install` 2–5 s (parsing, verifying and dex-optimising an APK such as Appium's 18 MB server);
 *   `am instrument` 1.5–3 s before Appium's UiAutomator2 server answers on its port; that server's page
 *   source 40–150 ms and a tap through it 50–150 ms (a resident reader: no VM started, no idle wait).
 */
import { sleepAbortable } from "./commands/command.ts";
import type { Device } from "./device.ts";
import { seededRandom } from "./realism.ts";
import type { CommandContext } from "./shell.ts";

/** A range of milliseconds (or of MB/s); each use picks a value in it. */
export type Range = readonly [min: number, max: number];

/** The kinds of commands that cost more than a stream's floor on a real phone. */
export type CommandKind =
  | "uiautomator dump"
  | "screencap -p"
  | "screencap"
  | "input"
  | "am start"
  | "dumpsys"
  | "pm install"
  | "am instrument"
  | "fast-ui source"
  | "fast-ui action";

/** What a wait of the phone was for: a command's kind, a stream's floor, or a file transfer. */
export type WaitKind = CommandKind | "stream" | "push" | "pull";

export interface LatencyProfile {
  /** Each command kind's time, before it answers. */
  commands: Record<CommandKind, Range>;
  /** Every stream the host opens (shell, exec, sync): the round trip and adbd's fork. */
  stream: Range;
  /** Throughput of `sync` transfers and of large outputs (MB/s, 10^6 bytes). */
  usbMBps: Range;
}

export const LATENCY_PROFILES = {
  "real-usb": {
    commands: {
      "uiautomator dump": [800, 2500],
      "screencap -p": [1500, 2500],
      screencap: [200, 300],
      input: [300, 400],
      "am start": [150, 400],
      dumpsys: [20, 60],
      "pm install": [2000, 5000],
      "am instrument": [1500, 3000],
      "fast-ui source": [40, 150],
      "fast-ui action": [50, 150],
    },
    stream: [10, 30],
    usbMBps: [30, 38],
  },
} as const satisfies Record<string, LatencyProfile>;

export type LatencyProfileName = keyof typeof LATENCY_PROFILES;

/** One wait of the phone: when it began (the phone's clock), what for, how long. */
export interface PhoneWait {
  at: number;
  kind: WaitKind;
  ms: number;
}

/** One file crossing the cable: `moved` after each part (it may wait, to bound the throughput), `done` at its end. */
export interface Transfer {
  moved(bytes: number): Promise<void>;
  done(): void;
}

/** The kind of a command (by its name and arguments), or null when it costs only its stream's floor. */
export function commandKind(name: string, args: string[]): CommandKind | null {
  switch (name) {
    case "uiautomator":
      return args[0] === "dump" ? "uiautomator dump" : null;
    case "screencap":
      return args.includes("-p") || args.some((a) => a.endsWith(".png")) ? "screencap -p" : "screencap";
    case "input":
      return "input";
    case "am":
      if (args[0] === "instrument") return "am instrument";
      return args[0] === "start" || args[0] === "start-activity" ? "am start" : null;
    case "pm":
      return args[0] === "install" ? "pm install" : null;
    case "dumpsys":
      return "dumpsys";
    default:
      return null;
  }
}

/** The phone's latencies: waits on its clock, each recorded in `waits`. */
export class PhoneLatency {
  readonly waits: PhoneWait[] = [];
  private readonly random: () => number;

  constructor(
    readonly profile: LatencyProfile | null,
    private readonly dev: Device,
  ) {
    this.random = seededRandom(dev.cfg.realism.seed ^ 0x1a7e);
  }

  private get clock() {
    return this.dev.cfg.clock;
  }

  private pick([min, max]: Range): number {
    return min + (max - min) * this.random();
  }

  /** A whole number of milliseconds in the range. */
  private pickMs(range: Range): number {
    return Math.round(this.pick(range));
  }

  /** Resolves after `ms` of the phone's time (false at once when aborted), recording the wait. */
  private wait(kind: WaitKind, ms: number, signal = new AbortController().signal): Promise<boolean> {
    this.waits.push({ at: this.clock.now(), kind, ms });
    return sleepAbortable(this.dev, ms, signal);
  }

  /** A stream was opened: its floor. */
  async streamOpened(): Promise<void> {
    if (this.profile) await this.wait("stream", this.pickMs(this.profile.stream));
  }

  /** A request to Appium's UiAutomator2 server on the phone: its kind's time (false: aborted meanwhile). */
  async serve(kind: "fast-ui source" | "fast-ui action", signal: AbortSignal): Promise<boolean> {
    if (!this.profile) return true;
    return this.wait(kind, this.pickMs(this.profile.commands[kind]), signal);
  }

  /** Before a command runs: its kind's time (false: aborted meanwhile). */
  async beforeCommand(ctx: CommandContext): Promise<boolean> {
    const kind = this.profile && commandKind(ctx.name, ctx.args);
    if (!this.profile || !kind) return true;
    let ms = this.pickMs(this.profile.commands[kind]);
    // a raw screenshot to stdout (no file named) crosses the cable: RGBA, 4 bytes a pixel
    const toStdout = !ctx.args.some((a) => a.includes("/"));
    const { width, height } = this.dev.cfg.screen;
    if (kind === "screencap" && toStdout) ms += Math.round(this.bytesMs(width * height * 4));
    return this.wait(kind, ms, ctx.signal);
  }

  private bytesMs(bytes: number): number {
    const rate = this.profile ? this.pick(this.profile.usbMBps) : Number.POSITIVE_INFINITY;
    return bytes / (rate * 1000);
  }

  /** A file over the cable, no faster than the profile's throughput; recorded when done. */
  transfer(kind: "push" | "pull"): Transfer {
    const profile = this.profile;
    if (!profile) return { moved: async () => undefined, done: () => undefined };
    const start = this.clock.now();
    const bytesPerMs = this.pick(profile.usbMBps) * 1000;
    let total = 0;
    return {
      moved: async (bytes) => {
        total += bytes;
        const due = start + total / bytesPerMs;
        // small leads are kept, not slept: fewer timers, the same average rate
        if (due - this.clock.now() >= 20)
          await new Promise<void>((resolve) => this.clock.wakeAt(due, resolve));
      },
      done: () => {
        this.waits.push({ at: start, kind, ms: this.clock.now() - start });
      },
    };
  }
}

/** The profile an option names (null: no latency). */
export function resolveLatency(
  latency: LatencyProfileName | LatencyProfile | undefined,
): LatencyProfile | null {
  if (latency === undefined) return null;
  return typeof latency === "string" ? LATENCY_PROFILES[latency] : latency;
}
