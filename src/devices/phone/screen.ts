/** The screen: the UI tree as `uiautomator dump` writes it, and screenshots. */
import type { Adb } from "@yume-chan/adb";
import { isPng } from "../screen-image.ts";
import { raw, sh } from "../shell-quote.ts";
import type { Fail } from "./files.ts";
import { decoder, runExec, runShell } from "./shell.ts";

export const UI_DUMP_PATH = "/sdcard/window_dump.xml";

/** The current screen's dump XML, retried while the screen will not settle ("could not get idle state"). */
export async function readUiDumpXml(adb: Adb, signal: AbortSignal, fail: Fail): Promise<string> {
  let last = "";
  for (let attempt = 1; attempt <= 4; attempt++) {
    const r = await runShell(
      adb,
      sh("rm", "-f", UI_DUMP_PATH, raw(";"), "uiautomator", "dump", UI_DUMP_PATH),
      signal,
    );
    last = `${r.stdout}${r.stderr}`.trim();
    if (/could not get idle state/i.test(last) || (r.exitCode !== 0 && /idle/i.test(last))) {
      await Bun.sleep(250 * attempt);
      continue;
    }
    if (r.exitCode !== 0 || /^ERROR/m.test(last)) throw fail(last || `exit code ${r.exitCode}`);
    const xml = decoder.decode(await runExec(adb, sh("cat", UI_DUMP_PATH), signal));
    if (!xml.includes("<hierarchy")) throw fail(`no UI dump in ${UI_DUMP_PATH}: ${xml.slice(0, 200)}`);
    return xml;
  }
  throw fail(`screen never became idle (${last})`);
}

/** A PNG of the screen (`screencap -p`). */
export async function takeScreenshot(adb: Adb, signal: AbortSignal, fail: Fail): Promise<Uint8Array> {
  const png = await runExec(adb, sh("screencap", "-p"), signal);
  if (!isPng(png)) throw fail(`not a PNG: ${decoder.decode(png.subarray(0, 200)).trim()}`);
  return png;
}
