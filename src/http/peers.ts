// The farm's other nodes, over HTTP (issue 22): what needs a phone or a file is answered by the node that
// has it. A request is passed on with the farm's token, once (a passed-on request is never passed on again),
// and its answer comes back as the other node gave it.
import { AppError, Code } from "../errors.ts";
import type { NodeRow } from "../store/schema.ts";

/** Marks a request passed on by another node: it is answered here, whatever this node thinks of the phone. */
export const FORWARDED_HEADER = "x-farm-forwarded-by";

export interface PeersOptions {
  self: string;
  token: string | null;
  nodes: { get(name: string): Promise<NodeRow | undefined> };
  /** Whether `name` is taken as stopped (its heartbeat stood still past the lease). */
  stopped: (name: string) => boolean;
  fetch?: typeof fetch;
  /** How long a node may take to start its answer (ANSWER_WAIT_MS). */
  answerWaitMs?: number;
}

/**
 * How long another node may take to start answering: its slowest honest work is installing fast UI on a phone
 * (up to a minute); past this it is taken as unreachable (50302), not waited for until the client gives up.
 */
export const ANSWER_WAIT_MS = 90_000;

export class Peers {
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly o: PeersOptions) {
    this.fetchImpl = o.fetch ?? fetch;
  }

  /** This node's name. */
  get self(): string {
    return this.o.self;
  }

  /** Whether `request` was passed on by another node (it must be answered here). */
  static forwarded(request: Request): boolean {
    return request.headers.has(FORWARDED_HEADER);
  }

  /**
   * Whether the thing held by `node` is answered by another node: a named node that is not this one, for a
   * request not already passed on.
   */
  elsewhere(node: string | null | undefined, request?: Request): node is string {
    return !!node && node !== this.o.self && !(request && Peers.forwarded(request));
  }

  /**
   * `path` (with its query) on node `name`: its answer, whatever its status. A node that takes the connection
   * but sends no answer's head within the wait (ANSWER_WAIT_MS) is given up; the body, once it comes, streams
   * for as long as it lasts (a library file).
   */
  async fetch(name: string, path: string, init: RequestInit = {}): Promise<Response> {
    const base = await this.urlOf(name);
    const headers = new Headers(init.headers);
    headers.set(FORWARDED_HEADER, this.o.self);
    if (this.o.token) headers.set("authorization", `Bearer ${this.o.token}`);
    const silent = new AbortController();
    const timer = setTimeout(() => silent.abort(), this.o.answerWaitMs ?? ANSWER_WAIT_MS);
    const signal = init.signal ? AbortSignal.any([init.signal, silent.signal]) : silent.signal;
    try {
      return await this.fetchImpl(new URL(path, base), { ...init, headers, signal, redirect: "manual" });
    } catch (e) {
      const why = silent.signal.aborted
        ? `no answer within ${(this.o.answerWaitMs ?? ANSWER_WAIT_MS) / 1000} s`
        : (e as Error).message;
      throw new AppError(Code.nodeUnavailable, `node ${name} (${base}) did not answer: ${why}`, {
        node: name,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Whether `name` is a node of this farm (registered, running or not). */
  async isNode(name: string): Promise<boolean> {
    return (await this.o.nodes.get(name)) !== undefined;
  }

  /**
   * Passes `request` on to node `name` as it came (method, path, query, body); its answer as given. `body`
   * stands for a body this node has already read (a route's parsed JSON), sent again as JSON.
   */
  async forward(name: string, request: Request, body?: unknown): Promise<Response> {
    const url = new URL(request.url);
    const headers = new Headers();
    for (const h of ["content-type", "accept", "x-farm-source"]) {
      const v = request.headers.get(h);
      if (v !== null) headers.set(h, v);
    }
    const read = body !== undefined && body !== null;
    if (read) headers.set("content-type", "application/json");
    const hasBody = !read && request.method !== "GET" && request.method !== "HEAD" && request.body !== null;
    const answer = await this.fetch(name, url.pathname + url.search, {
      method: request.method,
      headers,
      body: read ? JSON.stringify(body) : hasBody ? request.body : undefined,
      signal: request.signal,
      ...(hasBody ? { duplex: "half" } : {}),
    } as RequestInit);
    // the body streams through; hop-by-hop and length headers are the server's to set again
    const out = new Headers(answer.headers);
    for (const h of ["content-length", "content-encoding", "transfer-encoding", "connection"]) out.delete(h);
    return new Response(answer.body, { status: answer.status, headers: out });
  }

  private async urlOf(name: string): Promise<string> {
    const row = await this.o.nodes.get(name);
    if (!row) throw new AppError(Code.nodeUnavailable, `node ${name} is not on this farm`, { node: name });
    if (this.o.stopped(name))
      throw new AppError(
        Code.nodeUnavailable,
        `node ${name} has stopped (last heartbeat ${new Date(row.heartbeatAt).toISOString()}): ` +
          "what needs its phones or files waits until it is back",
        { node: name },
      );
    if (!row.url)
      throw new AppError(
        Code.nodeUnavailable,
        `node ${name} listens on its own PC only: start it with --host 0.0.0.0 --token (or --node-url) ` +
          "so that the farm's other PCs reach it",
        { node: name },
      );
    return row.url;
  }
}

/**
 * A route's `beforeHandle`: the answer of the node that holds what `request` asks for (`holder`, read only
 * when it can matter) when that is another node and the request was not passed on already; nothing when it
 * is answered here (one PC on SQLite has no peers), and the route's handler runs.
 */
export async function fromHolder(
  peers: Peers | null,
  request: Request,
  holder: () => Promise<string | null | undefined>,
  body?: unknown,
): Promise<void> {
  if (!peers || Peers.forwarded(request)) return;
  const node = await holder();
  if (!peers.elsewhere(node)) return;
  // a hook is typed to answer its route's schema; a Response (the holder's, checked there) passes untouched
  return (await peers.forward(node, request, body)) as never;
}

/**
 * The node a request's `node` parameter names, to pass the request on to: null when none is named or it is
 * this node. 40001 for a name that is no node of the farm (or any name on SQLite's one PC).
 */
export async function nodeAsked(peers: Peers | null, name: string | undefined): Promise<string | null> {
  if (name === undefined || name === peers?.self) return null;
  const why = !peers
    ? "this service is one PC on its own (no --database): it has no other node"
    : (await peers.isNode(name))
      ? null
      : "no node of this farm has that name (see GET /health)";
  if (why === null) return name;
  const message = `unknown node "${name}": ${why}`;
  throw AppError.invalid(`node: ${message}`, [{ path: "/query/node", message }]);
}

/** How a route that needs a phone (or a file) another PC has says so in its docs: `holder` says which PC. */
export const answeredBy = (holder = "holds the phone (unless the PC asked has it online too)") =>
  `On a farm of several PCs (\`--database\`) it is answered by the PC that ${holder}, passed on over the ` +
  "LAN with the farm's token; 50302 naming that PC when it has stopped or cannot be reached.";
