// The push's packets: DATA headers in front of the file's bytes, read in place; a readv that stops short
// (libuv on Windows reads one buffer at a time and may stop at any of them) still fills every packet.
import { describe, expect, test } from "bun:test";
import type { FileHandle } from "node:fs/promises";
import { packetsBuffer, readPackets } from "../../src/devices/phone/files.ts";

const SYNC_DATA_MAX = 64 * 1024;

/** A file of `content` whose readv fills at most `readvLimit` bytes and whose read at most `readLimit`. */
function fakeFile(content: Buffer, readvLimit: number, readLimit = Number.POSITIVE_INFINITY) {
  const handle = {
    async readv(buffers: Buffer[], position: number) {
      let copied = 0;
      for (const b of buffers) {
        const n = Math.min(b.length, readvLimit - copied, content.length - position - copied);
        if (n <= 0) break;
        content.copy(b, 0, position + copied, position + copied + n);
        copied += n;
        if (n < b.length) break;
      }
      return { bytesRead: copied, buffers };
    },
    async read(buffer: Buffer, offset: number, length: number, position: number) {
      const n = Math.max(0, Math.min(length, readLimit, content.length - position));
      content.copy(buffer, offset, position, position + n);
      return { bytesRead: n, buffer };
    },
  };
  return handle as unknown as FileHandle;
}

function unpack(packets: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < packets.length; ) {
    expect(packets.toString("latin1", at, at + 4)).toBe("DATA");
    const n = packets.readUInt32LE(at + 4);
    expect(n).toBeLessThanOrEqual(SYNC_DATA_MAX);
    out.push(packets.subarray(at + 8, at + 8 + n));
    at += 8 + n;
  }
  return out;
}

describe("readPackets", () => {
  const content = Buffer.from(Array.from({ length: 5 * SYNC_DATA_MAX + 123 }, (_, i) => (i * 7) % 256));

  test("a whole read: 64 KiB packets, each with its header, the last one short", async () => {
    const file = fakeFile(content, Number.POSITIVE_INFINITY);
    const first = await readPackets(file, packetsBuffer(), 0, content.length);
    expect(first?.bytes).toBe(4 * SYNC_DATA_MAX);
    expect(Buffer.concat(unpack(first?.packets as Buffer))).toEqual(content.subarray(0, 4 * SYNC_DATA_MAX));
    const second = await readPackets(file, packetsBuffer(), 4 * SYNC_DATA_MAX, content.length);
    expect(unpack(second?.packets as Buffer).map((p) => p.length)).toEqual([SYNC_DATA_MAX, 123]);
    expect(Buffer.concat(unpack(second?.packets as Buffer))).toEqual(content.subarray(4 * SYNC_DATA_MAX));
    expect(await readPackets(file, packetsBuffer(), content.length, content.length)).toBeNull();
  });

  test("a readv that stops short is completed buffer by buffer", async () => {
    for (const limit of [0, 1, SYNC_DATA_MAX - 1, SYNC_DATA_MAX, SYNC_DATA_MAX + 5, 3 * SYNC_DATA_MAX]) {
      const file = fakeFile(content, limit, 10_000);
      const read = await readPackets(file, packetsBuffer(), SYNC_DATA_MAX, content.length);
      expect(Buffer.concat(unpack(read?.packets as Buffer))).toEqual(
        content.subarray(SYNC_DATA_MAX, 5 * SYNC_DATA_MAX),
      );
    }
  });

  test("a file that shrank while it was pushed is an error, not a short packet", async () => {
    const file = fakeFile(content.subarray(0, 100), Number.POSITIVE_INFINITY);
    await expect(readPackets(file, packetsBuffer(), 0, content.length)).rejects.toThrow(/changed size/);
  });
});
