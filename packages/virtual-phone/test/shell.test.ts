/** The phone's shell: parsing, redirections and the Android commands' output formats. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { VirtualPhone } from "../src/index.ts";
import { parse } from "../src/shell.ts";

let phone: VirtualPhone;
const run = (c: string) => phone.exec(c);

beforeAll(async () => {
  phone = await VirtualPhone.start({ model: "Pixel 7", battery: 64, screen: { width: 720, height: 1600 } });
});
afterAll(async () => {
  await phone?.stop();
});

describe("parsing", () => {
  test("quotes, escapes, operators", async () => {
    expect((await run(`echo 'a  b' "c \\"d\\" $X" e\\ f`)).stdout).toBe('a  b c "d"  e f\n');
    expect((await run("false && echo no || echo yes; echo end")).stdout).toBe("yes\nend\n");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell variable, not a template
    expect((await run("X=1; echo $X ${X}2")).stdout).toBe("1 12\n");
    expect((await run("false; echo $?")).stdout).toBe("1\n");
    expect((await run("echo 'it'\\''s'")).stdout).toBe("it's\n");
    expect(parse("a | b && c; d &").length).toBe(2);
  });

  test("syntax errors", async () => {
    const r = await run("echo 'open");
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain("/system/bin/sh:");
  });

  test("redirections", async () => {
    await run("echo one > /sdcard/r.txt; echo two >> /sdcard/r.txt");
    expect(await readFile(join(phone.root, "sdcard/r.txt"), "utf8")).toBe("one\ntwo\n");
    const both = await run("cat /nope 2>&1");
    expect(both.stdout).toBe("cat: /nope: No such file or directory\n");
    expect(both.stderr).toBe("");
    const quiet = await run("cat /nope 2>/dev/null </dev/null");
    expect(quiet.stderr).toBe("");
    expect(quiet.exitCode).toBe(1);
    expect((await run("cat < /sdcard/r.txt | grep two")).stdout).toBe("two\n");
    expect((await run("sh -c 'echo inner; exit 4'")).exitCode).toBe(4);
    expect((await run("echo x >&2")).stderr).toBe("x\n");
  });

  test("unknown command", async () => {
    const r = await run("frobnicate --now");
    expect(r.exitCode).toBe(127);
    expect(r.stderr).toBe("/system/bin/sh: frobnicate: inaccessible or not found\n");
  });
});

describe("files", () => {
  test("mkdir -p, touch, ls, stat, rm, glob", async () => {
    expect(
      (await run("mkdir -p /sdcard/DCIM/Test/a && touch /sdcard/DCIM/Test/a/x.mp4 /sdcard/DCIM/Test/a/y.mp4"))
        .exitCode,
    ).toBe(0);
    expect((await run("ls /storage/emulated/0/DCIM/Test/a")).stdout).toBe("x.mp4\ny.mp4\n");
    expect((await run("ls /sdcard/DCIM/Test/a/*.mp4")).stdout).toBe(
      "/sdcard/DCIM/Test/a/x.mp4\n/sdcard/DCIM/Test/a/y.mp4\n",
    );
    expect((await run("stat -c '%s %F' /sdcard/DCIM/Test/a/x.mp4")).stdout).toBe("0 regular empty file\n");
    expect((await run("rm /sdcard/DCIM/Test")).stderr).toContain("Is a directory");
    expect((await run("rm /sdcard/none")).exitCode).toBe(1);
    expect((await run("rm -f /sdcard/none")).exitCode).toBe(0);
    expect((await run("rm -rf /sdcard/DCIM/Test && ls /sdcard/DCIM/Test")).stderr).toContain(
      "No such file or directory",
    );
    expect((await run("mkdir /sdcard/Download")).stderr).toContain("File exists");
    expect((await run("test -d /sdcard/DCIM && echo dir")).stdout).toBe("dir\n");
    await run("mkdir -p /sdcard/Documents/t/sub && touch /sdcard/Documents/t/a /sdcard/Documents/t/sub/b");
    expect((await run("ls -R /sdcard/Documents/t")).stdout).toBe(
      "/sdcard/Documents/t:\na\nsub\n\n/sdcard/Documents/t/sub:\nb\n",
    );
  });
});

describe("android commands", () => {
  test("getprop, wm, dumpsys battery, id", async () => {
    expect((await run("getprop ro.product.model")).stdout).toBe("Pixel 7\n");
    expect((await run("getprop ro.build.version.sdk")).stdout).toBe("34\n");
    expect((await run("getprop ro.serialno")).stdout).toBe(`${phone.serial}\n`);
    expect((await run("getprop")).stdout).toContain("[ro.product.brand]: [google]");
    expect((await run("wm size")).stdout).toBe("Physical size: 720x1600\n");
    expect((await run("wm density")).stdout).toBe("Physical density: 420\n");
    const battery = (await run("dumpsys battery")).stdout;
    expect(battery.startsWith("Current Battery Service state:\n  AC powered: false\n")).toBe(true);
    expect(battery).toContain("  level: 64\n");
    expect((await run("id")).stdout).toStartWith("uid=2000(shell) gid=2000(shell)");
    expect((await run("whoami")).stdout).toBe("shell\n");
  });

  test("pm", async () => {
    const list = (await run("pm list packages")).stdout.split("\n");
    expect(list).toContain("package:com.zhiliaoapp.musically");
    expect(list).toContain("package:com.instagram.android");
    expect(list).toContain("package:com.android.adbkeyboard");
    expect((await run("pm path com.instagram.android")).stdout).toMatch(
      /^package:\/data\/app\/.*\/base\.apk\n$/,
    );
    expect((await run("pm path com.nope")).exitCode).toBe(1);
    expect((await run("dumpsys package com.zhiliaoapp.musically")).stdout).toContain("versionName=43.1.4");
  });

  test("settings, ime", async () => {
    expect((await run("settings get global nothing_here")).stdout).toBe("null\n");
    await run("settings put system screen_off_timeout 600000");
    expect((await run("settings get system screen_off_timeout")).stdout).toBe("600000\n");
    expect((await run("ime list -s")).stdout).not.toContain("adbkeyboard");
    expect((await run("ime set com.android.adbkeyboard/.AdbIME")).stderr).toContain("Unknown input method");
    expect((await run("ime enable com.android.adbkeyboard/.AdbIME")).stdout).toContain("now enabled");
    expect((await run("ime set com.android.adbkeyboard/.AdbIME")).stdout).toContain("selected");
    expect((await run("settings get secure default_input_method")).stdout).toBe(
      "com.android.adbkeyboard/.AdbIME\n",
    );
    await run("ime reset");
    expect((await run("settings get secure default_input_method")).stdout).toContain("LatinIME");
  });

  test("ADBKeyBoard broadcasts only type while it is the input method", async () => {
    const before = phone.typed.length;
    await run(`am broadcast -a ADB_INPUT_B64 --es msg ${Buffer.from("ignored").toString("base64")}`);
    expect(phone.typed.length).toBe(before);
    await run("ime enable com.android.adbkeyboard/.AdbIME; ime set com.android.adbkeyboard/.AdbIME");
    const r = await run(`am broadcast -a ADB_INPUT_B64 --es msg ${Buffer.from("ça 🚀").toString("base64")}`);
    expect(r.stdout).toBe(
      "Broadcasting: Intent { act=ADB_INPUT_B64 flg=0x400000 (has extras) }\nBroadcast completed: result=0\n",
    );
    expect(phone.typed[phone.typed.length - 1]).toBe("ça 🚀");
    await run("ime reset");
  });

  test("input text semantics", async () => {
    await run("input text 'hello%sworld'");
    expect(phone.typed[phone.typed.length - 1]).toBe("hello world");
    await run(`input text "it\\'s"`);
    expect(phone.typed[phone.typed.length - 1]).toBe("it\\'s");
    await run("input text it\\'s");
    expect(phone.typed[phone.typed.length - 1]).toBe("it's");
    const bad = await run("input text 'ü'");
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toContain("Exception");
  });

  test("media scan and content query/delete", async () => {
    await run("mkdir -p /sdcard/DCIM/Camera && echo v > /sdcard/DCIM/Camera/q.mp4");
    const b = await run(
      "am broadcast -a android.intent.action.MEDIA_SCANNER_SCAN_FILE -d file:///storage/emulated/0/DCIM/Camera/q.mp4",
    );
    expect(b.stdout).toContain("Broadcast completed: result=0");
    const q = await run(
      `content query --uri content://media/external/video/media --projection _id --where "_display_name='q.mp4'"`,
    );
    expect(q.stdout).toMatch(/^Row: 0 _id=\d+\n$/);
    await run(
      `content delete --uri content://media/external/video/media --where "_data='/storage/emulated/0/DCIM/Camera/q.mp4'"`,
    );
    const gone = await run(
      `content query --uri content://media/external/video/media --where "_display_name='q.mp4'"`,
    );
    expect(gone.stdout).toBe("No result found.\n");
  });

  test("am start errors, monkey on a missing app", async () => {
    const r = await run("am start -n com.missing.app/.Main");
    expect(r.stderr).toContain(
      "Error: Activity class {com.missing.app/com.missing.app.Main} does not exist.",
    );
    const v = await run("am start -a android.intent.action.VIEW -d https://example.com com.missing.app");
    expect(v.stderr).toContain("Error: Activity not started, unable to resolve Intent");
    const m = await run("monkey -p com.missing.app -c android.intent.category.LAUNCHER 1");
    expect(m.stdout).toContain("** No activities found to run, monkey aborted.");
  });

  test("flaky dumps and head -c", async () => {
    phone.device.idleFailures = 1;
    const r = await run("rm -f /sdcard/window_dump.xml; uiautomator dump; ls /sdcard/window_dump.xml");
    expect(r.stdout).toBe("ERROR: could not get idle state.\n");
    expect(r.exitCode).toBe(1);
    expect((await run("uiautomator dump /dev/tty | head -c 5")).stdout).toBe("<?xml");
  });

  test("uiautomator dump to a file, screencap to a file", async () => {
    const r = await run("uiautomator dump");
    expect(r.stdout).toBe("UI hierchary dumped to: /sdcard/window_dump.xml\n");
    const xml = await readFile(join(phone.root, "sdcard/window_dump.xml"), "utf8");
    expect(xml).toStartWith(
      "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\"><node index=\"0\" text=\"\"",
    );
    expect(xml).toContain('package="com.google.android.apps.nexuslauncher"');
    await run("screencap -p /sdcard/s.png");
    const png = await readFile(join(phone.root, "sdcard/s.png"));
    expect(png.readUInt32BE(16)).toBe(720);
    expect(png.readUInt32BE(20)).toBe(1600);
  });
});
