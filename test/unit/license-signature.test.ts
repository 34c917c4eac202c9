// Which key a license counts with, and the warning that says why one does not.
import { afterAll, expect, test } from "bun:test";
import { createPublicKey } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateVendorKeys, keyId, License, vendorPublicKey } from "../../src/license/license.ts";
import { testKeys, writeLicense } from "../helpers/license.ts";

const dir = mkdtempSync(join(tmpdir(), "farm-lic-sig-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const testKey = createPublicKey(testKeys.publicKey);
const check = (file: string, publicKey = testKey) => new License({ file, required: true, publicKey }).state();

test("a license signed with the key in force counts; altered, it says so", () => {
  const file = writeLicense(dir, { plan: "Team" });
  expect(check(file)).toMatchObject({ plan_name: "Team", warning: null });
  const lic = JSON.parse(readFileSync(file, "utf8"));
  writeFileSync(file, JSON.stringify({ ...lic, payload: lic.payload.replace('"Team"', '"Business"') }));
  expect(check(file)).toMatchObject({ plan_name: "Free", device_limit: 2 });
  expect(check(file).warning).toMatch(/invalid signature: it was altered after it was signed/);
});

test("a license signed with any other key is none, and the warning names both keys", () => {
  const own = generateVendorKeys();
  const file = writeLicense(dir, { plan: "Business" }, own);
  const state = check(file);
  expect(state.plan_name).toBe("Free");
  expect(state.warning).toContain(
    `signed with another key (${keyId(createPublicKey(own.publicKey))}), not the vendor's (${keyId(testKey)})`,
  );
  // without the key's name, the warning still says what can be wrong
  const lic = JSON.parse(readFileSync(file, "utf8"));
  delete lic.key_id;
  writeFileSync(file, JSON.stringify(lic));
  expect(check(file).warning).toMatch(/altered, or not signed with the vendor's key/);
});

test("run from source, the committed vendor key is in force: the test key's licenses are none", () => {
  delete process.env.FARM_VENDOR_PUBLIC_KEY; // the one way to name another key from source
  const committed = readFileSync(join(import.meta.dir, "../../src/license/vendor-public.pem"), "utf8");
  expect(keyId(vendorPublicKey())).toBe(keyId(createPublicKey(committed)));
  expect(committed).not.toContain("TEST-ONLY");
  const state = new License({ file: writeLicense(dir, { plan: "Pro" }), required: true }).state();
  expect(state.plan_name).toBe("Free");
  expect(state.warning).toMatch(/signed with another key/);
});
