/** Packet-level behaviour of the virtual phone, seen from a raw ADB host. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { sha256 } from "../../../test/helpers/files.ts";
import { waitFor } from "../../../test/helpers/wait.ts";
import { VirtualPhone } from "../src/index.ts";
import { checksum, encodePacket, PacketReader } from "../src/protocol.ts";
import { parseShellV2, RawHost, shellPacket } from "./raw-host.ts";

describe("ADB packets", () => {
  test("encode/decode round trip, split across chunks", () => {
    const payload = Buffer.from("hello\0");
    const bytes = Buffer.concat([
      encodePacket(0x4e45504f, 7, 0, payload, true),
      encodePacket(0x59414b4f, 1, 7),
    ]);
    const r = new PacketReader();
    const out = [
      ...r.push(bytes.subarray(0, 10)),
      ...r.push(bytes.subarray(10, 31)),
      ...r.push(bytes.subarray(31)),
    ];
    expect(out.length).toBe(2);
    expect(out[0]?.arg0).toBe(7);
    expect(out[0]?.payload.toString()).toBe("hello\0");
    expect(bytes.readUInt32LE(16)).toBe(checksum(payload));
    expect(bytes.readUInt32LE(20)).toBe((0x4e45504f ^ 0xffffffff) >>> 0);
    expect(() => new PacketReader().push(Buffer.alloc(24, 1))).toThrow();
  });
});

describe("virtual phone, raw host", () => {
  let phone: VirtualPhone;
  let host: RawHost;

  beforeAll(async () => {
    phone = await VirtualPhone.start({ model: "Pixel 7", maxData: 256 * 1024 });
    host = await RawHost.connect(phone.port, 4096);
  });

  afterAll(async () => {
    host?.close();
    await phone?.stop();
  });

  test("CNXN banner and maxdata", () => {
    expect(host.deviceMaxData).toBe(256 * 1024);
    expect(host.banner).toBe(
      "device::ro.product.name=pixel_7;ro.product.model=Pixel 7;ro.product.device=pixel_7;features=shell_v2,cmd,stat_v2,ls_v2,fixed_push_mkdir,abb_exec,sendrecv_v2",
    );
  });

  test("unknown services are refused", async () => {
    expect(await host.open("jdwp:1234")).toBeNull();
    expect(await host.open("nonsense")).toBeNull();
  });

  test("never a WRTE above the host's maxdata, one in flight until OKAY", async () => {
    const data = randomBytes(200 * 1024);
    await writeFile(join(phone.root, "data/local/tmp/blob"), data);
    host.okayDelayMs = 3;
    const s = await host.open("exec:cat /data/local/tmp/blob");
    if (!s) throw new Error("refused");
    await s.waitClosed();
    host.okayDelayMs = 0;
    expect(sha256(Buffer.concat(s.data))).toBe(sha256(data));
    expect(s.maxWrite).toBeLessThanOrEqual(4096);
    expect(s.maxInFlight).toBe(1);
  });

  test("shell: output has CRLF, exec: does not", async () => {
    const a = await host.open("shell:echo hi; echo there");
    await a?.waitClosed();
    expect(a?.text()).toBe("hi\r\nthere\r\n");
    const b = await host.open("exec:echo hi");
    await b?.waitClosed();
    expect(b?.text()).toBe("hi\n");
  });

  test("shell v2 packets, stdin and close-stdin", async () => {
    const s = await host.open("shell,v2,raw:cat; echo bye >&2; exit 5");
    if (!s) throw new Error("refused");
    s.write(shellPacket(0, "from stdin\n"));
    s.write(shellPacket(4, ""));
    await s.waitClosed();
    expect(parseShellV2(Buffer.concat(s.data))).toEqual({ stdout: "from stdin\n", stderr: "bye\n", exit: 5 });
  });

  test("tcpip answer", async () => {
    const s = await host.open("tcpip:5555");
    await s?.waitClosed();
    expect(s?.text()).toBe("restarting in TCP mode port: 5555\n");
  });

  test("a command in a stream closed by the host stops", async () => {
    const asked = phone.commands.length;
    const s = await host.open("shell,v2,raw:sleep 30; touch /sdcard/after-sleep");
    if (!s) throw new Error("refused");
    await waitFor("the command on the phone", () => phone.commands.length > asked);
    s.close();
    await s.waitClosed(2000);
    expect(existsSync(join(phone.root, "sdcard/after-sleep"))).toBe(false);
  });

  test("latency delays stream opens", async () => {
    phone.setLatency(150);
    const t = Date.now();
    const s = await host.open("exec:true");
    await s?.waitClosed();
    phone.setLatency(0);
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);
  });

  test("every service is recorded in order", () => {
    const services = phone.commands.map((c) => `${c.service}:${c.command}`);
    const i = services.indexOf("exec:cat /data/local/tmp/blob");
    const j = services.indexOf("shell:echo hi; echo there");
    expect(i).toBeGreaterThanOrEqual(0);
    expect(j).toBeGreaterThan(i);
    expect(services).toContain("tcpip:5555");
    expect(services).toContain("jdwp:1234");
  });

  test("reject mode keeps challenging a raw host", async () => {
    const p = await VirtualPhone.start({ auth: "reject" });
    try {
      const h = RawHost.connect(p.port);
      const outcome = await Promise.race([h.then(() => "connected"), Bun.sleep(300).then(() => "waiting")]);
      expect(outcome).toBe("waiting");
    } finally {
      await p.stop();
    }
  });

  test("vanish cuts connections; comeBack listens on the same port", async () => {
    const p = await VirtualPhone.start({});
    try {
      const port = p.port;
      const h = await RawHost.connect(port);
      await p.vanish();
      await waitFor("socket closed", () => h.closedSocket, 2000);
      await p.comeBack();
      expect(p.port).toBe(port);
      const h2 = await RawHost.connect(port);
      const s = await h2.open("exec:echo back");
      await s?.waitClosed();
      expect(s?.text()).toBe("back\n");
      h2.close();
    } finally {
      await p.stop();
    }
  });
});
