// The vendor's public key, the only key licenses are checked against. build.ts compiles it in (the file
// named by FARM_VENDOR_PUBLIC_KEY at build time, else vendor-public.pem); nothing replaces it at run time.
// Run from source (`bun src/main.ts`), building and running are one step: the same variable, read now,
// else the committed vendor-public.pem.
import { readFileSync } from "node:fs";
import committedKey from "./vendor-public.pem" with { type: "text" };

/** Replaced by build.ts (`define`); undefined when running from source. */
declare const FARM_BUILD_VENDOR_KEY: string | undefined;
declare const FARM_BUILD_TEST_KEY: boolean | undefined;

export function vendorPublicKeyPem(): string {
  if (typeof FARM_BUILD_VENDOR_KEY === "string") return FARM_BUILD_VENDOR_KEY;
  const file = process.env.FARM_VENDOR_PUBLIC_KEY;
  if (!file) return committedKey;
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`FARM_VENDOR_PUBLIC_KEY: cannot read ${file}: ${(e as Error).message}`);
  }
}

/** True in executables built for the test suite, which trust the public TEST-ONLY key. */
export const BUILT_WITH_TEST_KEY: boolean = typeof FARM_BUILD_TEST_KEY === "boolean" && FARM_BUILD_TEST_KEY;
