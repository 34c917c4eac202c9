// A vendor key pair of the test's own, and licenses signed with it.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateVendorKeys, issueLicense, type LicensePayload } from "../../src/license/license.ts";

export const testKeys = generateVendorKeys();

export function writeLicense(dir: string, payload: Partial<LicensePayload>, keys = testKeys): string {
  const file = join(dir, `license-${Math.random().toString(36).slice(2)}.json`);
  const license = issueLicense(keys.privateKey, {
    plan: "Pro",
    licensee: "Test Farm",
    expires_at: null,
    issued_at: new Date().toISOString(),
    ...payload,
  });
  writeFileSync(file, JSON.stringify(license));
  return file;
}
