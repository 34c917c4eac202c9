// Raw TCP connections to a service: a request sent by hand (whole, in part or not at all), and what came back,
// to see which connections the service keeps open and which it closes.
import { connect, type Socket } from "node:net";
import { waitFor } from "./wait.ts";

export class RawConnection {
  text = "";
  /** The service closed the connection (we had not). */
  closedByService = false;
  private closedByUs = false;
  private readonly socket: Socket;
  readonly closed: Promise<void>;

  /** Connects to 127.0.0.1:port (from `localAddress`, another loopback address, if given) and sends `data`. */
  constructor(port: number, data: string, localAddress?: string) {
    this.socket = connect({ host: "127.0.0.1", port, ...(localAddress ? { localAddress } : {}) });
    this.socket.setEncoding("utf8");
    this.socket.on("data", (chunk: string) => {
      this.text += chunk;
    });
    // a reset is a close too; a test looks at what was said before it
    this.socket.on("error", () => {});
    if (data) this.socket.write(data);
    this.closed = new Promise((resolve) =>
      this.socket.on("close", () => {
        this.closedByService = !this.closedByUs;
        resolve();
      }),
    );
  }

  /** The HTTP status of the answer, once its first line has come. */
  get status(): number | null {
    const m = /^HTTP\/1\.1 (\d{3})/.exec(this.text);
    return m ? Number(m[1]) : null;
  }

  /** The envelope's code, once the whole of a JSON answer has come. */
  get code(): number | null {
    const m = /"code":(\d+)/.exec(this.text);
    return m ? Number(m[1]) : null;
  }

  /** Waits until `expected` has come (true) or the connection has closed without it (false). */
  async received(expected: string, timeoutMs?: number): Promise<boolean> {
    await waitFor(`"${expected}"`, () => this.text.includes(expected) || !this.open, timeoutMs);
    return this.text.includes(expected);
  }

  get open(): boolean {
    return !this.socket.destroyed;
  }

  close(): void {
    this.closedByUs = !this.socket.destroyed;
    this.socket.destroy();
  }
}

/** A whole GET request: the connection then waits, idle, for whatever the service does. */
export function getRequest(port: number, path: string, headers: Record<string, string> = {}): string {
  const lines = Object.entries({ host: `127.0.0.1:${port}`, ...headers }).map(([k, v]) => `${k}: ${v}`);
  return `GET ${path} HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n`;
}

/** Opens `count` connections, each sending what `data(i)` gives. */
export function openMany(port: number, count: number, data: (i: number) => string): RawConnection[] {
  return Array.from({ length: count }, (_, i) => new RawConnection(port, data(i)));
}
