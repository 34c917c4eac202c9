/** Processes on the phone: a shell command with its exit code, or a program's raw output. */
import type { Adb } from "@yume-chan/adb";
import type { ReadableStream as AdbReadableStream } from "@yume-chan/stream-extra";

export interface ShellResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export async function readAll(stream: AdbReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    // The transport may reuse its buffers: keep a copy.
    chunks.push(value.slice());
    length += value.length;
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

export const decoder = new TextDecoder();
const text = async (stream: AdbReadableStream<Uint8Array>) => decoder.decode(await readAll(stream));

/** Runs `command` through the phone's shell (shell protocol v2 when the phone has it). */
export async function runShell(adb: Adb, command: string, signal: AbortSignal): Promise<ShellResult> {
  const shellProtocol = adb.subprocess.shellProtocol;
  if (shellProtocol) {
    // An array of one element goes over the wire unchanged (`shell,v2,raw:<command>`).
    const proc = await shellProtocol.spawn([command], signal);
    const [stdout, stderr, exitCode] = await Promise.all([text(proc.stdout), text(proc.stderr), proc.exited]);
    return { stdout, stderr, exitCode };
  }
  // No shell v2 (very old phones): fold the exit code into the output behind a marker.
  const marker = "__farm_exit__";
  const wrapped = `(${command}); __e=$?; echo; echo ${marker}$__e`;
  const proc = await spawnRaw(adb, wrapped, signal);
  const out = await text(proc.output);
  const m = new RegExp(`\\n${marker}(\\d+)\\s*$`).exec(out);
  if (!m) return { stdout: out, stderr: "", exitCode: -1 };
  return { stdout: out.slice(0, m.index), stderr: "", exitCode: Number(m[1]) };
}

/** Runs `command` with `exec:` and returns its output byte for byte (no shell, no exit code). */
export async function runExec(adb: Adb, command: string, signal: AbortSignal): Promise<Uint8Array> {
  const proc = await spawnRaw(adb, command, signal);
  return await readAll(proc.output);
}

/**
 * A process without the shell protocol. Its `exited` rejects with the signal's reason on abort and we read
 * only its output: observe it, or every stopped dump or getprop is an unhandled rejection.
 */
async function spawnRaw(adb: Adb, command: string, signal: AbortSignal) {
  const proc = await adb.subprocess.noneProtocol.spawn([command], signal);
  proc.exited.catch(() => {});
  return proc;
}
