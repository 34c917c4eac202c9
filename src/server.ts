// Wires the parts together: store → services → HTTP. main.ts adds the process around it (flags, signals).
import { join } from "node:path";
import type { Config } from "./config.ts";
import { createApp } from "./http/app.ts";
import { License, loadPublicKey } from "./license/license.ts";
import { AccountStore } from "./store/accounts.ts";
import { closeDb, type Db, openDb } from "./store/db.ts";
import { DeviceStore } from "./store/devices.ts";
import { TaskStore } from "./store/tasks.ts";
import { AccountService } from "./tasks/accounts.ts";
import { TaskService } from "./tasks/service.ts";

export interface Service {
  db: Db;
  license: License;
  tasks: TaskStore;
  devices: DeviceStore;
  taskService: TaskService;
  app: ReturnType<typeof createApp>;
  close(): void;
}

export const INTERRUPTED = "interrupted: the service stopped while this task was running";

/** Everything but the listening socket: what tests drive through `app.handle`. */
export function createService(config: Config, log: (line: string) => void = console.error): Service {
  const db = openDb(join(config.dataDir, "farm.db"));
  const tasks = new TaskStore(db);
  const devices = new DeviceStore(db);
  const accounts = new AccountStore(db);

  // a task found running at start was cut off by a crash: never silently re-run it (posting twice is worse)
  const interrupted = tasks.failAllRunning(INTERRUPTED);
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

  const taskService = new TaskService({ tasks, devices, accounts, timezone: config.timezone });
  const accountService = new AccountService(accounts, devices);
  const ownHost = ["0.0.0.0", "::"].includes(config.host) ? [] : [config.host.toLowerCase()];
  const app = createApp({
    token: config.token,
    allowedHosts: [...config.allowedHosts, ...ownHost],
    license,
    tasks: taskService,
    taskStore: tasks,
    devices,
    accounts: accountService,
    health: {
      db: () => {
        try {
          return db.$client.query("select 1 as ok").get() !== null;
        } catch {
          return false;
        }
      },
      adb: () => "off",
      devicesOnline: () => devices.list().filter((d) => d.state === "online").length,
      plan: () => license.state().plan_name,
    },
    log,
  });
  return {
    db,
    license,
    tasks,
    devices,
    taskService,
    app,
    close: () => closeDb(db),
  };
}
