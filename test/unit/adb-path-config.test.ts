import { expect, test } from "bun:test";
import { resolve } from "node:path";
import { parseConfig } from "../../src/config.ts";

const adbPath = (argv: string[], env: Record<string, string> = {}) => {
  const r = parseConfig(argv, env);
  if (r.kind !== "run") throw new Error(r.kind);
  return r.config.adbPath;
};

test("--adb-path: plain adb by default (PATH, then the usual places); a file given is made absolute", () => {
  expect(adbPath([])).toBe("adb");
  expect(adbPath(["--adb-path", "tools/adb"])).toBe(resolve("tools/adb"));
  expect(adbPath([], { FARM_ADB_PATH: "/opt/sdk/platform-tools/adb" })).toBe("/opt/sdk/platform-tools/adb");
  expect(adbPath(["--adb-path", "/a/adb"], { FARM_ADB_PATH: "/b/adb" })).toBe("/a/adb");
});
