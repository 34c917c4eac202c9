/** The screen: the UI tree as `uiautomator dump` writes it, and screenshots. */
import type { Adb } from "@yume-chan/adb";
import { isPng } from "../screen-image.ts";
import { raw, sh } from "../shell-quote.ts";
import type { Fail } from "./files.ts";
import { decoder, runExec, runShell } from "./shell.ts";

export const UI_DUMP_PATH = "/sdcard/window_dump.xml";
/** `uiautomator dump /dev/tty` prints the XML on stdout, then "UI hierchary dumped to: /dev/tty". */
export const UI_DUMP_TTY = "/dev/tty";

/**
 * How a phone's dumps are read: `tty` true when `uiautomator dump /dev/tty` printed the tree (no file to
 * write and `cat` back), false when it did not (then the file); undefined until its first dump tells.
 */
export interface DumpWay {
  tty?: boolean;
}

/** The XML `uiautomator dump /dev/tty` printed, without the line that follows it; undefined when none. */
export function dumpedXml(stdout: string): string | undefined {
  const prolog = stdout.indexOf("<?xml");
  const start = prolog >= 0 ? prolog : stdout.indexOf("<hierarchy");
  const close = "</hierarchy>";
  const end = stdout.lastIndexOf(close);
  if (start < 0 || end < start) return undefined;
  return stdout.slice(start, end + close.length);
}

const notIdleSaid = (said: string, exitCode: number) =>
  /could not get idle state/i.test(said) || (exitCode !== 0 && /idle/i.test(said));

/**
 * The current screen's dump XML, tried `attempts` times while the screen will not settle ("could not get
 * idle state"); `notIdle` makes the error when it never did. Read from `/dev/tty` where `way` says the
 * phone prints it (tried on its first dump), else written to UI_DUMP_PATH and read back.
 */
export async function readUiDumpXml(
  adb: Adb,
  signal: AbortSignal,
  fail: Fail,
  notIdle: Fail,
  attempts = 4,
  way: DumpWay = { tty: false },
): Promise<string> {
  let last = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (way.tty !== false) {
      const r = await runShell(adb, sh("uiautomator", "dump", UI_DUMP_TTY), signal);
      const xml = dumpedXml(r.stdout);
      if (xml !== undefined && r.exitCode === 0) {
        way.tty = true;
        return xml;
      }
      last = `${r.stdout}${r.stderr}`.trim();
      if (notIdleSaid(last, r.exitCode)) {
        if (attempt < attempts) await Bun.sleep(250 * attempt);
        continue;
      }
      if (way.tty === true) throw fail(last || `exit code ${r.exitCode}`);
      way.tty = false; // this phone prints no tree on its tty: the file from now on
    }
    const r = await runShell(
      adb,
      sh("rm", "-f", UI_DUMP_PATH, raw(";"), "uiautomator", "dump", UI_DUMP_PATH),
      signal,
    );
    last = `${r.stdout}${r.stderr}`.trim();
    if (notIdleSaid(last, r.exitCode)) {
      if (attempt < attempts) await Bun.sleep(250 * attempt);
      continue;
    }
    if (r.exitCode !== 0 || /^ERROR/m.test(last)) throw fail(last || `exit code ${r.exitCode}`);
    const xml = decoder.decode(await runExec(adb, sh("cat", UI_DUMP_PATH), signal));
    if (!xml.includes("<hierarchy")) throw fail(`no UI dump in ${UI_DUMP_PATH}: ${xml.slice(0, 200)}`);
    return xml;
  }
  throw notIdle(`screen never became idle (${last})`);
}

/** Whether the soft keyboard is up, from `dumpsys input_method` (`mInputShown=true`). */
export function parseInputShown(dumpsys: string): boolean {
  return /\bmInputShown=true\b/.test(dumpsys);
}

/**
 * The window in front from `dumpsys window` (`mCurrentFocus=Window{… u0 PKG/ACTIVITY}`): its package and
 * activity (a bare package for windows without one, e.g. a dialog), or null when nothing has focus.
 */
export function parseFocus(dumpsys: string): { pkg: string; activity: string } | null {
  const m = /mCurrentFocus=Window\{\S+ \S+ ([^\s}/]+)(?:\/([^\s}]+))?\}/.exec(dumpsys);
  if (!m?.[1]) return null;
  const activity = m[2] ?? "";
  return { pkg: m[1], activity: activity.startsWith(".") ? `${m[1]}${activity}` : activity };
}

/** A PNG of the screen (`screencap -p`). */
export async function takeScreenshot(adb: Adb, signal: AbortSignal, fail: Fail): Promise<Uint8Array> {
  const png = await runExec(adb, sh("screencap", "-p"), signal);
  if (!isPng(png)) throw fail(`not a PNG: ${decoder.decode(png.subarray(0, 200)).trim()}`);
  return png;
}
