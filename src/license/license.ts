// Plans and offline license verification: a license is a JSON payload signed with Ed25519 by the vendor.
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from "node:crypto";
import { existsSync, readFileSync } from "node:fs";

export const PLANS = {
  Free: { api_enabled: true, device_limit: 2 },
  Starter: { api_enabled: false, device_limit: 5 },
  Pro: { api_enabled: true, device_limit: 20 },
  Team: { api_enabled: true, device_limit: 50 },
  Business: { api_enabled: true, device_limit: 100 },
} as const;
export type PlanName = keyof typeof PLANS;
export const PAID_PLANS = ["Starter", "Pro", "Team", "Business"] as const;

/** The vendor's public key, compiled into the executable. Overridable by config (tests bring their own). */
export const VENDOR_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAVxRYqBb7DHS6Qc5SNfsi9yLMT6lXdNKonjJfi2XoVvQ=
-----END PUBLIC KEY-----`;

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

export function loadPublicKey(keyOrFile: string | null): KeyObject {
  const text = keyOrFile ?? VENDOR_PUBLIC_KEY;
  const pem = text.includes("BEGIN PUBLIC KEY") ? text : readFileSync(text, "utf8");
  return createPublicKey(pem);
}

export function issueLicense(privateKeyPem: string, payload: LicensePayload): LicenseFile {
  const text = JSON.stringify(payload);
  const signature = sign(null, Buffer.from(text), createPrivateKey(privateKeyPem)).toString("base64");
  return { payload: text, signature };
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

/** Reads and verifies a license; anything wrong with it means the Free plan, with a warning saying what. */
export class License {
  private payload: LicensePayload | null = null;
  private problem: string | null = null;

  /** `required`: the operator named the file, so its absence is worth a warning. */
  constructor(file: string | null, publicKey: KeyObject, required = true) {
    if (!file) return;
    if (!existsSync(file)) {
      if (required) this.problem = `license file ${file} not found`;
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
        publicKey,
        Buffer.from(parsed.signature, "base64"),
      );
      if (!ok) {
        this.problem = `license file ${file} has an invalid signature`;
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

  /** The plan in force now (an expired license falls back to Free). */
  state(now = new Date()): LicenseState {
    const p = this.payload;
    if (!p) return freePlan(this.problem);
    if (p.expires_at && Date.parse(p.expires_at) <= now.getTime()) {
      return freePlan(`license for ${p.licensee} expired on ${p.expires_at}`);
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
}
