/**
 * Flows against virtual phones: a phone (real ADB over TCP to a VirtualPhone with TikTok, Instagram and
 * ADBKeyBoard) and a ScriptContext as the runner makes one (steps timed into a log, cleanups newest first,
 * the services a service lends its scripts).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VirtualPhone, type VirtualPhoneOptions } from "@farm/virtual-phone";
import { connectDirect, FileCredentialStore, Phone } from "../../src/devices/index.ts";
import { Materials } from "../../src/materials/index.ts";
import type { AccountBook, ScriptContext, ScriptServices } from "../../src/scripts/context.ts";
import { ScriptRegistry } from "../../src/scripts/registry.ts";
import { appSessions } from "../../src/scripts/screen/app.ts";
import { AccountStore } from "../../src/store/accounts.ts";
import { type Db, openDb } from "../../src/store/db.ts";
import { openSecretBox } from "../../src/store/secret-box.ts";
import { systemClock } from "../../src/tasks/clock.ts";

export const TIKTOK = "com.zhiliaoapp.musically";
export const TRILL = "com.ss.android.ugc.trill";
export const INSTAGRAM = "com.instagram.android";
export const KEYBOARD = "com.android.adbkeyboard";

export interface FlowPhone {
  sim: VirtualPhone;
  phone: Phone;
}

/** Phones started by `startFlowPhone`, closed by `stopFlowPhones` (call it in afterEach). */
const open: FlowPhone[] = [];

export async function startFlowPhone(keysDir: string, opts: VirtualPhoneOptions = {}): Promise<FlowPhone> {
  const sim = await VirtualPhone.start({ auth: "none", packages: [TIKTOK, INSTAGRAM, KEYBOARD], ...opts });
  const adb = await connectDirect({
    host: "127.0.0.1",
    port: sim.port,
    credentialStore: new FileCredentialStore(join(keysDir, "keys")),
  });
  const phone = new Phone(adb, { serial: sim.serial, transport: "direct" });
  open.push({ sim, phone });
  sim.apps.tiktok.uploadMs = 300;
  sim.apps.instagram.uploadMs = 300;
  return { sim, phone };
}

export async function stopFlowPhones(): Promise<void> {
  for (const { sim, phone } of open.splice(0)) {
    await phone.close();
    await sim.stop();
  }
}

let shared: { db: Db; dir: string; accounts: AccountStore; materials: Materials } | undefined;

/** One fresh database per test process, for the accounts and the material library flows use by default. */
function flowDb() {
  if (!shared) {
    const dir = mkdtempSync(join(tmpdir(), "farm-flow-"));
    const db = openDb(join(dir, "farm.db"));
    const accounts = new AccountStore(db, openSecretBox(db, dir));
    const materials = new Materials(db, { uploadDir: join(dir, "materials"), maxUploadBytes: 1 << 20 });
    shared = { db, dir, accounts, materials };
  }
  return shared;
}

/** The accounts table flows record into by default. */
export function flowAccounts(): AccountStore {
  return flowDb().accounts;
}

/** What a service lends its scripts, as createService makes it: by default on the flow database. */
export function flowServices(
  options: { dataDir?: string; materials?: Materials; accounts?: AccountBook } = {},
): ScriptServices {
  const materials = options.materials ?? flowDb().materials;
  return {
    materials,
    rotation: materials.rotation,
    dataDir: options.dataDir ?? tmpdir(),
    accounts: options.accounts ?? flowAccounts(),
  };
}

/** The built-in scripts on `flowServices(options)`, as createService registers them. */
export function flowScripts(options: Parameters<typeof flowServices>[0] = {}): ScriptRegistry {
  return new ScriptRegistry(flowServices(options));
}

export interface FlowRun {
  ctx: ScriptContext;
  steps: { name: string; ms: number; ok: boolean }[];
  logs: string[];
  /** Runs the cleanups like the runner: newest first, each with its own timeout. */
  cleanup(): Promise<void>;
  controller: AbortController;
}

/** A ScriptContext as the runner makes one, for task `id` with `config` (and `username`, if any); the data folder defaults to the OS temp folder. */
export function flowContext(
  phone: Phone,
  platform: "tiktok" | "instagram",
  options: {
    config?: Record<string, unknown>;
    username?: string | null;
    dataDir?: string;
    controller?: AbortController;
    id?: number;
    /** Default: the accounts table of a fresh database. */
    accounts?: AccountBook;
    /** Default: the material library (and its rotation) of a fresh database. */
    materials?: Materials;
  } = {},
): FlowRun {
  const controller = options.controller ?? new AbortController();
  const steps: FlowRun["steps"] = [];
  const logs: string[] = [];
  const cleanups: ((signal: AbortSignal) => Promise<void>)[] = [];
  const ctx: ScriptContext = {
    ...flowServices(options),
    task: {
      id: options.id ?? 7,
      retryCount: 0,
      serial: phone.serial,
      username: options.username ?? null,
      platform,
      config: options.config ?? {},
    },
    phone,
    signal: controller.signal,
    async step(name, work) {
      const started = performance.now();
      try {
        const value = await work();
        steps.push({ name, ms: performance.now() - started, ok: true });
        return value;
      } catch (e) {
        steps.push({ name, ms: performance.now() - started, ok: false });
        throw e;
      }
    },
    log: (message) => logs.push(message),
    onCleanup: (cleanup) => cleanups.push(cleanup),
    clock: systemClock,
    sleep: (ms) => Bun.sleep(ms),
    openApp: (app, only) => openApp(app, only),
    irreversible: (what) => logs.push(`irreversible: ${what}`),
  };
  const openApp = appSessions(ctx);
  const cleanup = async () => {
    for (const c of cleanups.reverse()) await c(AbortSignal.timeout(10_000));
  };
  return { ctx, steps, logs, cleanup, controller };
}
