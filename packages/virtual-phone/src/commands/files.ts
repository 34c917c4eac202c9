/** File tools (toybox): cat, ls, rm, rmdir, mkdir, touch, stat, mv, cp. */
import { existsSync, type Stats, statSync } from "node:fs";
import { cp, lstat, mkdir, open, readdir, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { strerror } from "../sync.ts";
import { type DeviceCommand, err, hostOf, out, pad2 } from "./command.ts";

function fmtTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
}

function fmtFull(ms: number): string {
  const d = new Date(ms);
  const frac = String(Math.floor((ms % 1000) * 1e6)).padStart(9, "0");
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${frac} +0000`;
}

function modeString(st: Stats): string {
  const t = st.isDirectory() ? "d" : st.isSymbolicLink() ? "l" : "-";
  const bits = "rwxrwxrwx";
  let s = t;
  for (let i = 0; i < 9; i++) s += st.mode & (1 << (8 - i)) ? bits[i] : "-";
  return s;
}

function fileType(st: Stats): string {
  if (st.isDirectory()) return "directory";
  if (st.isSymbolicLink()) return "symbolic link";
  return st.size === 0 ? "regular empty file" : "regular file";
}

/** Commands that look at and change files. */
export const fileCommands: Record<string, DeviceCommand> = {
  cat: async (ctx, dev) => {
    const files = ctx.args.filter((a) => a !== "-" && !/^-[uvAet]+$/.test(a));
    if (files.length === 0) {
      for (;;) {
        const d = await ctx.in.read();
        if (!d) break;
        await ctx.out.write(d);
      }
      return 0;
    }
    let status = 0;
    for (const f of files) {
      if (f === "/dev/null") continue;
      try {
        const fh = await open(hostOf(dev, ctx, f), "r");
        try {
          const st = await fh.stat();
          if (st.isDirectory()) throw Object.assign(new Error(), { code: "EISDIR" });
          for (;;) {
            const buf = Buffer.allocUnsafe(256 * 1024);
            const { bytesRead } = await fh.read(buf, 0, buf.length, null);
            if (bytesRead === 0 || ctx.signal.aborted) break;
            await ctx.out.write(buf.subarray(0, bytesRead));
          }
        } finally {
          await fh.close();
        }
      } catch (e) {
        await err(ctx, `cat: ${f}: ${strerror(e)}\n`);
        status = 1;
      }
    }
    return status;
  },
  ls: async (ctx, dev) => {
    let long = false;
    let all = false;
    let dirOnly = false;
    let recursive = false;
    const paths: string[] = [];
    for (const a of ctx.args) {
      if (a.startsWith("-") && a.length > 1) {
        if (a.includes("l")) long = true;
        if (a.includes("a") || a.includes("A")) all = true;
        if (a.includes("d")) dirOnly = true;
        if (a.includes("R")) recursive = true;
      } else paths.push(a);
    }
    if (paths.length === 0) paths.push(".");
    let status = 0;
    const lines: string[] = [];
    const fmt = (name: string, st: Stats, devPath: string) => {
      if (!long) return name;
      const owner = dev.fs.canonical(devPath).startsWith("/sdcard") ? "u0_a181 media_rw" : "shell shell";
      return `${modeString(st)} ${st.nlink} ${owner} ${st.isDirectory() ? 3452 : st.size} ${fmtTime(st.mtimeMs)} ${name}`;
    };
    for (const p of paths) {
      let st: Stats;
      try {
        st = await stat(hostOf(dev, ctx, p));
      } catch (e) {
        await err(ctx, `ls: ${p}: ${strerror(e)}\n`);
        status = 1;
        continue;
      }
      if (!st.isDirectory() || dirOnly) {
        lines.push(fmt(p, st, dev.fs.normalize(p, ctx.shell.cwd)));
        continue;
      }
      let names = (await readdir(hostOf(dev, ctx, p))).sort();
      if (!all) names = names.filter((n) => !n.startsWith("."));
      if (recursive) {
        for (const n of [...names].reverse()) {
          const child = p.endsWith("/") ? `${p}${n}` : `${p}/${n}`;
          if ((await lstat(hostOf(dev, ctx, child)).catch(() => null))?.isDirectory())
            paths.splice(paths.indexOf(p) + 1, 0, child);
        }
      }
      if (lines.length) lines.push("");
      if (paths.length > 1) lines.push(`${p}:`);
      if (long) lines.push(`total ${names.length * 8}`);
      if (all) names = [".", "..", ...names];
      for (const n of names) {
        const dp = dev.fs.normalize(`${p}/${n}`, ctx.shell.cwd);
        const s = await lstat(dev.fs.host(dp)).catch(() => null);
        if (s) lines.push(fmt(n, s, dp));
      }
    }
    if (lines.length) await out(ctx, `${lines.join("\n")}\n`);
    return status;
  },
  rm: async (ctx, dev) => {
    let force = false;
    let recursive = false;
    const paths: string[] = [];
    let opts = true;
    for (const a of ctx.args) {
      if (opts && a === "--") opts = false;
      else if (opts && /^-[frRdv]+$/.test(a)) {
        if (a.includes("f")) force = true;
        if (a.includes("r") || a.includes("R")) recursive = true;
      } else paths.push(a);
    }
    if (paths.length === 0 && !force) {
      await err(ctx, 'rm: Needs 1 argument (see "rm --help")\n');
      return 1;
    }
    let status = 0;
    for (const p of paths) {
      const hp = hostOf(dev, ctx, p);
      const st = await lstat(hp).catch(() => null);
      if (!st) {
        if (!force) {
          await err(ctx, `rm: ${p}: No such file or directory\n`);
          status = 1;
        }
        continue;
      }
      if (st.isDirectory() && !recursive) {
        await err(ctx, `rm: ${p}: Is a directory\n`);
        status = 1;
        continue;
      }
      const canon = dev.fs.canonical(p, ctx.shell.cwd);
      if (canon === "/" || canon === "/sdcard" || canon === "/data" || canon === "/system") {
        await err(ctx, `rm: ${p}: Permission denied\n`);
        status = 1;
        continue;
      }
      await rm(hp, { recursive: true, force: true });
    }
    return status;
  },
  rmdir: async (ctx, dev) => {
    let status = 0;
    for (const p of ctx.args.filter((a) => !a.startsWith("-"))) {
      try {
        await rm(hostOf(dev, ctx, p), { recursive: false });
      } catch (e) {
        await err(ctx, `rmdir: ${p}: ${strerror(e)}\n`);
        status = 1;
      }
    }
    return status;
  },
  mkdir: async (ctx, dev) => {
    const parents = ctx.args.some((a) => /^-[pv]*p[pv]*$/.test(a));
    let status = 0;
    const paths: string[] = [];
    for (let i = 0; i < ctx.args.length; i++) {
      const a = ctx.args[i] as string;
      if (a === "-m") i++;
      else if (!a.startsWith("-")) paths.push(a);
    }
    for (const p of paths) {
      const hp = hostOf(dev, ctx, p);
      if (existsSync(hp)) {
        if (!parents) {
          await err(ctx, `mkdir: '${p}': File exists\n`);
          status = 1;
        }
        continue;
      }
      try {
        await mkdir(hp, { recursive: parents });
      } catch (e) {
        await err(ctx, `mkdir: '${p}': ${strerror(e)}\n`);
        status = 1;
      }
    }
    return status;
  },
  touch: async (ctx, dev) => {
    let noCreate = false;
    let when = new Date();
    const paths: string[] = [];
    for (let i = 0; i < ctx.args.length; i++) {
      const a = ctx.args[i] as string;
      if (a === "-c") noCreate = true;
      else if (a === "-d" || a === "-t") {
        const v = ctx.args[++i] ?? "";
        const d =
          a === "-t" && /^\d{12}(\.\d\d)?$/.test(v)
            ? new Date(
                `${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)}T${v.slice(8, 10)}:${v.slice(10, 12)}:${v.slice(13, 15) || "00"}Z`,
              )
            : new Date(v.startsWith("@") ? Number(v.slice(1)) * 1000 : v);
        if (!Number.isNaN(d.getTime())) when = d;
      } else if (a.startsWith("-")) continue;
      else paths.push(a);
    }
    let status = 0;
    for (const p of paths) {
      const hp = hostOf(dev, ctx, p);
      try {
        if (!existsSync(hp)) {
          if (noCreate) continue;
          await writeFile(hp, "");
        }
        await utimes(hp, when, when);
      } catch (e) {
        await err(ctx, `touch: '${p}': ${strerror(e)}\n`);
        status = 1;
      }
    }
    return status;
  },
  stat: async (ctx, dev) => {
    let format: string | null = null;
    const paths: string[] = [];
    for (let i = 0; i < ctx.args.length; i++) {
      const a = ctx.args[i] as string;
      if (a === "-c" || a === "--format") format = ctx.args[++i] ?? "";
      else if (a.startsWith("-c")) format = a.slice(2);
      else if (a === "-L" || a === "-f") continue;
      else paths.push(a);
    }
    let status = 0;
    for (const p of paths) {
      let st: Stats;
      try {
        st = await stat(hostOf(dev, ctx, p));
      } catch (e) {
        await err(ctx, `stat: '${p}': ${strerror(e)}\n`);
        status = 1;
        continue;
      }
      if (format !== null) {
        const s = format.replace(/%([a-zA-Z%])/g, (_m, c: string) => {
          switch (c) {
            case "s":
              return String(st.size);
            case "n":
            case "N":
              return p;
            case "Y":
              return String(Math.floor(st.mtimeMs / 1000));
            case "X":
              return String(Math.floor(st.atimeMs / 1000));
            case "Z":
              return String(Math.floor(st.ctimeMs / 1000));
            case "y":
              return fmtFull(st.mtimeMs);
            case "x":
              return fmtFull(st.atimeMs);
            case "z":
              return fmtFull(st.ctimeMs);
            case "a":
              return (st.mode & 0o7777).toString(8);
            case "A":
              return modeString(st);
            case "F":
              return fileType(st);
            case "f":
              return st.mode.toString(16);
            case "i":
              return String(st.ino);
            case "h":
              return String(st.nlink);
            case "b":
              return String(st.blocks);
            case "B":
              return "512";
            case "u":
              return "2000";
            case "g":
              return "2000";
            case "U":
              return "shell";
            case "G":
              return "shell";
            case "%":
              return "%";
            default:
              return `%${c}`;
          }
        });
        await out(ctx, `${s}\n`);
      } else {
        await out(
          ctx,
          `  File: ${p}\n  Size: ${st.size}\t Blocks: ${st.blocks}\t IO Blocks: 4096\t${fileType(st)}\n` +
            `Device: fd05h/64773d\t Inode: ${st.ino}\t Links: ${st.nlink}\n` +
            `Access: (${(st.mode & 0o7777).toString(8).padStart(4, "0")}/${modeString(st)})\tUid: ( 2000/   shell)\tGid: ( 2000/   shell)\n` +
            `Access: ${fmtFull(st.atimeMs)}\nModify: ${fmtFull(st.mtimeMs)}\nChange: ${fmtFull(st.ctimeMs)}\n`,
        );
      }
    }
    return status;
  },
  mv: async (ctx, dev) => {
    const paths = ctx.args.filter((a) => !a.startsWith("-"));
    if (paths.length < 2) {
      await err(ctx, 'mv: Needs 2 arguments (see "mv --help")\n');
      return 1;
    }
    const dest = paths.pop() as string;
    const hd = hostOf(dev, ctx, dest);
    const destIsDir = existsSync(hd) && statSync(hd).isDirectory();
    let status = 0;
    for (const p of paths) {
      try {
        await rename(hostOf(dev, ctx, p), destIsDir ? `${hd}/${p.split("/").pop()}` : hd);
      } catch (e) {
        await err(ctx, `mv: ${p}: ${strerror(e)}\n`);
        status = 1;
      }
    }
    return status;
  },
  cp: async (ctx, dev) => {
    const recursive = ctx.args.some((a) => /^-[a-zA-Z]*[rRa]/.test(a));
    const paths = ctx.args.filter((a) => !a.startsWith("-"));
    if (paths.length < 2) {
      await err(ctx, 'cp: Needs 2 arguments (see "cp --help")\n');
      return 1;
    }
    const dest = paths.pop() as string;
    const hd = hostOf(dev, ctx, dest);
    const destIsDir = existsSync(hd) && statSync(hd).isDirectory();
    let status = 0;
    for (const p of paths) {
      try {
        const hs = hostOf(dev, ctx, p);
        if (statSync(hs).isDirectory() && !recursive) {
          await err(ctx, `cp: ${p}: Is a directory\n`);
          status = 1;
          continue;
        }
        await cp(hs, destIsDir ? `${hd}/${p.split("/").pop()}` : hd, { recursive: true });
      } catch (e) {
        await err(ctx, `cp: ${p}: ${strerror(e)}\n`);
        status = 1;
      }
    }
    return status;
  },
  chmod: async () => 0,
  chown: async () => 0,
  sync: async () => 0,
};
