/**
 * Direct transport: talk to a phone's adbd over TCP with ya-webadb's daemon transport, no adb server.
 * A node:net socket becomes a stream of ADB packets; the RSA handshake uses our own key store.
 */
import { Socket } from "node:net";
import type {
  AdbAuthenticator,
  AdbCredentialStore,
  AdbDaemonConnection,
  AdbPacketData,
} from "@yume-chan/adb";
import {
  Adb,
  AdbDaemonTransport,
  AdbPacket,
  AdbPacketSerializeStream,
  AdbPublicKeyAuthenticator,
  AdbSignatureAuthenticator,
} from "@yume-chan/adb";
import type { ReadableStream } from "@yume-chan/stream-extra";
import { Consumable, PushReadableStream, pipeFrom, StructDeserializeStream } from "@yume-chan/stream-extra";
import { GuardedTransport } from "./socket-guard.ts";

/** Turns a connected socket into the packet streams `AdbDaemonTransport` expects. */
export function socketToPacketStream(socket: Socket): AdbDaemonConnection {
  socket.setNoDelay(true);
  const bytes = new PushReadableStream<Uint8Array>((controller) => {
    socket.on("data", async (data: Buffer) => {
      socket.pause();
      // `false` means the consumer cancelled: stop reading from the phone.
      const open = await controller.enqueue(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      if (open) socket.resume();
      else socket.destroy();
    });
    socket.on("end", () => {
      try {
        controller.close();
      } catch {}
    });
    socket.on("error", (e) => {
      try {
        controller.error(e);
      } catch {}
    });
    socket.on("close", () => {
      try {
        controller.close();
      } catch {}
    });
  });
  const readable = bytes.pipeThrough(new StructDeserializeStream(AdbPacket)) as ReadableStream<AdbPacketData>;

  const sink = new Consumable.WritableStream<Uint8Array>({
    // Resolve only once the bytes are handed to the OS: the serializer reuses its header buffer.
    // A write to a dead connection is dropped rather than rejected: ya-webadb's consumable chain
    // turns a rejected write into an unhandled rejection, and the read side reports the loss anyway.
    write: (chunk) =>
      new Promise<void>((resolve) => {
        if (socket.destroyed) {
          resolve();
          return;
        }
        socket.write(chunk, (err) => {
          if (err) socket.destroy(err);
          resolve();
        });
      }),
    close: () => {
      socket.end();
    },
    abort: () => {
      socket.destroy();
    },
  });
  const writable = pipeFrom(sink, new AdbPacketSerializeStream());
  return { readable, writable };
}

export function openSocket(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer from ${host}:${port} within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      resolve(socket);
    });
    socket.once("error", (e) => {
      clearTimeout(timer);
      socket.destroy();
      reject(e);
    });
    socket.connect({ host, port });
  });
}

export interface DirectConnectOptions {
  host: string;
  port: number;
  credentialStore: AdbCredentialStore;
  /** Called when the phone asked for our public key: it is showing the "Allow USB debugging?" prompt. */
  onAuthPrompt?: () => void;
  /** Give up on the TCP connect after this long. */
  connectTimeoutMs?: number;
  /** Give up when the other end says nothing ADB-like for this long (default 10 s). */
  handshakeTimeoutMs?: number;
  /** Once the phone shows the prompt, wait this long for the user to accept (default 60 s). */
  promptTimeoutMs?: number;
  /** Abandons the attempt (closes the socket). */
  signal?: AbortSignal;
}

/** Connects straight to a phone's adbd and authenticates; the `Adb` is ready to use. */
export async function connectDirect(options: DirectConnectOptions): Promise<Adb> {
  const { host, port, signal } = options;
  signal?.throwIfAborted();
  const socket = await openSocket(host, port, options.connectTimeoutMs ?? 5000);
  if (signal?.aborted) {
    socket.destroy();
    signal.throwIfAborted();
  }
  let failure: Error | undefined; // why we cut the connection, reported instead of "closed"
  const onAbort = () => {
    failure = new Error("connection attempt abandoned");
    socket.destroy(failure);
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  // Keep the process from dying on a late socket error; the streams report it.
  socket.on("error", () => {});
  socket.setKeepAlive(true, 5000);

  let timer: ReturnType<typeof setTimeout> | undefined;
  const giveUpAfter = (ms: number, why: string) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      failure = new Error(why);
      socket.destroy(failure);
    }, ms);
  };
  const promptNotifier: AdbAuthenticator = async function* (store, getNextRequest) {
    for await (const packet of AdbPublicKeyAuthenticator(store, getNextRequest)) {
      const promptMs = options.promptTimeoutMs ?? 60_000;
      giveUpAfter(promptMs, `the USB debugging prompt was not accepted within ${promptMs / 1000} s`);
      options.onAuthPrompt?.();
      yield packet;
    }
  };

  const handshakeMs = options.handshakeTimeoutMs ?? 10_000;
  giveUpAfter(handshakeMs, `no ADB handshake from ${host}:${port} within ${handshakeMs / 1000} s`);
  try {
    const transport = await AdbDaemonTransport.authenticate({
      serial: `${host}:${port}`,
      connection: socketToPacketStream(socket),
      credentialStore: options.credentialStore,
      authenticators: [AdbSignatureAuthenticator, promptNotifier],
    });
    return new Adb(new GuardedTransport(transport));
  } catch (e) {
    socket.destroy();
    throw failure ?? e;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}
