/** Files over the sync protocol: push and pull streamed from and to disk, stat. */
import { open, unlink } from "node:fs/promises";
import type { Adb } from "@yume-chan/adb";
import type { ReadableStream as AdbReadableStream } from "@yume-chan/stream-extra";
import type { PhoneError } from "../errors.ts";

export interface RemoteStat {
  type: "file" | "directory" | "link" | "other";
  size: number;
  /** Permission bits (e.g. 0o644). */
  mode: number;
  mtime: Date;
}

/** Makes the "failed" PhoneError of the verb in progress. */
export type Fail = (message: string) => PhoneError;

const FILE_CHUNK = 256 * 1024;

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

/**
 * The phone's file-transfer session. A phone that drops while it opens ends the stream before the fleet has
 * seen it go: say so as this verb's failure, not as the stream library's own words.
 */
async function startSync(adb: Adb, what: string, fail: Fail) {
  try {
    return await adb.sync();
  } catch (e) {
    throw fail(`${what} failed: the file transfer did not start (${(e as Error).message})`);
  }
}

/** Copies a local file to the phone (mode 0644); an abort disposes the sync session. */
export async function pushFile(
  adb: Adb,
  localPath: string,
  remotePath: string,
  signal: AbortSignal,
  fail: Fail,
): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(localPath, "r");
  } catch (e) {
    throw fail(`cannot read ${localPath}: ${(e as Error).message}`);
  }
  const { mtimeMs } = await handle.stat();
  const file = fileReadableStream(handle);
  const sync = await startSync(adb, `push to ${remotePath}`, fail).catch(async (e) => {
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
    throw fail(`push to ${remotePath} failed: ${(e as Error).message}`);
  } finally {
    signal.removeEventListener("abort", onAbort);
    await sync.dispose().catch(() => {});
    await handle.close().catch(() => {});
  }
}

/** Copies a file from the phone to `localPath` (a partial file is removed). */
export async function pullFile(
  adb: Adb,
  remotePath: string,
  localPath: string,
  signal: AbortSignal,
  fail: Fail,
): Promise<void> {
  const sync = await startSync(adb, `pull of ${remotePath}`, fail);
  const onAbort = () => sync.dispose().catch(() => {});
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
    throw fail(`${remotePath}: ${(e as Error).message}`);
  } finally {
    signal.removeEventListener("abort", onAbort);
    await sync.dispose().catch(() => {});
  }
}

/** File information, or null when nothing is at `path`. */
export async function statFile(
  adb: Adb,
  path: string,
  signal: AbortSignal,
  fail: Fail,
): Promise<RemoteStat | null> {
  const sync = await startSync(adb, `stat of ${path}`, fail);
  const onAbort = () => sync.dispose().catch(() => {});
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
    throw fail(`${path}: ${message}`);
  } finally {
    signal.removeEventListener("abort", onAbort);
    await sync.dispose().catch(() => {});
  }
}
