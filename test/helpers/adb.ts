// Debian's adb for tests and benchmarks: a private adb server, and a wrapper script for the fleet's auto-start.
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports.ts";

export const ADB = Bun.which("adb") ?? "/usr/bin/adb";

export interface AdbRun {
  stdout: Buffer;
  stderr: string;
  code: number;
  /** stdout as UTF-8. */
  text: string;
}

export interface AdbServer {
  port: number;
  home: string;
  /** The environment the server runs in (private HOME, no emulator probing); clients should use it too. */
  env: Record<string, string>;
  /** Runs `adb -P PORT ...args` against this server (killed after timeoutMs). */
  run(args: string[], timeoutMs?: number): Promise<AdbRun>;
  stop(): Promise<void>;
}

/** An adb server of our own: own port, own HOME (own key), no emulator probing. */
export async function startAdbServer(port?: number): Promise<AdbServer> {
  if (!Bun.which("adb")) {
    throw new Error(
      "adb is not on PATH: these tests drive Debian's real adb server. Install it with `apt-get install -y adb`.",
    );
  }
  const home = await mkdtemp(join(tmpdir(), "farm-adb-home-"));
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, ADB_EMU: "0" };
  // A free port can be taken by a test file running beside this one before adb binds it ("protocol fault"):
  // then adb start-server is tried again on another port, unless the caller asked for this one.
  for (let attempt = 1; ; attempt++) {
    const serverPort = port ?? (await freePort());
    const server = adbServerOn(serverPort, home, env);
    const started = await server.run(["start-server"]);
    if (started.code === 0) return server;
    if (port !== undefined || attempt === 5) {
      await rm(home, { recursive: true, force: true });
      throw new Error(`adb start-server on port ${serverPort} failed: ${started.stderr}`);
    }
  }
}

function adbServerOn(serverPort: number, home: string, env: Record<string, string>): AdbServer {
  const run = async (args: string[], timeoutMs = 20_000): Promise<AdbRun> => {
    const proc = Bun.spawn([ADB, "-P", String(serverPort), ...args], {
      env,
      stdout: "pipe",
      stderr: "pipe",
      stdin: "ignore",
    });
    const timer = setTimeout(() => proc.kill(), timeoutMs);
    const [out, stderr] = await Promise.all([
      new Response(proc.stdout).arrayBuffer(),
      new Response(proc.stderr).text(),
    ]);
    const code = await proc.exited;
    clearTimeout(timer);
    const stdout = Buffer.from(out);
    return { stdout, stderr, code, text: stdout.toString("utf8") };
  };
  return {
    port: serverPort,
    home,
    env,
    run,
    async stop() {
      await run(["kill-server"], 5000).catch(() => undefined);
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** A wrapper script that runs adb with a private HOME and ADB_EMU=0 (for the fleet's auto-start). */
export async function adbWrapper(dir: string, home: string): Promise<string> {
  const path = join(dir, "adb-wrapper.sh");
  await mkdir(home, { recursive: true });
  await writeFile(path, `#!/bin/sh\nHOME='${home}' ADB_EMU=0 exec '${ADB}' "$@"\n`);
  await chmod(path, 0o755);
  return path;
}
