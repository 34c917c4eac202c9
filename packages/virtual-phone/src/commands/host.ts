/** The shell's access to the phone: redirections and globs on the phone's file system, and its commands. */
import { existsSync, readdirSync } from "node:fs";
import { open, readFile } from "node:fs/promises";
import type { Device } from "../device.ts";
import type { ShellHost } from "../shell.ts";
import { strerror } from "../sync.ts";
import { makeCommands, type SystemHooks } from "./table.ts";

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
