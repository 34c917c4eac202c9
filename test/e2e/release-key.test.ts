// A release build embeds the vendor's public key and nothing else: never the test suite's key, never a
// private key.
import { expect, test } from "bun:test";
import { join } from "node:path";
import { TEST_PRIVATE_KEY_FILE, TEST_PUBLIC_KEY_FILE } from "../helpers/license.ts";

const ROOT = join(import.meta.dir, "../..");

function releaseBuild(keyFile: string, args: string[] = []) {
  const r = Bun.spawnSync([process.execPath, "build.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, FARM_VENDOR_PUBLIC_KEY: keyFile },
  });
  return { exitCode: r.exitCode, stderr: r.stderr.toString() };
}

test("npm run build and build:all refuse the key marked TEST-ONLY", () => {
  for (const args of [[], ["--all"]]) {
    const r = releaseBuild(TEST_PUBLIC_KEY_FILE, args);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/is marked TEST-ONLY: a release build never trusts the test key/);
  }
});

test("a private key, a missing file or something else than an Ed25519 public key is refused", () => {
  expect(releaseBuild(TEST_PRIVATE_KEY_FILE).stderr).toMatch(/holds a private key/);
  expect(releaseBuild(join(ROOT, "no-such-key.pem")).stderr).toMatch(/cannot read the vendor public key/);
  expect(releaseBuild(join(ROOT, "package.json")).stderr).toMatch(/holds no PEM public key/);
});
