/**
 * A transport to one device through the adb server that forgets its sockets once they close.
 * (ya-webadb 2.6.4's `AdbServerTransport` keeps every socket it ever opened until `close()`, which
 * grows without bound on a phone that runs commands for days.)
 */
import type {
  AdbIncomingSocketHandler,
  AdbServerClient,
  AdbServerTransport,
  AdbSocket,
  AdbTransport,
} from "@yume-chan/adb";
import { guardSocket } from "./socket-guard.ts";

export class ServerDeviceTransport implements AdbTransport {
  readonly #client: AdbServerClient;
  readonly #inner: AdbServerTransport;
  readonly #sockets = new Set<AdbSocket>();
  readonly #closed: Promise<void>;
  #close!: () => void;
  readonly disconnected: Promise<void>;

  constructor(client: AdbServerClient, inner: AdbServerTransport) {
    this.#client = client;
    this.#inner = inner;
    this.#closed = new Promise<void>((resolve) => {
      this.#close = resolve;
    });
    this.disconnected = Promise.race([this.#closed, inner.disconnected]);
  }

  get serial() {
    return this.#inner.serial;
  }

  get transportId() {
    return this.#inner.transportId;
  }

  get maxPayloadSize() {
    return this.#inner.maxPayloadSize;
  }

  get banner() {
    return this.#inner.banner;
  }

  get clientFeatures() {
    return this.#inner.clientFeatures;
  }

  async connect(service: string): Promise<AdbSocket> {
    const socket = await this.#client.createDeviceConnection(
      { transportId: this.#inner.transportId },
      service,
    );
    this.#sockets.add(socket);
    const forget = () => this.#sockets.delete(socket);
    socket.closed.then(forget, forget);
    return guardSocket(socket);
  }

  addReverseTunnel(handler: AdbIncomingSocketHandler, address?: string) {
    return this.#inner.addReverseTunnel(handler, address);
  }

  removeReverseTunnel(address: string) {
    return this.#inner.removeReverseTunnel(address);
  }

  clearReverseTunnels() {
    return this.#inner.clearReverseTunnels();
  }

  async close(): Promise<void> {
    const sockets = [...this.#sockets];
    this.#sockets.clear();
    await Promise.all(sockets.map((s) => Promise.resolve(s.close()).catch(() => {})));
    this.#close();
    await this.#inner.close();
  }

  /** Open sockets right now (for tests and diagnostics). */
  get openSockets(): number {
    return this.#sockets.size;
  }
}
