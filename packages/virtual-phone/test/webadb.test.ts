/** The virtual phone through ya-webadb's daemon transport (no adb server), as the direct mode uses it. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { Socket } from "node:net";
import { join } from "node:path";
import {
  Adb,
  type AdbCredentialStore,
  type AdbDaemonConnection,
  AdbDaemonTransport,
  AdbPacket,
  type AdbPacketData,
  AdbPacketSerializeStream,
} from "@yume-chan/adb";
import {
  Consumable,
  PushReadableStream,
  pipeFrom,
  ReadableStream,
  StructDeserializeStream,
} from "@yume-chan/stream-extra";
import { sha256 } from "../../../test/helpers/files.ts";
import { VirtualPhone } from "../src/index.ts";

function packetStreams(socket: Socket): AdbDaemonConnection {
  const bytes = new PushReadableStream<Uint8Array>((controller) => {
    socket.on("data", async (data: Buffer) => {
      socket.pause();
      await controller.enqueue(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      socket.resume();
    });
    const end = () => {
      try {
        controller.close();
      } catch {}
    };
    socket.on("end", end);
    socket.on("close", end);
  });
  const readable = bytes.pipeThrough(
    new StructDeserializeStream(AdbPacket),
  ) as unknown as ReadableStream<AdbPacketData>;
  const sink = new Consumable.WritableStream<Uint8Array>({
    write: (chunk) => new Promise<void>((resolve) => socket.write(chunk, () => resolve())),
    close: () => {
      socket.end();
    },
  });
  return { readable, writable: pipeFrom(sink, new AdbPacketSerializeStream()) };
}

const key = generateKeyPairSync("rsa", { modulusLength: 2048, publicExponent: 65537 });
const der = new Uint8Array(key.privateKey.export({ type: "pkcs8", format: "der" }));
const store: AdbCredentialStore = {
  generateKey: () => ({ buffer: der, name: "sim@test" }),
  iterateKeys: function* () {
    yield { buffer: der, name: "sim@test" };
  },
};

async function connect(phone: VirtualPhone): Promise<Adb> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = new Socket();
    s.once("connect", () => resolve(s));
    s.once("error", reject);
    s.connect({ host: "127.0.0.1", port: phone.port });
  });
  socket.on("error", () => {});
  const transport = await AdbDaemonTransport.authenticate({
    serial: phone.address,
    connection: packetStreams(socket),
    credentialStore: store,
  });
  return new Adb(transport);
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of stream) parts.push(c);
  return Buffer.concat(parts);
}

describe("virtual phone through ya-webadb", () => {
  let phone: VirtualPhone;
  let adb: Adb;

  beforeAll(async () => {
    phone = await VirtualPhone.start({ auth: "accept", model: "Galaxy A12", brand: "samsung" });
    adb = await connect(phone);
  });

  afterAll(async () => {
    await adb?.close().catch(() => undefined);
    await phone?.stop();
  });

  test("banner, getProp, features", async () => {
    expect(adb.banner.model).toBe("Galaxy A12");
    expect(adb.banner.features).toContain("shell_v2");
    expect(await adb.getProp("ro.product.brand")).toBe("samsung");
    expect(phone.commands.some((c) => c.service === "exec" && c.command.startsWith("getprop"))).toBe(true);
  });

  test("shell protocol: stdout, stderr, exit code; 100 in parallel", async () => {
    const shell = adb.subprocess.shellProtocol;
    if (!shell) throw new Error("no shell protocol");
    const r = await shell.spawnWaitText("echo out; echo err >&2; exit 7");
    expect(r).toEqual({ stdout: "out\n", stderr: "err\n", exitCode: 7 });
    const many = await Promise.all(Array.from({ length: 100 }, (_, i) => shell.spawnWaitText(`echo ${i}`)));
    many.forEach((m, i) => {
      expect(m.stdout).toBe(`${i}\n`);
    });
    const none = await adb.subprocess.noneProtocol.spawnWaitText("echo raw");
    expect(none).toBe("raw\n");
  });

  test("shell protocol stdin and close-stdin", async () => {
    const shell = adb.subprocess.shellProtocol;
    if (!shell) throw new Error("no shell protocol");
    const p = await shell.spawn("cat > /sdcard/from-stdin.txt; cat /sdcard/from-stdin.txt");
    const writer = p.stdin.getWriter();
    await writer.write(new Consumable(new TextEncoder().encode("line one\n")));
    await writer.close();
    const out = await collect(p.stdout);
    expect(out.toString()).toBe("line one\n");
    expect(await p.exited).toBe(0);
  });

  test("sync: SND2 push of 8 MB, stat, pull", async () => {
    const sync = await adb.sync();
    try {
      expect(sync.supportsSendReceiveV2).toBe(true);
      const data = randomBytes(8 * 1024 * 1024);
      await sync.write({
        filename: "/sdcard/Download/deep/dir/file.bin",
        file: new ReadableStream({
          start(c) {
            for (let off = 0; off < data.length; off += 1 << 20)
              c.enqueue(new Consumable(data.subarray(off, off + (1 << 20))));
            c.close();
          },
        }),
      });
      expect(sha256(await readFile(join(phone.root, "sdcard/Download/deep/dir/file.bin")))).toBe(
        sha256(data),
      );
      const st = await sync.stat("/sdcard/Download/deep/dir/file.bin");
      expect(st.size).toBe(BigInt(data.length));
      const pulled = await collect(sync.read("/sdcard/Download/deep/dir/file.bin"));
      expect(sha256(pulled)).toBe(sha256(data));
      const entries = await sync.readdir("/sdcard/Download/deep/dir");
      expect(entries.map((e) => e.name)).toContain("file.bin");
      await expect(sync.stat("/sdcard/nope")).rejects.toThrow();
      expect(phone.commands.some((c) => c.service === "sync" && c.command.startsWith("SND2 "))).toBe(true);
    } finally {
      await sync.dispose();
    }
  });

  test("framebuffer", async () => {
    const fb = await adb.framebuffer();
    expect(fb.width).toBe(1080);
    expect(fb.height).toBe(2400);
    expect(fb.data.length).toBe(1080 * 2400 * 4);
  });

  test("vanish disconnects the Adb", async () => {
    const extra = await VirtualPhone.start({});
    try {
      const a = await connect(extra);
      await extra.vanish();
      await Promise.race([
        a.disconnected,
        Bun.sleep(3000).then(() => Promise.reject(new Error("not disconnected"))),
      ]);
    } finally {
      await extra.stop();
    }
  });
});
