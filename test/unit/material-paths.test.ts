import { describe, expect, test } from "bun:test";
import { checkMediaFile } from "../../src/materials/media.ts";
import { baseName, isWindowsForm, toLocalPath, toLocalPathIn } from "../../src/materials/paths.ts";

const win = (raw: string) => toLocalPath(raw, "win32");
const posix = (raw: string) => toLocalPath(raw, "posix");

describe("material paths on Windows (node:path's win32 flavour)", () => {
  test("C:/…, C:\\… and mixed slashes all become one Windows path", () => {
    for (const raw of ["C:/Videos/video1.mp4", "C:\\Videos\\video1.mp4", "C:/Videos\\video1.mp4"]) {
      expect(win(raw)).toEqual({ ok: true, path: "C:\\Videos\\video1.mp4" });
    }
    expect(win("c:/videos/./old/../video1.mp4")).toEqual({ ok: true, path: "c:\\videos\\video1.mp4" });
  });

  test("UNC shares, with backslashes or slashes", () => {
    expect(win("\\\\server\\share\\a.mp4")).toEqual({ ok: true, path: "\\\\server\\share\\a.mp4" });
    expect(win("//server/share/clips/a.mp4")).toEqual({ ok: true, path: "\\\\server\\share\\clips\\a.mp4" });
  });

  test('"Copy as path" quotes and surrounding spaces are dropped; names in any script are kept', () => {
    expect(win('  "C:\\Vídeos\\猫 🐱.mp4"  ')).toEqual({ ok: true, path: "C:\\Vídeos\\猫 🐱.mp4" });
  });

  test("relative, drive-relative and rootless paths are refused, saying what to give", () => {
    for (const raw of ["Videos\\a.mp4", "C:a.mp4", "\\Videos\\a.mp4", "a.mp4"]) {
      const r = win(raw);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toContain(`"${raw}" is not an absolute path`);
    }
    const empty = win("  ");
    expect(empty.ok || empty.reason).toBe("the path is empty");
  });
});

describe("material paths on Linux and macOS", () => {
  test("absolute paths are normalised", () => {
    expect(posix("/home/farm//videos/./a.mp4")).toEqual({ ok: true, path: "/home/farm/videos/a.mp4" });
  });

  test("a Windows path is 'not found', naming it and the system, never a crash", () => {
    for (const raw of ["C:/Videos/video1.mp4", "C:\\Videos\\a.mp4", "\\\\server\\share\\a.mp4"]) {
      const r = posix(raw);
      expect(r.ok).toBe(false);
      if (!r.ok)
        expect(r.reason).toMatch(
          new RegExp(
            `^"${raw.replaceAll("\\", "\\\\")}" not found: it is a Windows path and this service runs on (Linux|macOS)$`,
          ),
        );
    }
  });

  test("relative paths and NUL characters are refused", () => {
    expect(posix("videos/a.mp4")).toEqual({
      ok: false,
      reason: '"videos/a.mp4" is not an absolute path (give the full path, /home/farm/a.mp4)',
    });
    expect(posix("/tmp/a\0.mp4").ok).toBe(false);
  });

  test("checking a Windows path's file on this PC ends in 'does not exist', not an exception", () => {
    const r = checkMediaFile("C:\\Videos\\a.mp4", "video");
    expect(r).toEqual({ ok: false, reason: '"C:\\Videos\\a.mp4" does not exist on this PC' });
  });
});

describe("paths relative to a folder of the service's (toLocalPathIn)", () => {
  test("a relative path is taken inside the folder; an absolute one as it is", () => {
    expect(toLocalPathIn("pics/a.png", "/data/upload", "posix")).toEqual({
      ok: true,
      path: "/data/upload/pics/a.png",
    });
    expect(toLocalPathIn(' "a b.png" ', "C:\\data\\upload", "win32")).toEqual({
      ok: true,
      path: "C:\\data\\upload\\a b.png",
    });
    expect(toLocalPathIn("/home/farm/a.png", "/data/upload", "posix")).toEqual({
      ok: true,
      path: "/home/farm/a.png",
    });
    expect(toLocalPathIn("C:/images/a.jpg", "C:\\data\\upload", "win32")).toEqual({
      ok: true,
      path: "C:\\images\\a.jpg",
    });
  });

  test("a relative path that leaves the folder is refused, on either system; one that only passes by stays in", () => {
    const escapes: [string, string, "posix" | "win32"][] = [
      ["../materials/x.png", "/data/upload", "posix"],
      ["..", "/data/upload", "posix"],
      ["pics/../../x.png", "/data/upload", "posix"],
      ["..\\materials\\x.png", "C:\\data\\upload", "win32"],
      ["../materials/x.png", "C:\\data\\upload", "win32"],
      ["pics\\..\\..\\..\\x.png", "C:\\data\\upload", "win32"],
    ];
    for (const [raw, base, flavour] of escapes) {
      expect({ raw, flavour, result: toLocalPathIn(raw, base, flavour) }).toEqual({
        raw,
        flavour,
        result: {
          ok: false,
          reason: `"${raw}" leaves the folder it is relative to (${base}): give a path inside it, or an absolute path`,
        },
      });
    }
    expect(toLocalPathIn("pics/../a.png", "/data/upload", "posix")).toEqual({
      ok: true,
      path: "/data/upload/a.png",
    });
    expect(toLocalPathIn("..a.png", "/data/upload", "posix")).toEqual({
      ok: true,
      path: "/data/upload/..a.png",
    });
    // a backslash is part of a file name on Linux and macOS, never a way out
    expect(toLocalPathIn("..\\x.png", "/data/upload", "posix")).toEqual({
      ok: true,
      path: "/data/upload/..\\x.png",
    });
    expect(toLocalPathIn("pics\\..\\a.png", "C:\\data\\upload", "win32")).toEqual({
      ok: true,
      path: "C:\\data\\upload\\a.png",
    });
    // absolute paths name any file on this PC, dots and all
    expect(toLocalPathIn("/data/upload/../materials/x.png", "/data/upload", "posix")).toEqual({
      ok: true,
      path: "/data/materials/x.png",
    });
  });

  test("what toLocalPath refuses stays refused; a relative path without the folder is refused", () => {
    const driveRelative = toLocalPathIn("C:a.jpg", "C:\\data\\upload", "win32");
    expect(driveRelative.ok).toBe(false);
    if (!driveRelative.ok) expect(driveRelative.reason).toContain('"C:a.jpg" is not an absolute path');
    for (const windows of ["C:/images/a.jpg", "\\\\server\\share\\a.jpg"]) {
      const r = toLocalPathIn(windows, "/data/upload", "posix");
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toContain("it is a Windows path");
    }
    expect(toLocalPathIn("a.png", null, "posix")).toEqual({
      ok: false,
      reason: `"a.png" is a relative path and the service's data folder is not known`,
    });
  });
});

test("helpers: Windows forms, base names from either system", () => {
  expect(isWindowsForm("C:/a.mp4")).toBe(true);
  expect(isWindowsForm("\\\\nas\\clips\\a.mp4")).toBe(true);
  expect(isWindowsForm("/home/a.mp4")).toBe(false);
  expect(isWindowsForm("//server/share/a.mp4")).toBe(false);
  expect(baseName("C:\\Videos\\a.mp4")).toBe("a.mp4");
  expect(baseName("/home/farm/b.png")).toBe("b.png");
});
