/**
 * HTTP/1.1 to a port on the phone through its ADB connection: one `tcp:PORT` stream per request (what
 * `adb forward` does, without a port on this PC), `Connection: close`, a JSON body each way.
 */
import type { Adb } from "@yume-chan/adb";

export interface HttpAnswer {
  status: number;
  body: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function indexOfCrlf2(buf: Uint8Array): number {
  for (let i = 0; i + 3 < buf.length; i++) {
    if (buf[i] === 13 && buf[i + 1] === 10 && buf[i + 2] === 13 && buf[i + 3] === 10) return i;
  }
  return -1;
}

/** Reads one HTTP/1.1 response (Content-Length, chunked, or to the end of the stream). */
export function parseResponse(raw: Uint8Array, ended: boolean): HttpAnswer | null {
  const end = indexOfCrlf2(raw);
  if (end < 0) return null;
  const head = decoder.decode(raw.subarray(0, end)).split("\r\n");
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(head[0] ?? "");
  if (!m) throw new Error(`not an HTTP answer: ${(head[0] ?? "").slice(0, 80)}`);
  const headers = new Map<string, string>();
  for (const line of head.slice(1)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const body = raw.subarray(end + 4);
  const length = headers.get("content-length");
  if (length !== undefined) {
    const n = Number(length);
    if (body.length < n) return null;
    return { status: Number(m[1]), body: decoder.decode(body.subarray(0, n)) };
  }
  if (headers.get("transfer-encoding")?.toLowerCase() === "chunked") {
    const parts: Uint8Array[] = [];
    let p = 0;
    for (;;) {
      const lineEnd = body.indexOf(10, p);
      if (lineEnd < 0) return null;
      const size = Number.parseInt(decoder.decode(body.subarray(p, lineEnd)).trim(), 16);
      if (Number.isNaN(size)) throw new Error("bad chunk size in HTTP answer");
      p = lineEnd + 1;
      if (size === 0) break;
      if (body.length < p + size + 2) return null;
      parts.push(body.subarray(p, p + size));
      p += size + 2;
    }
    return { status: Number(m[1]), body: parts.map((x) => decoder.decode(x)).join("") };
  }
  return ended ? { status: Number(m[1]), body: decoder.decode(body) } : null;
}

/**
 * Sends `method path` with a JSON body to the phone's `port` and returns the answer. Rejects when the port
 * refuses (nothing listens), the stream ends before a whole answer, or `signal` fires (the stream is closed).
 */
export async function phoneHttp(
  adb: Adb,
  port: number,
  method: string,
  path: string,
  body: unknown,
  signal: AbortSignal,
): Promise<HttpAnswer> {
  signal.throwIfAborted();
  let socket: Awaited<ReturnType<Adb["createSocket"]>>;
  try {
    socket = await adb.createSocket(`tcp:${port}`);
  } catch (e) {
    throw new Error(`nothing answers on the phone's port ${port} (${(e as Error).message})`);
  }
  const close = () => void Promise.resolve(socket.close()).catch(() => {});
  signal.addEventListener("abort", close, { once: true });
  try {
    const json = body === undefined ? "" : JSON.stringify(body);
    const payload = encoder.encode(json);
    const request =
      `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\nAccept: application/json\r\n` +
      (body === undefined ? "" : "Content-Type: application/json; charset=utf-8\r\n") +
      `Content-Length: ${payload.length}\r\n\r\n`;
    const writer = socket.writable.getWriter();
    await writer.write(concat(encoder.encode(request), payload));
    writer.releaseLock();
    const reader = socket.readable.getReader();
    let raw = new Uint8Array(0);
    for (;;) {
      const { done, value } = await reader.read();
      if (value) raw = concat(raw, value);
      const answer = parseResponse(raw, done);
      if (answer) return answer;
      if (done) {
        signal.throwIfAborted();
        throw new Error(`the phone's port ${port} closed before a whole answer (${raw.length} bytes)`);
      }
    }
  } finally {
    signal.removeEventListener("abort", close);
    close();
  }
}
