/** `pm`: installed packages, their APK paths, install/uninstall/clear. */
import { readFile } from "node:fs/promises";
import { apkManifest } from "../apk-manifest.ts";
import { CORE_PACKAGES, type Device } from "../device.ts";
import { apkPackage, apkPath } from "./apk.ts";
import { type DeviceCommand, err, hostOf, out } from "./command.ts";
import { dumpsys } from "./dumpsys.ts";

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

export const pm: DeviceCommand = async (ctx, dev) => {
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
        dev.versions.delete(pkg);
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
          data = await readFile(hostOf(dev, ctx, path));
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
      if (dev.installRefusal) {
        await out(ctx, `Failure [${dev.installRefusal}]\n`);
        return 1;
      }
      const manifest = apkManifest(data);
      const pkg = manifest?.package ?? apkPackage(data, path);
      if (!pkg) {
        await out(
          ctx,
          "Failure [INSTALL_PARSE_FAILED_NOT_APK: Failed to parse /data/app/vmdl1234.tmp/base.apk]\n",
        );
        return 1;
      }
      if (manifest) dev.versions.set(pkg, { code: manifest.versionCode, name: manifest.versionName });
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
      return dumpsys({ ...ctx, args: ["package", ...rest] }, dev);
    default:
      await err(ctx, `Unknown command: ${sub ?? ""}\n`);
      return 255;
  }
};
