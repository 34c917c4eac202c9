/**
 * Files of this PC put on the phone as its newest media, for an app's picker to show: pushed to the camera
 * folder under unique names, touched (pickers sort by date), checked, scanned; removed and scanned again by
 * the cleanup, however the run ends.
 */
import { stat } from "node:fs/promises";
import { extname } from "node:path";
import type { ScriptContext } from "./context.ts";
import { ScriptError } from "./errors.ts";

export const CAMERA_DIR = "/sdcard/DCIM/Camera";

export interface PushedMedia {
  /** Where the file is on the phone. */
  remote: string;
  /** The content:// URI the media store gave it. */
  uri: string;
}

/**
 * The steps "push N file(s)" and "media scan": `files` (in order) on the phone, named
 * `farm_<task>_<time>_<n>.<ext>`; their removal is registered before the first byte is pushed.
 */
export async function pushMedia(ctx: ScriptContext, files: string[]): Promise<PushedMedia[]> {
  const { phone, signal, task } = ctx;
  const opts = { signal };
  const stamp = Date.now().toString(36);
  const remotes = files.map(
    (f, i) => `${CAMERA_DIR}/farm_${task.id}_${stamp}_${i + 1}${extname(f).toLowerCase()}`,
  );
  ctx.onCleanup(async (cleanupSignal) => {
    for (const remote of remotes) {
      await phone.remove(remote, { signal: cleanupSignal });
      // a scan of a file that is gone drops it from the media store
      await phone.mediaScan(remote, { signal: cleanupSignal });
    }
  });
  await ctx.step(`push ${files.length} file(s)`, async () => {
    for (const [i, local] of files.entries()) {
      const remote = remotes[i] as string;
      const size = (await stat(local)).size;
      await phone.push(local, remote, opts);
      await phone.shell(`touch ${remote}`, opts);
      const there = await phone.stat(remote, opts);
      if (!there || there.size !== size) {
        throw ScriptError.retryable(
          `material missing on the phone after push: ${remote} is ${there ? `${there.size} bytes, not ${size}` : "absent"}`,
        );
      }
    }
  });
  return ctx.step("media scan", async () => {
    const pushed: PushedMedia[] = [];
    for (const remote of remotes) {
      await phone.mediaScan(remote, opts);
      const uri = await phone.mediaContentUri(remote, opts);
      if (!uri) throw ScriptError.retryable(`material missing on the phone after the media scan: ${remote}`);
      pushed.push({ remote, uri });
    }
    return pushed;
  });
}
