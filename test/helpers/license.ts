// The TEST-ONLY vendor key pair kept in test/keys (the test executable is built with its public half),
// and licenses signed with it or any other key.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { issueLicense, type LicensePayload } from "../../src/license/license.ts";

const KEYS = join(import.meta.dir, "../keys");
export const TEST_PRIVATE_KEY_FILE = join(KEYS, "TEST-ONLY-license-private.pem");
export const TEST_PUBLIC_KEY_FILE = join(KEYS, "TEST-ONLY-license-public.pem");

export const testKeys = {
  privateKey: readFileSync(TEST_PRIVATE_KEY_FILE, "utf8"),
  publicKey: readFileSync(TEST_PUBLIC_KEY_FILE, "utf8"),
};

export function writeLicense(dir: string, payload: Partial<LicensePayload>, keys = testKeys): string {
  const file = join(dir, `license-${Math.random().toString(36).slice(2)}.json`);
  writeLicenseTo(file, payload, keys);
  return file;
}

/** Writes (or replaces) a license at `file`. */
export function writeLicenseTo(file: string, payload: Partial<LicensePayload>, keys = testKeys): void {
  const license = issueLicense(keys.privateKey, {
    plan: "Pro",
    licensee: "Test Farm",
    expires_at: null,
    issued_at: new Date().toISOString(),
    ...payload,
  });
  writeFileSync(file, JSON.stringify(license));
}
