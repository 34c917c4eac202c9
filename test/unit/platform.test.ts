// What differs per farm PC system, checked here with node:path's win32 and posix flavours.
import { expect, test } from "bun:test";
import { posix, win32 } from "node:path";
import { defaultDataDir } from "../../src/config.ts";
import { adbCandidates, adbInstallHint, findAdb } from "../../src/devices/adb-path.ts";

test("the data folder defaults beside the executable, wherever it was started from", () => {
  expect(defaultDataDir(true, "C:\\Farm\\farm-tasks-windows-x64.exe", win32)).toBe("C:\\Farm\\data");
  expect(defaultDataDir(true, "\\\\nas\\farm\\farm-tasks.exe", win32)).toBe("\\\\nas\\farm\\data");
  expect(defaultDataDir(true, "/Applications/farm/farm-tasks-darwin-arm64", posix)).toBe(
    "/Applications/farm/data",
  );
  // run from source: ./data in the working folder
  expect(defaultDataDir(false, "C:\\bun\\bun.exe", win32)).toBe(win32.resolve("data"));
});

test("Windows: adb.exe in the Android SDK's platform-tools, from the SDK variables or %LOCALAPPDATA%", () => {
  const places = adbCandidates("win32", {
    LOCALAPPDATA: "C:\\Users\\farm\\AppData\\Local",
    ANDROID_HOME: "D:\\Android\\sdk",
  });
  expect(places).toEqual([
    "D:\\Android\\sdk\\platform-tools\\adb.exe",
    "C:\\Users\\farm\\AppData\\Local\\Android\\Sdk\\platform-tools\\adb.exe",
    "C:\\platform-tools\\adb.exe",
  ]);
  for (const p of places) expect(win32.isAbsolute(p)).toBe(true);
});

test("macOS: Homebrew's adb (Apple silicon and Intel) and Android Studio's SDK", () => {
  const places = adbCandidates("darwin", { HOME: "/Users/farm" });
  expect(places).toEqual([
    "/Users/farm/Library/Android/sdk/platform-tools/adb",
    "/opt/homebrew/bin/adb",
    "/usr/local/bin/adb",
  ]);
});

test("adb: PATH first, then the first usual place that exists; an explicit path is taken as given", () => {
  const places = ["C:\\sdk\\platform-tools\\adb.exe", "C:\\platform-tools\\adb.exe"];
  const present = new Set(["C:\\platform-tools\\adb.exe"]);
  const exists = (f: string) => present.has(f);
  expect(findAdb("adb", () => "C:\\Windows\\adb.exe", exists, places)).toBe("C:\\Windows\\adb.exe");
  expect(findAdb("adb", () => null, exists, places)).toBe("C:\\platform-tools\\adb.exe");
  expect(
    findAdb(
      "adb",
      () => null,
      () => false,
      places,
    ),
  ).toBeUndefined();
  expect(findAdb("D:\\tools\\my-adb.exe", () => null, exists, places)).toBeUndefined();
  // on this machine: Debian's adb, on PATH
  expect(findAdb("adb")).toBe(Bun.which("adb") ?? undefined);
});

test("the hint for installing adb fits the system it is shown on", () => {
  expect(adbInstallHint("win32")).not.toMatch(/apt|brew/);
  expect(adbInstallHint("win32")).toMatch(/Platform-Tools/);
  expect(adbInstallHint("darwin")).toMatch(/^brew /);
  expect(adbInstallHint("linux")).toMatch(/apt-get install adb/);
});
