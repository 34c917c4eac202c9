/** The phone's command table: every family of commands bound to the device, plus `cmd` and `reboot`. */
import type { Device } from "../device.ts";
import type { Command } from "../shell.ts";
import { activityCommands } from "./activity.ts";
import { builtinCommands, which } from "./builtins.ts";
import { type DeviceCommand, err } from "./command.ts";
import { content } from "./content.ts";
import { dumpsys } from "./dumpsys.ts";
import { fileCommands } from "./files.ts";
import { ime } from "./ime.ts";
import { input } from "./input.ts";
import { pm } from "./packages.ts";
import { screenCommands } from "./screen.ts";
import { systemCommands } from "./system.ts";
import { textCommands } from "./text.ts";

export interface SystemHooks {
  reboot(): void;
}

/** `cmd SERVICE …`: the binder services that have a shell command of their own. */
const CMD_SERVICES: Record<string, string> = {
  package: "pm",
  activity: "am",
  input_method: "ime",
  input: "input",
  settings: "settings",
  window: "wm",
};

export function makeCommands(dev: Device, hooks: SystemHooks): Record<string, Command> {
  const families: Record<string, DeviceCommand> = {
    ...builtinCommands,
    ...fileCommands,
    ...textCommands,
    which,
    ...systemCommands,
    dumpsys,
    pm,
    ...activityCommands,
    content,
    ime,
    input,
    ...screenCommands,
  };
  const cmds: Record<string, Command> = {};
  for (const [name, run] of Object.entries(families)) cmds[name] = (ctx) => run(ctx, dev);
  cmds.reboot = async () => {
    setTimeout(() => hooks.reboot(), 10);
    return 0;
  };
  cmds.cmd = async (ctx) => {
    const [svc, ...rest] = ctx.args;
    const target = svc ? CMD_SERVICES[svc] : undefined;
    if (svc === "statusbar" || svc === "media_session" || svc === "power") return 0;
    const fn = target ? cmds[target] : undefined;
    if (!fn) {
      await err(ctx, `cmd: Can't find service: ${svc ?? ""}\n`);
      return 20;
    }
    return fn({ ...ctx, args: rest, name: target as string });
  };
  return cmds;
}
