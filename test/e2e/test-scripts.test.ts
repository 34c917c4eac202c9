// The test scripts (test_sleep) are the test suite's: its build offers them when FARM_TEST_SCRIPTS=1 asks,
// a release build never does, whatever the environment says.
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

/** The scripts the executable documents (every script it runs has its ScriptConfig_ schema). */
async function scriptsOf(binary: string, name: string): Promise<string[]> {
  const dir = join(work, name);
  const r = await startBinary(binary, ["--data-dir", dir], work, { FARM_TEST_SCRIPTS: "1" });
  running.push(r);
  const doc = (await call(r.url, "GET", "/swagger/json")).body as unknown as {
    components: { schemas: Record<string, unknown> };
  };
  return Object.keys(doc.components.schemas)
    .filter((k) => k.startsWith("ScriptConfig_"))
    .map((k) => k.slice("ScriptConfig_".length));
}

test("FARM_TEST_SCRIPTS=1: the test build offers test_sleep, a release build does not", async () => {
  const builtIn = ["post", "follow", "unfollow", "comment", "account_warmup", "match_accounts"];
  expect(await scriptsOf(await buildBinary(), "test-build")).toEqual([...builtIn, "test_sleep"]);
  expect(await scriptsOf(await releaseBuild(), "release")).toEqual(builtIn);
});
