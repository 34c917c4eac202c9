// Start a server process that prints "listening on http://HOST:PORT" on stderr, and stop it.
import { join } from "node:path";

export interface Started {
  proc: ReturnType<typeof Bun.spawn>;
  url: string;
}

export async function startBinaryLike(cmd: string[], env: Record<string, string> = {}): Promise<Started> {
  const proc = Bun.spawn(cmd, { env: { ...process.env, ...env }, stdout: "inherit", stderr: "pipe" });
  const reader = (proc.stderr as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${cmd.join(" ")} exited:\n${text}`);
    text += decoder.decode(value);
    const url = /listening on (http:\/\/\S+?:\d+)/.exec(text)?.[1];
    if (url) {
      void (async () => {
        while (!(await reader.read()).done) {}
      })();
      return { proc, url };
    }
  }
}

/** The service from source on a free port with its data in `dataDir`, plus `args`. */
export function startService(dataDir: string, ...args: string[]): Promise<Started> {
  return startBinaryLike([
    process.execPath,
    join(import.meta.dir, "../../src/main.ts"),
    "--port",
    "0",
    "--data-dir",
    dataDir,
    ...args,
  ]);
}

export async function stopProcess(proc: Started["proc"]): Promise<void> {
  proc.kill("SIGTERM");
  await proc.exited;
}
