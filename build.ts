// Self-contained executables in dist/ (runtime, code, SQL migrations, Swagger UI files, the vendor's key).
//   bun build.ts               dist/farm-tasks, for this machine          (npm run build)
//   bun build.ts --all         one per farm PC system, plus dist/SHA256SUMS  (npm run build:all)
//   --sourcemap                a .map beside each executable
//   --test-key                 the test suite's build: trusts test/keys' TEST-ONLY key, offers the test
//                              scripts (FARM_TEST_SCRIPTS=1), goes to dist/test/
// The vendor's public key is read from the file named by FARM_VENDOR_PUBLIC_KEY, else
// src/license/vendor-public.pem; a release build refuses a key marked TEST-ONLY.
import { execFileSync } from "node:child_process";
import { createHash, createPublicKey } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parseArgs } from "node:util";

/** The text that marks the test suite's key (test/keys); a release build refuses a key file holding it. */
const TEST_KEY_MARKER = "TEST-ONLY";

/** Every system a farm PC runs, as Bun names its runtime, and the file name it gets. */
export const TARGETS = [
  { target: "bun-linux-x64", file: "farm-tasks-linux-x64" },
  { target: "bun-linux-arm64", file: "farm-tasks-linux-arm64" },
  { target: "bun-windows-x64", file: "farm-tasks-windows-x64.exe" },
  { target: "bun-darwin-x64", file: "farm-tasks-darwin-x64" },
  { target: "bun-darwin-arm64", file: "farm-tasks-darwin-arm64" },
] as const;

function fail(message: string): never {
  console.error(`build: ${message}`);
  process.exit(1);
}

function vendorKey(testKey: boolean): string {
  const file = testKey
    ? join(import.meta.dir, "test/keys/TEST-ONLY-license-public.pem")
    : (process.env.FARM_VENDOR_PUBLIC_KEY ?? join(import.meta.dir, "src/license/vendor-public.pem"));
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    fail(`cannot read the vendor public key ${file}: ${(e as Error).message}`);
  }
  if (text.includes("PRIVATE KEY")) fail(`${file} holds a private key: build with the public half only`);
  if (!testKey && text.includes(TEST_KEY_MARKER)) {
    fail(`${file} is marked ${TEST_KEY_MARKER}: a release build never trusts the test key`);
  }
  const pem = /-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/.exec(text)?.[0];
  if (!pem) fail(`${file} holds no PEM public key`);
  try {
    if (createPublicKey(pem).asymmetricKeyType !== "ed25519") fail(`${file} is not an Ed25519 key`);
  } catch (e) {
    fail(`${file}: ${(e as Error).message}`);
  }
  return `${pem}\n`;
}

function commit(): string {
  try {
    const hash = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { cwd: import.meta.dir });
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], {
      cwd: import.meta.dir,
    });
    return `${hash.toString().trim()}${dirty.length > 0 ? "-dirty" : ""}`;
  } catch {
    return "unknown";
  }
}

async function main(): Promise<void> {
  const { values: flags } = parseArgs({
    options: {
      all: { type: "boolean", default: false },
      sourcemap: { type: "boolean", default: false },
      "test-key": { type: "boolean", default: false },
    },
  });
  const dir = flags["test-key"] ? "dist/test" : "dist";
  const builds = flags.all
    ? TARGETS.map((t) => ({ target: t.target, outfile: join(dir, t.file) }))
    : [{ target: undefined, outfile: join(dir, "farm-tasks") }];
  const define = {
    FARM_BUILD_COMMIT: JSON.stringify(commit()),
    FARM_BUILD_VENDOR_KEY: JSON.stringify(vendorKey(flags["test-key"])),
    FARM_BUILD_TEST_KEY: JSON.stringify(flags["test-key"]),
    // only the test suite's build offers its test scripts (FARM_TEST_SCRIPTS=1)
    FARM_BUILD_TEST_SCRIPTS: JSON.stringify(flags["test-key"]),
  };

  mkdirSync(dir, { recursive: true });
  for (const { target, outfile } of builds) {
    for (const old of [outfile, `${outfile}.map`]) rmSync(old, { force: true });
    const result = await Bun.build({
      entrypoints: [join(import.meta.dir, "src/main.ts")],
      compile: target ? { target, outfile } : { outfile },
      // identifiers stay: Elysia's generated validators refer to names, and a build minifying them
      // silently skips query validation
      minify: { whitespace: true, syntax: true, identifiers: false },
      sourcemap: flags.sourcemap ? "linked" : "none",
      define,
    });
    if (!result.success) {
      for (const log of result.logs) console.error(log);
      fail(`${outfile} failed`);
    }
    console.log(`built ${outfile}`);
  }
  if (flags.all) {
    const sums = builds
      .map(
        ({ outfile }) =>
          `${createHash("sha256").update(readFileSync(outfile)).digest("hex")}  ${basename(outfile)}\n`,
      )
      .join("");
    writeFileSync(join(dir, "SHA256SUMS"), sums);
    console.log(`wrote ${join(dir, "SHA256SUMS")}`);
  }
}

if (import.meta.main) await main();
