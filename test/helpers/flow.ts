/**
 * Flows against virtual phones: a phone (real ADB over TCP to a VirtualPhone with TikTok, Instagram and
 * ADBKeyBoard) and a ScriptContext as the runner makes one (steps timed into a log, cleanups newest first,
 * the services a service lends its scripts).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VirtualPhone, type VirtualPhoneOptions } from "@farm/virtual-phone";
import { connectDirect, FileCredentialStore, Phone } from "../../src/devices/index.ts";
import type { PostRecord } from "../../src/domain.ts";
import { Materials } from "../../src/materials/index.ts";
import {
  type AccountBook,
  createScriptContext,
  type ScriptContext,
  type ScriptServices,
} from "../../src/scripts/context.ts";
import { ScriptRegistry } from "../../src/scripts/registry.ts";
import { forgetPlaces } from "../../src/scripts/screen/places.ts";
import { AccountStore } from "../../src/store/accounts.ts";
import { type Db, openDb } from "../../src/store/db.ts";
import { SecretBox } from "../../src/store/secret-box.ts";
import { AutoClock, type Clock, type ManualClock } from "../../src/tasks/clock.ts";
import { SIM_REALISM } from "./realism.ts";
import { waitFor } from "./wait.ts";

export const TIKTOK = "com.zhiliaoapp.musically";
export const TRILL = "com.ss.android.ugc.trill";
export const INSTAGRAM = "com.instagram.android";
export const KEYBOARD = "com.android.adbkeyboard";

export interface FlowPhone {
  sim: VirtualPhone;
  phone: Phone;
  /** The time of the virtual phone and of the runs on it (`flowContext`): waits cost no real time. */
  clock: AutoClock;
}

/** Phones started by `startFlowPhone`, closed by `stopFlowPhones` (call it in afterEach). */
const open: FlowPhone[] = [];

/** How real flow phones are: see realism.ts (realistic by default, FARM_SIM_REALISTIC sets it). */
export { SIM_REALISM as FLOW_REALISM, SIM_REALISTIC as FLOW_REALISTIC } from "./realism.ts";

export async function startFlowPhone(keysDir: string, opts: VirtualPhoneOptions = {}): Promise<FlowPhone> {
  const clock = new AutoClock(Date.now());
  const sim = await VirtualPhone.start({
    auth: "none",
    packages: [TIKTOK, INSTAGRAM, KEYBOARD],
    clock,
    realistic: SIM_REALISM,
    ...opts,
  });
  const adb = await connectDirect({
    host: "127.0.0.1",
    port: sim.port,
    credentialStore: new FileCredentialStore(join(keysDir, "keys")),
  });
  const phone = new Phone(adb, { serial: sim.serial, transport: "direct" });
  open.push({ sim, phone, clock });
  sim.apps.tiktok.uploadMs = 300;
  sim.apps.instagram.uploadMs = 300;
  return { sim, phone, clock };
}

/** Stops the test's phones; the places flows learnt on them are forgotten (a port, so a serial, comes again). */
export async function stopFlowPhones(): Promise<void> {
  for (const { sim, phone } of open.splice(0)) {
    await phone.close();
    await sim.stop();
  }
  forgetPlaces();
}

let shared: { db: Db; dir: string; accounts: AccountStore; materials: Materials } | undefined;

/** One fresh database per test process, for the accounts and the material library flows use by default. */
function flowDb() {
  if (!shared) {
    const dir = mkdtempSync(join(tmpdir(), "farm-flow-"));
    const db = openDb(join(dir, "farm.db"));
    // a key of its own: the flows' accounts need one, not a key file
    const accounts = new AccountStore(db, new SecretBox(randomBytes(32)));
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
  /** What the run said of its progress (`ctx.progress`), in order. */
  progress: { fraction: number | null; detail: string | null }[];
  /** Every post record the run wrote (ctx.recordPost), with its proof's screenshot. */
  records: { record: PostRecord; screenshot?: Uint8Array }[];
  /** Runs the cleanups as the runner does (createScriptContext's): newest first, each with its own timeout. */
  cleanup(): Promise<void>;
  controller: AbortController;
  /** The run's clock: by default one that moves itself, so waits and budgets cost no real time. */
  clock: Clock;
}

/**
 * A ScriptContext made as the runner makes it (createScriptContext), for task `id` with `config` (and
 * `username`, if any); the data folder defaults to the OS temp folder, the clock to the flow phone's.
 */
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
    clock?: Clock;
  } = {},
): FlowRun {
  const controller = options.controller ?? new AbortController();
  const clock = options.clock ?? open.find((p) => p.phone === phone)?.clock ?? new AutoClock(Date.now());
  const steps: FlowRun["steps"] = [];
  const logs: string[] = [];
  const progress: FlowRun["progress"] = [];
  const records: FlowRun["records"] = [];
  const { ctx, cleanup } = createScriptContext({
    services: flowServices(options),
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
    clock,
    log: (level, message, durationMs) => {
      // FLOW_COUNTS=1 prints each flow's closing count of dumps and taps (the figures issue 25 asks for)
      if (process.env.FLOW_COUNTS && /UI dumps, \d+ taps/.test(message))
        console.log(`[counts] ${platform}: ${message}`);
      // a step's line carries its duration: the step's name, or "name: error" when it failed
      if (durationMs === undefined) logs.push(message);
      else if (level === "info") steps.push({ name: message, ms: durationMs, ok: true });
      else steps.push({ name: message.slice(0, message.indexOf(": ")), ms: durationMs, ok: false });
    },
    irreversible: async (what) => {
      logs.push(`irreversible: ${what}`);
    },
    progress: {
      enterStep: () => {},
      leaveStep: () => {},
      report: (fraction, detail) => progress.push({ fraction, detail }),
    },
    recordPost: async (record, screenshot) => {
      records.push({ record, screenshot });
    },
  });
  return { ctx, steps, logs, progress, records, cleanup, controller, clock };
}

/**
 * Moves a held clock (`AutoClock.hold`) on by `stepMs` at each look until `check` holds: the test decides
 * how far the run's time goes before it acts.
 */
export function advanceUntil(
  clock: ManualClock,
  what: string,
  check: () => boolean | Promise<boolean>,
  stepMs = 250,
) {
  return waitFor(what, async () => {
    if (await check()) return true;
    clock.advance(stepMs);
    return false;
  });
}
