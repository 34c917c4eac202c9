/** Installed APKs: versions and paths as Android reports them, and which package an APK file installs. */
import { createHash } from "node:crypto";
import { INSTAGRAM_PKG } from "../apps/instagram/behaviour.ts";
import { TIKTOK_PKG, TIKTOK_VERSION, TRILL_PKG } from "../apps/tiktok/behaviour.ts";
import { ADB_KEYBOARD_PKG, CORE_PACKAGES } from "../device.ts";

export const VERSIONS: Record<string, [string, number]> = {
  [TIKTOK_PKG]: [TIKTOK_VERSION, 2024301040],
  [TRILL_PKG]: [TIKTOK_VERSION, 2024301040],
  [INSTAGRAM_PKG]: ["361.0.0.46.88", 377206991],
  [ADB_KEYBOARD_PKG]: ["2.4-dev", 24],
};

export function apkPath(p: string): string {
  if (CORE_PACKAGES.includes(p)) return `/system/priv-app/${p.split(".").pop()}/${p.split(".").pop()}.apk`;
  const h = createHash("md5").update(p).digest("base64url").slice(0, 22);
  return `/data/app/~~${h}==/${p}-${h.split("").reverse().join("")}==/base.apk`;
}

const KNOWN_APKS = [
  TIKTOK_PKG,
  INSTAGRAM_PKG,
  ADB_KEYBOARD_PKG,
  TRILL_PKG,
  "com.zhiliaoapp.musically.go",
  "com.android.chrome",
  "com.google.android.youtube",
];

/** The package an "APK" installs: a known package name found in it (UTF-8 or UTF-16) or package="…". */
export function apkPackage(data: Buffer, path?: string): string | null {
  for (const p of KNOWN_APKS) {
    if (data.includes(Buffer.from(p, "utf8")) || data.includes(Buffer.from(p, "utf16le"))) return p;
  }
  const re = /package="([a-zA-Z][\w]*(?:\.[\w]+)+)"/;
  const m = re.exec(data.toString("latin1")) ?? re.exec(data.toString("utf16le"));
  if (m) return m[1] as string;
  if (path && /adb.?keyboard/i.test(path)) return ADB_KEYBOARD_PKG;
  return null;
}
