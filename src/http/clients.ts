// What each client address may hold open. Bun shows requests, not connections, so a client's hold is counted
// as its requests being answered plus its open event streams, per `server.requestIP` address. An idle
// keep-alive connection is closed after the idle timeout (--idle-timeout), and one that never finishes its
// request after about 10 s (Bun's own timer): neither is exempt, so neither can pile up for long.
import { AppError, Code } from "../errors.ts";
import { errorResponse } from "./envelope.ts";

/** Which cap refused a slot: the client's own, or the one of all clients together. */
export type FullCap = "client" | "all";

/** A cap on how many of something each client address, and all of them together, may hold at once. */
export class Slots {
  private readonly held = new Map<string, number>();
  private total = 0;

  constructor(
    readonly perClient: number,
    readonly inAll = Number.POSITIVE_INFINITY,
  ) {}

  /** Takes a slot for `client`: its release (safe to call more than once), or the cap that is full. */
  take(client: string): (() => void) | FullCap {
    const mine = this.held.get(client) ?? 0;
    if (mine >= this.perClient) return "client";
    if (this.total >= this.inAll) return "all";
    this.held.set(client, mine + 1);
    this.total++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.held.get(client) ?? 1) - 1;
      if (left === 0) this.held.delete(client);
      else this.held.set(client, left);
    };
  }
}

/** The answer to a refused client, which also closes its connection: a refused client keeps nothing open. */
export function refusal(e: AppError): Response {
  const res = errorResponse(e);
  res.headers.set("connection", "close");
  return res;
}

/** The client of a request, as the server saw it. */
export interface Peer {
  readonly address: string;
  /**
   * Keeps the request's connection open and counted after its answer has begun (an event stream, quiet for
   * long stretches): no idle timeout until the returned function is called.
   */
  keepOpen(): () => void;
}

const peers = new WeakMap<Request, Peer>();

// requests that did not come through Bun.serve (app.handle in tests) share one address and are not counted
const UNCOUNTED: Peer = { address: "local", keepOpen: () => () => {} };

/** The client of a request `Connections.admit` let in. */
export function peerOf(request: Request): Peer {
  return peers.get(request) ?? UNCOUNTED;
}

/** The part of Bun's server this needs. */
export interface ServerSide {
  requestIP(request: Request): { address: string } | null;
  timeout(request: Request, seconds: number): void;
}

/** "::ffff:127.0.0.1" and "127.0.0.1" are one client. */
function clientAddress(server: ServerSide, request: Request): string {
  const address = server.requestIP(request)?.address ?? "unknown";
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}

/** Counts each client's open requests for Bun.serve, and refuses one past --max-connections-per-client. */
export class Connections {
  private readonly slots: Slots;

  constructor(
    perClient: number,
    private readonly idleTimeoutS: number,
  ) {
    this.slots = new Slots(perClient);
  }

  /** Lets a request in: the function to call once it is answered, or the refusal to send instead. */
  admit(request: Request, server: ServerSide): (() => void) | Response {
    const address = clientAddress(server, request);
    const release = this.slots.take(address);
    if (typeof release === "string") {
      return refusal(
        new AppError(
          Code.tooManyConnections,
          `too many connections from ${address}: it has ${this.slots.perClient} requests or event streams ` +
            "open (--max-connections-per-client); close some and try again",
        ),
      );
    }
    let kept = false;
    peers.set(request, {
      address,
      keepOpen: () => {
        kept = true;
        server.timeout(request, 0);
        return () => {
          release();
          server.timeout(request, this.idleTimeoutS);
        };
      },
    });
    return () => {
      if (!kept) release();
    };
  }
}
