/** Shell builtins and toybox basics: true/false, exit, echo, printf, sleep, sh, cd, export, test, which, … */
import { statSync } from "node:fs";
import { stat } from "node:fs/promises";
import type { Device } from "../device.ts";
import { type CommandContext as Ctx, ExitError, readAll, SH, Shell } from "../shell.ts";
import { type DeviceCommand, err, hostOf, out, sleepAbortable } from "./command.ts";

/** Commands the shell itself answers. */
export const builtinCommands: Record<string, DeviceCommand> = {
  true: async () => 0,
  false: async () => 1,
  ":": async () => 0,
  exit: async (ctx) => {
    throw new ExitError(ctx.args[0] ? Number(ctx.args[0]) & 0xff : ctx.shell.status);
  },
  echo: async (ctx) => {
    let args = ctx.args;
    let newline = true;
    let escapes = false;
    while (args[0] && /^-[neE]+$/.test(args[0])) {
      if (args[0].includes("n")) newline = false;
      if (args[0].includes("e")) escapes = true;
      args = args.slice(1);
    }
    let s = args.join(" ");
    if (escapes) s = s.replace(/\\n/g, "\n").replace(/\\t/g, "\t").replace(/\\\\/g, "\\");
    await out(ctx, newline ? `${s}\n` : s);
    return 0;
  },
  printf: async (ctx) => {
    const [fmt = "", ...rest] = ctx.args;
    let i = 0;
    const s = fmt
      .replace(/%([sdi%])/g, (_m, c: string) =>
        c === "%" ? "%" : c === "s" ? (rest[i++] ?? "") : String(Number(rest[i++] ?? 0) | 0),
      )
      .replace(/\\n/g, "\n")
      .replace(/\\t/g, "\t");
    await out(ctx, s);
    return 0;
  },
  sleep: async (ctx, dev) => {
    const secs = Number.parseFloat((ctx.args[0] ?? "0").replace(/s$/, ""));
    if (Number.isNaN(secs)) {
      await err(ctx, `sleep: invalid number '${ctx.args[0]}'\n`);
      return 1;
    }
    return (await sleepAbortable(dev, secs * 1000, ctx.signal)) ? 0 : 130;
  },
  sh: async (ctx) => {
    const i = ctx.args.indexOf("-c");
    if (i >= 0) {
      const script = ctx.args[i + 1] ?? "";
      const sub = new Shell(ctx.shell.host, ctx.shell.vars);
      sub.cwd = ctx.shell.cwd;
      return sub.run(script, ctx);
    }
    const script = (await readAll(ctx.in)).toString("utf8");
    return ctx.shell.run(script, ctx);
  },
  cd: async (ctx, dev) => {
    const p = dev.fs.normalize(ctx.args[0] ?? "/", ctx.shell.cwd);
    try {
      if (!statSync(dev.fs.host(p)).isDirectory()) throw new Error();
    } catch {
      await err(ctx, `${SH}: cd: ${p}: No such file or directory\n`);
      return 2;
    }
    ctx.shell.cwd = p;
    return 0;
  },
  pwd: async (ctx) => {
    await out(ctx, `${ctx.shell.cwd}\n`);
    return 0;
  },
  export: async (ctx) => {
    for (const a of ctx.args) {
      const eq = a.indexOf("=");
      if (eq > 0) ctx.shell.vars[a.slice(0, eq)] = a.slice(eq + 1);
    }
    return 0;
  },
  unset: async (ctx) => {
    for (const a of ctx.args) delete ctx.shell.vars[a];
    return 0;
  },
  test: (ctx, dev) => testCmd(ctx, dev, ctx.args),
  "[": async (ctx, dev) => {
    if (ctx.args[ctx.args.length - 1] !== "]") {
      await err(ctx, "[: missing ]\n");
      return 2;
    }
    return testCmd(ctx, dev, ctx.args.slice(0, -1));
  },
  basename: async (ctx) => {
    await out(ctx, `${(ctx.args[0] ?? "").replace(/\/+$/, "").split("/").pop()}\n`);
    return 0;
  },
  dirname: async (ctx) => {
    const p = (ctx.args[0] ?? "").replace(/\/+$/, "");
    await out(ctx, `${p.includes("/") ? p.slice(0, p.lastIndexOf("/")) || "/" : "."}\n`);
    return 0;
  },
};

/** `which` looks the names up in the phone's whole command table. */
export const which: DeviceCommand = async (ctx) => {
  let status = 0;
  for (const a of ctx.args) {
    if (ctx.shell.host.commands[a]) await out(ctx, `/system/bin/${a}\n`);
    else status = 1;
  }
  return status;
};

async function testCmd(ctx: Ctx, dev: Device, a: string[]): Promise<number> {
  let negate = false;
  if (a[0] === "!") {
    negate = true;
    a = a.slice(1);
  }
  let r = false;
  if (a.length === 0) r = false;
  else if (a.length === 1) r = (a[0] as string).length > 0;
  else if (a.length === 2) {
    const [op, v = ""] = a;
    const st = await stat(hostOf(dev, ctx, v)).catch(() => null);
    switch (op) {
      case "-e":
        r = !!st;
        break;
      case "-f":
        r = !!st?.isFile();
        break;
      case "-d":
        r = !!st?.isDirectory();
        break;
      case "-s":
        r = !!st && st.size > 0;
        break;
      case "-r":
      case "-w":
        r = !!st;
        break;
      case "-x":
        r = !!st?.isDirectory();
        break;
      case "-z":
        r = v.length === 0;
        break;
      case "-n":
        r = v.length > 0;
        break;
    }
  } else {
    const [x = "", op, y = ""] = a;
    switch (op) {
      case "=":
      case "==":
        r = x === y;
        break;
      case "!=":
        r = x !== y;
        break;
      case "-eq":
        r = Number(x) === Number(y);
        break;
      case "-ne":
        r = Number(x) !== Number(y);
        break;
      case "-lt":
        r = Number(x) < Number(y);
        break;
      case "-le":
        r = Number(x) <= Number(y);
        break;
      case "-gt":
        r = Number(x) > Number(y);
        break;
      case "-ge":
        r = Number(x) >= Number(y);
        break;
    }
  }
  return r !== negate ? 0 : 1;
}
