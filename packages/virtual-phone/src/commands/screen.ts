/** What is on the screen: `uiautomator dump` (the view tree as XML) and `screencap`. */
import { writeFile } from "node:fs/promises";
import { strerror } from "../sync.ts";
import { type DeviceCommand, err, hostOf, out } from "./command.ts";

/** Commands that read the screen. */
export const screenCommands: Record<string, DeviceCommand> = {
  uiautomator: async (ctx, dev) => {
    const [sub, ...rest] = ctx.args;
    if (sub !== "dump") {
      await err(
        ctx,
        "Usage: uiautomator <subcommand> [options]\n\nAvailable subcommands:\n\nhelp: displays help message\n\ndump: creates an XML dump of current UI hierarchy\n",
      );
      return 1;
    }
    if (!dev.screenOn) {
      await err(ctx, "ERROR: null root node returned by UiTestAutomationBridge.\n");
      return 0;
    }
    const path = rest.find((r) => !r.startsWith("--")) ?? "/sdcard/window_dump.xml";
    if (dev.idleFailures > 0 || dev.dumpFindsNoIdle()) {
      dev.idleFailures = Math.max(0, dev.idleFailures - 1);
      await out(ctx, "ERROR: could not get idle state.\n");
      return 0;
    }
    const xml = dev.dumpXml();
    if (path === "/dev/tty" || path === "/dev/stdout") {
      await out(ctx, xml);
    } else {
      try {
        await writeFile(hostOf(dev, ctx, path), xml);
      } catch (e) {
        await err(ctx, `java.io.FileNotFoundException: ${path}: open failed: ${strerror(e)}\n`);
        return 1;
      }
    }
    await out(ctx, `UI hierchary dumped to: ${path}\n`);
    return 0;
  },
  screencap: async (ctx, dev) => {
    let png = false;
    let path: string | null = null;
    for (let i = 0; i < ctx.args.length; i++) {
      const a = ctx.args[i] as string;
      if (a === "-p") png = true;
      else if (a === "-d") i++;
      else if (a.startsWith("-")) continue;
      else path = a;
    }
    if (path?.endsWith(".png")) png = true;
    const canvas = dev.screenshot();
    let data: Buffer;
    if (png) data = canvas.png();
    else {
      const h = Buffer.alloc(16);
      h.writeUInt32LE(canvas.width, 0);
      h.writeUInt32LE(canvas.height, 4);
      h.writeUInt32LE(1, 8);
      h.writeUInt32LE(1, 12);
      data = Buffer.concat([h, canvas.rgba()]);
    }
    if (path) {
      try {
        await writeFile(hostOf(dev, ctx, path), data);
      } catch (e) {
        await err(ctx, `Error opening file: ${path} (${strerror(e)})\n`);
        return 1;
      }
    } else await ctx.out.write(data);
    return 0;
  },
};
