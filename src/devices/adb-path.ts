// Where adb lives on each farm PC system: on PATH, else where the Android SDK and package managers put it.
import { existsSync } from "node:fs";
import nodePath from "node:path";

type Env = Record<string, string | undefined>;

/** The places adb is usually installed outside PATH, most likely first. */
export function adbCandidates(
  platform: NodeJS.Platform = process.platform,
  env: Env = process.env,
): string[] {
  if (platform === "win32") {
    const { join } = nodePath.win32;
    const sdks = [
      env.ANDROID_HOME,
      env.ANDROID_SDK_ROOT,
      env.LOCALAPPDATA && join(env.LOCALAPPDATA, "Android", "Sdk"),
    ];
    return [
      ...sdks.filter((d): d is string => Boolean(d)).map((sdk) => join(sdk, "platform-tools", "adb.exe")),
      // Google's standalone platform-tools zip, unpacked at the top of C:
      "C:\\platform-tools\\adb.exe",
    ];
  }
  const { join } = nodePath.posix;
  const sdks = [
    env.ANDROID_HOME,
    env.ANDROID_SDK_ROOT,
    env.HOME && join(env.HOME, platform === "darwin" ? "Library/Android/sdk" : "Android/Sdk"),
  ];
  return [
    ...sdks.filter((d): d is string => Boolean(d)).map((sdk) => join(sdk, "platform-tools", "adb")),
    // Homebrew (Apple silicon, then Intel) and the usual system place
    ...(platform === "darwin" ? ["/opt/homebrew/bin/adb", "/usr/local/bin/adb"] : ["/usr/bin/adb"]),
  ];
}

/**
 * `name` found on PATH (Bun.which adds .exe on Windows), else, for the plain name "adb", the first
 * usual place that exists. A path given by the operator is taken as it is.
 */
export function findAdb(
  name: string,
  which: (name: string) => string | null = Bun.which,
  exists: (file: string) => boolean = existsSync,
  candidates: string[] = adbCandidates(),
): string | undefined {
  const onPath = which(name);
  if (onPath) return onPath;
  if (name !== "adb") return undefined;
  return candidates.find(exists);
}

/** How to get adb on this system, for messages. */
export function adbInstallHint(platform: NodeJS.Platform = process.platform): string {
  if (platform === "win32") {
    return "install Google's Android SDK Platform-Tools and put platform-tools on PATH";
  }
  if (platform === "darwin") return "brew install --cask android-platform-tools";
  return "apt-get install adb, or your distribution's android-tools package";
}
