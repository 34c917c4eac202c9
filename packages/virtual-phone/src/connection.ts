/** One ADB connection from a host: handshake, auth (RSA keys, the "Allow USB debugging?" prompt), streams. */
import { constants, createPublicKey, publicDecrypt, randomBytes } from "node:crypto";
import type { Socket } from "node:net";
import type { Device } from "./device.ts";
import type { PhoneLatency } from "./latency.ts";
import {
  A_AUTH,
  A_CLSE,
  A_CNXN,
  A_OKAY,
  A_OPEN,
  A_VERSION,
  A_VERSION_SKIP_CHECKSUM,
  A_WRTE,
  AUTH_RSAPUBLICKEY,
  AUTH_SIGNATURE,
  AUTH_TOKEN,
  encodePacket,
  type Packet,
  PacketReader,
} from "./protocol.ts";
import { AdbStream, type StreamTransport } from "./stream.ts";

export type AuthMode = "none" | "accept" | "reject";

export type ServiceHandler = (stream: AdbStream) => Promise<void>;

/** What a connection needs of its phone. */
export interface ConnectionOwner {
  readonly device: Device;
  readonly authorizedKeys: Set<string>;
  readonly receivedKeys: string[];
  readonly maxData: number;
  readonly latencyMs: number;
  readonly latency: PhoneLatency;
  readonly authMode: AuthMode;
  serviceHandler(service: string): ServiceHandler | null;
  forget(c: Connection): void;
}

export const FEATURES = [
  "shell_v2",
  "cmd",
  "stat_v2",
  "ls_v2",
  "fixed_push_mkdir",
  "abb_exec",
  "sendrecv_v2",
];

function bannerValue(s: string): string {
  return s.replace(/[:;=,]/g, "_");
}

/** Verifies an AUTH signature against an adb public key ("BASE64 user@host"). */
function verifySignature(publicKey: string, token: Buffer, signature: Buffer): boolean {
  try {
    const raw = Buffer.from(publicKey.trim().split(/\s+/)[0] ?? "", "base64");
    const words = raw.readUInt32LE(0);
    const nLe = raw.subarray(8, 8 + words * 4);
    const e = raw.readUInt32LE(8 + words * 8);
    const n = Buffer.from(nLe).reverse();
    const eb = Buffer.alloc(4);
    eb.writeUInt32BE(e, 0);
    const key = createPublicKey({
      key: {
        kty: "RSA",
        n: n.toString("base64url"),
        e: eb.subarray(eb.findIndex((b) => b !== 0)).toString("base64url"),
      },
      format: "jwk",
    });
    const dec = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
    return dec.subarray(dec.length - token.length).equals(token);
  } catch {
    return false;
  }
}

export class Connection implements StreamTransport {
  private reader = new PacketReader();
  private online = false;
  private hostVersion = A_VERSION;
  private hostMaxData = 256 * 1024;
  private token: Buffer | null = null;
  /** A public key the host sent while the phone was not accepting: the "Allow USB debugging?" prompt is up. */
  private pendingKey: string | null = null;
  private streams = new Map<number, AdbStream>();
  private nextId = 1;
  private dead = false;

  constructor(
    private readonly phone: ConnectionOwner,
    readonly socket: Socket,
  ) {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      let packets: Packet[];
      try {
        packets = this.reader.push(chunk);
      } catch {
        this.destroy();
        return;
      }
      for (const p of packets) this.onPacket(p);
    });
    socket.on("error", () => this.destroy());
    socket.on("close", () => this.destroy());
  }

  get maxPayload(): number {
    return Math.min(this.hostMaxData, this.phone.maxData);
  }

  private send(command: number, arg0: number, arg1: number, payload?: Uint8Array): void {
    if (this.dead) return;
    const withChecksum =
      this.hostVersion < A_VERSION_SKIP_CHECKSUM || command === A_AUTH || command === A_CNXN;
    this.socket.write(encodePacket(command, arg0, arg1, payload, withChecksum));
  }

  sendOkay(localId: number, remoteId: number): void {
    this.send(A_OKAY, localId, remoteId);
  }
  sendWrite(localId: number, remoteId: number, data: Uint8Array): void {
    this.send(A_WRTE, localId, remoteId, data);
  }
  sendClose(localId: number, remoteId: number): void {
    this.send(A_CLSE, localId, remoteId);
    this.streams.delete(localId);
  }

  destroy(): void {
    if (this.dead) return;
    this.dead = true;
    for (const s of this.streams.values()) s.onRemoteClose(false);
    this.streams.clear();
    this.socket.destroy();
    this.phone.forget(this);
  }

  /** The auth mode changed: a prompt still up is answered now ("Allow" when accepting). */
  authChanged(): void {
    if (this.online || this.dead) return;
    if (this.phone.authMode === "none" && this.token) {
      this.sendConnect();
    } else if (this.phone.authMode === "accept" && this.pendingKey) {
      this.phone.authorizedKeys.add(this.pendingKey);
      this.sendConnect();
    }
  }

  private sendConnect(): void {
    this.online = true;
    this.pendingKey = null;
    this.token = null;
    const p = this.phone;
    const d = p.device.props;
    const banner =
      `device::ro.product.name=${bannerValue(d["ro.product.name"] ?? "")};ro.product.model=${bannerValue(d["ro.product.model"] ?? "")};` +
      `ro.product.device=${bannerValue(d["ro.product.device"] ?? "")};features=${FEATURES.join(",")}`;
    this.send(A_CNXN, Math.min(this.hostVersion, A_VERSION), p.maxData, Buffer.from(banner, "utf8"));
  }

  private sendToken(): void {
    this.token = randomBytes(20);
    this.send(A_AUTH, AUTH_TOKEN, 0, this.token);
  }

  private onPacket(p: Packet): void {
    switch (p.command) {
      case A_CNXN: {
        // A new handshake resets the connection.
        for (const s of this.streams.values()) s.onRemoteClose(false);
        this.streams.clear();
        this.online = false;
        this.hostVersion = p.arg0;
        this.hostMaxData = p.arg1 || 4096;
        const mode = this.phone.authMode;
        if (mode === "none") this.sendConnect();
        else this.sendToken();
        return;
      }
      case A_AUTH: {
        if (this.online || !this.token) return;
        const mode = this.phone.authMode;
        if (p.arg0 === AUTH_SIGNATURE) {
          const token = this.token;
          const ok =
            mode === "accept" &&
            [...this.phone.authorizedKeys].some((k) => verifySignature(k, token, p.payload));
          if (ok) this.sendConnect();
          else this.sendToken();
        } else if (p.arg0 === AUTH_RSAPUBLICKEY) {
          const key = p.payload.toString("utf8").replace(/\0+$/, "");
          this.phone.receivedKeys.push(key);
          if (mode === "accept") {
            // The user taps "Allow" (and "Always allow from this computer").
            this.phone.authorizedKeys.add(key);
            this.sendConnect();
          } else {
            this.pendingKey = key;
          }
        }
        return;
      }
      case A_OPEN: {
        if (!this.online) return;
        const service = p.payload.toString("utf8").replace(/\0+$/, "");
        void this.open(p.arg0, service);
        return;
      }
      case A_OKAY: {
        this.streams.get(p.arg1)?.onHostOkay();
        return;
      }
      case A_WRTE: {
        const s = this.streams.get(p.arg1);
        if (s) s.onHostWrite(p.payload);
        else this.send(A_CLSE, 0, p.arg0);
        return;
      }
      case A_CLSE: {
        const s = this.streams.get(p.arg1);
        if (s) {
          this.streams.delete(p.arg1);
          s.onRemoteClose(true);
        }
        return;
      }
      default:
        return;
    }
  }

  private async open(remoteId: number, service: string): Promise<void> {
    const handler = this.phone.serviceHandler(service);
    if (this.phone.latencyMs > 0) await new Promise((r) => setTimeout(r, this.phone.latencyMs));
    await this.phone.latency.streamOpened();
    if (this.dead) return;
    if (!handler) {
      this.send(A_CLSE, 0, remoteId);
      return;
    }
    const localId = this.nextId++;
    const stream = new AdbStream(localId, remoteId, service, this);
    this.streams.set(localId, stream);
    this.send(A_OKAY, localId, remoteId);
    try {
      await handler(stream);
    } catch {
      // A service failing closes its stream, like a crashing subprocess.
    }
    await stream.close().catch(() => undefined);
  }
}
