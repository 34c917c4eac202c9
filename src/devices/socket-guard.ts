/**
 * Guards against a crash in ya-webadb 2.6.4: when a socket closes while a write waits (for the
 * phone's ack, or on a dead connection), the write's `Consumable` is rejected and nobody observes
 * its `consumed` promise — an unhandled rejection, which ends a Bun/Node process. Every socket we
 * hand to ya-webadb's commands goes through `guardSocket`, which observes those promises; the
 * write itself still fails and is reported through the normal path.
 */
import type { AdbIncomingSocketHandler, AdbSocket, AdbTransport } from "@yume-chan/adb";
import type { WritableStream as AdbWritableStream, MaybeConsumable } from "@yume-chan/stream-extra";
import { Consumable } from "@yume-chan/stream-extra";

export function guardSocket(socket: AdbSocket): AdbSocket {
  const writer = socket.writable.getWriter();
  const writable = new WritableStream<MaybeConsumable<Uint8Array>>({
    write(chunk) {
      if (chunk instanceof Consumable) chunk.consumed.catch(() => {});
      return writer.write(chunk);
    },
    close() {
      return writer.close();
    },
    abort(reason) {
      return writer.abort(reason);
    },
  }) as unknown as AdbWritableStream<MaybeConsumable<Uint8Array>>;
  return {
    service: socket.service,
    readable: socket.readable,
    writable,
    get closed() {
      return socket.closed;
    },
    close() {
      return socket.close();
    },
  };
}

/** Wraps a transport so every socket it opens is guarded. */
export class GuardedTransport implements AdbTransport {
  readonly #inner: AdbTransport;

  constructor(inner: AdbTransport) {
    this.#inner = inner;
  }

  get serial() {
    return this.#inner.serial;
  }

  get maxPayloadSize() {
    return this.#inner.maxPayloadSize;
  }

  get banner() {
    return this.#inner.banner;
  }

  get disconnected() {
    return this.#inner.disconnected;
  }

  get clientFeatures() {
    return this.#inner.clientFeatures;
  }

  async connect(service: string): Promise<AdbSocket> {
    return guardSocket(await this.#inner.connect(service));
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

  close() {
    return this.#inner.close();
  }
}
