// The test scripts (test_sleep) and the faster clock are the test suite's: its build offers them when
// FARM_TEST_SCRIPTS=1 and FARM_TEST_CLOCK_RATE ask, a release build never does, whatever the environment says.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBinary, call, type Running, startBinary } from "../helpers/binary.ts";

const ROOT = join(import.meta.dir, "../..");
const work = mkdtempSync(join(tmpdir(), "farm-test-scripts-"));
const running: Running[] = [];

afterAll(() => {
  for (const r of running) r.proc.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
});

/** `npm run build`: the release executable, with the committed vendor key. */
async function releaseBuild(): Promise<string> {
  const env = { ...process.env };
  delete env.FARM_VENDOR_PUBLIC_KEY;
  const proc = Bun.spawn([process.execPath, "build.ts"], { cwd: ROOT, env, stdout: "pipe", stderr: "pipe" });
  if ((await proc.exited) !== 0) throw new Error(`build failed: ${await new Response(proc.stderr).text()}`);
  return join(ROOT, "dist/farm-tasks");
}

/**
 * The scripts the executable documents (every script it runs has its ScriptConfig_ schema), and how far
 * ahead of this process's time its clock is, asked to run 1,000 times faster, a moment after it started.
 */
async function testSeamsOf(binary: string, name: string): Promise<{ scripts: string[]; aheadS: number }> {
  const dir = join(work, name);
  const r = await startBinary(binary, ["--data-dir", dir], work, {
    FARM_TEST_SCRIPTS: "1",
    FARM_TEST_CLOCK_RATE: "1000",
  });
  running.push(r);
  const doc = (await call(r.url, "GET", "/swagger/json")).body as unknown as {
    components: { schemas: Record<string, unknown> };
  };
  await Bun.sleep(100);
  const health = (await call(r.url, "GET", "/health")).body as unknown as { time: string };
  return {
    scripts: Object.keys(doc.components.schemas)
      .filter((k) => k.startsWith("ScriptConfig_"))
      .map((k) => k.slice("ScriptConfig_".length)),
    aheadS: (Date.parse(health.time) - Date.now()) / 1000,
  };
}

test("FARM_TEST_SCRIPTS=1 and FARM_TEST_CLOCK_RATE: the test build honours them, a release build does not", async () => {
  const builtIn = ["post", "follow", "unfollow", "comment", "account_warmup", "match_accounts"];
  const testBuild = await testSeamsOf(await buildBinary(), "test-build");
  expect(testBuild.scripts).toEqual([...builtIn, "test_sleep"]);
  expect(testBuild.aheadS).toBeGreaterThan(60); // 100 ms or more at 1,000 times: 100 s ahead or more
  const release = await testSeamsOf(await releaseBuild(), "release");
  expect(release.scripts).toEqual(builtIn);
  expect(Math.abs(release.aheadS)).toBeLessThan(60);
});
