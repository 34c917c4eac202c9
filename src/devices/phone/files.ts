/** Files over the sync protocol: push and pull streamed from and to disk, stat. */
import { type FileHandle, open, unlink } from "node:fs/promises";
import type { Adb } from "@yume-chan/adb";
import { PhoneError } from "../errors.ts";

export interface RemoteStat {
  type: "file" | "directory" | "link" | "other";
  size: number;
  /** Permission bits (e.g. 0o644). */
  mode: number;
  mtime: Date;
}

/** Makes the "failed" PhoneError of the verb in progress. */
export type Fail = (message: string) => PhoneError;

/** The sync protocol's largest DATA packet (adbd refuses bigger ones). */
const SYNC_DATA_MAX = 64 * 1024;
/** DATA packets read from the file and written to the socket at once: 256 KiB a write. */
const PACKETS_PER_WRITE = 4;
const HEADER = 8;
/** The file type bits of a regular file, in a SEND request's mode. */
const REGULAR_FILE = 0o100000;

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

function syncHeader(id: string, value: number): Buffer {
  const h = Buffer.allocUnsafe(HEADER);
  h.write(id, 0, "latin1");
  h.writeUInt32LE(value, 4);
  return h;
}

/** Room for one write's DATA packets, headers included. */
export const packetsBuffer = () => Buffer.allocUnsafeSlow(PACKETS_PER_WRITE * (HEADER + SYNC_DATA_MAX));

/**
 * Reads the file from `position` straight into DATA packets in `buffer` (from packetsBuffer), each with its
 * header in front: no copy between the disk and the socket (ya-webadb's own push copied every chunk into a
 * combined packet and cost 5.3× the CPU of `adb push`, bench/push.ts). Null at the end of the file.
 */
export async function readPackets(
  handle: FileHandle,
  buffer: Buffer,
  position: number,
  size: number,
): Promise<{ packets: Buffer; bytes: number } | null> {
  const bytes = Math.min(size - position, SYNC_DATA_MAX * PACKETS_PER_WRITE);
  if (bytes <= 0) return null;
  // one read for all the packets (readv), each packet's data right after its header
  const data: Buffer[] = [];
  let at = 0;
  for (let done = 0; done < bytes; ) {
    const n = Math.min(SYNC_DATA_MAX, bytes - done);
    buffer.write("DATA", at, "latin1");
    buffer.writeUInt32LE(n, at + 4);
    data.push(buffer.subarray(at + HEADER, at + HEADER + n));
    at += HEADER + n;
    done += n;
  }
  let { bytesRead } = await handle.readv(data, position);
  // readv may stop short (libuv on Windows reads buffer by buffer): the rest is read buffer by buffer
  while (bytesRead < bytes) {
    const i = Math.floor(bytesRead / SYNC_DATA_MAX);
    const view = data[i] as Buffer;
    const filled = bytesRead - i * SYNC_DATA_MAX;
    const more = await handle.read(view, filled, view.length - filled, position + bytesRead);
    if (more.bytesRead === 0) throw new Error("the file changed size while it was being pushed");
    bytesRead += more.bytesRead;
  }
  return { packets: buffer.subarray(0, at), bytes };
}

/** The phone's answer to a finished SEND: null for OKAY, its message for FAIL. */
async function readSendResult(readable: ReadableStream<Uint8Array>): Promise<string | null> {
  const reader = readable.getReader();
  let got = Buffer.alloc(0);
  const need = async (n: number) => {
    while (got.length < n) {
      const { done, value } = await reader.read();
      if (done) throw new Error("the phone closed the transfer without an answer");
      got = Buffer.concat([got, value]);
    }
  };
  try {
    await need(HEADER);
    const id = got.toString("latin1", 0, 4);
    const length = got.readUInt32LE(4);
    if (id === "OKAY") return null;
    if (id !== "FAIL") throw new Error(`the phone answered ${JSON.stringify(id)} to the transfer`);
    await need(HEADER + length);
    return got.toString("utf8", HEADER, HEADER + length);
  } finally {
    reader.releaseLock();
  }
}

/**
 * Copies a local file to the phone (mode 0644) over a `sync:` socket: SEND, DATA packets read from disk in
 * place, DONE with the file's mtime, then the phone's OKAY or FAIL. An abort closes the socket.
 */
export async function pushFile(
  adb: Adb,
  localPath: string,
  remotePath: string,
  signal: AbortSignal,
  fail: Fail,
): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(localPath, "r");
  } catch (e) {
    throw fail(`cannot read ${localPath}: ${(e as Error).message}`);
  }
  let socket: Awaited<ReturnType<Adb["createSocket"]>>;
  try {
    socket = await adb.createSocket("sync:");
  } catch (e) {
    await handle.close().catch(() => {});
    throw fail(`push to ${remotePath} failed: the file transfer did not start (${(e as Error).message})`);
  }
  // a write to a socket closed under it (an abort) or to a phone gone away may never settle: each wait below
  // also ends with them, so the push always reaches its finally and closes the file
  let end = (_e: unknown) => {};
  const ended = new Promise<never>((_, reject) => {
    end = reject;
  });
  ended.catch(() => {});
  const onAbort = () => {
    end(signal.reason);
    void Promise.resolve(socket.close()).catch(() => {});
  };
  signal.addEventListener("abort", onAbort, { once: true });
  void adb.disconnected.then(() => end(fail(`push to ${remotePath} failed: the phone's connection closed`)));
  // the answer is read from the start: a phone that refuses the file says FAIL before the data is all sent
  const answer = readSendResult(socket.readable as unknown as ReadableStream<Uint8Array>);
  answer.catch(() => {});
  const writer = socket.writable.getWriter();
  const write = (chunk: Uint8Array) => Promise.race([writer.write(chunk), ended]);
  try {
    const { size, mtimeMs } = await handle.stat();
    const target = Buffer.from(`${remotePath},${REGULAR_FILE | 0o644}`, "utf8");
    await write(Buffer.concat([syncHeader("SEND", target.length), target]));
    // the next packets are read from disk into one buffer while the last ones are written from the other
    const buffers = [packetsBuffer(), packetsBuffer()];
    let position = 0;
    let next = readPackets(handle, buffers[0] as Buffer, position, size);
    for (let turn = 1; ; turn++) {
      const read = await next.catch((e) => {
        throw fail(`cannot read ${localPath}: ${(e as Error).message}`);
      });
      if (read === null) break;
      position += read.bytes;
      next = readPackets(handle, buffers[turn % 2] as Buffer, position, size);
      next.catch(() => {});
      await write(read.packets);
    }
    await write(syncHeader("DONE", Math.floor(mtimeMs / 1000)));
    const refused = await Promise.race([answer, ended]);
    if (refused !== null) throw fail(`push to ${remotePath} failed: ${refused}`);
  } catch (e) {
    if (signal.aborted || e instanceof PhoneError) throw e;
    // a write that failed because the phone refused the file and closed: its answer says why (a socket
    // that never answers is closed by the verb's timeout, which ends this wait)
    const refused = await Promise.race([answer, ended]).catch(() => null);
    throw fail(`push to ${remotePath} failed: ${refused ?? (e as Error).message}`);
  } finally {
    signal.removeEventListener("abort", onAbort);
    writer.releaseLock();
    await Promise.resolve(socket.close()).catch(() => {});
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
