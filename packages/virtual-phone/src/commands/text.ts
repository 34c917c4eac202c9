/** Text and digest tools (toybox): md5sum/sha1sum/sha256sum, grep, head, tail, wc. */
import { createHash } from "node:crypto";
import { open, readFile } from "node:fs/promises";
import type { Device } from "../device.ts";
import { type CommandContext as Ctx, readAll } from "../shell.ts";
import { strerror } from "../sync.ts";
import { type DeviceCommand, err, hostOf, out } from "./command.ts";

/** Commands that read text or bytes and print what they found. */
export const textCommands: Record<string, DeviceCommand> = {
  md5sum: (ctx, dev) => hashCmd(ctx, dev, "md5"),
  sha1sum: (ctx, dev) => hashCmd(ctx, dev, "sha1"),
  sha256sum: (ctx, dev) => hashCmd(ctx, dev, "sha256"),
  grep: async (ctx, dev) => {
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
      for (const f of files) text += await readFile(hostOf(dev, ctx, f), "utf8").catch(() => "");
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
  head: (ctx, dev) => headTail(ctx, dev, true),
  tail: (ctx, dev) => headTail(ctx, dev, false),
  wc: async (ctx, dev) => {
    const files = ctx.args.filter((a) => !a.startsWith("-"));
    const data = files.length
      ? await readFile(hostOf(dev, ctx, files[0] as string)).catch(() => Buffer.alloc(0))
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
};

async function hashCmd(ctx: Ctx, dev: Device, algo: string): Promise<number> {
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
      const fh = await open(hostOf(dev, ctx, f), "r");
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

async function headTail(ctx: Ctx, dev: Device, head: boolean): Promise<number> {
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
    ? await readFile(hostOf(dev, ctx, files[0] as string)).catch(() => Buffer.alloc(0))
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
