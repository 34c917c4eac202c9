// The streaming multipart reader, fed the same body cut into chunks of every size: the file's bytes and
// the fields come out the same, even when a boundary, or something that looks like one, straddles chunks.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { multipartBoundary, receiveUpload, safeFileName } from "../../src/materials/upload.ts";
import { HEADS } from "../helpers/media.ts";

const dir = mkdtempSync(join(tmpdir(), "farm-multipart-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const B = "XyZ123";
// the file holds a near-boundary (CRLF, dashes, most of the boundary) and CRLFs of its own
const fileBytes = Buffer.concat([HEADS.mp4, Buffer.from(`\r\n--XyZ12\r\n\r\n--${B.slice(0, 5)}x tail 🎬`)]);
const body = Buffer.concat([
  Buffer.from(
    `preamble to ignore\r\n--${B}\r\nContent-Disposition: form-data; name="tags"\r\n\r\ncats, dogs\r\n`,
  ),
  Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="file"; filename="clip 1.mp4"\r\n`),
  Buffer.from("Content-Type: video/mp4\r\n\r\n"),
  fileBytes,
  Buffer.from(
    `\r\n--${B}\r\nContent-Disposition: form-data; name="tags"\r\n\r\nbirds\r\n--${B}--\r\nepilogue`,
  ),
]);

function chunked(bytes: Buffer, sizes: (i: number) => number): ReadableStream<Uint8Array> {
  let at = 0;
  let i = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      const n = Math.max(1, sizes(i++));
      c.enqueue(new Uint8Array(bytes.subarray(at, at + n)));
      at += n;
    },
  });
}

describe("receiveUpload", () => {
  for (const [label, sizes] of [
    ["one chunk", () => body.length],
    ["1-byte chunks", () => 1],
    ["7-byte chunks", () => 7],
    ["chunks of varying size", (i: number) => ((i * 37) % 23) + 1],
  ] as const) {
    test(`the same file and fields from ${label}`, async () => {
      const got = await receiveUpload(chunked(body, sizes), `multipart/form-data; boundary="${B}"`, {
        dir,
        maxBytes: 1 << 20,
      });
      expect(got.file).toMatchObject({ name: "clip 1.mp4", format: "mp4", size: fileBytes.length });
      expect(readFileSync(got.file.tempPath).equals(fileBytes)).toBe(true);
      expect(got.fields.get("tags")).toEqual(["cats, dogs", "birds"]);
      rmSync(got.file.tempPath);
    });
  }

  test("a file over the cap stops the read at once and leaves nothing behind", async () => {
    const before = readdirSync(dir);
    const big = body.subarray(0, body.length);
    await expect(
      receiveUpload(
        chunked(big, () => 5),
        `multipart/form-data; boundary=${B}`,
        { dir, maxBytes: 20 },
      ),
    ).rejects.toMatchObject({ code: 41301 });
    expect(readdirSync(dir)).toEqual(before);
  });

  test("a client that goes away mid-upload: 40001, nothing left behind", async () => {
    const before = readdirSync(dir);
    let sent = false;
    const broken = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent) return c.error(new Error("connection reset"));
        sent = true;
        c.enqueue(new Uint8Array(body.subarray(0, body.length - 40)));
      },
    });
    await expect(
      receiveUpload(broken, `multipart/form-data; boundary=${B}`, { dir, maxBytes: 1 << 20 }),
    ).rejects.toMatchObject({ code: 40001, message: "the upload was cut off: connection reset" });
    expect(readdirSync(dir)).toEqual(before);
  });

  test("boundaries and file names", () => {
    expect(multipartBoundary('multipart/form-data; boundary="a b"')).toBe("a b");
    expect(multipartBoundary("multipart/form-data; charset=utf-8; boundary=----x1")).toBe("----x1");
    expect(multipartBoundary("multipart/form-data")).toBeNull();
    expect(safeFileName("C:\\Users\\me\\Vídeo: 1?.mp4")).toBe("Vídeo_ 1_.mp4");
    expect(safeFileName("../../etc/passwd")).toBe("passwd");
    expect(safeFileName("...")).toBe("upload");
  });
});
