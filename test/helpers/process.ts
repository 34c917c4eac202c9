// A service as a real process: the executable (see binary.ts) or FROM_SOURCE (`bun src/main.ts`), on a free
// port, and HTTP calls to it. Importing this builds nothing: tests outside test/e2e may start the service
// from source.
import { join } from "node:path";

const ROOT = join(import.meta.dir, "../..");

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

/** The service from source, as `bun src/main.ts`: pass it to startBinary to compare with the executable. */
export const FROM_SOURCE = [process.execPath, join(ROOT, "src/main.ts")];

/** FROM_SOURCE as on Windows, as far as this machine goes (see as-win32.ts). */
export const AS_WIN32 = [
  process.execPath,
  "--preload",
  join(import.meta.dir, "as-win32.ts"),
  FROM_SOURCE[1] as string,
];

/** Starts the executable (or FROM_SOURCE) with `--port 0` and waits for the line that says where it listens. */
export async function startBinary(
  binary: string | string[],
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
) {
  const proc = Bun.spawn([binary, "--port", "0", ...args].flat(), {
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

export interface Answer {
  status: number;
  headers: Headers;
  /** The JSON answer; `{ code: -1, message: text }` when it was not JSON. */
  body: { code: number; message: string; data: any };
}

/** One request over HTTP; `body` goes out as JSON unless it is a string (sent as it is). */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] ??= "application/json";
  }
  const res = await fetch(`${baseUrl}${path}`, init);
  const text = await res.text();
  try {
    return { status: res.status, headers: res.headers, body: JSON.parse(text) };
  } catch {
    return { status: res.status, headers: res.headers, body: { code: -1, message: text, data: null } };
  }
}
