// The compiled executable, built once per test run, started as a real process on a free port. It is the
// test build: it trusts test/keys' TEST-ONLY key and lives in dist/test/, apart from release builds.
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "../..");
export const BINARY = join(ROOT, "dist/test/farm-tasks");
let built = false;

export async function buildBinary(): Promise<string> {
  if (built && existsSync(BINARY)) return BINARY;
  const proc = Bun.spawn([process.execPath, "build.ts", "--test-key"], {
    cwd: ROOT,
    stdout: "pipe",
    stderr: "pipe",
  });
  if ((await proc.exited) !== 0) throw new Error(`build failed: ${await new Response(proc.stderr).text()}`);
  if (!statSync(BINARY).isFile()) throw new Error("build made no executable");
  built = true;
  return BINARY;
}

// whatever a test forgets to stop, or leaves behind when it fails, dies with the test run
const started = new Set<ReturnType<typeof Bun.spawn>>();
process.on("exit", () => {
  for (const proc of started) proc.kill("SIGKILL");
});

export interface Running {
  proc: ReturnType<typeof Bun.spawn>;
  url: string;
  log: () => string;
}

/** Starts the executable with `--port 0` and waits for the line that says where it listens. */
export async function startBinary(
  binary: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
) {
  const proc = Bun.spawn([binary, "--port", "0", ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  started.add(proc);
  void proc.exited.then(() => started.delete(proc));
  let text = "";
  const reader = (proc.stderr as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const deadline = Date.now() + 15_000;
  let url: string | undefined;
  while (!url) {
    if (Date.now() > deadline) throw new Error(`no "listening" line within 15 s:\n${text}`);
    const { value, done } = await reader.read();
    if (done) throw new Error(`exited before listening:\n${text}`);
    text += decoder.decode(value);
    url = /listening on (http:\/\/\S+?:\d+)/.exec(text)?.[1];
  }
  // keep draining so the process never blocks on a full pipe
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
  })();
  return { proc, url, log: () => text } satisfies Running;
}
