/** Helpers for the device tests that need no virtual phone: ports, waiting, a private adb server. */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { chmod, mkdir, mkdtemp, open, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ADB = Bun.which("adb") ?? "/usr/bin/adb";

export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once("error", reject);
      srv.listen(0, "127.0.0.1", () => {
        const address = srv.address();
        srv.close(() => resolve(typeof address === "object" && address ? address.port : 0));
      });
    });
    if (port < 5555 || port > 5585) return port;
  }
}

export async function waitFor<T>(
  what: string,
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(25);
  }
}

export interface TestAdbServer {
  port: number;
  home: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** An adb server of our own: own port, own HOME (own key), no emulator probing. */
export async function startAdbServer(port?: number): Promise<TestAdbServer> {
  const home = await mkdtemp(join(tmpdir(), "farm-adb-home-"));
  const serverPort = port ?? (await freePort());
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, ADB_EMU: "0" };
  const start = Bun.spawn([ADB, "-P", String(serverPort), "start-server"], {
    env,
    stdout: "ignore",
    stderr: "pipe",
  });
  const code = await start.exited;
  if (code !== 0) throw new Error(`adb start-server failed: ${await new Response(start.stderr).text()}`);
  return {
    port: serverPort,
    home,
    env,
    async stop() {
      const kill = Bun.spawn([ADB, "-P", String(serverPort), "kill-server"], {
        env,
        stdout: "ignore",
        stderr: "ignore",
      });
      await Promise.race([kill.exited, Bun.sleep(5000)]);
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

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Writes `megabytes` of random data to `path` in 1 MiB pieces; returns its SHA-256. */
export async function randomFile(path: string, megabytes: number): Promise<string> {
  const hash = createHash("sha256");
  const fh = await open(path, "w");
  try {
    for (let i = 0; i < megabytes; i++) {
      const chunk = randomBytes(1024 * 1024);
      hash.update(chunk);
      await fh.write(chunk);
    }
  } finally {
    await fh.close();
  }
  return hash.digest("hex");
}
