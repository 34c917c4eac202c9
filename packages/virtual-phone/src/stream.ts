/** One ADB stream (socket) as seen from the phone: flow-controlled writes, pull-based reads. */

export interface StreamTransport {
  sendOkay(localId: number, remoteId: number): void;
  sendWrite(localId: number, remoteId: number, data: Uint8Array): void;
  sendClose(localId: number, remoteId: number): void;
  /** Largest payload the host accepts. */
  readonly maxPayload: number;
}

export class AdbStream {
  private inbox: Uint8Array[] = [];
  private readWaiter: (() => void) | null = null;
  private okayWaiter: (() => void) | null = null;
  private writeChain: Promise<unknown> = Promise.resolve();
  private abortCtl = new AbortController();
  closed = false;

  constructor(
    readonly localId: number,
    readonly remoteId: number,
    readonly service: string,
    private readonly transport: StreamTransport,
  ) {}

  /** Aborted when the stream closes (either side) or the connection drops. */
  get signal(): AbortSignal {
    return this.abortCtl.signal;
  }

  /** Host WRTE arrived: queue it; the OKAY is sent when a reader takes it. */
  onHostWrite(data: Uint8Array): void {
    if (this.closed) return;
    this.inbox.push(data);
    this.wakeReader();
  }

  onHostOkay(): void {
    const w = this.okayWaiter;
    this.okayWaiter = null;
    w?.();
  }

  /** The host closed the stream (or the connection died). */
  onRemoteClose(reply: boolean): void {
    if (this.closed) return;
    this.closed = true;
    if (reply) this.transport.sendClose(this.localId, this.remoteId);
    this.finish();
  }

  /** Next chunk written by the host, or null at end of stream. */
  async read(): Promise<Uint8Array | null> {
    for (;;) {
      const d = this.inbox.shift();
      if (d) {
        if (!this.closed) this.transport.sendOkay(this.localId, this.remoteId);
        return d;
      }
      if (this.closed) return null;
      await new Promise<void>((r) => {
        this.readWaiter = r;
      });
    }
  }

  /** Writes data in WRTE packets no larger than the host's maxdata, one in flight at a time. */
  write(data: Uint8Array | string): Promise<boolean> {
    const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    const p = this.writeChain.then(() => this.writeNow(buf));
    this.writeChain = p.catch(() => undefined);
    return p;
  }

  private async writeNow(buf: Uint8Array): Promise<boolean> {
    const max = Math.max(1024, this.transport.maxPayload);
    let off = 0;
    while (off < buf.length) {
      if (this.closed) return false;
      const chunk = buf.subarray(off, Math.min(buf.length, off + max));
      off += chunk.length;
      const acked = new Promise<void>((r) => {
        this.okayWaiter = r;
      });
      this.transport.sendWrite(this.localId, this.remoteId, chunk);
      await acked;
    }
    return !this.closed;
  }

  /** Waits until queued writes are acknowledged. */
  async flush(): Promise<void> {
    await this.writeChain;
  }

  /** Phone-side close: flushes pending writes first. */
  async close(): Promise<void> {
    await this.flush();
    if (this.closed) return;
    this.closed = true;
    this.transport.sendClose(this.localId, this.remoteId);
    this.finish();
  }

  private finish(): void {
    this.abortCtl.abort();
    this.wakeReader();
    this.onHostOkay();
  }

  private wakeReader(): void {
    const w = this.readWaiter;
    this.readWaiter = null;
    w?.();
  }
}

/** Exact-length reads over a stream (for sync: and shell v2 packets). */
export class StreamReader {
  private buf: Buffer = Buffer.alloc(0);
  constructor(private readonly stream: AdbStream) {}

  /** Returns exactly n bytes, or null if the stream ended first. */
  async readExact(n: number): Promise<Buffer | null> {
    while (this.buf.length < n) {
      const d = await this.stream.read();
      if (!d) return null;
      this.buf =
        this.buf.length === 0
          ? Buffer.from(d.buffer, d.byteOffset, d.byteLength)
          : Buffer.concat([this.buf, d]);
    }
    const res = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return res;
  }

  /** Returns up to n bytes (at least 1), or null at end. */
  async readSome(n: number): Promise<Buffer | null> {
    if (this.buf.length === 0) {
      const d = await this.stream.read();
      if (!d) return null;
      this.buf = Buffer.from(d.buffer, d.byteOffset, d.byteLength);
    }
    const k = Math.min(n, this.buf.length);
    const res = this.buf.subarray(0, k);
    this.buf = this.buf.subarray(k);
    return res;
  }
}
