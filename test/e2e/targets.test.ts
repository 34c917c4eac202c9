// `build:all` makes an executable for every farm PC system: each file is the right format for its
// system, SHA256SUMS lists them all, and the linux-arm64 one runs (under qemu-user) far enough to print
// its version and answer /health. The Windows and macOS ones are only built: no runtime for them here.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TARGETS } from "../../build.ts";
import { type Running, startBinary } from "../helpers/binary.ts";

const ROOT = join(import.meta.dir, "../..");
const DIST = join(ROOT, "dist/test");
const QEMU = "qemu-aarch64-static";
let work: string;
let running: Running | undefined;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "farm-targets-"));
  const build = Bun.spawn([process.execPath, "build.ts", "--all", "--test-key"], {
    cwd: ROOT,
    stdout: "pipe",
    stderr: "pipe",
  });
  if ((await build.exited) !== 0)
    throw new Error(`build:all failed: ${await new Response(build.stderr).text()}`);
}, 300_000);
afterAll(() => {
  running?.proc.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
});

/** What the file's header says it is, read by hand (ELF, PE and Mach-O). */
function format(file: string): string {
  const b = readFileSync(file).subarray(0, 4096);
  if (b.readUInt32BE(0) === 0x7f454c46) {
    const machines: Record<number, string> = { 62: "x86-64", 183: "aarch64" };
    return `ELF${b[4] === 2 ? "64" : "32"} ${machines[b.readUInt16LE(18)] ?? "?"}`;
  }
  if (b.readUInt32LE(0) === 0xfeedfacf) {
    const cpus: Record<number, string> = { 16777223: "x86-64", 16777228: "arm64" };
    return `Mach-O64 ${cpus[b.readUInt32LE(4)] ?? "?"}`;
  }
  if (b.toString("latin1", 0, 2) === "MZ") {
    const pe = b.readUInt32LE(0x3c);
    if (b.toString("latin1", pe, pe + 4) !== "PE\0\0") return "MZ without PE";
    const machine = b.readUInt16LE(pe + 4) === 0x8664 ? "x86-64" : "?";
    return `${b.readUInt16LE(pe + 24) === 0x20b ? "PE32+" : "PE32"} ${machine}`;
  }
  return "unknown";
}

test("every target is built in its system's format, and SHA256SUMS vouches for each", () => {
  const expected: Record<string, string> = {
    "farm-tasks-linux-x64": "ELF64 x86-64",
    "farm-tasks-linux-arm64": "ELF64 aarch64",
    "farm-tasks-windows-x64.exe": "PE32+ x86-64",
    "farm-tasks-darwin-x64": "Mach-O64 x86-64",
    "farm-tasks-darwin-arm64": "Mach-O64 arm64",
  };
  expect(TARGETS.map((t): string => t.file).sort()).toEqual(Object.keys(expected).sort());
  const sums = readFileSync(join(DIST, "SHA256SUMS"), "utf8").trim().split("\n");
  expect(sums).toHaveLength(TARGETS.length);
  for (const line of sums) {
    const [hash, name] = line.split(/\s+/) as [string, string];
    expect(format(join(DIST, name))).toBe(expected[name] as string);
    expect(
      createHash("sha256")
        .update(readFileSync(join(DIST, name)))
        .digest("hex"),
    ).toBe(hash);
    // no source map unless asked for
    expect(Bun.file(join(DIST, `${name}.map`)).size).toBe(0);
  }
});

test("linux-x64 prints its version and commit; started from another folder, it keeps its data beside itself", async () => {
  const bin = join(work, "bin");
  mkdirSync(bin);
  const exe = join(bin, "farm-tasks-linux-x64");
  copyFileSync(join(DIST, "farm-tasks-linux-x64"), exe);
  const r = Bun.spawnSync([exe, "--version"]);
  expect(r.stdout.toString()).toMatch(/^farm-tasks \d+\.\d+\.\d+ \(commit [0-9a-f]{12}/);
  const elsewhere = join(work, "elsewhere");
  mkdirSync(elsewhere);
  running = await startBinary(exe, ["--adb", "127.0.0.1:1"], elsewhere);
  expect(running.log()).toContain(`data ${join(bin, "data")}`);
  expect(existsSync(join(bin, "data", "farm.db"))).toBe(true);
  expect(existsSync(join(elsewhere, "data"))).toBe(false);
  running.proc.kill("SIGKILL");
  await running.proc.exited;
});

test("linux-arm64 runs under qemu-user: --version, then /health", async () => {
  const arm = join(DIST, "farm-tasks-linux-arm64");
  const version = Bun.spawnSync([QEMU, "-L", "/usr/aarch64-linux-gnu", arm, "--version"]);
  expect(version.stdout.toString()).toMatch(/^farm-tasks \d+\.\d+\.\d+ \(commit [0-9a-f]{12}/);
  // startBinary runs one command: a wrapper that puts qemu in front
  const wrapper = join(work, "farm-tasks-arm64");
  writeFileSync(wrapper, `#!/bin/sh\nexec ${QEMU} -L /usr/aarch64-linux-gnu "${arm}" "$@"\n`);
  chmodSync(wrapper, 0o755);
  running = await startBinary(wrapper, ["--data-dir", join(work, "data"), "--adb", "127.0.0.1:1"], work);
  const health = await (await fetch(`${running.url}/health`)).json();
  expect(health).toMatchObject({ status: "ok", db: "ok" });
}, 60_000);
