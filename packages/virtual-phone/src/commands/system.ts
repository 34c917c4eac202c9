/** System facts and knobs: id, uname, date, getprop/setprop, ps/pidof, wm, settings, … */

import { type DeviceCommand, err, out, pad2 } from "./command.ts";
import { installedImes } from "./ime.ts";

/** Commands that report or set system state. */
export const systemCommands: Record<string, DeviceCommand> = {
  id: async (ctx) => {
    await out(
      ctx,
      "uid=2000(shell) gid=2000(shell) groups=2000(shell),1004(input),1007(log),1011(adb),1015(sdcard_rw),1028(sdcard_r),1078(ext_data_rw),1079(ext_obb_rw),3001(net_bt_admin),3002(net_bt),3003(inet),3006(net_bw_stats),3009(readproc),3011(uhid),3012(readtracefs) context=u:r:shell:s0\n",
    );
    return 0;
  },
  whoami: async (ctx) => {
    await out(ctx, "shell\n");
    return 0;
  },
  getenforce: async (ctx) => {
    await out(ctx, "Enforcing\n");
    return 0;
  },
  uname: async (ctx) => {
    await out(
      ctx,
      ctx.args.includes("-a")
        ? "Linux localhost 5.10.198-android13-4 #1 SMP PREEMPT aarch64 Toybox\n"
        : "Linux\n",
    );
    return 0;
  },
  date: async (ctx) => {
    const now = new Date();
    const f = ctx.args.find((a) => a.startsWith("+"));
    if (f) {
      const s = f.slice(1).replace(/%([sYmdHMSNz%])/g, (_m, c: string) => {
        switch (c) {
          case "s":
            return String(Math.floor(now.getTime() / 1000));
          case "Y":
            return String(now.getUTCFullYear());
          case "m":
            return pad2(now.getUTCMonth() + 1);
          case "d":
            return pad2(now.getUTCDate());
          case "H":
            return pad2(now.getUTCHours());
          case "M":
            return pad2(now.getUTCMinutes());
          case "S":
            return pad2(now.getUTCSeconds());
          case "N":
            return String(now.getUTCMilliseconds() * 1000000).padStart(9, "0");
          case "z":
            return "+0000";
          default:
            return "%";
        }
      });
      await out(ctx, `${s}\n`);
    } else {
      const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
      const mons = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
      await out(
        ctx,
        `${days[now.getUTCDay()]} ${mons[now.getUTCMonth()]} ${pad2(now.getUTCDate())} ${pad2(now.getUTCHours())}:${pad2(now.getUTCMinutes())}:${pad2(now.getUTCSeconds())} UTC ${now.getUTCFullYear()}\n`,
      );
    }
    return 0;
  },
  uptime: async (ctx) => {
    await out(ctx, " 12:00:00 up 3 days,  4:05,  0 users,  load average: 1.02, 0.98, 0.91\n");
    return 0;
  },
  df: async (ctx) => {
    await out(
      ctx,
      "Filesystem     1K-blocks     Used Available Use% Mounted on\n/dev/fuse      115712272 20415676  95165524  18% /storage/emulated\n",
    );
    return 0;
  },
  log: async () => 0,
  logcat: async () => 0,
  svc: async () => 0,
  setprop: async (ctx, dev) => {
    const [k, v] = ctx.args;
    if (!k || v === undefined) {
      await err(ctx, "usage: setprop NAME VALUE\n");
      return 1;
    }
    if (k.startsWith("ro.")) {
      await err(ctx, `Failed to set property '${k}' to '${v}'.\nSee dmesg for error reason.\n`);
      return 1;
    }
    dev.props[k] = v;
    return 0;
  },
  getprop: async (ctx, dev) => {
    const key = ctx.args.find((a) => !a.startsWith("-"));
    if (key) {
      const rest = ctx.args.slice(ctx.args.indexOf(key) + 1);
      await out(ctx, `${dev.props[key] ?? rest[0] ?? ""}\n`);
    } else {
      const keys = Object.keys(dev.props).sort();
      await out(ctx, `${keys.map((k) => `[${k}]: [${dev.props[k]}]`).join("\n")}\n`);
    }
    return 0;
  },
  pidof: async (ctx, dev) => {
    const pids = ctx.args
      .map((p) => dev.runningApps().findIndex((a) => a.pkg === p))
      .filter((i) => i >= 0)
      .map((i) => String(12000 + i * 37));
    if (!pids.length) return 1;
    await out(ctx, `${pids.join(" ")}\n`);
    return 0;
  },
  ps: async (ctx, dev) => {
    const lines = ["USER           PID  PPID     VSZ    RSS WCHAN            ADDR S NAME"];
    lines.push("root             1     0 10893772  8400 0                   0 S init");
    lines.push("system         601     1 15020852 150400 0                  0 S system_server");
    dev.runningApps().forEach((a, i) => {
      lines.push(
        `u0_a${181 + i}      ${12000 + i * 37}   700 17000000 300000 0                   0 S ${a.pkg}`,
      );
    });
    await out(ctx, `${lines.join("\n")}\n`);
    return 0;
  },
  wm: async (ctx, dev) => {
    const [sub, arg] = ctx.args;
    if (sub === "size") {
      if (arg && arg !== "reset") return 0;
      await out(ctx, `Physical size: ${dev.cfg.screen.width}x${dev.cfg.screen.height}\n`);
      return 0;
    }
    if (sub === "density") {
      if (arg && arg !== "reset") {
        dev.density = Number(arg) || dev.density;
        await out(ctx, "");
        return 0;
      }
      await out(
        ctx,
        `Physical density: 420\n${dev.density !== 420 ? `Override density: ${dev.density}\n` : ""}`,
      );
      return 0;
    }
    await err(ctx, `Error: unknown command '${sub ?? ""}'\n`);
    return 255;
  },
  settings: async (ctx, dev) => {
    const args = ctx.args.filter((_a, i, all) => !(all[i] === "--user" || all[i - 1] === "--user"));
    const [verb, ns, key, ...rest] = args;
    const table = ns ? dev.settings[ns] : undefined;
    if (!verb || !table) {
      await err(ctx, "Invalid namespace\n");
      return 255;
    }
    if (verb === "get") {
      if (ns === "secure" && key === "default_input_method") await out(ctx, `${dev.ime}\n`);
      else await out(ctx, `${key !== undefined && key in table ? table[key] : "null"}\n`);
    } else if (verb === "put") {
      if (!key) return 255;
      const value = rest.filter((r) => r !== "default").join(" ");
      table[key] = value;
      if (ns === "secure" && key === "default_input_method" && installedImes(dev).includes(value))
        dev.ime = value;
    } else if (verb === "delete") {
      if (key) delete table[key];
      await out(ctx, "Deleted 1 rows\n");
    } else if (verb === "list") {
      await out(
        ctx,
        `${Object.entries(table)
          .map(([k, v]) => `${k}=${v}`)
          .join("\n")}\n`,
      );
    } else {
      await err(ctx, `Invalid command: ${verb}\n`);
      return 255;
    }
    return 0;
  },
};
