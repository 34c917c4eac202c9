import { describe, expect, test } from "bun:test";
import { constants, createPrivateKey, createPublicKey, publicDecrypt } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rsaSign } from "@yume-chan/adb";
import { FileCredentialStore } from "../../src/devices/keys.ts";
import { parseBattery, parseWmSize } from "../../src/devices/phone/properties.ts";
import { transportOfSerial } from "../../src/devices/server-source.ts";
import { inputTextArg, quote, raw, sh } from "../../src/devices/shell-quote.ts";
import { parseUiDump, parseXml, walkUi } from "../../src/devices/ui-tree.ts";
import { runVerb } from "../../src/devices/verb.ts";

/** What a POSIX shell makes of a command line: the words it would pass to the program. */
async function shellWords(line: string): Promise<string[]> {
  const proc = Bun.spawn(["sh", "-c", `for a in ${line}; do printf '%s\\0' "$a"; done`], { stdout: "pipe" });
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  return out.split("\0").slice(0, -1);
}

describe("shell quoting", () => {
  test("safe words stay bare, everything else is single-quoted", () => {
    expect(quote("com.instagram.android")).toBe("com.instagram.android");
    expect(quote(42)).toBe("42");
    expect(quote("")).toBe("''");
    expect(quote("a b")).toBe("'a b'");
    expect(quote("it's")).toBe("'it'\\''s'");
  });

  test("a real shell reads back exactly the words we quoted", async () => {
    const nasty = [
      "plain",
      "two words",
      "it's",
      '"dq"',
      "$HOME",
      "`id`",
      "a;b|c&d",
      "*",
      "~",
      "back\\slash",
      "ünï 🎉",
    ];
    expect(await shellWords(sh(...nasty))).toEqual(nasty);
  });

  test("raw pieces pass through", () => {
    expect(sh("rm", "-f", "/sdcard/x y", raw(";"), "echo", "ok")).toBe("rm -f '/sdcard/x y' ; echo ok");
  });

  test("input text: spaces become %s, metacharacters are escaped", async () => {
    const text = `He said "it's $5 & (cheap)" <ok> | a;b * ~ \`x\` \\ #tag?`;
    const arg = inputTextArg(text);
    expect(arg).not.toContain(" ");
    // The shell must hand `input` one word that, with %s turned back to spaces, is the text.
    const words = await shellWords(arg);
    expect(words.length).toBe(1);
    expect(words[0]?.replaceAll("%s", " ")).toBe(text);
  });

  test("input text refuses non-ASCII", () => {
    expect(() => inputTextArg("héllo")).toThrow();
    expect(() => inputTextArg("🎉")).toThrow();
  });
});

const DUMP = `<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation="0"><node index="0" text="" resource-id="" class="android.widget.FrameLayout" package="com.zhiliaoapp.musically" content-desc="" checkable="false" checked="false" clickable="false" enabled="true" focusable="false" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="[0,0][1080,2400]"><node index="0" text="Post &amp; share &quot;now&quot; &#128512;" resource-id="com.zhiliaoapp.musically:id/post" class="android.widget.Button" package="com.zhiliaoapp.musically" content-desc="Post" checkable="false" checked="true" clickable="true" enabled="true" focusable="true" focused="true" scrollable="false" long-clickable="false" password="false" selected="true" bounds="[10,2200][1070,2350]" /><node index="1" text='single' resource-id="" class="android.widget.ScrollView" package="com.zhiliaoapp.musically" content-desc="" checkable="false" checked="false" clickable="false" enabled="false" focusable="false" focused="false" scrollable="true" long-clickable="false" password="false" selected="false" bounds="[0,100][1080,2100]"></node></node></hierarchy>`;

describe("UI dump parsing", () => {
  test("builds the tree with attributes and bounds", () => {
    const root = parseUiDump(DUMP);
    expect(root.className).toBe("hierarchy");
    expect(root.bounds).toEqual({ x1: 0, y1: 0, x2: 1080, y2: 2400 });
    const frame = root.children[0];
    expect(frame?.className).toBe("android.widget.FrameLayout");
    expect(frame?.children.length).toBe(2);
    const post = frame?.children[0];
    expect(post).toMatchObject({
      text: 'Post & share "now" 😀',
      resourceId: "com.zhiliaoapp.musically:id/post",
      className: "android.widget.Button",
      packageName: "com.zhiliaoapp.musically",
      contentDesc: "Post",
      clickable: true,
      enabled: true,
      focused: true,
      selected: true,
      checked: true,
      scrollable: false,
      bounds: { x1: 10, y1: 2200, x2: 1070, y2: 2350 },
      children: [],
    });
    const scroll = frame?.children[1];
    expect(scroll?.text).toBe("single");
    expect(scroll?.scrollable).toBe(true);
    expect(scroll?.enabled).toBe(false);
    expect([...walkUi(root)].length).toBe(4);
  });

  test("tolerates output before the XML and comments", () => {
    const root = parseUiDump(
      `noise\n<!-- c --><hierarchy rotation="0"><node text="a" bounds="[1,2][3,4]"/></hierarchy>\n`,
    );
    expect(root.children[0]?.text).toBe("a");
  });

  test("rejects broken XML with a clear error", () => {
    expect(() => parseXml("<a><b></a>")).toThrow(/unexpected <\/a>/);
    expect(() => parseXml("<a>")).toThrow(/unclosed/);
    expect(() => parseXml('<a x="1>')).toThrow();
    expect(() => parseUiDump("ERROR: could not get idle state.")).toThrow();
  });

  test("parses a large dump (its time: bench/waits.ts)", () => {
    const nodes = Array.from(
      { length: 5000 },
      (_, i) =>
        `<node index="${i}" text="item ${i}" resource-id="id/x" class="C" bounds="[0,${i}][10,${i + 1}]"/>`,
    ).join("");
    const root = parseUiDump(
      `<hierarchy rotation="0"><node class="root" bounds="[0,0][1,1]">${nodes}</node></hierarchy>`,
    );
    expect(root.children[0]?.children.length).toBe(5000);
  });
});

describe("facts parsing", () => {
  test("wm size prefers the override", () => {
    expect(parseWmSize("Physical size: 1080x2400\n")).toEqual({ width: 1080, height: 2400 });
    expect(parseWmSize("Physical size: 1080x2400\nOverride size: 720x1600\n")).toEqual({
      width: 720,
      height: 1600,
    });
    expect(parseWmSize("garbage")).toBeNull();
  });

  test("battery level over scale", () => {
    const out = "Current Battery Service state:\n  AC powered: false\n  level: 85\n  scale: 100\n";
    expect(parseBattery(out)).toBe(85);
    expect(parseBattery("  level: 25\n  scale: 50\n")).toBe(50);
    expect(parseBattery("nothing")).toBeNull();
  });

  test("serials tell USB from network", () => {
    expect(transportOfSerial("R58M12345")).toBe("usb");
    expect(transportOfSerial("emulator-5554")).toBe("usb");
    expect(transportOfSerial("192.168.1.20:5555")).toBe("tcp");
    expect(transportOfSerial("adb-R58M-abc._adb-tls-connect._tcp")).toBe("tcp");
  });
});

describe("key store", () => {
  test("creates an RSA-2048 key once, reuses it, and it signs like adb expects", async () => {
    const dir = await mkdtemp(join(tmpdir(), "farm-keys-"));
    try {
      const store = new FileCredentialStore(join(dir, "data"));
      const keys0: unknown[] = [];
      for await (const k of store.iterateKeys()) keys0.push(k);
      expect(keys0).toEqual([]); // nothing yet
      const created = await store.generateKey();
      const pem = await readFile(join(dir, "data", "adbkey"), "utf8");
      expect(pem).toContain("BEGIN PRIVATE KEY");
      expect((await stat(join(dir, "data", "adbkey"))).mode & 0o777).toBe(0o600);
      const pub = await readFile(join(dir, "data", "adbkey.pub"), "utf8");
      expect(pub).toMatch(/^[A-Za-z0-9+/]+=* \S+\n$/);
      expect(Buffer.from(pub.split(" ")[0] as string, "base64").length).toBe(524);

      // A new store on the same folder finds the same key.
      const again = new FileCredentialStore(join(dir, "data"));
      const found = [];
      for await (const k of again.iterateKeys()) found.push(k);
      expect(found.length).toBe(1);
      expect(Buffer.from(found[0]?.buffer ?? []).equals(Buffer.from(created.buffer))).toBe(true);
      expect((await again.generateKey()).buffer).toEqual(created.buffer);

      // The key is a real RSA-2048 key: ya-webadb's signature verifies with its public half.
      const priv = createPrivateKey({ key: Buffer.from(created.buffer), format: "der", type: "pkcs8" });
      expect(priv.asymmetricKeyDetails?.modulusLength).toBe(2048);
      const token = new Uint8Array(20).fill(7);
      const signature = rsaSign(created.buffer, token);
      const plain = publicDecrypt(
        { key: createPublicKey(priv), padding: constants.RSA_PKCS1_PADDING },
        Buffer.from(signature),
      );
      expect(plain.subarray(plain.length - 20).equals(Buffer.from(token))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("verb runner", () => {
  const never = new AbortController().signal;

  test("timeout names the verb and the seconds", async () => {
    const p = runVerb("shell", "S1", { timeoutMs: 100 }, 0, never, () => new Promise(() => {}));
    await expect(p).rejects.toThrow("shell timed out after 0.1 s on S1");
  });

  test("abort rejects with an AbortError and tells the work (which would never end)", async () => {
    const ac = new AbortController();
    let innerAborted = false;
    const p = runVerb("shell", "S1", { signal: ac.signal }, 0, never, ({ signal }) => {
      signal.addEventListener("abort", () => {
        innerAborted = true;
      });
      return new Promise(() => {});
    });
    await Promise.resolve();
    ac.abort();
    const error = (await p.catch((e) => e)) as Error;
    expect(error.name).toBe("AbortError");
    expect(innerAborted).toBe(true);
  });

  test("disconnection fails the verb with an offline error", async () => {
    const gone = new AbortController();
    const p = runVerb("push", "S2", undefined, 0, gone.signal, () => new Promise(() => {}));
    gone.abort();
    await expect(p).rejects.toThrow("S2 went offline during push");
  });

  test("results and errors of the work pass through", async () => {
    expect(await runVerb("x", "S", undefined, 1000, never, async () => 5)).toBe(5);
    await expect(
      runVerb("x", "S", undefined, 1000, never, async () => Promise.reject(new Error("boom"))),
    ).rejects.toThrow("boom");
  });
});
