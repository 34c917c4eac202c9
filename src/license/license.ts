// Plans and offline license verification: a license is a JSON payload signed with Ed25519 by the vendor.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { vendorPublicKeyPem } from "./vendor-key.ts";

export const PLANS = {
  Free: { api_enabled: true, device_limit: 2 },
  Starter: { api_enabled: false, device_limit: 5 },
  Pro: { api_enabled: true, device_limit: 20 },
  Team: { api_enabled: true, device_limit: 50 },
  Business: { api_enabled: true, device_limit: 100 },
} as const;
export type PlanName = keyof typeof PLANS;
export const PAID_PLANS = ["Starter", "Pro", "Team", "Business"] as const;

export interface LicensePayload {
  plan: PlanName;
  licensee: string;
  /** ISO date-time after which the license no longer counts; null = never expires. */
  expires_at: string | null;
  issued_at: string;
}

/** What is on disk: the payload as the exact JSON text that was signed, and the signature in base64. */
export interface LicenseFile {
  payload: string;
  signature: string;
  /** Which key signed it (see `keyId`): not trusted, only used to say why a signature fails. */
  key_id?: string;
}

export interface LicenseState {
  plan_name: PlanName;
  api_enabled: boolean;
  device_limit: number;
  licensee: string | null;
  expires_at: string | null;
  /** Why a license file was not honoured, or null. */
  warning: string | null;
  message: string;
}

/** A short, stable name for a public key: the first 8 bytes of the SHA-256 of its DER form. */
export function keyId(publicKey: KeyObject): string {
  const der = publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(der).digest("hex").slice(0, 16);
}

/** The vendor's key, built into the executable (see vendor-key.ts). */
export function vendorPublicKey(): KeyObject {
  return createPublicKey(vendorPublicKeyPem());
}

export function issueLicense(privateKeyPem: string, payload: LicensePayload): LicenseFile {
  const text = JSON.stringify(payload);
  const privateKey = createPrivateKey(privateKeyPem);
  const signature = sign(null, Buffer.from(text), privateKey).toString("base64");
  return { payload: text, signature, key_id: keyId(createPublicKey(privateKey)) };
}

export function generateVendorKeys(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return {
    privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKey: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

function freePlan(warning: string | null): LicenseState {
  return {
    plan_name: "Free",
    ...PLANS.Free,
    licensee: null,
    expires_at: null,
    warning,
    message: warning
      ? `API access enabled on the Free plan (${warning})`
      : "API access enabled on the Free plan (no license file)",
  };
}

/** Where the latest time the service has seen is kept across restarts (the database's meta table). */
export interface TimeRecord {
  load(): number | null;
  save(ms: number): void;
}

export interface LicenseOptions {
  file: string;
  /** The operator named the file, so its absence is worth a warning. */
  required: boolean;
  /** Default: the vendor's key built into the executable. In-process tests bring the test key. */
  publicKey?: KeyObject;
  now?: () => number;
  /** Without it, the latest time seen is remembered only while the process runs. */
  timeRecord?: TimeRecord;
}

/** The latest time seen is written at most this often (and on close): a lost minute changes nothing. */
const SAVE_EVERY_MS = 60_000;

/**
 * Reads and verifies a license; anything wrong with it means the Free plan, with a warning saying what.
 * The file is read again when it changes (`refresh`, one stat, done on every `state()`), and expiry is
 * judged against the latest time ever seen, so setting the clock back does not revive an expired license.
 */
export class License {
  private readonly file: string;
  private readonly required: boolean;
  private readonly publicKey: KeyObject;
  private readonly now: () => number;
  private readonly timeRecord: TimeRecord | undefined;
  private payload: LicensePayload | null = null;
  private problem: string | null = null;
  /** What the file looked like when last read (inode, size, mtime), or null when it was missing. */
  private stamp: string | null | undefined;
  private latestSeen: number;
  private latestSaved: number;
  private listeners: ((state: LicenseState) => void)[] = [];
  private lastSummary = "";
  private watchTimer: ReturnType<typeof setInterval> | undefined;

  constructor(options: LicenseOptions) {
    this.file = options.file;
    this.required = options.required;
    this.publicKey = options.publicKey ?? vendorPublicKey();
    this.now = options.now ?? Date.now;
    this.timeRecord = options.timeRecord;
    this.latestSaved = this.timeRecord?.load() ?? 0;
    this.latestSeen = Math.max(this.latestSaved, this.now());
    this.saveLatest();
    this.state();
  }

  /** Calls `listener` whenever the plan in force changes (a new file, a license expiring). */
  onChange(listener: (state: LicenseState) => void): void {
    this.listeners.push(listener);
  }

  /** Checks the file every `ms` so a replaced license takes effect without anyone asking. */
  watch(ms = 2000): void {
    clearInterval(this.watchTimer);
    this.watchTimer = setInterval(() => this.state(), ms);
    this.watchTimer.unref?.();
  }

  /** Stops watching and writes down the latest time seen. */
  close(): void {
    clearInterval(this.watchTimer);
    this.saveLatest();
  }

  /** Reads the file again if it changed on disk since the last read; true when it did. */
  refresh(): boolean {
    const stamp = fileStamp(this.file);
    if (stamp === this.stamp) return false;
    this.stamp = stamp;
    this.read(stamp !== null);
    return true;
  }

  /** Reads the file again whatever its stamp says, and returns the plan now in force. */
  reload(): LicenseState {
    this.stamp = undefined;
    return this.state();
  }

  /** The plan in force now (an expired license falls back to Free). */
  state(): LicenseState {
    this.refresh();
    const state = this.evaluate();
    const s = summary(state);
    if (s !== this.lastSummary) {
      this.lastSummary = s;
      for (const listener of this.listeners) listener(state);
    }
    return state;
  }

  private evaluate(): LicenseState {
    const now = this.now();
    if (now > this.latestSeen) {
      this.latestSeen = now;
      if (now - this.latestSaved >= SAVE_EVERY_MS) this.saveLatest();
    }
    const p = this.payload;
    if (!p) return freePlan(this.problem);
    if (p.expires_at && Date.parse(p.expires_at) <= this.latestSeen) {
      // the license looks valid by this PC's clock only because the clock was set back
      const setBack =
        Date.parse(p.expires_at) > now
          ? ` (this PC's clock is behind: the service already saw ${new Date(this.latestSeen).toISOString()})`
          : "";
      return freePlan(`license for ${p.licensee} expired on ${p.expires_at}${setBack}`);
    }
    const plan = PLANS[p.plan];
    return {
      plan_name: p.plan,
      ...plan,
      licensee: p.licensee,
      expires_at: p.expires_at,
      warning: null,
      message: plan.api_enabled
        ? "API access enabled"
        : `the ${p.plan} plan does not include API access; upgrade to Pro, Team or Business`,
    };
  }

  private saveLatest(): void {
    if (!this.timeRecord || this.latestSeen <= this.latestSaved) return;
    this.timeRecord.save(this.latestSeen);
    this.latestSaved = this.latestSeen;
  }

  private read(exists: boolean): void {
    const file = this.file;
    this.payload = null;
    this.problem = null;
    if (!exists) {
      if (this.required) this.problem = `license file ${file} not found`;
      return;
    }
    try {
      const parsed = JSON.parse(readFileSync(file, "utf8")) as Partial<LicenseFile>;
      if (typeof parsed.payload !== "string" || typeof parsed.signature !== "string") {
        throw new Error("not a license file");
      }
      const ok = verify(
        null,
        Buffer.from(parsed.payload),
        this.publicKey,
        Buffer.from(parsed.signature, "base64"),
      );
      if (!ok) {
        this.problem = `license file ${file} has an invalid signature: ${this.whyInvalid(parsed.key_id)}`;
        return;
      }
      const payload = JSON.parse(parsed.payload) as LicensePayload;
      if (!(payload.plan in PLANS) || payload.plan === "Free") {
        this.problem = `license file ${file} names an unknown plan`;
        return;
      }
      this.payload = payload;
    } catch (e) {
      this.problem = `license file ${file} is unreadable: ${(e as Error).message}`;
    }
  }

  private whyInvalid(signedBy: unknown): string {
    const vendor = keyId(this.publicKey);
    if (typeof signedBy !== "string") return "it was altered, or not signed with the vendor's key";
    if (signedBy === vendor) return "it was altered after it was signed";
    return `it was signed with another key (${signedBy}), not the vendor's (${vendor}), so it counts as none`;
  }
}

function fileStamp(file: string): string | null {
  try {
    const st = statSync(file);
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch {
    return null;
  }
}

function summary(s: LicenseState): string {
  return `${s.plan_name}|${s.licensee}|${s.expires_at}|${s.warning}`;
}
