// Wires the parts together: store → phones → runner → HTTP. main.ts adds the process around it.

import { createPublicKey } from "node:crypto";
import { join } from "node:path";
import { AccountService } from "./accounts/service.ts";
import { type Config, VERSION } from "./config.ts";
import { DEMO_BASE_PORT } from "./demo.ts";
import { adbDown, Fleet } from "./devices/index.ts";
import { DeviceService } from "./devices/service.ts";
import { AppError, Code } from "./errors.ts";
import { createApp } from "./http/app.ts";
import { EventStreams } from "./http/events.ts";
import { Peers } from "./http/peers.ts";
import { taskView } from "./http/views.ts";
import { License } from "./license/license.ts";
import { consoleSink, Logger, LogTail, logFile } from "./log.ts";
import { DEMO_TAG } from "./materials/demo-media.ts";
import { Materials } from "./materials/index.ts";
import { Webhook } from "./notify/webhook.ts";
import { type ScriptDefinition, ScriptRegistry } from "./scripts/registry.ts";
import { AccountStore } from "./store/accounts.ts";
import { backUp } from "./store/backup.ts";
import {
  type AnyDb,
  closeStore,
  DatabaseUnreachable,
  isPg,
  openDb,
  openPostgres,
  PgHealth,
  type Storage,
  StorageHealth,
} from "./store/db.ts";
import { DeviceStore } from "./store/devices.ts";
import { LeaseStore } from "./store/leases.ts";
import { MetaStore } from "./store/meta.ts";
import { NodeStore } from "./store/nodes.ts";
import { openSecretBox, type SecretBox } from "./store/secret-box.ts";
import { TaskStore } from "./store/tasks.ts";
import { type Clock, systemClock } from "./tasks/clock.ts";
import { EventBus } from "./tasks/events.ts";
import { Evidence } from "./tasks/evidence.ts";
import { type TaskChange, TaskLifecycle } from "./tasks/lifecycle.ts";
import { LEASE_MS, NodeWatch } from "./tasks/node-watch.ts";
import { ProgressBoard } from "./tasks/progress.ts";
import { EventRelay } from "./tasks/relay.ts";
import { Runner } from "./tasks/runner.ts";
import { TaskService } from "./tasks/service.ts";
import { type QueueState, RunningElsewhere, waitingFor } from "./tasks/waiting.ts";

export interface ServiceOptions {
  /** The service's log (default: the console, time-stamped by `clock`). */
  log?: Logger;
  /** The log's newest records, served by GET /api/v1/logs (default: a tail of its own, which `log` does not feed). */
  logTail?: LogTail;
  clock?: Clock;
  /** How often the fleet reads the adb server's device list (ms). */
  pollMs?: number;
  /** In-process tests only: the key licenses are checked against instead of the built-in vendor key. */
  licensePublicKey?: string;
  /** Scripts offered beside the built-in ones (the test suite's test_sleep). */
  scripts?: ScriptDefinition[];
}

export interface Service {
  /** farm.db in DATA_DIR, or the farm's PostgreSQL (`--database`). */
  db: AnyDb;
  license: License;
  materials: Materials;
  tasks: TaskStore;
  devices: DeviceStore;
  fleet: Fleet;
  runner: Runner;
  events: EventBus;
  evidence: Evidence;
  /** The scripts this service runs, and what they are lent. */
  scripts: ScriptRegistry;
  taskService: TaskService;
  deviceService: DeviceService;
  app: ReturnType<typeof createApp>;
  /** Ends the open event streams (a shutdown begins: they would never end by themselves). */
  closeEventStreams(): void;
  /** Finds phones and starts running tasks. */
  start(): Promise<void>;
  /** Lets running tasks finish (up to the grace period), detaches the phones, closes the database. */
  stop(graceMs?: number): Promise<void>;
}

const STORAGE_CHECK_MS = 5000;
/** How often this node tells the farm it is alive. */
export const HEARTBEAT_MS = 10_000;

/** Everything but the listening socket. Nothing touches a phone until `start()`. */
export async function createService(config: Config, options: ServiceOptions = {}): Promise<Service> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? new Logger(consoleSink, { clock });
  const dbFile = join(config.dataDir, "farm.db");
  const db: AnyDb = config.database ? await openPostgres(config.database) : openDb(dbFile);
  let box: SecretBox;
  let latestTimeSeen: number | null;
  const meta = new MetaStore(db);
  try {
    box = await openSecretBox(db, config.dataDir);
    latestTimeSeen = Number((await meta.get("latest_time_seen")) ?? 0) || null;
  } catch (e) {
    await closeStore(db);
    throw e;
  }
  const storage: Storage = isPg(db)
    ? new PgHealth(db, config.database ?? "", log)
    : new StorageHealth(db, config.dataDir, dbFile, log);
  const tasks = new TaskStore(db, box);
  const devices = new DeviceStore(db, config.node);
  const accounts = new AccountStore(db, box);
  const events = new EventBus();
  // on PostgreSQL, the events of every PC of the farm reach every PC's listeners (relay.ts); SQLite: none
  let relay: EventRelay | null = null;
  if (isPg(db)) {
    try {
      relay = await EventRelay.start({ url: config.database ?? "", pool: db.$client, bus: events, log });
    } catch (e) {
      await closeStore(db);
      throw new DatabaseUnreachable(config.database ?? "", (e as Error).message ?? String(e));
    }
  }
  const nodes = new NodeStore(db);
  // the farm's other PCs, asked for what needs their phones or files; `watch` (below) says which have stopped
  const peers = isPg(db)
    ? new Peers({
        self: config.node,
        token: config.token,
        nodes,
        stopped: (name) => watch?.isStopped(name) ?? false,
      })
    : null;
  const materials = new Materials(db, {
    uploadDir: join(config.dataDir, "materials"),
    maxUploadBytes: config.materialMaxBytes,
    node: config.node,
    cacheDir: join(config.dataDir, "cache", "materials"),
    farm: { peers: () => peers, holderOf: async (serial) => (await devices.get(serial))?.node ?? null },
  });
  const scripts = new ScriptRegistry({
    materials,
    rotation: materials.rotation,
    dataDir: config.dataDir,
    accounts,
  });
  for (const script of options.scripts ?? []) scripts.register(script);
  const streams = new EventStreams({ clock });

  const licenseFile = config.licenseFile ?? join(config.dataDir, "license.json");
  // the time record's saves, one after the other
  let timeSaved = Promise.resolve();
  const license = new License({
    file: licenseFile,
    required: config.licenseFile !== null,
    publicKey: options.licensePublicKey ? createPublicKey(options.licensePublicKey) : undefined,
    now: () => clock.now(),
    timeRecord: {
      load: () => latestTimeSeen,
      save: (ms) => {
        timeSaved = timeSaved
          .then(() => meta.set("latest_time_seen", String(ms)))
          .catch((e) => {
            // on a full disk the record waits for its next save; the license check (on every request) goes on
            if (!storage.failure(e)) log.error(`the latest time seen was not saved: ${(e as Error).message}`);
          });
      },
    },
  });
  const plan = license.state();
  if (plan.warning) log.warn(`license: ${plan.warning}; running on the Free plan`);

  const evidence = new Evidence(
    join(config.dataDir, "evidence"),
    { maxAgeDays: config.evidenceMaxAgeDays, maxBytes: config.evidenceMaxMb * 1024 * 1024 },
    () => clock.now(),
  );
  const leases = new LeaseStore(db, box);
  const lifecycle = new TaskLifecycle(tasks, () => clock.now(), evidence, leases, config.node);
  // the other PCs' running tasks (PostgreSQL), for the queue's explanations
  const elsewhere = new RunningElsewhere();
  // read when a task is: the runner, fleet and license below are in place by then
  const queue: QueueState = {
    now: () => clock.now(),
    timezone: config.timezone,
    running: () => elsewhere.withLocal(runner.runningTasks()),
    plan: () => ({ name: license.state().plan_name, limit: license.state().device_limit }),
    phone: (serial) => devices.stateOf(serial),
    // one rule for "adb is down" (not while its first check is under way)
    adbReachable: () => !adbDown(fleet.adb),
    stoppedNode: (serial) => watch?.stoppedNode(serial),
    node: config.node,
  };
  // a task's change as the event stream tells it: a running one again each time its progress moves
  const publishTask = async (id: number, change: TaskChange, at: string) => {
    const row = change === "deleted" ? undefined : await tasks.get(id);
    if (change === "running") progress.told(id);
    events.publish({
      type: "task",
      id,
      serial: row?.serial ?? null,
      status: change,
      error: row?.error ?? null,
      waiting_for: row ? waitingFor(row, queue) : null,
      progress: change === "running" ? progress.of(id) : null,
      at,
    });
  };
  // the events in the order of the changes they tell
  let published = Promise.resolve();
  const publish = (id: number, change: TaskChange, at: string) => {
    published = published
      .then(() => publishTask(id, change, at))
      .catch((e) => log.error(`task ${id}'s event was not published: ${(e as Error).message}`));
  };
  const progress = new ProgressBoard(clock, (id) =>
    publish(id, "running", new Date(clock.now()).toISOString()),
  );
  lifecycle.onChange((ids, change) => {
    const at = new Date(clock.now()).toISOString();
    for (const id of ids) publish(id, change, at);
  });
  // many PCs: on each beat the others' heartbeats are watched, and the queue looked at again (another PC's news)
  const watch = isPg(db)
    ? new NodeWatch({
        self: config.node,
        nodes,
        leases,
        lifecycle,
        clock,
        log,
        // a look is due every beat: two missed (the database gone) are time nobody could beat
        blindAfterMs: 2 * HEARTBEAT_MS + HEARTBEAT_MS / 2,
        // its phones this node does not see are shown offline, with why; those it sees are its own now
        phonesStopped: (name, hint) => devices.nodeStopped(name, hint, deviceService.onlineSerials()),
      })
    : null;
  // this node's start and last heartbeat saved, for /health while the database does not answer
  const self = { startedAt: clock.now(), heartbeatAt: clock.now() };
  try {
    await nodes.register(config.node, VERSION, self.startedAt, config.nodeUrl);
    // on PostgreSQL the other PCs' tasks run on: only this node's are cut off
    const interrupted = await lifecycle.interruptAll(isPg(db) ? config.node : undefined);
    if (interrupted > 0)
      log.warn(`${interrupted} task(s) were running when the service stopped: marked failed (interrupted)`);
    // one PC on SQLite is the whole farm: every phone row is its own
    await devices.markAllOffline(!isPg(db));
    // the phones' states, known at once to the queue's explanations
    await devices.list();
  } catch (e) {
    await relay?.stop();
    await closeStore(db);
    throw e;
  }

  const fleet = new Fleet({
    dataDir: config.dataDir,
    adbServer: config.adb,
    adbPath: config.adbPath,
    pollMs: options.pollMs,
    fastUi: { all: config.fastUi, settingsFile: join(config.dataDir, "fast-ui.json") },
    log,
  });
  const deviceService = new DeviceService(fleet, devices, tasks, accounts, () => clock.now());
  await deviceService.init();
  const runner = new Runner({
    lifecycle,
    tasks,
    scripts,
    phones: { phone: (serial) => fleet.phone(serial), onlineSerials: () => deviceService.onlineSerials() },
    clock,
    deviceLimit: () => license.state().device_limit,
    retry: {
      maxRetries: config.retryMax,
      delayMs: [config.retryDelayS[0] * 1000, config.retryDelayS[1] * 1000],
    },
    timeouts: config.scriptTimeouts,
    evidence,
    storage,
    log,
    progress,
    // leases keep PCs from sharing a phone; one PC on SQLite shares with nobody, and a lease is a commit
    // at each start and end that a one-PC farm would pay for nothing (bench/runner.ts: 183 → 109 tasks/s)
    lease: isPg(db) ? { node: config.node, store: leases } : undefined,
  });
  // a task created or retried on another PC may be for a phone of this one: look for work now (the runner
  // has no periodic pass). One this PC runs, stopped or deleted on another, is aborted here at once; a run's
  // end on another PC may free the farm's slot or the phone a claim here was refused.
  events.subscribe((event, origin) => {
    if (origin !== "remote") return;
    // another PC's phone or run changed: the queue's explanations follow (each heartbeat reads all again)
    if (event.type === "device") {
      devices.refreshState(event.serial).catch(() => {});
      return;
    }
    elsewhere.heard(event.id, event.serial, event.status);
    if (event.status === "pending") runner.wake(event.serial ?? undefined);
    else runner.endedElsewhere(event.id, event.status, event.error);
  });
  license.onChange((now) => {
    log.info(
      `license: now ${now.plan_name} (${now.device_limit} phones at once)` +
        `${now.warning ? `: ${now.warning}` : now.licensee ? ` for ${now.licensee}` : ""}`,
    );
    runner.wake();
  });
  // each phone's state as last said; at shutdown every phone is detached, which is no news
  const lastState = new Map<string, string>();
  let detaching = false;
  fleet.on("change", (info) => {
    if (!detaching && lastState.get(info.serial) !== info.state) {
      lastState.set(info.serial, info.state);
      const said = `${info.state}${info.hint ? `: ${info.hint}` : ""}`;
      log.child({ phone: info.serial })[info.state === "online" ? "info" : "warn"](said);
    }
    deviceService.record(info).catch((e) => {
      if (!storage.failure(e)) log.error(`phone ${info.serial} was not saved: ${(e as Error).message}`);
    });
    const at = new Date(clock.now()).toISOString();
    events.publish({ type: "device", serial: info.serial, state: info.state, at });
    runner.deviceChanged(info.serial, info.state === "online");
  });

  // fed by this PC's lifecycle, never by events relayed from the others: each is sent once farm-wide, by the
  // PC where it happened
  const webhook =
    config.webhookUrl && config.webhookSecret
      ? new Webhook(config.webhookUrl, config.webhookSecret, log)
      : null;
  webhook?.watch(lifecycle, async (id) => {
    const row = await tasks.get(id);
    return row && taskView(row, null, null);
  });

  const taskService = new TaskService({
    lifecycle,
    scripts,
    tasks,
    devices,
    adb: () => fleet.adb,
    accounts,
    timezone: config.timezone,
    queue,
    progress,
    now: () => new Date(clock.now()),
    log,
    farm: watch ? { self: config.node, stopped: (node) => watch.isStopped(node) } : undefined,
  });
  const ownHost = ["0.0.0.0", "::"].includes(config.host) ? [] : [config.host.toLowerCase()];
  const app = createApp({
    token: config.token,
    allowedHosts: [...config.allowedHosts, ...ownHost],
    license,
    peers,
    tasks: taskService,
    devices: deviceService,
    accounts: new AccountService(accounts, devices),
    materials,
    events,
    streams,
    scripts,
    evidence,
    health: {
      db: () => storage.problem(),
      // a removed data folder, or a disk that refused a write and still refuses the probe
      writeRefusal: () => storage.problem(),
      storageFailure: (e) => storage.failure(e),
      nodes: async () => {
        const iso = (ms: number) => new Date(ms).toISOString();
        const now = clock.now();
        // this node alone, with the phones it runs
        const alone = (heartbeatAt: number) => [
          {
            name: config.node,
            version: VERSION,
            started_at: iso(self.startedAt),
            heartbeat_at: iso(heartbeatAt),
            state: "running" as const,
            phones: [...runner.runningTasks().keys()].sort(),
            this: true,
          },
        ];
        // the database does not answer: this node runs on what it started, and says so
        if (storage.problem()) return alone(self.heartbeatAt);
        // one PC on SQLite is the farm; nobody heartbeats there: the one PC answering is alive now
        if (!isPg(db)) return alone(now);
        const [rows, held] = await Promise.all([nodes.list(), leases.holders()]);
        const stopped = watch?.stopped() ?? new Set<string>();
        return rows.map((row) => {
          const mine = row.name === config.node;
          const gone = !mine && (stopped.has(row.name) || now - row.heartbeatAt > LEASE_MS);
          return {
            name: row.name,
            version: row.version,
            started_at: iso(row.startedAt),
            heartbeat_at: iso(row.heartbeatAt),
            state: gone ? ("stopped" as const) : ("running" as const),
            phones: [...held]
              .filter(([, node]) => node === row.name)
              .map(([serial]) => serial)
              .sort(),
            this: mine,
          };
        });
      },
      adb: () => fleet.adb,
      devicesOnline: () => deviceService.onlineSerials().length,
      plan: () => license.state().plan_name,
      timezone: config.timezone,
      now: () => clock.now(),
    },
    // the phones attached (else those `--simulate 3` starts) and the demo's sample media: the docs'
    // examples run as printed against this service
    docsExamples: {
      serials: () => {
        const online = deviceService.onlineSerials().sort().slice(0, 3);
        return online.length > 0 ? online : [0, 1, 2].map((i) => `127.0.0.1:${DEMO_BASE_PORT + i}`);
      },
      materialsTag: DEMO_TAG,
    },
    log,
    logTail: options.logTail ?? new LogTail(),
    logFile: logFile(config.dataDir),
    backUp: () => {
      if (isPg(db)) {
        throw new AppError(
          Code.conflict,
          "the database is PostgreSQL (--database): back it up with pg_dump, and keep DATA_DIR/secret.key with it",
        );
      }
      return backUp(db, config.dataDir, clock.now());
    },
  });

  let pruneTimer: ReturnType<typeof setInterval> | undefined;
  let cancelHeartbeat = () => {};
  let beating = Promise.resolve();
  // on the service's clock (the test build's runs faster), like the other nodes' judgement of it
  const heartbeat = () => {
    cancelHeartbeat = clock.wakeAt(clock.now() + HEARTBEAT_MS, heartbeat);
    beating = beating
      .then(async () => {
        const now = clock.now();
        if (!(await nodes.heartbeat(config.node, now)))
          await nodes.register(config.node, VERSION, now, config.nodeUrl);
        self.heartbeatAt = now;
        if (!watch) return;
        await watch.check();
        // the phones this node sees online are its own in the farm's rows; the others' phones and runs read again
        await deviceService.reassert();
        elsewhere.replace(await tasks.runningElsewhere(config.node));
        // taken as stopped while paused or cut off: the phones whose leases went are not ours to run
        await runner.fence(() => leases.holders());
        // a stop or delete on another PC whose event this node missed (its listening connection was down)
        await runner.reconcile();
        runner.wake();
      })
      .catch((e) => {
        if (!storage.failure(e))
          log.warn(`node ${config.node}: heartbeat not saved (${(e as Error).message})`);
      });
  };
  // the data folder removed under a quiet service is noticed (and said) without waiting for a request
  let cancelStorageCheck = () => {};
  const checkStorage = () => {
    if (storage.gone()) return;
    cancelStorageCheck = clock.wakeAt(clock.now() + STORAGE_CHECK_MS, checkStorage);
  };
  return {
    db,
    license,
    materials,
    tasks,
    devices,
    fleet,
    runner,
    events,
    evidence,
    scripts,
    taskService,
    deviceService,
    app,
    closeEventStreams: () => streams.closeAll(),
    async start() {
      const pruned = evidence.prune().removed;
      if (pruned > 0) log.info(`evidence: removed ${pruned} old folder(s)`);
      materials.pruneCache();
      pruneTimer = setInterval(() => {
        evidence.prune();
        materials.pruneCache();
      }, 3600_000);
      // one PC on SQLite is the whole farm: nobody watches its heartbeat, and a write every 10 s is not
      // what a one-PC farm should pay (nor what the fuzz test's count of commits may see)
      if (isPg(db)) cancelHeartbeat = clock.wakeAt(clock.now() + HEARTBEAT_MS, heartbeat);
      checkStorage();
      await fleet.start();
      await deviceService.reattachDirect(log);
      license.watch();
      runner.wake();
    },
    async stop(graceMs = config.gracePeriodS * 1000) {
      clearInterval(pruneTimer);
      cancelHeartbeat();
      cancelStorageCheck();
      streams.closeAll();
      await runner.shutdown(graceMs);
      webhook?.stop();
      detaching = true;
      await fleet.stop();
      license.close();
      // what is still being written (events read their task, the phones' last states, the time record)
      await Promise.all([published, timeSaved, beating, deviceService.written()]);
      await relay?.stop();
      await closeStore(db);
    },
  };
}
