// A node is taken as stopped once its heartbeat has stood still for the lease, by the watcher's own clock
// (the nodes' clocks need not agree): once, until its heartbeat moves again.
import { expect, test } from "bun:test";
import { silentLogger } from "../../src/log.ts";
import type { NodeRow } from "../../src/store/schema.ts";
import { ManualClock } from "../../src/tasks/clock.ts";
import { LEASE_MS, NodeWatch } from "../../src/tasks/node-watch.ts";

test("a heartbeat that stands still for the lease stops its node once; a moving one never", async () => {
  // the other nodes' clocks are hours off this one's: only whether their beat moves counts
  const beats = new Map([
    ["pc-a", 5],
    ["pc-b", 7],
    ["me", 1],
  ]);
  const nodes = {
    list: async (): Promise<NodeRow[]> =>
      [...beats].map(([name, heartbeatAt]) => ({ name, heartbeatAt, version: "1", startedAt: 0, url: null })),
  };
  const stopped: string[] = [];
  const shownOffline: string[] = [];
  const clock = new ManualClock(1_000_000_000);
  const watch = new NodeWatch({
    self: "me",
    nodes,
    leases: {
      holders: async () =>
        new Map([
          ["P1", "pc-a"],
          ["P2", "pc-b"],
        ]),
    },
    lifecycle: {
      nodeStopped: async (name) => {
        stopped.push(name);
        return [1];
      },
    },
    // the phones it held (devices.node), not only those it ran: P3 sat idle on it
    phonesStopped: async (name, hint) => {
      shownOffline.push(`${name}: ${hint}`);
      return ["P3"];
    },
    clock,
    log: silentLogger,
  });
  const look = async (ms: number) => {
    clock.advance(ms);
    beats.set("pc-b", (beats.get("pc-b") ?? 0) + 1);
    return watch.check();
  };
  expect(await look(0)).toEqual([]);
  expect(await look(LEASE_MS - 1)).toEqual([]);
  expect(await look(1)).toEqual(["pc-a"]);
  expect(await look(10_000)).toEqual([]);
  expect(stopped).toEqual(["pc-a"]);
  expect([...watch.stopped()]).toEqual(["pc-a"]);
  // the phones it ran when it stopped wait for it
  expect(watch.stoppedNode("P1")).toBe("pc-a");
  expect(watch.stoppedNode("P3")).toBe("pc-a");
  expect(watch.stoppedNode("P2")).toBeUndefined();
  expect(shownOffline).toEqual(["pc-a: node pc-a, which ran it, stopped: it is back when pc-a is"]);
  // it comes back: no longer stopped, and judged afresh
  beats.set("pc-a", 6);
  expect(await look(10_000)).toEqual([]);
  expect([...watch.stopped()]).toEqual([]);
  expect(watch.stoppedNode("P1")).toBeUndefined();
  expect(watch.stoppedNode("P3")).toBeUndefined();
  expect(await look(LEASE_MS)).toEqual(["pc-a"]);
  expect(stopped).toEqual(["pc-a", "pc-a"]);
});

test("after the database was gone longer than the lease, heartbeats are judged afresh, not taken as stopped", async () => {
  const beats = new Map([
    ["pc-a", 5],
    ["me", 1],
  ]);
  const stopped: string[] = [];
  const clock = new ManualClock(1_000_000_000);
  const watch = new NodeWatch({
    self: "me",
    nodes: {
      list: async (): Promise<NodeRow[]> =>
        [...beats].map(([name, heartbeatAt]) => ({
          name,
          heartbeatAt,
          version: "1",
          startedAt: 0,
          url: null,
        })),
    },
    leases: { holders: async () => new Map() },
    lifecycle: {
      nodeStopped: async (name) => {
        stopped.push(name);
        return [];
      },
    },
    clock,
    log: silentLogger,
    blindAfterMs: 25_000,
  });
  expect(await watch.check()).toEqual([]);
  // 45 s without a look (no database): pc-a could not beat either; back, this node looks before pc-a beats
  clock.advance(45_000);
  expect(await watch.check()).toEqual([]);
  // pc-a really is gone: a lease of stillness from the look after the outage
  clock.advance(10_000);
  expect(await watch.check()).toEqual([]);
  clock.advance(LEASE_MS - 10_000);
  expect(await watch.check()).toEqual(["pc-a"]);
  expect(stopped).toEqual(["pc-a"]);
});
