/** The virtual phone against Debian's real adb server and CLI. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AdbServer, startAdbServer } from "../../../test/helpers/adb.ts";
import { sha256 } from "../../../test/helpers/files.ts";
import { waitFor } from "../../../test/helpers/wait.ts";
import { VirtualPhone } from "../src/index.ts";
import { center, dumpNodes } from "./ui-dump.ts";

describe("virtual phone through the real adb", () => {
  let adb: AdbServer;
  let phone: VirtualPhone;
  let serial: string;
  const sh = (args: string[], timeoutMs?: number) => adb.run(["-s", serial, ...args], timeoutMs);

  beforeAll(async () => {
    adb = await startAdbServer();
    phone = await VirtualPhone.start({ model: "Pixel 7" });
    serial = `127.0.0.1:${phone.port}`;
    const c = await adb.run(["connect", serial]);
    expect(c.text).toContain(`connected to ${serial}`);
  });

  afterAll(async () => {
    await adb?.stop();
    await phone?.stop();
  });

  test("listed as a device with its model", async () => {
    const r = await waitFor(
      "listed as a device",
      async () => {
        const d = await adb.run(["devices", "-l"]);
        return d.text.includes(`${serial}`) && d.text.match(/device product/) ? d : undefined;
      },
      10_000,
    );
    const line = r.text.split("\n").find((l) => l.startsWith(serial)) ?? "";
    expect(line).toMatch(/\sdevice\s/);
    expect(line).toContain("model:Pixel_7");
  });

  test("shell echo, exit codes, getprop", async () => {
    const echo = await sh(["shell", "echo", "hi"]);
    expect(echo.text).toBe("hi\n");
    expect(echo.code).toBe(0);
    const exit = await sh(["shell", "exit 3"]);
    expect(exit.code).toBe(3);
    const model = await sh(["shell", "getprop", "ro.product.model"]);
    expect(model.text.trim()).toBe("Pixel 7");
    const missing = await sh(["shell", "nosuchcmd"]);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain("/system/bin/sh: nosuchcmd: inaccessible or not found");
    expect(phone.commands.some((c) => c.service === "shell,v2" && c.command === "echo hi")).toBe(true);
  });

  test("push 50 MB and pull it back identical", async () => {
    const dir = join(tmpdir(), `sim-push-${process.pid}`);
    const src = `${dir}-src.bin`;
    const back = `${dir}-back.bin`;
    const data = randomBytes(50 * 1024 * 1024);
    await writeFile(src, data);
    try {
      const push = await sh(["push", src, "/sdcard/DCIM/Camera/big.bin"], 60000);
      expect(push.code).toBe(0);
      const onDisk = await readFile(join(phone.root, "sdcard/DCIM/Camera/big.bin"));
      expect(sha256(onDisk)).toBe(sha256(data));
      const pull = await sh(["pull", "/sdcard/DCIM/Camera/big.bin", back], 60000);
      expect(pull.code).toBe(0);
      expect(sha256(await readFile(back))).toBe(sha256(data));
      const size = await sh(["shell", "stat", "-c", "%s", "/sdcard/DCIM/Camera/big.bin"]);
      expect(size.text.trim()).toBe(String(data.length));
    } finally {
      await rm(src, { force: true });
      await rm(back, { force: true });
      await rm(join(phone.root, "sdcard/DCIM/Camera/big.bin"), { force: true });
    }
  }, 90000);

  test("exec-out screencap -p is a PNG of the screen size", async () => {
    const r = await sh(["exec-out", "screencap", "-p"]);
    const png = r.stdout;
    expect(png.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
    expect(png.subarray(12, 16).toString("latin1")).toBe("IHDR");
    expect(png.readUInt32BE(16)).toBe(1080);
    expect(png.readUInt32BE(20)).toBe(2400);
  });

  test("ADBKeyBoard broadcast with emoji arrives intact", async () => {
    const text = "Hi 👋 naïve 🎉 #fyp";
    await sh(["shell", "ime enable com.android.adbkeyboard/.AdbIME"]);
    const set = await sh(["shell", "ime set com.android.adbkeyboard/.AdbIME"]);
    expect(set.text).toContain("selected");
    const b64 = Buffer.from(text, "utf8").toString("base64");
    const r = await sh(["shell", `am broadcast -a ADB_INPUT_B64 --es msg ${b64}`]);
    expect(r.text).toContain("Broadcast completed: result=0");
    expect(phone.typed).toContain(text);
    const reset = await sh(["shell", "ime reset"]);
    expect(reset.code).toBe(0);
    const plain = await sh(["shell", "input text 'é'"]);
    expect(plain.code).not.toBe(0);
  });

  test("adb install (streamed through abb_exec), exec-in, a shell fed on stdin", async () => {
    const apk = join(tmpdir(), `sim-kb-${process.pid}.apk`);
    await writeFile(
      apk,
      Buffer.concat([Buffer.from("PK\x03\x04"), Buffer.from('package="com.example.tool"', "utf16le")]),
    );
    try {
      expect((await sh(["shell", "pm path com.example.tool"])).code).toBe(1);
      const r = await sh(["install", apk]);
      expect(r.text).toContain("Success");
      expect((await sh(["shell", "pm list packages com.example"])).text).toBe("package:com.example.tool\n");
    } finally {
      await rm(apk, { force: true });
    }
    const proc = Bun.spawn(["adb", "-P", String(adb.port), "-s", serial, "shell"], {
      env: adb.env,
      stdin: new Blob(["echo from-stdin\nexit 4\n"]),
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(await new Response(proc.stdout).text()).toBe("from-stdin\n");
    expect(await proc.exited).toBe(4);
  });

  test("TikTok post flow driven by taps on dumped bounds", async () => {
    const video = randomBytes(256 * 1024);
    const local = join(tmpdir(), `sim-video-${process.pid}.mp4`);
    await writeFile(local, video);
    try {
      expect((await sh(["push", local, "/sdcard/DCIM/Camera/clip1.mp4"])).code).toBe(0);
      const scan = await sh([
        "shell",
        "content call --uri content://media --method scan_file --arg /storage/emulated/0/DCIM/Camera/clip1.mp4",
      ]);
      expect(scan.text).toContain("Result:");
      await sh(["shell", "monkey -p com.zhiliaoapp.musically -c android.intent.category.LAUNCHER 1"]);
      phone.apps.tiktok.uploadMs = 800;

      const dump = async () => {
        const r = await sh(["shell", "uiautomator dump /dev/tty"]);
        expect(r.text).toContain("UI hierchary dumped to: /dev/tty");
        return dumpNodes(r.text);
      };
      const tap = async (pred: (n: Record<string, string>) => boolean, what: string) => {
        const node = (await dump()).find(pred);
        if (!node) throw new Error(`${what} not on screen (${phone.apps.tiktok.screen})`);
        const [x, y] = center(node.bounds as string);
        await sh(["shell", `input tap ${x} ${y}`]);
      };
      const dismissPopups = async () => {
        for (let i = 0; i < 5; i++) {
          const nodes = await dump();
          const btn = nodes.find(
            (n) =>
              n.clickable === "true" && /^(allow|ok|got it|not now|don’t allow|skip)$/i.test(n.text ?? ""),
          );
          if (!btn) return;
          const [x, y] = center(btn.bounds as string);
          await sh(["shell", `input tap ${x} ${y}`]);
        }
      };
      const rid = (id: string) => (n: Record<string, string>) =>
        n["resource-id"] === `com.zhiliaoapp.musically:id/${id}`;

      await dismissPopups();
      await tap(rid("mkn"), "Create");
      await tap(rid("ymg"), "gallery thumbnail");
      await dismissPopups();
      expect(phone.apps.tiktok.screen).toBe("gallery");
      const next = (await dump()).find(rid("uyb"));
      expect(next?.clickable).toBe("false");
      await tap(rid("jh7"), "select box");
      expect((await dump()).find(rid("uyb"))?.clickable).toBe("true");
      await tap(rid("uyb"), "Next");
      await tap(rid("ntn"), "editor Next");
      await dismissPopups();
      await tap(rid("g19"), "description");
      await sh(["shell", "input text 'My%sfirst%spost'"]);
      await tap(rid("qrb"), "Post");
      const progress = await dump();
      expect(progress.some((n) => n.text === "Posting...")).toBe(true);
      await waitFor("post", () => phone.apps.tiktok.posts.length > 0, 5000);
      const post = phone.apps.tiktok.posts[0];
      expect(post?.caption).toBe("My first post");
      expect(post?.media).toEqual(["/storage/emulated/0/DCIM/Camera/clip1.mp4"]);
      const after = await dump();
      expect(after.some((n) => n.text === "Video posted!") || phone.apps.tiktok.screen === "home").toBe(true);
    } finally {
      await rm(local, { force: true });
    }
  }, 60000);
});
