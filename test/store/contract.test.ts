// The store's contract, held on both databases: the same tests on SQLite (farm.db) and on a private
// PostgreSQL (`--database`), so the service behaves the same whichever it runs on. Without Debian's
// `postgresql` the PostgreSQL half fails (CI installs it); FARM_TEST_SKIP_PG=1 skips it on a developer's PC.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TaskStatus } from "../../src/domain.ts";
import { AccountStore } from "../../src/store/accounts.ts";
import { type AnyDb, closeStore, openDb, openPostgres } from "../../src/store/db.ts";
import { DeviceStore } from "../../src/store/devices.ts";
import { LeaseStore } from "../../src/store/leases.ts";
import { MaterialStore } from "../../src/store/materials.ts";
import { MetaStore } from "../../src/store/meta.ts";
import { NodeStore } from "../../src/store/nodes.ts";
import { openSecretBox, SecretBox } from "../../src/store/secret-box.ts";
import { type NewTask, TaskStore } from "../../src/store/tasks.ts";
import { type PrivatePostgres, skipPostgres, startPostgres } from "../helpers/postgres.ts";

const work = mkdtempSync(join(tmpdir(), "farm-contract-"));
let pg: PrivatePostgres | undefined;
let n = 0;

beforeAll(async () => {
  if (!skipPostgres) pg = await startPostgres();
});
afterAll(() => {
  pg?.stop();
  rmSync(work, { recursive: true, force: true });
});

const kinds = [
  { name: "SQLite", open: async (): Promise<AnyDb> => openDb(join(work, `farm-${++n}.db`)) },
  ...(skipPostgres
    ? []
    : [
        {
          name: "PostgreSQL",
          open: async (): Promise<AnyDb> => openPostgres(await (pg as PrivatePostgres).database()),
        },
      ]),
];

const task = (over: Partial<NewTask> = {}): NewTask => ({
  serial: "PHONE1",
  username: null,
  accountId: null,
  platform: "tiktok",
  scriptName: "follow",
  scriptConfig: JSON.stringify({ target_users: ["x"], api_key: "sk-secret-value-1234" }),
  source: "api",
  startTime: null,
  scheduledAt: null,
  ...over,
});

describe.each(kinds)("$name", ({ open }) => {
  /** A fresh database for one test, closed after it. */
  async function withDb<T>(use: (db: AnyDb, box: SecretBox) => Promise<T>): Promise<T> {
    const db = await open();
    try {
      return await use(db, new SecretBox(randomBytes(32)));
    } finally {
      await closeStore(db);
    }
  }

  test("tasks: created all at once in order, read back with their config opened, listed newest first", () =>
    withDb(async (db, box) => {
      const tasks = new TaskStore(db, box);
      const ids = await tasks.create([task(), task({ serial: "PHONE2", source: "ui" }), task()], 1000);
      expect(ids).toHaveLength(3);
      expect(ids[1] as number).toBeGreaterThan(ids[0] as number);
      const first = await tasks.get(ids[0] as number);
      expect(first).toMatchObject({
        serial: "PHONE1",
        status: TaskStatus.pending,
        createdAt: 1000,
        result: null,
      });
      expect(JSON.parse(first?.scriptConfig ?? "{}").api_key).toBe("sk-secret-value-1234");
      expect(await tasks.get(999_999)).toBeUndefined();
      const page = await tasks.list({}, 1, 2);
      expect(page.total).toBe(3);
      expect(page.rows.map((r) => r.id)).toEqual([ids[2] as number, ids[1] as number]);
      expect((await tasks.list({ serial: "PHONE2" }, 1, 10)).total).toBe(1);
      expect((await tasks.list({ source: "ui" }, 1, 10)).total).toBe(1);
      expect((await tasks.list({ status: TaskStatus.pending, source: "api" }, 1, 10)).total).toBe(2);
      expect(await tasks.stats()).toEqual({ total: 3, pending: 3, running: 0, completed: 0, failed: 0 });
    }));

  test("tasks: each transition checks the status it starts from; the kept counts follow", () =>
    withDb(async (db, box) => {
      const tasks = new TaskStore(db, box);
      const [a, b] = (await tasks.create([task(), task()], 1)) as [number, number];
      expect(await tasks.markCompleted(a)).toBe(false);
      expect(await tasks.markRunning(a, 2)).toBe(true);
      expect(await tasks.markRunning(a, 3)).toBe(false);
      expect(await tasks.setAccount(a, "@alice", 7)).toBe(true);
      expect(await tasks.markCompleted(a, 4)).toBe(true);
      expect(await tasks.markFailed(a, "late", "permanent", "error")).toBe(false);
      expect(await tasks.markFailed(b, "gone", "retryable", "offline", 5)).toBe(true);
      expect(await tasks.get(a)).toMatchObject({ status: TaskStatus.completed, startedAt: 2, finishedAt: 4 });
      expect(await tasks.get(b)).toMatchObject({ status: TaskStatus.failed, errorClass: "retryable" });
      expect(await tasks.stats()).toEqual({ total: 2, pending: 0, running: 0, completed: 1, failed: 1 });
      expect(await tasks.retry(b, 6, 60_000)).toBe(true);
      expect(await tasks.get(b)).toMatchObject({
        status: TaskStatus.pending,
        retryCount: 1,
        scheduledAt: 60_000,
      });
      expect((await tasks.list({ status: TaskStatus.pending, source: "api" }, 1, 1)).total).toBe(1);
      expect(await tasks.delete([a, b, 12345])).toEqual(expect.arrayContaining([a, b]));
      expect(await tasks.stats()).toEqual({ total: 0, pending: 0, running: 0, completed: 0, failed: 0 });
    }));

  test("tasks: the queue is first due first per phone; the next due time; what runs where", () =>
    withDb(async (db, box) => {
      const tasks = new TaskStore(db, box);
      const [later, now1, now2, other] = (await tasks.create(
        [task({ scheduledAt: 5000 }), task(), task(), task({ serial: "PHONE2", scheduledAt: 9000 })],
        1,
      )) as [number, number, number, number];
      expect((await tasks.headFor("PHONE1", 100))?.id).toBe(now1);
      expect((await tasks.headFor("PHONE1", 6000))?.id).toBe(now1);
      expect(await tasks.headFor("PHONE2", 100)).toBeUndefined();
      expect(await tasks.nextDueAfter(100)).toBe(5000);
      expect(await tasks.nextDueAfter(6000)).toBe(9000);
      await tasks.markRunning(now1);
      expect((await tasks.headFor("PHONE1", 100))?.id).toBe(now2);
      const load = await tasks.loadByDevice();
      expect(load.get("PHONE1")).toEqual({ running: now1, queued: 2 });
      expect(load.get("PHONE2")).toEqual({ running: null, queued: 1 });
      expect((await tasks.loadByDevice("PHONE2")).size).toBe(1);
      expect([later, other]).toHaveLength(2);
    }));

  test("tasks: log lines in order, none for a deleted task; logs go with their task", () =>
    withDb(async (db, box) => {
      const tasks = new TaskStore(db, box);
      const [id] = (await tasks.create([task()])) as [number];
      await tasks.addLog(id, "info", "one", undefined, 10);
      await tasks.addLog(id, "warn", "two", 250, 11);
      expect((await tasks.logs(id)).map((l) => [l.level, l.message, l.durationMs, l.at])).toEqual([
        ["info", "one", null, 10],
        ["warn", "two", 250, 11],
      ]);
      await tasks.delete([id]);
      await tasks.addLog(id, "info", "after", undefined, 12);
      expect(await tasks.logs(id)).toEqual([]);
    }));

  test("tasks: a post's record, the point of no return, posts cut off after Post was tapped, retries", () =>
    withDb(async (db, box) => {
      const tasks = new TaskStore(db, box);
      const [a, b, c] = (await tasks.create([task(), task(), task()])) as [number, number, number];
      for (const id of [a, b, c]) await tasks.markRunning(id);
      const record = {
        outcome: "tapped" as const,
        message: "Post was tapped",
        caption: "hi",
        title: "",
        story: false,
        files: ["/v.mp4"],
        proof: null,
      };
      expect(await tasks.setIrreversible(a, "Post was tapped")).toBe(true);
      expect(await tasks.setResult(a, record)).toBe(true);
      expect((await tasks.get(a))?.result).toEqual(record);
      await tasks.markFailed(c, "timed out", "retryable", "timeout");
      expect(await tasks.failAllRunning("interrupted")).toEqual(expect.arrayContaining([a, b]));
      expect(await tasks.hasUnprovenPosts()).toBe(true);
      expect((await tasks.unprovenPosts("PHONE1")).map((t) => t.id)).toEqual([a]);
      expect(await tasks.retrySkipOf(a)).toBe("post_tapped");
      expect(await tasks.retrySkipOf(c)).toBeNull();
      const all = await tasks.retryAll(100);
      expect(all.ids).toEqual([c]);
      expect(all.skipped).toEqual({ post_tapped: 1, stopped_by_user: 0, permanent: 1 });
      expect(await tasks.markVerified(a, { ...record, outcome: "verified_after_restart" })).toBe(true);
      expect(await tasks.hasUnprovenPosts()).toBe(false);
      expect((await tasks.retryAll(200, true)).ids).toEqual([b]);
    }));

  test("accounts: unique per platform whatever the case, found by name, filtered by tag, seen on phones", () =>
    withDb(async (db, box) => {
      const accounts = new AccountStore(db, box);
      const devices = new DeviceStore(db);
      await devices.upsert({ ...phone("PHONE1"), state: "online" });
      const base = { platform: "tiktok" as const, email: null, packagename: null, device: "PHONE1" };
      const alice = await accounts.create(
        { ...base, username: "Alice", password: "pw-1", tags: '["cats"]' },
        5,
      );
      await expect(accounts.create({ ...base, username: "alice", password: null })).rejects.toThrow();
      expect((await accounts.findByUsernames(["ALICE"])).map((a) => a.id)).toEqual([alice]);
      const got = await accounts.get(alice);
      expect(got).toMatchObject({ username: "Alice", deviceState: "online", logined: 1, createdAt: 5 });
      expect(got?.password).not.toBe("pw-1");
      expect(box.open(got?.password ?? "")).toBe("pw-1");
      expect((await accounts.list({ tag: "cats" }, 1, 10)).total).toBe(1);
      expect((await accounts.list({ tag: "dogs" }, 1, 10)).total).toBe(0);
      const seen = await accounts.recordSeen(
        {
          serial: "PHONE2",
          platform: "tiktok",
          packagename: "p",
          usernames: ["alice", "bo"],
          complete: true,
          inUse: "bo",
        },
        50,
      );
      expect(seen.added).toEqual(["bo"]);
      expect(seen.moved).toEqual([{ username: "Alice", from: "PHONE1" }]);
      expect(await accounts.inUseOn("PHONE2", "tiktok")).toEqual({ username: "bo", at: 50 });
      const again = await accounts.recordSeen(
        { serial: "PHONE2", platform: "tiktok", packagename: "p", usernames: ["bo"], complete: true },
        60,
      );
      expect(again.loggedOut).toEqual(["Alice"]);
      expect((await accounts.loggedInOn("PHONE2", "tiktok")).map((a) => a.username)).toEqual(["bo"]);
      expect(await accounts.update(alice, { status: 0 })).toBe(true);
      expect(await accounts.delete(alice)).toBe(true);
      expect(await accounts.delete(alice)).toBe(false);
    }));

  test("devices and meta: upserted, listed, unknown ones named, demo phones forgotten, all offline at start", () =>
    withDb(async (db) => {
      const devices = new DeviceStore(db);
      await devices.upsert({ ...phone("B"), state: "online", ephemeral: true });
      await devices.upsert({ ...phone("A"), state: "online", firstSeen: 1 });
      await devices.upsert({ ...phone("A"), state: "unauthorized", hint: "allow it" });
      expect(await devices.get("A")).toMatchObject({
        state: "unauthorized",
        hint: "allow it",
        firstSeen: 1,
        ephemeral: false,
      });
      expect(await devices.unknown(["A", "C"])).toEqual(["C"]);
      await devices.markAllOffline();
      expect(devices.stateOf("A")?.state).toBe("offline");
      await devices.deleteEphemeral();
      expect((await devices.list()).map((d) => [d.serial, d.state])).toEqual([["A", "offline"]]);
      const meta = new MetaStore(db);
      expect(await meta.get("k")).toBeUndefined();
      await meta.set("k", "1");
      await meta.set("k", "2");
      expect(await meta.get("k")).toBe("2");
    }));

  test("devices: the last node to see a phone online holds it; another's loss of it does not show it offline", () =>
    withDb(async (db) => {
      const a = new DeviceStore(db, "pc-a");
      const b = new DeviceStore(db, "pc-b");
      await a.upsert({ ...phone("SHARED"), state: "online" });
      expect(await a.get("SHARED")).toMatchObject({ state: "online", node: "pc-a" });
      await b.upsert({ ...phone("SHARED"), state: "online", battery: 50 });
      expect(await a.get("SHARED")).toMatchObject({ state: "online", node: "pc-b", battery: 50 });
      // pc-a loses it: pc-b still has it online, and pc-a's view of it says so
      await a.upsert({ ...phone("SHARED"), state: "offline", hint: "unplugged" });
      expect(await a.get("SHARED")).toMatchObject({ state: "online", node: "pc-b", hint: null, battery: 50 });
      expect(a.stateOf("SHARED")).toEqual({ state: "online", transport: "usb", hint: null, node: "pc-b" });
      // its holder's loss counts; then anyone's report does, the row being online nowhere
      await b.upsert({ ...phone("SHARED"), state: "unauthorized", hint: "allow it" });
      expect(await a.get("SHARED")).toMatchObject({ state: "unauthorized", node: "pc-b" });
      await a.upsert({ ...phone("SHARED"), state: "offline" });
      expect(await a.get("SHARED")).toMatchObject({ state: "offline", node: "pc-a" });
      // a row of before the farm had nodes is the reporting PC's
      await new DeviceStore(db).upsert({ ...phone("OLD"), state: "online" });
      expect(await a.get("OLD")).toMatchObject({ state: "online", node: null });
      await a.upsert({ ...phone("OLD"), state: "offline" });
      expect(await a.get("OLD")).toMatchObject({ state: "offline", node: "pc-a" });
      // the other node's cached view follows once it reads the rows again
      expect(b.stateOf("OLD")).toBeUndefined();
      await b.refreshStates();
      expect(b.stateOf("OLD")).toEqual({ state: "offline", transport: "usb", hint: null, node: "pc-a" });
      expect(b.holds({ node: "pc-b" }) && b.holds({ node: null }) && !b.holds({ node: "pc-a" })).toBe(true);
      // what a node holds online, as last read; gone from its fleet, shown offline unless another took it
      await b.upsert({ ...phone("B1"), state: "online" });
      await a.upsert({ ...phone("A1"), state: "online" });
      await b.refreshStates();
      expect(b.heldOnline()).toEqual(["B1"]);
      await b.markGone(["B1", "A1"]);
      expect(await a.get("B1")).toMatchObject({ state: "offline", node: "pc-b" });
      expect(await a.get("A1")).toMatchObject({ state: "online", node: "pc-a" });
      expect(b.heldOnline()).toEqual([]);
    }));

  test("devices: at start a node marks offline and forgets only its own phones; a stopped node's go offline", () =>
    withDb(async (db) => {
      const a = new DeviceStore(db, "pc-a");
      const b = new DeviceStore(db, "pc-b");
      await a.upsert({ ...phone("A1"), state: "online" });
      await a.upsert({ ...phone("A-DEMO"), state: "online", ephemeral: true });
      await b.upsert({ ...phone("B1"), state: "online" });
      await b.upsert({ ...phone("B2"), state: "online" });
      await b.upsert({ ...phone("B-DEMO"), state: "online", ephemeral: true });
      await new DeviceStore(db).upsert({ ...phone("OLD"), state: "online" });
      const states = async () =>
        Object.fromEntries((await a.list()).map((d) => [d.serial, `${d.state}@${d.node}`]));
      await b.markAllOffline();
      await b.deleteEphemeral();
      expect(await states()).toEqual({
        A1: "online@pc-a",
        "A-DEMO": "online@pc-a",
        B1: "offline@pc-b",
        B2: "offline@pc-b",
        OLD: "offline@null",
      });
      // a node does not forget a phone another node has online
      await b.delete("A1");
      expect(await a.get("A1")).toBeDefined();
      await b.upsert({ ...phone("B1"), state: "online" });
      await b.upsert({ ...phone("B2"), state: "online" });
      // pc-b stopped: pc-a sees B2 too and takes it; B1 is offline with why, and so is B2 only for pc-b
      const hint = "node pc-b, which ran it, stopped: it is back when pc-b is";
      expect(await a.nodeStopped("pc-b", hint, ["B2", "A1"])).toEqual(["B1"]);
      expect(await a.get("B1")).toMatchObject({ state: "offline", node: "pc-b", hint });
      expect(await a.get("B2")).toMatchObject({ state: "online", node: "pc-a" });
      expect(a.stateOf("B1")).toMatchObject({ state: "offline", hint });
      expect(await a.nodeStopped("pc-b", hint, [])).toEqual(["B1"]);
      // one PC (SQLite): every row is its own, whatever name it was written under
      await a.markAllOffline(true);
      expect(await states()).toEqual({
        A1: "offline@pc-a",
        "A-DEMO": "offline@pc-a",
        B1: "offline@pc-a",
        B2: "offline@pc-a",
        OLD: "offline@pc-a",
      });
      await a.deleteEphemeral();
      expect((await a.list()).map((d) => d.serial)).toEqual(["A1", "B1", "B2", "OLD"]);
    }));

  test("tasks: the node that started a task's latest run is kept; the runs on other nodes", () =>
    withDb(async (db, box) => {
      const tasks = new TaskStore(db, box);
      const leases = new LeaseStore(db, box);
      const [a, b, c] = (await tasks.create(
        [task(), task({ serial: "PHONE2" }), task({ serial: "P3" })],
        1,
      )) as [number, number, number];
      expect((await tasks.get(a))?.node).toBeNull();
      expect(await tasks.markRunning(a, 2, "pc-a")).toBe(true);
      expect(await leases.claim("pc-b", "PHONE2", 3, 9)).toMatchObject({ id: b, node: "pc-b" });
      expect((await tasks.get(a))?.node).toBe("pc-a");
      expect(await tasks.runningElsewhere("pc-a")).toEqual([{ id: b, serial: "PHONE2" }]);
      expect(await tasks.runningElsewhere("pc-b")).toEqual([{ id: a, serial: "PHONE1" }]);
      // it says where the run was after it ends, and after a retry until the next run
      await tasks.markFailed(b, "x", "retryable", "offline", 4);
      expect(await tasks.get(b)).toMatchObject({ status: TaskStatus.failed, node: "pc-b" });
      await tasks.retry(b, 5);
      expect(await tasks.get(b)).toMatchObject({ status: TaskStatus.pending, node: "pc-b" });
      await leases.release("pc-b", "PHONE2");
      expect((await leases.claim("pc-a", "PHONE2", 6, 9))?.node).toBe("pc-a");
      expect(await tasks.runningElsewhere("pc-a")).toEqual([]);
      expect((await tasks.get(c))?.node).toBeNull();
    }));

  test("materials: listed by tag and use, who posted what (possibly or for sure), caption rotation", () =>
    withDb(async (db) => {
      const materials = new MaterialStore(db);
      const file = { kind: "video", format: "mp4", size: 5_000_000_000, uploaded: 0 };
      const a = await materials.create({ ...file, path: "/a.mp4", name: "a.mp4", tags: '["Cats"]' }, 10);
      await materials.create({ ...file, path: "/b.mp4", name: "b.mp4", tags: "[]" }, 11);
      expect(a).toMatchObject({ path: "/a.mp4", size: 5_000_000_000, createdAt: 10 });
      await expect(
        materials.create({ ...file, path: "/a.mp4", name: "again", tags: "[]" }),
      ).rejects.toThrow();
      expect((await materials.list({ tag: "cats" }, 1, 10)).rows.map((m) => m.name)).toEqual(["a.mp4"]);
      expect((await materials.withTags("video", ["CATS", "dogs"])).map((m) => m.name)).toEqual(["a.mp4"]);
      const bob = { username: "bob", serial: "PHONE1" };
      await materials.recordUses(["/a.mp4"], bob, 7, 100, false);
      expect((await materials.list({ used: 1 }, 1, 10)).total).toBe(1);
      expect((await materials.list({ used: 0 }, 1, 10)).rows.map((m) => m.name)).toEqual(["b.mp4"]);
      expect(await materials.usedBy(["/a.mp4", "/b.mp4"], { username: "BOB", serial: "X" })).toEqual(
        new Map([["/a.mp4", false]]),
      );
      await materials.confirmUses(7, ["/a.mp4"]);
      expect((await materials.usedBy(["/a.mp4"], bob)).get("/a.mp4")).toBe(true);
      await materials.recordUses(["/b.mp4"], { username: null, serial: "PHONE1" }, 8, 101, false);
      await materials.dropPossibleUses(8, ["/b.mp4"]);
      expect((await materials.usesOf(["/a.mp4", "/b.mp4"])).get("/b.mp4")).toBeUndefined();
      expect([await materials.takeRotation("k"), await materials.takeRotation("k")]).toEqual([0, 1]);
      expect((await materials.delete(a.id))?.path).toBe("/a.mp4");
      expect(await materials.get(a.id)).toBeUndefined();
    }));

  test("nodes: registered under their name, again after a restart; heartbeats keep them alive", () =>
    withDb(async (db) => {
      const nodes = new NodeStore(db);
      await nodes.register("pc-1", "0.1.0", 1000);
      await nodes.register("pc-2", "0.1.0", 1500);
      expect(await nodes.heartbeat("pc-1", 2000)).toBe(true);
      expect(await nodes.heartbeat("pc-9", 2000)).toBe(false);
      await nodes.register("pc-2", "0.2.0", 3000);
      expect((await nodes.list()).map((n) => [n.name, n.version, n.startedAt, n.heartbeatAt])).toEqual([
        ["pc-1", "0.1.0", 1000, 2000],
        ["pc-2", "0.2.0", 3000, 3000],
      ]);
    }));

  test("phone leases: a claim starts the phone's first due task; one task per phone; the farm's limit", () =>
    withDb(async (db, box) => {
      const tasks = new TaskStore(db, box);
      const leases = new LeaseStore(db, box);
      const [later, first, second] = (await tasks.create([
        task({ scheduledAt: 50 }),
        task(),
        task(),
        task({ serial: "PHONE2" }),
      ])) as [number, number, number, number];
      const claimed = await leases.claim("pc-1", "PHONE1", 100, 2);
      expect(claimed).toMatchObject({ id: first, status: TaskStatus.running, startedAt: 100 });
      expect(JSON.parse(claimed?.scriptConfig ?? "{}").api_key).toBe("sk-secret-value-1234");
      // the phone runs a task: no second claim, from this node or another
      expect(await leases.claim("pc-1", "PHONE1", 100, 2)).toBeUndefined();
      expect(await leases.claim("pc-2", "PHONE1", 100, 2)).toBeUndefined();
      // the farm's limit of 1: PHONE2 waits
      expect(await leases.claim("pc-2", "PHONE2", 100, 1)).toBeUndefined();
      expect(await leases.holders()).toEqual(new Map([["PHONE1", "pc-1"]]));
      expect(await leases.release("pc-2", "PHONE1")).toBe(false);
      await tasks.markCompleted(first);
      expect(await leases.release("pc-1", "PHONE1")).toBe(true);
      // due order, as the runner's: due at once (no scheduled_at) first, then by scheduled_at, then id
      expect((await leases.claim("pc-2", "PHONE1", 100, 2))?.id).toBe(second);
      expect((await leases.claim("pc-1", "PHONE2", 100, 2))?.serial).toBe("PHONE2");
      await leases.release("pc-2", "PHONE1");
      expect((await leases.claim("pc-2", "PHONE1", 100, 2))?.id).toBe(later);
      expect(await leases.claim("pc-2", "PHONE3", 100, 5)).toBeUndefined();
    }));

  test("phone leases: a claim of one task; a node's running tasks fail and its leases go back", () =>
    withDb(async (db, box) => {
      const tasks = new TaskStore(db, box);
      const leases = new LeaseStore(db, box);
      const [a, b, c, orphan] = (await tasks.create([
        task(),
        task({ serial: "PHONE2" }),
        task({ serial: "PHONE3" }),
        task({ serial: "PHONE4" }),
      ])) as [number, number, number, number];
      // `only`: the claim starts that task or none
      expect(await leases.claim("pc-1", "PHONE1", 100, 9, b)).toBeUndefined();
      expect((await leases.claim("pc-1", "PHONE1", 100, 9, a))?.id).toBe(a);
      expect((await leases.claim("pc-1", "PHONE2", 100, 9))?.id).toBe(b);
      expect((await leases.claim("pc-2", "PHONE3", 100, 9))?.id).toBe(c);
      // a task running under no lease (left by a version before leases)
      await tasks.markRunning(orphan, 100);
      expect(await leases.failRunning("pc-1", "interrupted: node pc-1 stopped", 200)).toEqual(
        expect.arrayContaining([a, b]),
      );
      expect(await tasks.get(a)).toMatchObject({
        status: TaskStatus.failed,
        failureReason: "interrupted",
        errorClass: "permanent",
        error: "interrupted: node pc-1 stopped",
        finishedAt: 200,
      });
      expect(await leases.holders()).toEqual(new Map([["PHONE3", "pc-2"]]));
      expect((await tasks.get(c))?.status).toBe(TaskStatus.running);
      expect((await tasks.get(orphan))?.status).toBe(TaskStatus.running);
      // at pc-2's start: its own and the orphan, not another node's
      expect((await leases.failRunning("pc-2", "x", 300, true)).sort()).toEqual([c, orphan].sort());
      expect(await leases.holders()).toEqual(new Map());
      // a lease held for a check on the phone, no task started: no claim meanwhile
      expect(await leases.hold("pc-1", "PHONE1", a, 350)).toBe(true);
      expect(await leases.hold("pc-2", "PHONE1", a, 350)).toBe(false);
      const [e] = (await tasks.create([task()])) as [number];
      expect(await leases.claim("pc-2", "PHONE1", 360, 9)).toBeUndefined();
      expect((await tasks.get(a))?.status).toBe(TaskStatus.failed);
      expect(await leases.release("pc-1", "PHONE1")).toBe(true);
      await tasks.delete([e]);
      // every node (one PC): all
      const [d] = (await tasks.create([task()])) as [number];
      expect((await leases.claim("pc-9", "PHONE1", 100, 9))?.id).toBe(d);
      expect(await leases.failRunning(null, "x", 400)).toEqual([d]);
      expect(await leases.holders()).toEqual(new Map());
    }));

  test("the secret key is checked against the database at start", () =>
    withDb(async (db) => {
      const dir = mkdtempSync(join(work, "key-"));
      const box = await openSecretBox(db, dir);
      expect(box.open(box.seal("x"))).toBe("x");
      expect((await openSecretBox(db, dir)).open(box.seal("y"))).toBe("y");
      rmSync(join(dir, "secret.key"));
      await expect(openSecretBox(db, dir)).rejects.toThrow(/secret\.key is missing/);
    }));
});

function phone(serial: string) {
  return {
    serial,
    transport: "usb" as const,
    state: "offline" as const,
    model: null,
    brand: null,
    androidVersion: null,
    sdk: null,
    screenWidth: null,
    screenHeight: null,
    battery: null,
    hint: null,
    lastSeen: 2,
  };
}
