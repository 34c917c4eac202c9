// A multipart/form-data body produced as it is sent: the file's bytes are generated chunk by chunk, so
// a test can upload hundreds of MB without holding them.
import { HEADS } from "./media.ts";

export const BOUNDARY = "----farmTestBoundary7MA4YWxkTrZu0gW";
export const MULTIPART = `multipart/form-data; boundary=${BOUNDARY}`;

export interface UploadBody {
  stream: ReadableStream<Uint8Array>;
  /** Total bytes of the body. */
  length: number;
}

/** A body with `fields` and one `file` part: `head` (an MP4's first bytes by default), then filler. */
export function multipartBody(opts: {
  filename: string;
  size: number;
  fields?: Record<string, string>;
  head?: Uint8Array;
  chunk?: number;
}): UploadBody {
  const head = opts.head ?? HEADS.mp4;
  const chunk = opts.chunk ?? 1 << 20;
  const fields = Object.entries(opts.fields ?? {})
    .map(([k, v]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
    .join("");
  const before = Buffer.from(
    `${fields}--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${opts.filename}"\r\n` +
      "Content-Type: application/octet-stream\r\n\r\n",
  );
  const after = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  const filler = Buffer.alloc(chunk, 0x5a);
  let sent = 0;
  let stage = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (stage === 0) {
        stage = 1;
        controller.enqueue(Buffer.concat([before, head.subarray(0, opts.size)]));
        sent = Math.min(head.length, opts.size);
        return;
      }
      if (sent < opts.size) {
        const n = Math.min(chunk, opts.size - sent);
        sent += n;
        controller.enqueue(filler.subarray(0, n));
        return;
      }
      controller.enqueue(after);
      controller.close();
    },
  });
  return { stream, length: before.length + opts.size + after.length };
}

/** The bytes multipartBody writes for its file part. */
export function expectedFileBytes(size: number, head: Uint8Array = HEADS.mp4): Buffer {
  const out = Buffer.alloc(size, 0x5a);
  Buffer.from(head.subarray(0, size)).copy(out);
  return out;
}
