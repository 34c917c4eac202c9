/** Shell commands of the virtual phone: toybox-like file tools and Android's am/pm/input/… */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, type Stats, statSync } from "node:fs";
import {
  cp,
  lstat,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  utimes,
  writeFile,
} from "node:fs/promises";
import type { Intent } from "./apps/app.ts";
import { INSTAGRAM_PKG } from "./apps/instagram.ts";
import { TIKTOK_PKG } from "./apps/tiktok.ts";
import {
  ADB_KEYBOARD_IME,
  ADB_KEYBOARD_PKG,
  CORE_PACKAGES,
  type Device,
  describeIntent,
  KEYCODES,
  LATIN_IME,
} from "./device.ts";
import type { MediaEntry } from "./media.ts";
import { type Command, type CommandContext, ExitError, readAll, SH, Shell, type ShellHost } from "./shell.ts";
import { strerror } from "./sync.ts";

export interface SystemHooks {
  reboot(): void;
}

const VERSIONS: Record<string, [string, number]> = {
  [TIKTOK_PKG]: ["43.1.4", 2024301040],
  [INSTAGRAM_PKG]: ["361.0.0.46.88", 377206991],
  [ADB_KEYBOARD_PKG]: ["2.4-dev", 24],
};

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

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

function sleepAbortable(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const t = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      resolve(false);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Globbing on the last path components ("*" and "?"). */
function globMatch(pattern: string, name: string): boolean {
  let re = "^";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "\\" && i + 1 < pattern.length) {
      re += (pattern[++i] as string).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`${re}$`).test(name);
}

export function makeShellHost(dev: Device, hooks: SystemHooks): ShellHost {
  const fs = dev.fs;
  const host: ShellHost = {
    commands: {},
    async openWrite(path, append, cwd) {
      const hp = fs.host(path, cwd);
      try {
        const fh = await open(hp, append ? "a" : "w");
        return {
          write: async (d: Uint8Array | string) => {
            await fh.write(typeof d === "string" ? Buffer.from(d) : d);
          },
          close: () => fh.close(),
        };
      } catch (e) {
        throw Object.assign(new Error(strerror(e)), { shellMessage: `can't create ${path}: ${strerror(e)}` });
      }
    },
    async openRead(path, cwd) {
      try {
        const data = await readFile(fs.host(path, cwd));
        let done = false;
        return {
          read: async () => {
            if (done || data.length === 0) return null;
            done = true;
            return data;
          },
        };
      } catch (e) {
        throw Object.assign(new Error(strerror(e)), { shellMessage: `can't open ${path}: ${strerror(e)}` });
      }
    },
    glob(pattern, cwd) {
      const abs = pattern.startsWith("/");
      const parts = pattern.split("/").filter((p, i) => p !== "" || i === 0);
      let bases: string[] = [abs ? "/" : ""];
      for (const part of parts) {
        if (part === "") continue;
        const next: string[] = [];
        for (const b of bases) {
          if (/[*?]/.test(part.replace(/\\./g, ""))) {
            let names: string[] = [];
            try {
              names = readdirSync(fs.host(b || ".", cwd)).sort();
            } catch {
              names = [];
            }
            for (const n of names) {
              if (n.startsWith(".") && !part.startsWith(".")) continue;
              if (globMatch(part, n)) next.push(b === "/" ? `/${n}` : b ? `${b}/${n}` : n);
            }
          } else {
            const lit = part.replace(/\\(.)/g, "$1");
            next.push(b === "/" ? `/${lit}` : b ? `${b}/${lit}` : lit);
          }
        }
        bases = next;
      }
      return bases.filter((b) => existsSync(fs.host(b, cwd)));
    },
  };
  host.commands = makeCommands(dev, hooks);
  return host;
}

type Ctx = CommandContext;

async function out(ctx: Ctx, s: string): Promise<void> {
  await ctx.out.write(s);
}
async function err(ctx: Ctx, s: string): Promise<void> {
  await ctx.err.write(s);
}

function parseIntent(args: string[], startAt = 0): { intent: Intent; flags: Set<string>; error?: string } {
  const intent: Intent = { categories: [], extras: {}, streams: [] };
  const flags = new Set<string>();
  let i = startAt;
  const next = () => args[++i] ?? "";
  for (; i < args.length; i++) {
    const a = args[i] as string;
    switch (a) {
      case "-a":
        intent.action = next();
        break;
      case "-d":
        intent.data = next();
        break;
      case "-t":
        intent.type = next();
        break;
      case "-n":
        intent.component = next();
        break;
      case "-p":
        intent.pkg = next();
        break;
      case "-c":
        intent.categories.push(next());
        break;
      case "-f":
      case "--user":
      case "-R":
      case "-P":
      case "--start-profiler":
      case "--sampling":
      case "--display":
      case "--windowingMode":
      case "--activityType":
      case "--task":
        next();
        break;
      case "-e":
      case "--es":
      case "--ei":
      case "--el":
      case "--ef":
      case "--ez":
      case "--eu":
      case "--esa":
      case "--eia":
      case "--ela":
      case "--efa":
      case "--ecn":
      case "--esal":
      case "--eua":
      case "--eual":
      case "--eial": {
        const k = next();
        const v = next();
        intent.extras[k] = v;
        if (k === "android.intent.extra.STREAM") {
          const list = a === "--esa" || a === "--esal" || a === "--eua" || a === "--eual";
          intent.streams.push(...(list ? v.split(",") : [v]));
        }
        break;
      }
      case "--esn":
        intent.extras[next()] = "";
        break;
      default:
        if (a.startsWith("-")) {
          flags.add(a);
        } else {
          // Trailing argument: a URI, a component or a package.
          if (a.includes(":")) intent.data = a;
          else if (a.includes("/")) intent.component = a;
          else intent.pkg = a;
        }
    }
  }
  return { intent, flags };
}

function packageLines(dev: Device, args: string[]): string[] {
  let third = false;
  let system = false;
  let withPath = false;
  let withUid = false;
  let filter = "";
  for (const a of args) {
    if (a === "-3") third = true;
    else if (a === "-s") system = true;
    else if (a === "-f") withPath = true;
    else if (a === "-U") withUid = true;
    else if (a === "--user") continue;
    else if (!a.startsWith("-") && !/^\d+$/.test(a)) filter = a;
  }
  const pkgs = [...dev.packages].sort().filter((p) => {
    const isSystem =
      CORE_PACKAGES.includes(p) || p.startsWith("com.google.android.gms") || p === "com.android.vending";
    if (third && isSystem) return false;
    if (system && !isSystem) return false;
    return !filter || p.includes(filter);
  });
  return pkgs.map(
    (p, i) => `package:${withPath ? `${apkPath(p)}=` : ""}${p}${withUid ? ` uid:${10100 + i}` : ""}`,
  );
}

function apkPath(p: string): string {
  if (CORE_PACKAGES.includes(p)) return `/system/priv-app/${p.split(".").pop()}/${p.split(".").pop()}.apk`;
  const h = createHash("md5").update(p).digest("base64url").slice(0, 22);
  return `/data/app/~~${h}==/${p}-${h.split("").reverse().join("")}==/base.apk`;
}

const KNOWN_APKS = [
  TIKTOK_PKG,
  INSTAGRAM_PKG,
  ADB_KEYBOARD_PKG,
  "com.ss.android.ugc.trill",
  "com.zhiliaoapp.musically.go",
  "com.android.chrome",
  "com.google.android.youtube",
];

/** The package an "APK" installs: a known package name found in it (UTF-8 or UTF-16) or package="…". */
function apkPackage(data: Buffer, path?: string): string | null {
  for (const p of KNOWN_APKS) {
    if (data.includes(Buffer.from(p, "utf8")) || data.includes(Buffer.from(p, "utf16le"))) return p;
  }
  const re = /package="([a-zA-Z][\w]*(?:\.[\w]+)+)"/;
  const m = re.exec(data.toString("latin1")) ?? re.exec(data.toString("utf16le"));
  if (m) return m[1] as string;
  if (path && /adb.?keyboard/i.test(path)) return ADB_KEYBOARD_PKG;
  return null;
}

/** Columns of media rows for content query. */
function mediaRow(e: MediaEntry): Record<string, string> {
  const rel = e.data.replace(/^\/storage\/emulated\/0\//, "");
  const dir = rel.includes("/") ? `${rel.slice(0, rel.lastIndexOf("/"))}/` : "";
  const bucket = dir ? (dir.slice(0, -1).split("/").pop() ?? "") : "";
  return {
    _id: String(e.id),
    _data: e.data,
    _display_name: e.displayName,
    title: e.displayName.replace(/\.[^.]*$/, ""),
    mime_type: e.mimeType,
    _size: String(e.size),
    date_added: String(e.dateAdded),
    date_modified: String(e.dateModified),
    relative_path: dir,
    bucket_display_name: bucket,
    media_type: e.kind === "images" ? "1" : e.kind === "video" ? "3" : e.kind === "audio" ? "2" : "0",
    duration: e.kind === "video" ? "15000" : "NULL",
    volume_name: "external_primary",
  };
}

/** A tiny WHERE evaluator: col=value, col LIKE 'x', joined by AND / OR. */
function whereFilter(where: string | undefined): (row: Record<string, string>) => boolean {
  if (!where) return () => true;
  const ors = where.split(/\s+OR\s+/i).map((o) =>
    o.split(/\s+AND\s+/i).map((c) => {
      const m =
        /^\s*\(?\s*([A-Za-z_]+)\s*(=|==|!=|<>|LIKE|>=|<=|>|<)\s*(?:'((?:[^']|'')*)'|"([^"]*)"|([^\s)]+))\s*\)?\s*$/i.exec(
          c,
        );
      if (!m) return (_r: Record<string, string>) => false;
      const col = m[1] as string;
      const op = (m[2] as string).toUpperCase();
      const val = (m[3] ?? m[4] ?? m[5] ?? "").replace(/''/g, "'");
      return (r: Record<string, string>) => {
        const v = r[col];
        if (v === undefined) return false;
        switch (op) {
          case "=":
          case "==":
            return v === val;
          case "!=":
          case "<>":
            return v !== val;
          case "LIKE": {
            const re = new RegExp(
              `^${val
                .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
                .replace(/%/g, ".*")
                .replace(/_/g, ".")}$`,
              "i",
            );
            return re.test(v);
          }
          case ">":
            return Number(v) > Number(val);
          case "<":
            return Number(v) < Number(val);
          case ">=":
            return Number(v) >= Number(val);
          case "<=":
            return Number(v) <= Number(val);
        }
        return false;
      };
    }),
  );
  return (row) => ors.some((ands) => ands.every((f) => f(row)));
}

function mediaKindOfUri(uri: string): { kind: string | null; id: number | null } | null {
  const m =
    /^content:\/\/media\/(external|external_primary|internal)(?:\/(video|images|audio|file|files)(?:\/media)?(?:\/(\d+))?)?\/?$/.exec(
      uri,
    );
  if (!m) return null;
  const k = m[2] === "files" ? "file" : (m[2] ?? null);
  return { kind: k, id: m[3] ? Number(m[3]) : null };
}

function keycodeOf(s: string): number | null {
  if (/^\d+$/.test(s)) return Number(s);
  const name = s.toUpperCase().replace(/^KEYCODE_/, "");
  return KEYCODES[name] ?? null;
}

function decodeInputText(s: string): string {
  return s.replace(/%s/g, " ");
}

export function makeCommands(dev: Device, hooks: SystemHooks): Record<string, Command> {
  const fs = dev.fs;
  const hostOf = (ctx: Ctx, p: string) => fs.host(p, ctx.shell.cwd);

  const installedImes = () => [LATIN_IME, ...(dev.packages.has(ADB_KEYBOARD_PKG) ? [ADB_KEYBOARD_IME] : [])];
  const setIme = (id: string) => {
    dev.ime = id;
    dev.settings.secure = { ...dev.settings.secure, default_input_method: id };
  };
  const syncEnabledSetting = () => {
    (dev.settings.secure as Record<string, string>).enabled_input_methods = [...dev.imeEnabled].join(":");
  };

  const cmds: Record<string, Command> = {
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
    sleep: async (ctx) => {
      const secs = Number.parseFloat((ctx.args[0] ?? "0").replace(/s$/, ""));
      if (Number.isNaN(secs)) {
        await err(ctx, `sleep: invalid number '${ctx.args[0]}'\n`);
        return 1;
      }
      return (await sleepAbortable(secs * 1000, ctx.signal)) ? 0 : 130;
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
    cd: async (ctx) => {
      const p = fs.normalize(ctx.args[0] ?? "/", ctx.shell.cwd);
      try {
        if (!statSync(fs.host(p)).isDirectory()) throw new Error();
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
    cat: async (ctx) => {
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
          const fh = await open(hostOf(ctx, f), "r");
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
    ls: async (ctx) => {
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
        const owner = fs.canonical(devPath).startsWith("/sdcard") ? "u0_a181 media_rw" : "shell shell";
        return `${modeString(st)} ${st.nlink} ${owner} ${st.isDirectory() ? 3452 : st.size} ${fmtTime(st.mtimeMs)} ${name}`;
      };
      for (const p of paths) {
        let st: Stats;
        try {
          st = await stat(hostOf(ctx, p));
        } catch (e) {
          await err(ctx, `ls: ${p}: ${strerror(e)}\n`);
          status = 1;
          continue;
        }
        if (!st.isDirectory() || dirOnly) {
          lines.push(fmt(p, st, fs.normalize(p, ctx.shell.cwd)));
          continue;
        }
        let names = (await readdir(hostOf(ctx, p))).sort();
        if (!all) names = names.filter((n) => !n.startsWith("."));
        if (recursive) {
          for (const n of [...names].reverse()) {
            const child = p.endsWith("/") ? `${p}${n}` : `${p}/${n}`;
            if ((await lstat(hostOf(ctx, child)).catch(() => null))?.isDirectory())
              paths.splice(paths.indexOf(p) + 1, 0, child);
          }
        }
        if (lines.length) lines.push("");
        if (paths.length > 1) lines.push(`${p}:`);
        if (long) lines.push(`total ${names.length * 8}`);
        if (all) names = [".", "..", ...names];
        for (const n of names) {
          const dp = fs.normalize(`${p}/${n}`, ctx.shell.cwd);
          const s = await lstat(fs.host(dp)).catch(() => null);
          if (s) lines.push(fmt(n, s, dp));
        }
      }
      if (lines.length) await out(ctx, `${lines.join("\n")}\n`);
      return status;
    },
    rm: async (ctx) => {
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
        const hp = hostOf(ctx, p);
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
        const canon = fs.canonical(p, ctx.shell.cwd);
        if (canon === "/" || canon === "/sdcard" || canon === "/data" || canon === "/system") {
          await err(ctx, `rm: ${p}: Permission denied\n`);
          status = 1;
          continue;
        }
        await rm(hp, { recursive: true, force: true });
      }
      return status;
    },
    rmdir: async (ctx) => {
      let status = 0;
      for (const p of ctx.args.filter((a) => !a.startsWith("-"))) {
        try {
          await rm(hostOf(ctx, p), { recursive: false });
        } catch (e) {
          await err(ctx, `rmdir: ${p}: ${strerror(e)}\n`);
          status = 1;
        }
      }
      return status;
    },
    mkdir: async (ctx) => {
      const parents = ctx.args.some((a) => /^-[pv]*p[pv]*$/.test(a));
      let status = 0;
      const paths: string[] = [];
      for (let i = 0; i < ctx.args.length; i++) {
        const a = ctx.args[i] as string;
        if (a === "-m") i++;
        else if (!a.startsWith("-")) paths.push(a);
      }
      for (const p of paths) {
        const hp = hostOf(ctx, p);
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
    touch: async (ctx) => {
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
        const hp = hostOf(ctx, p);
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
    stat: async (ctx) => {
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
          st = await stat(hostOf(ctx, p));
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
    mv: async (ctx) => {
      const paths = ctx.args.filter((a) => !a.startsWith("-"));
      if (paths.length < 2) {
        await err(ctx, 'mv: Needs 2 arguments (see "mv --help")\n');
        return 1;
      }
      const dest = paths.pop() as string;
      const hd = hostOf(ctx, dest);
      const destIsDir = existsSync(hd) && statSync(hd).isDirectory();
      let status = 0;
      for (const p of paths) {
        try {
          await rename(hostOf(ctx, p), destIsDir ? `${hd}/${p.split("/").pop()}` : hd);
        } catch (e) {
          await err(ctx, `mv: ${p}: ${strerror(e)}\n`);
          status = 1;
        }
      }
      return status;
    },
    cp: async (ctx) => {
      const recursive = ctx.args.some((a) => /^-[a-zA-Z]*[rRa]/.test(a));
      const paths = ctx.args.filter((a) => !a.startsWith("-"));
      if (paths.length < 2) {
        await err(ctx, 'cp: Needs 2 arguments (see "cp --help")\n');
        return 1;
      }
      const dest = paths.pop() as string;
      const hd = hostOf(ctx, dest);
      const destIsDir = existsSync(hd) && statSync(hd).isDirectory();
      let status = 0;
      for (const p of paths) {
        try {
          const hs = hostOf(ctx, p);
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
    md5sum: (ctx) => hashCmd(ctx, "md5"),
    sha1sum: (ctx) => hashCmd(ctx, "sha1"),
    sha256sum: (ctx) => hashCmd(ctx, "sha256"),
    grep: async (ctx) => {
      let ignore = false;
      let invert = false;
      let quiet = false;
      let count = false;
      let fixed = false;
      let pattern: string | null = null;
      const files: string[] = [];
      for (let i = 0; i < ctx.args.length; i++) {
        const a = ctx.args[i] as string;
        if (a === "-e") pattern = ctx.args[++i] ?? "";
        else if (/^-[ivqcEFsw]+$/.test(a)) {
          if (a.includes("i")) ignore = true;
          if (a.includes("v")) invert = true;
          if (a.includes("q")) quiet = true;
          if (a.includes("c")) count = true;
          if (a.includes("F")) fixed = true;
        } else if (pattern === null) pattern = a;
        else files.push(a);
      }
      if (pattern === null) {
        await err(ctx, "usage: grep [-ivqc] PATTERN [FILE...]\n");
        return 2;
      }
      let text = "";
      if (files.length) {
        for (const f of files) text += await readFile(hostOf(ctx, f), "utf8").catch(() => "");
      } else text = (await readAll(ctx.in)).toString("utf8");
      let re: RegExp;
      try {
        re = new RegExp(fixed ? pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") : pattern, ignore ? "i" : "");
      } catch {
        re = new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), ignore ? "i" : "");
      }
      const lines = text.split("\n");
      if (lines[lines.length - 1] === "") lines.pop();
      const hits = lines.filter((l) => re.test(l) !== invert);
      if (!quiet) {
        if (count) await out(ctx, `${hits.length}\n`);
        else if (hits.length) await out(ctx, `${hits.join("\n")}\n`);
      }
      return hits.length ? 0 : 1;
    },
    head: (ctx) => headTail(ctx, true),
    tail: (ctx) => headTail(ctx, false),
    wc: async (ctx) => {
      const files = ctx.args.filter((a) => !a.startsWith("-"));
      const data = files.length
        ? await readFile(hostOf(ctx, files[0] as string)).catch(() => Buffer.alloc(0))
        : await readAll(ctx.in);
      const lines = data.toString("utf8").split("\n").length - 1;
      const flags = ctx.args.filter((a) => a.startsWith("-")).join("");
      if (flags.includes("l")) await out(ctx, `${lines}${files[0] ? ` ${files[0]}` : ""}\n`);
      else if (flags.includes("c")) await out(ctx, `${data.length}${files[0] ? ` ${files[0]}` : ""}\n`);
      else
        await out(
          ctx,
          `${lines} ${data.toString("utf8").split(/\s+/).filter(Boolean).length} ${data.length}\n`,
        );
      return 0;
    },
    test: (ctx) => testCmd(ctx, ctx.args),
    "[": async (ctx) => {
      if (ctx.args[ctx.args.length - 1] !== "]") {
        await err(ctx, "[: missing ]\n");
        return 2;
      }
      return testCmd(ctx, ctx.args.slice(0, -1));
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
    which: async (ctx) => {
      let status = 0;
      for (const a of ctx.args) {
        if (cmds[a]) await out(ctx, `/system/bin/${a}\n`);
        else status = 1;
      }
      return status;
    },
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
    setprop: async (ctx) => {
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
    getprop: async (ctx) => {
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
    pidof: async (ctx) => {
      const pids = ctx.args
        .map((p) => dev.runningApps().findIndex((a) => a.pkg === p))
        .filter((i) => i >= 0)
        .map((i) => String(12000 + i * 37));
      if (!pids.length) return 1;
      await out(ctx, `${pids.join(" ")}\n`);
      return 0;
    },
    ps: async (ctx) => {
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
    reboot: async () => {
      setTimeout(() => hooks.reboot(), 10);
      return 0;
    },
    wm: async (ctx) => {
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
    settings: async (ctx) => {
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
        if (ns === "secure" && key === "default_input_method" && installedImes().includes(value))
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
    dumpsys: async (ctx) => {
      const [svc, ...rest] = ctx.args;
      switch (svc) {
        case "battery":
          await out(
            ctx,
            "Current Battery Service state:\n  AC powered: false\n  USB powered: true\n  Wireless powered: false\n  Dock powered: false\n" +
              "  Max charging current: 500000\n  Max charging voltage: 5000000\n  Charge counter: 2805000\n  status: 2\n" +
              `  health: 2\n  present: true\n  level: ${dev.cfg.battery}\n  scale: 100\n  voltage: 4215\n  temperature: 285\n  technology: Li-ion\n`,
          );
          return 0;
        case "window": {
          const comp = dev.focusedComponent();
          const focusPkg = dev.focusedPackage();
          const focus =
            focusPkg === "com.android.permissioncontroller"
              ? `${focusPkg}/com.android.permissioncontroller.permission.ui.GrantPermissionsActivity`
              : comp;
          await out(
            ctx,
            `WINDOW MANAGER WINDOWS (dumpsys window windows)\n  mCurrentFocus=Window{8c1f2e3 u0 ${focus}}\n  mFocusedApp=ActivityRecord{5a1b2c3 u0 ${comp} t42}\n` +
              `  mScreenOn=${dev.screenOn}\n  init=${dev.cfg.screen.width}x${dev.cfg.screen.height} ${dev.density}dpi cur=${dev.cfg.screen.width}x${dev.cfg.screen.height}\n`,
          );
          return 0;
        }
        case "activity": {
          const comp = dev.focusedComponent();
          await out(
            ctx,
            `ACTIVITY MANAGER ACTIVITIES (dumpsys activity activities)\nDisplay #0 (activities from top to bottom):\n  * Task{9e8d7c6 #42 type=standard A=10181:${comp.split("/")[0]}}\n` +
              `    mResumedActivity: ActivityRecord{5a1b2c3 u0 ${comp} t42}\n  ResumedActivity: ActivityRecord{5a1b2c3 u0 ${comp} t42}\n` +
              `  topResumedActivity=ActivityRecord{5a1b2c3 u0 ${comp} t42}\n`,
          );
          return 0;
        }
        case "power":
          await out(
            ctx,
            `POWER MANAGER (dumpsys power)\n  mWakefulness=${dev.screenOn ? "Awake" : "Asleep"}\n  mHoldingDisplaySuspendBlocker=${dev.screenOn}\n  Display Power: state=${dev.screenOn ? "ON" : "OFF"}\n`,
          );
          return 0;
        case "input_method":
          await out(ctx, `  mCurMethodId=${dev.ime}\n  mInputShown=${dev.focusedFieldText() !== null}\n`);
          return 0;
        case "package": {
          const pkg = rest.find((r) => !r.startsWith("-"));
          if (!pkg || !dev.packages.has(pkg)) {
            await out(ctx, pkg ? `Unable to find package: ${pkg}\n` : "");
            return 0;
          }
          const [vn, vc] = VERSIONS[pkg] ?? ["14", 34];
          await out(
            ctx,
            `Packages:\n  Package [${pkg}] (4c1d2e3):\n    userId=10181\n    codePath=${apkPath(pkg).replace(/\/base\.apk$/, "")}\n` +
              `    versionCode=${vc} minSdk=24 targetSdk=34\n    versionName=${vn}\n    firstInstallTime=2025-01-01 10:00:00\n`,
          );
          return 0;
        }
        case undefined:
          await out(
            ctx,
            "Currently running services:\n  activity\n  battery\n  input_method\n  package\n  power\n  window\n",
          );
          return 0;
        default:
          await err(ctx, `Can't find service: ${svc}\n`);
          return 0;
      }
    },
    pm: async (ctx) => {
      const [sub, ...rest] = ctx.args;
      switch (sub) {
        case "list":
          if (rest[0] === "packages") {
            const lines = packageLines(dev, rest.slice(1));
            if (lines.length) await out(ctx, `${lines.join("\n")}\n`);
            return 0;
          }
          if (rest[0] === "features") {
            await out(
              ctx,
              "feature:android.hardware.camera\nfeature:android.hardware.touchscreen\nfeature:android.hardware.wifi\n",
            );
            return 0;
          }
          await err(ctx, `Error: unknown list type '${rest[0] ?? ""}'\n`);
          return 255;
        case "path": {
          const pkg = rest.find((r) => !r.startsWith("-") && !/^\d+$/.test(r));
          if (!pkg || !dev.packages.has(pkg)) return 1;
          await out(ctx, `package:${apkPath(pkg)}\n`);
          return 0;
        }
        case "clear": {
          const pkg = rest.find((r) => !r.startsWith("-") && !/^\d+$/.test(r));
          if (!pkg || !dev.packages.has(pkg)) {
            await out(ctx, "Failed\n");
            return 1;
          }
          dev.clearData(pkg);
          await out(ctx, "Success\n");
          return 0;
        }
        case "uninstall": {
          const pkg = rest.find((r) => !r.startsWith("-") && !/^\d+$/.test(r));
          if (pkg && dev.uninstall(pkg)) {
            await out(ctx, "Success\n");
            return 0;
          }
          await out(ctx, "Failure [DELETE_FAILED_INTERNAL_ERROR]\n");
          return 1;
        }
        case "install": {
          let size = -1;
          let path: string | undefined;
          for (let i = 0; i < rest.length; i++) {
            const a = rest[i] as string;
            if (a === "-S") size = Number(rest[++i]);
            else if (a === "--user" || a === "-i" || a === "--install-location" || a === "-p") i++;
            else if (!a.startsWith("-")) path = a;
          }
          let data: Buffer;
          if (path) {
            try {
              data = await readFile(hostOf(ctx, path));
            } catch {
              await err(
                ctx,
                `Error: Unable to open file: ${path}\nConsider using a file under /data/local/tmp/\n`,
              );
              return 255;
            }
          } else {
            const parts: Uint8Array[] = [];
            let got = 0;
            while (size < 0 || got < size) {
              const d = await ctx.in.read();
              if (!d) break;
              parts.push(d);
              got += d.length;
            }
            data = Buffer.concat(parts);
          }
          const pkg = apkPackage(data, path);
          if (!pkg) {
            await out(
              ctx,
              "Failure [INSTALL_PARSE_FAILED_NOT_APK: Failed to parse /data/app/vmdl1234.tmp/base.apk]\n",
            );
            return 1;
          }
          dev.packages.add(pkg);
          await out(ctx, "Success\n");
          return 0;
        }
        case "grant":
        case "revoke":
        case "disable-user":
        case "enable":
          return 0;
        case "dump":
          return cmds.dumpsys?.({ ...ctx, args: ["package", ...rest] }) ?? 0;
        default:
          await err(ctx, `Unknown command: ${sub ?? ""}\n`);
          return 255;
      }
    },
    am: async (ctx) => {
      const [sub, ...rest] = ctx.args;
      switch (sub) {
        case "start":
        case "start-activity": {
          const { intent, flags } = parseIntent(rest);
          await out(ctx, `Starting: ${describeIntent(intent).replace(" flg=0x10000000", "")}\n`);
          if (flags.has("-S") && intent.component) dev.forceStop(intent.component.split("/")[0] as string);
          const wasFront = dev.foreground;
          const target = intent.component?.split("/")[0] ?? intent.pkg;
          const alreadyRunning = !!(target && dev.app(target)?.running);
          const isShare = intent.action?.startsWith("android.intent.action.SEND") ?? false;
          const res = dev.startActivity(intent);
          if (!res.ok) {
            await err(ctx, `${res.error}\n`);
            return 1;
          }
          if (alreadyRunning && !isShare && !intent.data) {
            await out(
              ctx,
              wasFront?.pkg === target
                ? "Warning: Activity not started, intent has been delivered to currently running top-most instance.\n"
                : "Warning: Activity not started, its current task has been brought to the front\n",
            );
          }
          if (flags.has("-W")) {
            await out(
              ctx,
              `Status: ok\nLaunchState: ${alreadyRunning ? "HOT" : "COLD"}\nActivity: ${res.component}\nTotalTime: 412\nWaitTime: 418\nComplete\n`,
            );
          }
          return 0;
        }
        case "force-stop":
        case "kill": {
          const pkg = rest.find((r) => !r.startsWith("-") && !/^\d+$/.test(r));
          if (pkg) dev.forceStop(pkg);
          return 0;
        }
        case "kill-all":
          return 0;
        case "broadcast": {
          const { intent } = parseIntent(rest);
          await out(
            ctx,
            `Broadcasting: ${describeIntent(intent).replace("flg=0x10000000", "flg=0x400000")}\n`,
          );
          const adbKb = dev.ime === ADB_KEYBOARD_IME && dev.packages.has(ADB_KEYBOARD_PKG);
          switch (intent.action) {
            case "ADB_INPUT_B64":
              if (adbKb) dev.typeText(Buffer.from(intent.extras.msg ?? "", "base64").toString("utf8"));
              break;
            case "ADB_INPUT_TEXT":
              if (adbKb) dev.typeText(intent.extras.msg ?? "");
              break;
            case "ADB_INPUT_CHARS":
              if (adbKb) {
                const codes = (intent.extras.chars ?? "").split(",").map((c) => Number(c));
                dev.typeText(String.fromCodePoint(...codes.filter((c) => Number.isFinite(c))));
              }
              break;
            case "ADB_CLEAR_TEXT":
              if (adbKb) dev.clearText();
              break;
            case "ADB_INPUT_CODE": {
              const code = Number(intent.extras.code);
              if (adbKb && Number.isFinite(code)) dev.key(code);
              break;
            }
            case "android.intent.action.MEDIA_SCANNER_SCAN_FILE":
              if (intent.data?.startsWith("file://"))
                dev.media.scan(decodeURIComponent(intent.data.slice(7)));
              break;
          }
          await out(ctx, "Broadcast completed: result=0\n");
          return 0;
        }
        case "get-current-user":
          await out(ctx, "0\n");
          return 0;
        default:
          await err(ctx, `Error: Unknown command: ${sub ?? ""}\n`);
          return 255;
      }
    },
    monkey: async (ctx) => {
      const lines = ctx.args.map((a) => `  bash arg: ${a}`);
      await out(ctx, `${lines.join("\n")}\n`);
      const p = ctx.args.indexOf("-p");
      const pkg = p >= 0 ? ctx.args[p + 1] : undefined;
      if (!pkg || !dev.hasLauncherActivity(pkg)) {
        await out(ctx, "** No activities found to run, monkey aborted.\n");
        return 251;
      }
      dev.startActivity({
        action: "android.intent.action.MAIN",
        categories: ["android.intent.category.LAUNCHER"],
        pkg,
        extras: {},
        streams: [],
      });
      await out(
        ctx,
        "Events injected: 1\n## Network stats: elapsed time=27ms (0ms mobile, 0ms wifi, 27ms not connected)\n",
      );
      return 0;
    },
    content: async (ctx) => {
      const [sub, ...rest] = ctx.args;
      const opt = (name: string) => {
        const i = rest.indexOf(name);
        return i >= 0 ? rest[i + 1] : undefined;
      };
      const uri = opt("--uri") ?? "";
      if (sub === "call") {
        const method = opt("--method");
        const arg = opt("--arg");
        if (uri.startsWith("content://media") && method === "scan_file" && arg) {
          const e = dev.media.scan(arg.startsWith("file://") ? arg.slice(7) : arg);
          await out(ctx, e ? `Result: Bundle[{uri=${dev.media.uriOf(e)}}]\n` : "Result: Bundle[{}]\n");
          return 0;
        }
        await out(ctx, "Result: null\n");
        return 0;
      }
      const target = mediaKindOfUri(uri);
      if (!target) {
        await err(
          ctx,
          `Error while accessing provider:${uri.replace(/^content:\/\//, "").split("/")[0]}\njava.lang.IllegalArgumentException: Unknown URI ${uri}\n`,
        );
        return 1;
      }
      const rows = dev.media
        .all()
        .filter(
          (e) =>
            (target.kind === null || target.kind === "file" || e.kind === target.kind) &&
            (target.id === null || e.id === target.id),
        )
        .sort((a, b) => a.id - b.id);
      const pass = whereFilter(opt("--where"));
      if (sub === "query") {
        const proj = opt("--projection")?.split(/[:,]/).filter(Boolean);
        const hits = rows.filter((e) => pass(mediaRow(e)));
        const sort = opt("--sort");
        if (sort && /date_added|date_modified/.test(sort) && /DESC/i.test(sort)) hits.reverse();
        if (hits.length === 0) {
          await out(ctx, "No result found.\n");
          return 0;
        }
        const lines = hits.map((e, i) => {
          const r = mediaRow(e);
          const cols = proj ?? Object.keys(r);
          return `Row: ${i} ${cols.map((c) => `${c}=${r[c] ?? "NULL"}`).join(", ")}`;
        });
        await out(ctx, `${lines.join("\n")}\n`);
        return 0;
      }
      if (sub === "delete") {
        for (const e of rows) if (pass(mediaRow(e))) dev.media.delete(e.id);
        return 0;
      }
      if (sub === "insert" || sub === "update") return 0;
      await err(ctx, `Unsupported operation: ${sub ?? ""}\n`);
      return 1;
    },
    ime: async (ctx) => {
      const [sub, ...rest] = ctx.args;
      const id = rest.find((r) => !r.startsWith("-"));
      const installed = installedImes();
      switch (sub) {
        case "list": {
          const list = rest.includes("-a") ? installed : installed.filter((i) => dev.imeEnabled.has(i));
          if (rest.includes("-s")) await out(ctx, `${list.join("\n")}\n`);
          else await out(ctx, list.map((i) => `${i}:\n  mId=${i} mSettingsActivity=null\n`).join(""));
          return 0;
        }
        case "enable":
          if (!id || !installed.includes(id)) {
            await err(ctx, `Unknown input method ${id ?? ""} cannot be enabled for user #0\n`);
            return 0;
          }
          await out(
            ctx,
            `Input method ${id}: ${dev.imeEnabled.has(id) ? "already enabled" : "now enabled"} for user #0\n`,
          );
          dev.imeEnabled.add(id);
          syncEnabledSetting();
          return 0;
        case "disable":
          if (id && dev.imeEnabled.delete(id)) {
            await out(ctx, `Input method ${id}: now disabled for user #0\n`);
            if (dev.ime === id) setIme(LATIN_IME);
          } else await out(ctx, `Input method ${id ?? ""}: already disabled for user #0\n`);
          syncEnabledSetting();
          return 0;
        case "set":
          if (!id || !installed.includes(id) || !dev.imeEnabled.has(id)) {
            await err(ctx, `Unknown input method ${id ?? ""} cannot be selected for user #0\n`);
            return 0;
          }
          setIme(id);
          await out(ctx, `Input method ${id} selected for user #0\n`);
          return 0;
        case "reset":
          dev.imeEnabled.clear();
          dev.imeEnabled.add(LATIN_IME);
          setIme(LATIN_IME);
          syncEnabledSetting();
          await out(
            ctx,
            `Reset current and enabled IMEs for user #0\n  Selected: ${LATIN_IME}\n   Enabled: ${LATIN_IME}\n`,
          );
          return 0;
        default:
          await err(ctx, `Unknown command: ${sub ?? ""}\n`);
          return 255;
      }
    },
    input: async (ctx) => {
      let args = [...ctx.args];
      const sources = [
        "touchscreen",
        "touchpad",
        "keyboard",
        "mouse",
        "dpad",
        "gamepad",
        "joystick",
        "stylus",
        "trackball",
        "touchnavigation",
        "rotaryencoder",
      ];
      if (args[0] && sources.includes(args[0])) args = args.slice(1);
      if (args[0] === "-d") args = args.slice(2);
      const [sub, ...rest] = args;
      const num = (s: string | undefined) => Number.parseFloat(s ?? "");
      const usage = async () => {
        await err(
          ctx,
          `Error: Invalid arguments for command: ${sub ?? ""}\nUsage: input [<source>] [-d DISPLAY_ID] <command> [<arg>...]\n`,
        );
        return 1;
      };
      switch (sub) {
        case "tap": {
          const x = num(rest[0]);
          const y = num(rest[1]);
          if (Number.isNaN(x) || Number.isNaN(y)) return usage();
          dev.tap(x, y);
          return 0;
        }
        case "swipe":
        case "draganddrop": {
          const [x1, y1, x2, y2] = rest.slice(0, 4).map(num) as [number, number, number, number];
          if ([x1, y1, x2, y2].some((v) => v === undefined || Number.isNaN(v))) return usage();
          const ms = rest[4] ? num(rest[4]) : 300;
          dev.swipe(x1, y1, x2, y2, ms);
          if (ms > 0) await sleepAbortable(Math.min(ms, 2000), ctx.signal);
          return 0;
        }
        case "keyevent":
        case "press": {
          const codes = sub === "press" ? ["23"] : rest.filter((r) => !r.startsWith("--"));
          if (codes.length === 0) return usage();
          for (const c of codes) {
            const code = keycodeOf(c);
            if (code === null) {
              await err(ctx, `Error: Unknown keycode: ${c}\n`);
              return 1;
            }
            dev.key(code);
          }
          return 0;
        }
        case "text": {
          const raw = rest[0];
          if (raw === undefined) return usage();
          const text = decodeInputText(raw);
          if ([...text].some((ch) => (ch.codePointAt(0) ?? 0) > 0x7f)) {
            await err(
              ctx,
              "Exception occurred while executing 'text':\njava.lang.NullPointerException: Attempt to get length of null array\n" +
                "\tat com.android.server.input.InputShellCommand.sendText(InputShellCommand.java:250)\n",
            );
            return 255;
          }
          dev.typeText(text);
          return 0;
        }
        case "roll":
        case "motionevent":
        case "scroll":
          return 0;
        default:
          return usage();
      }
    },
    uiautomator: async (ctx) => {
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
      if (dev.idleFailures > 0) {
        dev.idleFailures--;
        await out(ctx, "ERROR: could not get idle state.\n");
        return 0;
      }
      const xml = dev.dumpXml();
      if (path === "/dev/tty" || path === "/dev/stdout") {
        await out(ctx, xml);
      } else {
        try {
          await writeFile(hostOf(ctx, path), xml);
        } catch (e) {
          await err(ctx, `java.io.FileNotFoundException: ${path}: open failed: ${strerror(e)}\n`);
          return 1;
        }
      }
      await out(ctx, `UI hierchary dumped to: ${path}\n`);
      return 0;
    },
    screencap: async (ctx) => {
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
          await writeFile(hostOf(ctx, path), data);
        } catch (e) {
          await err(ctx, `Error opening file: ${path} (${strerror(e)})\n`);
          return 1;
        }
      } else await ctx.out.write(data);
      return 0;
    },
    cmd: async (ctx) => {
      const [svc, ...rest] = ctx.args;
      const map: Record<string, string> = {
        package: "pm",
        activity: "am",
        input_method: "ime",
        input: "input",
        settings: "settings",
        window: "wm",
      };
      const target = svc ? map[svc] : undefined;
      if (svc === "statusbar" || svc === "media_session" || svc === "power") return 0;
      const fn = target ? cmds[target] : undefined;
      if (!fn) {
        await err(ctx, `cmd: Can't find service: ${svc ?? ""}\n`);
        return 20;
      }
      return fn({ ...ctx, args: rest, name: target as string });
    },
  };

  async function hashCmd(ctx: Ctx, algo: string): Promise<number> {
    let status = 0;
    const files = ctx.args.filter((a) => !a.startsWith("-"));
    if (files.length === 0) {
      const h = createHash(algo)
        .update(await readAll(ctx.in))
        .digest("hex");
      await out(ctx, `${h}  -\n`);
      return 0;
    }
    for (const f of files) {
      try {
        const h = createHash(algo);
        const fh = await open(hostOf(ctx, f), "r");
        try {
          const buf = Buffer.allocUnsafe(1024 * 1024);
          for (;;) {
            const { bytesRead } = await fh.read(buf, 0, buf.length, null);
            if (!bytesRead) break;
            h.update(buf.subarray(0, bytesRead));
          }
        } finally {
          await fh.close();
        }
        await out(ctx, `${h.digest("hex")}  ${f}\n`);
      } catch (e) {
        await err(ctx, `${algo}sum: ${f}: ${strerror(e)}\n`);
        status = 1;
      }
    }
    return status;
  }

  async function headTail(ctx: Ctx, head: boolean): Promise<number> {
    let n = 10;
    let bytes = -1;
    const files: string[] = [];
    for (let i = 0; i < ctx.args.length; i++) {
      const a = ctx.args[i] as string;
      if (a === "-c") bytes = Number(ctx.args[++i] ?? 0);
      else if (a === "-n") n = Number(ctx.args[++i] ?? 10);
      else if (/^-\d+$/.test(a)) n = Number(a.slice(1));
      else if (/^-n\d+$/.test(a)) n = Number(a.slice(2));
      else files.push(a);
    }
    const data = files.length
      ? await readFile(hostOf(ctx, files[0] as string)).catch(() => Buffer.alloc(0))
      : await readAll(ctx.in);
    if (bytes >= 0) {
      await ctx.out.write(head ? data.subarray(0, bytes) : data.subarray(Math.max(0, data.length - bytes)));
      return 0;
    }
    const lines = data.toString("utf8").split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    const pick = head ? lines.slice(0, n) : lines.slice(Math.max(0, lines.length - n));
    if (pick.length) await out(ctx, `${pick.join("\n")}\n`);
    return 0;
  }

  async function testCmd(ctx: Ctx, a: string[]): Promise<number> {
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
      const st = await stat(hostOf(ctx, v)).catch(() => null);
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

  return cmds;
}
