/** The `sync:` service: file transfer protocol, streaming to and from disk. */
import type { Stats } from "node:fs";
import { lstat, mkdir, open, readdir, stat, utimes } from "node:fs/promises";
import type { PhoneFs } from "./fs.ts";
import type { Transfer } from "./latency.ts";
import { type AdbStream, StreamReader } from "./stream.ts";

const SYNC_DATA_MAX = 64 * 1024;

function id(s: string): number {
  return Buffer.from(s, "latin1").readUInt32LE(0);
}

const ID = {
  STAT: id("STAT"),
  STA2: id("STA2"),
  LST2: id("LST2"),
  LIST: id("LIST"),
  LIS2: id("LIS2"),
  SEND: id("SEND"),
  SND2: id("SND2"),
  RECV: id("RECV"),
  RCV2: id("RCV2"),
  DATA: id("DATA"),
  DONE: id("DONE"),
  QUIT: id("QUIT"),
};

const ERRNO: Record<string, number> = {
  EPERM: 1,
  ENOENT: 2,
  EIO: 5,
  EACCES: 13,
  EEXIST: 17,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENOSPC: 28,
  ENAMETOOLONG: 36,
  ELOOP: 40,
};

const STRERROR: Record<string, string> = {
  ENOENT: "No such file or directory",
  EISDIR: "Is a directory",
  ENOTDIR: "Not a directory",
  EACCES: "Permission denied",
  EEXIST: "File exists",
  ENOSPC: "No space left on device",
};

export function strerror(e: unknown): string {
  const code = (e as { code?: string }).code ?? "";
  return STRERROR[code] ?? (e instanceof Error ? e.message : String(e));
}

function errnoOf(e: unknown): number {
  return ERRNO[(e as { code?: string }).code ?? ""] ?? 5;
}

export interface SyncHost {
  fs: PhoneFs;
  record(service: string, command: string): void;
  transfer(kind: "push" | "pull"): Transfer;
}

function header(name: string, len: number): Buffer {
  const b = Buffer.alloc(8);
  b.write(name, 0, "latin1");
  b.writeUInt32LE(len >>> 0, 4);
  return b;
}

function fail(msg: string): Buffer {
  const m = Buffer.from(msg, "utf8");
  return Buffer.concat([header("FAIL", m.length), m]);
}

function secs(ms: number): number {
  return Math.floor(ms / 1000);
}

/** The 68-byte stat body of STA2/LST2/DNT2 (after the 4-byte id). */
function stat2Body(st: Stats | null, err: number): Buffer {
  const b = Buffer.alloc(68);
  b.writeUInt32LE(err, 0);
  if (st) {
    b.writeBigUInt64LE(BigInt(st.dev), 4);
    b.writeBigUInt64LE(BigInt(st.ino), 12);
    b.writeUInt32LE(st.mode >>> 0, 20);
    b.writeUInt32LE(st.nlink >>> 0, 24);
    b.writeUInt32LE(2000, 28);
    b.writeUInt32LE(1015, 32);
    b.writeBigUInt64LE(BigInt(st.size), 36);
    b.writeBigUInt64LE(BigInt(secs(st.atimeMs)), 44);
    b.writeBigUInt64LE(BigInt(secs(st.mtimeMs)), 52);
    b.writeBigUInt64LE(BigInt(secs(st.ctimeMs)), 60);
  }
  return b;
}

function stat1(name: string, st: Stats | null): Buffer {
  const b = Buffer.alloc(16);
  b.write(name, 0, "latin1");
  if (st) {
    b.writeUInt32LE(st.mode >>> 0, 4);
    b.writeUInt32LE(Math.min(st.size, 0xffffffff) >>> 0, 8);
    b.writeUInt32LE(secs(st.mtimeMs) >>> 0, 12);
  }
  return b;
}

export async function runSync(stream: AdbStream, host: SyncHost): Promise<void> {
  const reader = new StreamReader(stream);
  const fs = host.fs;
  for (;;) {
    const h = await reader.readExact(8);
    if (!h) break;
    const cmd = h.readUInt32LE(0);
    const len = h.readUInt32LE(4);
    if (cmd === ID.QUIT) break;
    if (len > 64 * 1024) {
      await stream.write(fail("path too long"));
      break;
    }
    const pb = await reader.readExact(len);
    if (!pb) break;
    const arg = pb.toString("utf8");
    const name = h.subarray(0, 4).toString("latin1");
    host.record("sync", `${name} ${arg}`);
    switch (cmd) {
      case ID.STAT: {
        const st = await lstat(fs.host(arg)).catch(() => null);
        await stream.write(stat1("STAT", st));
        break;
      }
      case ID.STA2:
      case ID.LST2: {
        let st: Stats | null = null;
        let err = 0;
        try {
          st = cmd === ID.STA2 ? await stat(fs.host(arg)) : await lstat(fs.host(arg));
        } catch (e) {
          err = errnoOf(e);
        }
        await stream.write(Buffer.concat([Buffer.from(name, "latin1"), stat2Body(st, err)]));
        break;
      }
      case ID.LIST:
      case ID.LIS2:
        await list(stream, fs.host(arg), cmd === ID.LIS2);
        break;
      case ID.SEND: {
        const comma = arg.lastIndexOf(",");
        const path = comma >= 0 ? arg.slice(0, comma) : arg;
        const mode = comma >= 0 ? Number.parseInt(arg.slice(comma + 1), 10) : 0o100644;
        if (!(await receiveFile(stream, reader, fs.host(path), mode, false, host))) return;
        break;
      }
      case ID.SND2: {
        const h2 = await reader.readExact(12);
        if (!h2) return;
        const mode = h2.readUInt32LE(4);
        const flags = h2.readUInt32LE(8);
        if ((flags & 0x7fffffff) !== 0) {
          await stream.write(fail("compression is not supported"));
          return;
        }
        if (!(await receiveFile(stream, reader, fs.host(arg), mode, (flags & 0x80000000) !== 0, host)))
          return;
        break;
      }
      case ID.RECV:
        await sendFile(stream, fs.host(arg), host);
        break;
      case ID.RCV2: {
        const h2 = await reader.readExact(8);
        if (!h2) return;
        if (h2.readUInt32LE(4) !== 0) {
          await stream.write(fail("compression is not supported"));
          return;
        }
        await sendFile(stream, fs.host(arg), host);
        break;
      }
      default:
        await stream.write(fail(`unknown command ${name}`));
        return;
    }
  }
}

async function list(stream: AdbStream, dir: string, v2: boolean): Promise<void> {
  const names = await readdir(dir).catch(() => null);
  const parts: Buffer[] = [];
  for (const n of names ? [".", "..", ...names] : []) {
    const st = await lstat(`${dir}/${n}`).catch(() => null);
    const nb = Buffer.from(n, "utf8");
    const nl = Buffer.alloc(4);
    nl.writeUInt32LE(nb.length, 0);
    if (v2) {
      parts.push(Buffer.from("DNT2", "latin1"), stat2Body(st, st ? 0 : 2), nl, nb);
    } else {
      if (!st) continue;
      parts.push(stat1("DENT", st), nl, nb);
    }
    if (parts.length > 256) {
      await stream.write(Buffer.concat(parts.splice(0)));
    }
  }
  parts.push(
    v2 ? Buffer.concat([Buffer.from("DONE", "latin1"), Buffer.alloc(72)]) : stat1("DONE", null),
    v2 ? Buffer.alloc(0) : Buffer.alloc(4),
  );
  await stream.write(Buffer.concat(parts));
}

/** SEND/SND2 body: DATA chunks then DONE. Streams to disk. Returns false if the stream ended. */
async function receiveFile(
  stream: AdbStream,
  reader: StreamReader,
  path: string,
  mode: number,
  dryRun: boolean,
  host: SyncHost,
): Promise<boolean> {
  const transfer = host.transfer("push");
  let error: string | null = null;
  let fh: Awaited<ReturnType<typeof open>> | null = null;
  if (!dryRun) {
    try {
      await mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
      fh = await open(path, "w", mode & 0o777 || 0o644);
    } catch (e) {
      error = `couldn't create file: ${strerror(e)}`;
    }
  }
  let mtime = 0;
  try {
    for (;;) {
      const h = await reader.readExact(8);
      if (!h) return false;
      const cmd = h.readUInt32LE(0);
      const len = h.readUInt32LE(4);
      if (cmd === ID.DATA) {
        if (len > SYNC_DATA_MAX * 4) {
          error = "data chunk too large";
        }
        let left = len;
        while (left > 0) {
          const part = await reader.readSome(left);
          if (!part) return false;
          left -= part.length;
          await transfer.moved(part.length);
          if (fh && !error) {
            try {
              await fh.write(part);
            } catch (e) {
              error = `write failed: ${strerror(e)}`;
            }
          }
        }
      } else if (cmd === ID.DONE) {
        mtime = len;
        transfer.done();
        break;
      } else {
        error = "invalid data message";
        await stream.write(fail(error));
        return false;
      }
    }
  } finally {
    await fh?.close().catch(() => undefined);
  }
  if (error) {
    await stream.write(fail(error));
    return true;
  }
  if (fh && mtime > 0) await utimes(path, mtime, mtime).catch(() => undefined);
  await stream.write(Buffer.concat([Buffer.from("OKAY", "latin1"), Buffer.alloc(4)]));
  return true;
}

async function sendFile(stream: AdbStream, path: string, host: SyncHost): Promise<void> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw Object.assign(new Error("dir"), { code: "EISDIR" });
    fh = await open(path, "r");
  } catch (e) {
    await stream.write(fail(`open failed: ${strerror(e)}`));
    return;
  }
  const transfer = host.transfer("pull");
  try {
    // Read several 64 KiB DATA chunks at once so that one WRTE carries up to ~1 MiB.
    const big = SYNC_DATA_MAX * 15;
    for (;;) {
      const buf = Buffer.allocUnsafe(big);
      const { bytesRead } = await fh.read(buf, 0, big, null);
      if (bytesRead === 0) break;
      const parts: Buffer[] = [];
      for (let off = 0; off < bytesRead; off += SYNC_DATA_MAX) {
        const end = Math.min(bytesRead, off + SYNC_DATA_MAX);
        parts.push(header("DATA", end - off), buf.subarray(off, end));
      }
      await transfer.moved(bytesRead);
      const ok = await stream.write(Buffer.concat(parts));
      if (!ok) return;
    }
  } finally {
    await fh.close().catch(() => undefined);
  }
  transfer.done();
  await stream.write(header("DONE", 0));
}
