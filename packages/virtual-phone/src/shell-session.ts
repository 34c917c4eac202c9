/** Shell sessions over ADB streams: `shell,v2` (framed stdout/stderr/exit), raw `shell:`/`exec:`, interactive. */
import type { Device } from "./device.ts";
import { type Io, Shell, type ShellHost, type Sink, type Source } from "./shell.ts";
import { type AdbStream, StreamReader } from "./stream.ts";

export const ENV = {
  PATH: "/product/bin:/apex/com.android.runtime/bin:/apex/com.android.art/bin:/system_ext/bin:/system/bin:/system/xbin:/odm/bin:/vendor/bin:/vendor/xbin",
  HOME: "/",
  SHELL: "/system/bin/sh",
  USER: "shell",
  LOGNAME: "shell",
  HOSTNAME: "localhost",
  TMPDIR: "/data/local/tmp",
  EXTERNAL_STORAGE: "/sdcard",
  ANDROID_DATA: "/data",
  ANDROID_ROOT: "/system",
  ANDROID_STORAGE: "/storage",
};

/** A stdin queue fed by the host. */
class QueueSource implements Source {
  private q: Uint8Array[] = [];
  private ended = false;
  private waiter: (() => void) | null = null;
  push(d: Uint8Array): void {
    this.q.push(d);
    this.wake();
  }
  end(): void {
    this.ended = true;
    this.wake();
  }
  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
  async read(): Promise<Uint8Array | null> {
    for (;;) {
      const d = this.q.shift();
      if (d) return d;
      if (this.ended) return null;
      await new Promise<void>((r) => {
        this.waiter = r;
      });
    }
  }
}

function toCrlf(data: Uint8Array | string): Buffer {
  const b =
    typeof data === "string"
      ? Buffer.from(data, "utf8")
      : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let count = 0;
  for (let i = 0; i < b.length; i++) if (b[i] === 0x0a) count++;
  if (count === 0) return b;
  const out = Buffer.allocUnsafe(b.length + count);
  let j = 0;
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0x0a) out[j++] = 0x0d;
    out[j++] = b[i] as number;
  }
  return out;
}

/** The shells a phone runs for its streams: every command line is recorded, as `phone.commands` shows. */
export class ShellSessions {
  constructor(
    private readonly shellHost: ShellHost,
    private readonly device: Device,
    private readonly record: (service: string, command: string) => void,
  ) {}

  private newShell(): Shell {
    return new Shell(this.shellHost, ENV);
  }

  /** shell v2: packets [id u8][len u32][data]; stdout 1, stderr 2, exit 3; stdin 0, close-stdin 4. */
  async shellV2(stream: AdbStream, command: string, pty: boolean): Promise<void> {
    const stdin = new QueueSource();
    const packet = (id: number, data: Uint8Array): Buffer => {
      const h = Buffer.alloc(5);
      h[0] = id;
      h.writeUInt32LE(data.length, 1);
      return Buffer.concat([h, data]);
    };
    const maxChunk = 256 * 1024;
    const sinkFor = (id: number): Sink => ({
      write: async (d) => {
        let b =
          typeof d === "string" ? Buffer.from(d, "utf8") : Buffer.from(d.buffer, d.byteOffset, d.byteLength);
        if (pty) b = toCrlf(b);
        for (let off = 0; off < b.length; off += maxChunk) {
          await stream.write(packet(id, b.subarray(off, off + maxChunk)));
        }
      },
    });
    // Read stdin packets in the background.
    void (async () => {
      const r = new StreamReader(stream);
      for (;;) {
        const h = await r.readExact(5);
        if (!h) break;
        const len = h.readUInt32LE(1);
        const data = len > 0 ? await r.readExact(len) : Buffer.alloc(0);
        if (!data) break;
        if (h[0] === 0) stdin.push(data);
        else if (h[0] === 4) stdin.end();
      }
      stdin.end();
    })();
    const out = sinkFor(1);
    const io: Io = { out, err: pty ? out : sinkFor(2), in: stdin, signal: stream.signal };
    let code: number;
    if (command === "") code = await this.interactive(io, pty);
    else code = await this.newShell().run(command, io);
    if (stream.closed) return;
    await stream.write(packet(3, Buffer.from([code & 0xff])));
  }

  /** shell: and exec: raw byte streams; `crlf` turns LF into CRLF like a pty does. */
  async shellRaw(stream: AdbStream, command: string, crlf: boolean, interactive: boolean): Promise<void> {
    const sink: Sink = {
      write: async (d) => {
        await stream.write(crlf ? toCrlf(d) : d);
      },
    };
    const stdin: Source = { read: () => stream.read() };
    const io: Io = { out: sink, err: sink, in: stdin, signal: stream.signal };
    if (command === "") await this.interactive(io, interactive);
    else await this.newShell().run(command, io);
  }

  /** A shell reading commands from stdin, line by line; with a pty it prints a prompt. */
  private async interactive(io: Io, pty: boolean): Promise<number> {
    const shell = this.newShell();
    const prompt = () => (pty ? `${this.device.props["ro.product.device"]}:${shell.cwd} $ ` : "");
    if (pty) await io.out.write(prompt());
    let pending = "";
    for (;;) {
      const d = await io.in.read();
      if (!d) break;
      pending += Buffer.from(d).toString("utf8").replace(/\r/g, "\n");
      let nl = pending.indexOf("\n");
      while (nl >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line.trim()) {
          this.record("shell", line);
          try {
            const code = await shell.run(line, io);
            if (shell.exited) return code;
          } catch {
            return 1;
          }
        }
        const pr = prompt();
        if (pr) await io.out.write(pr);
        nl = pending.indexOf("\n");
      }
    }
    return shell.status;
  }
}
