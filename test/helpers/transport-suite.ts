/**
 * Shared harness for the fleet's two transports: a private adb server (Debian's adb, its own port
 * and HOME, ADB_EMU=0), virtual phones, and one suite of tests that runs over either transport.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readlinkSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VirtualPhone } from "@farm/virtual-phone";
import { type DeviceInfo, Fleet, type Phone, UNAUTHORIZED_HINT } from "../../src/devices/index.ts";
import { silentLogger } from "../../src/log.ts";
import { type AdbServer, startAdbServer } from "../helpers/adb.ts";
import { randomFile, sha256File } from "../helpers/files.ts";
import { loggerInto } from "../helpers/log.ts";
import { waitFor } from "../helpers/wait.ts";

export type Mode = "server" | "direct";

const KEYBOARD = "com.android.adbkeyboard";
const APPS = ["com.zhiliaoapp.musically", "com.instagram.android"];

/** The same tests, over the adb server or straight to the phones. */
export function transportSuite(mode: Mode): void {
  describe(`device layer over ${mode === "server" ? "the adb server" : "direct TCP"}`, () => {
    let work: string;
    let server: AdbServer | undefined;
    let fleet: Fleet;
    let main: VirtualPhone;
    let plain: VirtualPhone;
    const changes: DeviceInfo[] = [];
    const logs: string[] = [];
    const direct = mode === "direct";
    const serialOf = (p: VirtualPhone) => `127.0.0.1:${p.port}`;
    const phoneOf = (p: VirtualPhone): Phone => {
      const phone = fleet.phone(serialOf(p));
      if (!phone) throw new Error(`${serialOf(p)} is not online: ${JSON.stringify(fleet.get(serialOf(p)))}`);
      return phone;
    };

    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), `farm-devices-${mode}-`));
      if (!direct) server = await startAdbServer();
      main = await VirtualPhone.start({ auth: "accept", model: "Pixel 7", packages: [...APPS, KEYBOARD] });
      plain = await VirtualPhone.start({ auth: "none", model: "Galaxy A12", packages: APPS });
      fleet = new Fleet({
        dataDir: join(work, "data"),
        adbServer: direct ? false : { port: server?.port },
        batteryMs: 500,
        onChange: (info) => changes.push(info),
        log: loggerInto(logs),
      });
      await fleet.start();
      await fleet.connect("127.0.0.1", main.port, { direct });
      await fleet.connect("127.0.0.1", plain.port, { direct });
    });

    afterAll(async () => {
      // Each step on its own: one failing must not leave an adb server or a phone behind.
      const steps = [
        () => fleet?.stop(),
        () => main?.stop(),
        () => plain?.stop(),
        () => server?.stop(),
        () => (work ? rm(work, { recursive: true, force: true }) : undefined),
      ];
      for (const step of steps) await Promise.resolve(step()).catch(() => {});
    });

    test("phones appear online with their facts", async () => {
      const info = await waitFor(
        "main phone online",
        () => fleet.get(serialOf(main))?.state === "online" && fleet.get(serialOf(main)),
        3000,
      );
      expect(info.model).toBe("Pixel 7");
      expect(info.transport).toBe(direct ? "direct" : "tcp");
      expect(info.hint).toBeNull();
      expect(info.sdk).toBeGreaterThan(0);
      expect(info.android_version).toBeTruthy();
      expect(info.screen?.width).toBeGreaterThan(0);
      expect(info.screen?.height).toBeGreaterThan(0);
      expect(info.battery === null || (info.battery >= 0 && info.battery <= 100)).toBe(true);
      const other = await waitFor(
        "plain phone online",
        () => fleet.get(serialOf(plain))?.state === "online" && fleet.get(serialOf(plain)),
        3000,
      );
      expect(other.model).toBe("Galaxy A12");
      // The list is plain JSON (no bigint transport ids), and change events were fired.
      const json = JSON.parse(JSON.stringify(fleet.list())) as DeviceInfo[];
      expect(json.map((d) => d.serial)).toContain(serialOf(main));
      expect(changes.some((c) => c.serial === serialOf(main) && c.state === "online")).toBe(true);
      expect(fleet.adbStatus).toBe("ok");
    });

    test("shell: stdout, stderr and exit codes come through", async () => {
      const phone = phoneOf(main);
      expect(await phone.shell("echo hello; exit 3")).toEqual({ stdout: "hello\n", stderr: "", exitCode: 3 });
      const r = await phone.shell("echo oops >&2; false");
      expect(r.stderr).toBe("oops\n");
      expect(r.exitCode).not.toBe(0);
      expect((await phone.shell("echo 'it'\\''s' \"$((1+1))\"")).exitCode).toBe(0);
      expect(await phone.getProp("ro.product.model")).toBe("Pixel 7");
      expect(await phone.listPackages()).toEqual(expect.arrayContaining([...APPS, KEYBOARD]));
    });

    test("an aborted shell rejects, long before its command would end", async () => {
      const phone = phoneOf(main);
      const ac = new AbortController();
      const asked = main.commands.length;
      const sleeping = phone.shell("sleep 30", { signal: ac.signal }).catch((e) => e as Error);
      await waitFor("the phone's sleep", () =>
        main.commands.slice(asked).some((c) => c.command === "sleep 30"),
      );
      ac.abort();
      const error = (await sleeping) as Error;
      expect(error.name).toBe("AbortError");
      // A timeout names the verb and the seconds.
      const timedOut = (await phone.shell("sleep 30", { timeoutMs: 300 }).catch((e) => e)) as Error;
      expect(timedOut.message).toContain("shell timed out after 0.3 s");
      // The phone is still fine afterwards.
      expect((await phone.shell("echo ok")).stdout).toBe("ok\n");
    });

    test("a 50 MB push arrives intact", async () => {
      const phone = phoneOf(main);
      const local = join(work, "big.bin");
      const digest = await randomFile(local, 50);
      await phone.push(local, "/sdcard/DCIM/farm/big.bin");
      expect(await sha256File(join(main.root, "sdcard/DCIM/farm/big.bin"))).toBe(digest);
      const st = await phone.stat("/sdcard/DCIM/farm/big.bin");
      expect(st?.type).toBe("file");
      expect(st?.size).toBe(50 * 1024 * 1024);
      expect(st?.mode).toBe(0o644);
    }, 60_000);

    test("pushes of sizes that are not whole packets arrive intact; a refused one says the phone's words", async () => {
      const phone = phoneOf(main);
      for (const size of [0, 1, 4 * 64 * 1024 + 1, 3 * 1024 * 1024 + 777]) {
        const local = join(work, `odd-${size}.bin`);
        await writeFile(local, Buffer.alloc(size, size % 251));
        await phone.push(local, `/sdcard/DCIM/farm/odd-${size}.bin`);
        expect(await readFile(join(main.root, `sdcard/DCIM/farm/odd-${size}.bin`))).toEqual(
          await readFile(local),
        );
      }
      // a file where a folder should be: adbd's own FAIL message, not a stream error
      const refused = (await phone
        .push(join(work, "odd-1.bin"), "/sdcard/DCIM/farm/odd-1.bin/inside.bin")
        .catch((e) => e)) as Error;
      expect(refused.message).toMatch(
        /push to \/sdcard\/DCIM\/farm\/odd-1\.bin\/inside\.bin failed: couldn't create file/,
      );
      expect((await phone.shell("echo still here")).stdout).toBe("still here\n");
    });

    test("an aborted push rejects promptly and the phone stays usable", async () => {
      const phone = phoneOf(main);
      const local = join(work, "big.bin"); // from the 50 MB test
      const ac = new AbortController();
      // a turn of the event loop into the push: its 50 MB are not through yet
      setImmediate(() => ac.abort());
      const error = (await phone
        .push(local, "/sdcard/DCIM/farm/aborted.bin", { signal: ac.signal })
        .catch((e) => e)) as Error | undefined;
      expect(error?.name).toBe("AbortError");
      expect((await phone.shell("echo still here")).stdout).toBe("still here\n");
      // the push behind the verb ended too and closed the file (left to the garbage collector, Bun fails
      // whatever test runs then)
      if (existsSync("/proc/self/fd"))
        await waitFor("the pushed file closed", () => !openFiles().includes(local), 5000);
    });

    test("a phone that drops mid-push fails the push cleanly (no crash)", async () => {
      const dropping = await VirtualPhone.start({ auth: "none", model: "Dropper" });
      const serial = serialOf(dropping);
      try {
        await fleet.connect("127.0.0.1", dropping.port, { direct });
        const phone = await waitFor("online", () => fleet.phone(serial), 3000);
        dropping.setLatency(0);
        const pushing = phone.push(join(work, "big.bin"), "/sdcard/drop.bin").catch((e) => e as Error);
        await Bun.sleep(20);
        await dropping.vanish();
        const error = await pushing;
        expect(error).toBeInstanceOf(Error);
        expect((error as Error).message).toMatch(/offline|closed|failed/);
        await waitFor("offline", () => fleet.get(serial)?.state === "offline", 3000);
        if (existsSync("/proc/self/fd"))
          await waitFor("the pushed file closed", () => !openFiles().includes(join(work, "big.bin")), 5000);
      } finally {
        await fleet.disconnect("127.0.0.1", dropping.port);
        await dropping.stop();
      }
    });

    test("pull, stat and remove", async () => {
      const phone = phoneOf(main);
      const local = join(work, "small.txt");
      await writeFile(local, "hello phone\n");
      await phone.push(local, "/sdcard/Download/small.txt");
      const back = join(work, "back.txt");
      await phone.pull("/sdcard/Download/small.txt", back);
      expect(await readFile(back, "utf8")).toBe("hello phone\n");
      expect((await phone.stat("/sdcard/Download"))?.type).toBe("directory");
      await phone.remove("/sdcard/Download/small.txt");
      expect(await phone.stat("/sdcard/Download/small.txt")).toBeNull();
      expect(await phone.stat("/sdcard/nothing/here")).toBeNull();
      await expect(phone.pull("/sdcard/nothing/here", join(work, "none"))).rejects.toThrow(/pull failed/);
    });

    test("a screenshot is a PNG", async () => {
      const png = await phoneOf(main).screenshot();
      expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      expect(new TextDecoder().decode(png.subarray(12, 16))).toBe("IHDR");
      const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
      expect(view.getUint32(16)).toBeGreaterThan(0);
      expect(view.getUint32(20)).toBeGreaterThan(0);
    });

    test("ASCII text with spaces and quotes arrives intact through input text", async () => {
      const text = `It's a "quoted" test & (more) $HOME; 100% <ok> *~ \\ #tag 50%sale`;
      const before = main.typed.length;
      await phoneOf(main).typeText(text);
      // A literal "%s" cannot go through one `input text`: it arrives in two pieces, in order.
      expect(main.typed.slice(before).join("")).toBe(text);
      expect(main.commands.some((c) => c.command.includes("input text"))).toBe(true);
    });

    test("emoji and other non-ASCII text arrives through ADBKeyBoard", async () => {
      const text = "Привет 👋🏽 café — 日本語 ✨";
      await phoneOf(main).typeText(text);
      expect(main.typed).toContain(text);
      expect(main.commands.some((c) => c.command.includes("ADB_INPUT_B64"))).toBe(true);
      // Without the keyboard installed: a clear error naming the phone.
      await expect(phoneOf(plain).typeText("café")).rejects.toThrow(
        `text contains non-ASCII characters and ADBKeyBoard is not installed on ${serialOf(plain)}`,
      );
    });

    test("app verbs send the right commands", async () => {
      const phone = phoneOf(main);
      await phone.startApp("com.zhiliaoapp.musically");
      await phone.forceStop("com.zhiliaoapp.musically");
      await phone.tap(540, 1200);
      await phone.swipe(540, 1800, 540, 600, 300);
      await phone.keyEvent(4);
      const cmds = main.commands.map((c) => c.command).join("\n");
      expect(cmds).toContain("monkey -p com.zhiliaoapp.musically -c android.intent.category.LAUNCHER 1");
      expect(cmds).toContain("am force-stop com.zhiliaoapp.musically");
      expect(cmds).toContain("input tap 540 1200");
      expect(cmds).toContain("input swipe 540 1800 540 600 300");
      expect(cmds).toContain("input keyevent 4");
    });

    test("media: scan, content URI, share and open URL", async () => {
      const phone = phoneOf(main);
      const local = join(work, "clip.mp4");
      await writeFile(local, Buffer.alloc(4096, 1));
      const remote = "/sdcard/DCIM/Camera/farm clip's.mp4";
      await phone.push(local, remote);
      await phone.mediaScan(remote);
      const uri = await phone.mediaContentUri(remote);
      expect(uri).toMatch(/^content:\/\/media\/external\/video\/media\/\d+$/);
      expect(await phone.mediaContentUri("/sdcard/DCIM/Camera/none.mp4")).toBeNull();
      const cmds = () => main.commands.map((c) => c.command).join("\n");
      expect(cmds()).toContain("content call --uri content://media --method scan_file");
      await phone.shareFiles("com.zhiliaoapp.musically", undefined, "video/mp4", [uri as string]);
      expect(cmds()).toContain("android.intent.action.SEND ");
      expect(cmds()).toContain("--grant-read-uri-permission");
      await phone.shareFiles("com.instagram.android", undefined, "video/*", [uri as string, uri as string]);
      expect(cmds()).toContain("android.intent.action.SEND_MULTIPLE");
      // No browser on this phone: `am` says so (with exit code 0 on real phones) and the verb fails clearly.
      await expect(phone.openUrl("https://example.com/?a=1&b=2")).rejects.toThrow(
        /openUrl failed.*unable to resolve/,
      );
      expect(cmds()).toContain("'https://example.com/?a=1&b=2'");
      await phone.openUrl("https://www.tiktok.com/@someone", "com.zhiliaoapp.musically");
      expect(cmds()).toContain("-p com.zhiliaoapp.musically");
      await phone.remove(remote);
    });

    test("the battery is refreshed", async () => {
      const serial = serialOf(main);
      main.device.cfg.battery = 42;
      await waitFor("battery 42", () => fleet.get(serial)?.battery === 42, 3000);
      expect(changes.some((c) => c.serial === serial && c.battery === 42)).toBe(true);
    });

    test("the UI dump parses into a tree", async () => {
      const root = await phoneOf(main).dumpUi();
      expect(root.className).toBe("hierarchy");
      expect(root.children.length).toBeGreaterThan(0);
      expect(root.bounds.x2).toBeGreaterThan(0);
    });

    test("a phone that vanishes is offline within 3 s and online again after it returns", async () => {
      const serial = serialOf(plain);
      expect(fleet.get(serial)?.state).toBe("online");
      const phone = phoneOf(plain);
      await plain.vanish();
      await waitFor("offline", () => fleet.get(serial)?.state === "offline", 3000);
      expect(fleet.phone(serial)).toBeUndefined();
      await expect(phone.shell("echo hi")).rejects.toThrow(/offline/);
      await plain.comeBack();
      await waitFor("online again", () => fleet.get(serial)?.state === "online", 15_000);
      expect((await phoneOf(plain).shell("echo back")).stdout).toBe("back\n");
      const states = changes.filter((c) => c.serial === serial).map((c) => c.state);
      expect(states.slice(-2)).toEqual(["offline", "online"]);
    }, 30_000);

    test.if(direct)(
      "a direct phone that goes silent is offline within 3 s, and back when it answers",
      async () => {
        const serial = serialOf(plain);
        await waitFor("online", () => fleet.get(serial)?.state === "online", 5000);
        plain.setLatency(10_000);
        await waitFor("offline", () => fleet.get(serial)?.state === "offline", 3500);
        plain.setLatency(0);
        await waitFor("online again", () => fleet.get(serial)?.state === "online", 15_000);
      },
      30_000,
    );

    test.if(direct)("the key is kept in the data folder and reused: no second prompt", async () => {
      expect(main.receivedKeys.length).toBe(1);
      const pub = await readFile(join(work, "data", "adbkey.pub"), "utf8");
      expect(pub.trim()).toBe(main.receivedKeys[0]?.trim() ?? "(no key received)");
      // A second fleet on the same data folder is let in by signature alone.
      const again = new Fleet({ dataDir: join(work, "data"), adbServer: false, log: silentLogger });
      await again.start();
      try {
        const info = await again.connect("127.0.0.1", main.port, { direct: true });
        expect(info.state).toBe("online");
        expect(main.receivedKeys.length).toBe(1);
      } finally {
        await again.stop();
      }
    });

    test("a phone that refuses our key is unauthorized with a hint", async () => {
      const refusing = await VirtualPhone.start({ auth: "reject", model: "Locked" });
      try {
        const info = await fleet.connect("127.0.0.1", refusing.port, { direct });
        const serial = serialOf(refusing);
        const shown =
          info.state === "unauthorized"
            ? info
            : await waitFor(
                "unauthorized",
                () => fleet.get(serial)?.state === "unauthorized" && fleet.get(serial),
                5000,
              );
        expect(shown.hint).toBe(UNAUTHORIZED_HINT);
        expect(fleet.phone(serial)).toBeUndefined();
        await fleet.disconnect("127.0.0.1", refusing.port);
        expect(fleet.get(serial)).toBeUndefined();
      } finally {
        await refusing.stop();
      }
    }, 20_000);
  });
}

/** The files this process holds open (Linux). */
function openFiles(): string[] {
  return readdirSync("/proc/self/fd").flatMap((fd) => {
    try {
      return [readlinkSync(`/proc/self/fd/${fd}`)];
    } catch {
      return [];
    }
  });
}
