// The farm's other nodes, watched from this one (PostgreSQL: many PCs). A node's leases live as long as its
// heartbeat (every 10 s): one whose heartbeat has not moved for LEASE_MS, as this node's clock measures it
// (the PCs' clocks need not agree), has stopped. Its running tasks fail "interrupted: node NAME stopped",
// for good like a crash's, and its phones' leases go back, so a phone this node also sees runs here now.
// The phones it held (devices.node) are shown offline with why, except those this node sees, which are this
// node's now. Its pending tasks stay: a phone only it sees waits for it to come back.
import type { Logger } from "../log.ts";
import type { LeaseStore } from "../store/leases.ts";
import type { NodeStore } from "../store/nodes.ts";
import type { Clock } from "./clock.ts";
import type { TaskLifecycle } from "./lifecycle.ts";

/** How long a node's heartbeat may stand still before the other nodes take it as stopped: three beats. */
export const LEASE_MS = 30_000;

export interface NodeWatchOptions {
  /** This node's name (never judged by itself). */
  self: string;
  nodes: Pick<NodeStore, "list">;
  leases: Pick<LeaseStore, "holders">;
  lifecycle: Pick<TaskLifecycle, "nodeStopped">;
  clock: Clock;
  log: Logger;
  /**
   * Node `name` stopped: the phones it held are shown offline with `hint` (those this node sees excepted);
   * returns the serials shown offline.
   */
  phonesStopped?: (name: string, hint: string) => Promise<string[]>;
  /**
   * The longest this node's looks may be apart: a longer gap (the database did not answer, so neither this
   * node nor the others could beat) is time nobody watched, and every heartbeat is judged afresh from now.
   */
  blindAfterMs?: number;
}

export class NodeWatch {
  /** Each other node's last heartbeat seen, and since when (this node's clock) it has not moved. */
  private readonly seen = new Map<string, { beat: number; since: number }>();
  /** The nodes taken as stopped (until their heartbeat moves again). */
  private readonly gone = new Set<string>();
  /** The phones each stopped node ran when it stopped, by serial. */
  private readonly phones = new Map<string, string>();
  /** When this node last looked (its clock). */
  private lastLook: number | null = null;

  constructor(private readonly o: NodeWatchOptions) {}

  /** The nodes taken as stopped now. */
  stopped(): ReadonlySet<string> {
    return this.gone;
  }

  /** Whether node `name` is taken as stopped. */
  isStopped(name: string): boolean {
    return this.gone.has(name);
  }

  /** The stopped node that held `serial` when it stopped, if one did. */
  stoppedNode(serial: string): string | undefined {
    return this.phones.get(serial);
  }

  /**
   * Looks at the other nodes' heartbeats once; a node newly found stopped loses its running tasks and its
   * leases. Returns the nodes found stopped by this look.
   */
  async check(): Promise<string[]> {
    const now = this.o.clock.now();
    const found: string[] = [];
    const list = await this.o.nodes.list();
    const blind = this.o.blindAfterMs;
    if (blind !== undefined && this.lastLook !== null && now - this.lastLook > blind) {
      // after an outage of the database, a heartbeat that could not be saved is no sign of a stopped node
      for (const seen of this.seen.values()) seen.since = now;
    }
    this.lastLook = now;
    for (const node of list) {
      const { name } = node;
      if (name === this.o.self) continue;
      const seen = this.seen.get(name);
      if (!seen || seen.beat !== node.heartbeatAt) {
        this.seen.set(name, { beat: node.heartbeatAt, since: now });
        if (this.gone.delete(name)) this.back(name);
        continue;
      }
      if (this.gone.has(name) || now - seen.since < LEASE_MS) continue;
      const leased = [...(await this.o.leases.holders())].filter(([, holder]) => holder === name);
      for (const [serial] of leased) this.phones.set(serial, name);
      const ids = await this.o.lifecycle.nodeStopped(name);
      const offline =
        (await this.o.phonesStopped?.(
          name,
          `node ${name}, which ran it, stopped: it is back when ${name} is`,
        )) ?? [];
      for (const serial of offline) this.phones.set(serial, name);
      this.gone.add(name);
      found.push(name);
      this.o.log.warn(
        `node ${name} stopped (no heartbeat for ${LEASE_MS / 1000} s): ` +
          `${ids.length} running task(s) failed interrupted, its phones' leases released`,
      );
    }
    return found;
  }

  private back(name: string): void {
    this.o.log.info(`node ${name} is back`);
    for (const [serial, holder] of this.phones) if (holder === name) this.phones.delete(serial);
  }
}
