// Wires the parts together: store → phones → runner → HTTP. main.ts adds the process around it.
import { join } from "node:path";
import type { Config } from "./config.ts";
import { Fleet } from "./devices/index.ts";
import { createApp } from "./http/app.ts";
import { Webhook } from "./http/webhook.ts";
import { License, loadPublicKey } from "./license/license.ts";
import { activateMaterials, deactivateMaterials, Materials } from "./materials/index.ts";
import { AccountStore } from "./store/accounts.ts";
import { closeDb, type Db, openDb } from "./store/db.ts";
import { DeviceStore } from "./store/devices.ts";
import { TaskStore } from "./store/tasks.ts";
import { AccountService } from "./tasks/accounts.ts";
import { type Clock, systemClock } from "./tasks/clock.ts";
import { DeviceService } from "./tasks/devices.ts";
import { EventBus } from "./tasks/events.ts";
import { Evidence } from "./tasks/evidence.ts";
import { INTERRUPTED, Runner } from "./tasks/runner.ts";
import { TaskService } from "./tasks/service.ts";

export interface ServiceOptions {
  log?: (line: string) => void;
  clock?: Clock;
  /** How often the fleet reads the adb server's device list (ms). */
  pollMs?: number;
}

export interface Service {
  db: Db;
  license: License;
  materials: Materials;
  tasks: TaskStore;
  devices: DeviceStore;
  fleet: Fleet;
  runner: Runner;
  events: EventBus;
  evidence: Evidence;
  taskService: TaskService;
  deviceService: DeviceService;
  app: ReturnType<typeof createApp>;
  /** Finds phones and starts running tasks. */
  start(): Promise<void>;
  /** Lets running tasks finish (up to the grace period), detaches the phones, closes the database. */
  stop(graceMs?: number): Promise<void>;
}

/** Everything but the listening socket. Nothing touches a phone until `start()`. */
export function createService(config: Config, options: ServiceOptions = {}): Service {
  const log = options.log ?? ((line: string) => console.error(line));
  const clock = options.clock ?? systemClock;
  const db = openDb(join(config.dataDir, "farm.db"));
  const tasks = new TaskStore(db);
  const devices = new DeviceStore(db);
  const accounts = new AccountStore(db);
  const events = new EventBus();
  const materials = new Materials(db, {
    uploadDir: join(config.dataDir, "materials"),
    maxUploadBytes: config.materialMaxBytes,
  });
  activateMaterials(materials);

  // a task found running at start was cut off: never silently re-run it (posting twice is worse)
  const interrupted = tasks.failAllRunning(INTERRUPTED, clock.now());
  if (interrupted > 0)
    log(`${interrupted} task(s) were running when the service stopped: marked failed (interrupted)`);
  devices.markAllOffline();

  const licenseFile = config.licenseFile ?? join(config.dataDir, "license.json");
  const license = new License(
    licenseFile,
    loadPublicKey(config.licensePublicKey),
    config.licenseFile !== null,
  );
  const plan = license.state();
  if (plan.warning) log(`license: ${plan.warning}; running on the Free plan`);

  const evidence = new Evidence(
    join(config.dataDir, "evidence"),
    { maxAgeDays: config.evidenceMaxAgeDays, maxBytes: config.evidenceMaxMb * 1024 * 1024 },
    () => clock.now(),
  );
  tasks.onChange((ids, kind) => {
    const at = new Date(clock.now()).toISOString();
    for (const id of ids) {
      const row = kind === "deleted" ? undefined : tasks.get(id);
      if (kind === "deleted") evidence.remove(id);
      events.publish({
        type: "task",
        id,
        serial: row?.serial ?? null,
        status: kind,
        error: row?.error ?? null,
        at,
      });
    }
  });

  const fleet = new Fleet({
    dataDir: config.dataDir,
    adbServer: config.adb,
    pollMs: options.pollMs,
    log: (level, message) => log(`${level === "warn" ? "warning: " : ""}${message}`),
  });
  const deviceService = new DeviceService(fleet, devices, tasks);
  const runner = new Runner({
    tasks,
    phones: { phone: (serial) => fleet.phone(serial), onlineSerials: () => deviceService.onlineSerials() },
    clock,
    deviceLimit: () => license.state().device_limit,
    retry: {
      maxRetries: config.retryMax,
      delayMs: [config.retryDelayS[0] * 1000, config.retryDelayS[1] * 1000],
    },
    timeouts: config.scriptTimeouts,
    evidence,
    log,
  });
  fleet.on("change", (info) => {
    deviceService.record(info);
    events.publish({ type: "device", serial: info.serial, state: info.state, at: new Date().toISOString() });
    runner.deviceChanged(info.serial, info.state === "online");
  });

  const webhook =
    config.webhookUrl && config.webhookSecret
      ? new Webhook(config.webhookUrl, config.webhookSecret, log)
      : null;
  webhook?.watch(tasks);

  const taskService = new TaskService({
    tasks,
    devices,
    accounts,
    timezone: config.timezone,
    now: () => new Date(clock.now()),
  });
  taskService.attachRunner(runner);
  const ownHost = ["0.0.0.0", "::"].includes(config.host) ? [] : [config.host.toLowerCase()];
  const app = createApp({
    token: config.token,
    allowedHosts: [...config.allowedHosts, ...ownHost],
    license,
    tasks: taskService,
    devices: deviceService,
    accounts: new AccountService(accounts, devices),
    materials,
    events,
    evidence,
    health: {
      db: () => {
        try {
          return db.$client.query("select 1 as ok").get() !== null;
        } catch {
          return false;
        }
      },
      adb: () => fleet.adbStatus,
      devicesOnline: () => deviceService.onlineSerials().length,
      plan: () => license.state().plan_name,
    },
    log,
  });

  let pruneTimer: ReturnType<typeof setInterval> | undefined;
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
    taskService,
    deviceService,
    app,
    async start() {
      const pruned = evidence.prune().removed;
      if (pruned > 0) log(`evidence: removed ${pruned} old folder(s)`);
      pruneTimer = setInterval(() => evidence.prune(), 3600_000);
      await fleet.start();
      await deviceService.reattachDirect(log);
      runner.wake();
    },
    async stop(graceMs = config.gracePeriodS * 1000) {
      clearInterval(pruneTimer);
      await runner.shutdown(graceMs);
      webhook?.stop();
      await fleet.stop();
      deactivateMaterials(materials);
      closeDb(db);
    },
  };
}
