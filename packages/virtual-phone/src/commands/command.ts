/** What every shell command of the phone is given and uses: its context, the device, output helpers. */
import type { Device } from "../device.ts";
import type { CommandContext } from "../shell.ts";

/** A command of the phone: runs against the device's state, answers with an exit status. */
export type DeviceCommand = (ctx: CommandContext, dev: Device) => Promise<number>;

export async function out(ctx: CommandContext, s: string): Promise<void> {
  await ctx.out.write(s);
}

export async function err(ctx: CommandContext, s: string): Promise<void> {
  await ctx.err.write(s);
}

/** A path as the command names it, on the host disk (relative to the shell's working folder). */
export function hostOf(dev: Device, ctx: CommandContext, p: string): string {
  return dev.fs.host(p, ctx.shell.cwd);
}

export function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

/** Resolves true after ms of the phone's time, or false at once when the command is aborted. */
export function sleepAbortable(dev: Device, ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const { clock } = dev.cfg;
    const cancel = clock.wakeAt(clock.now() + ms, () => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    });
    const onAbort = () => {
      cancel();
      resolve(false);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
