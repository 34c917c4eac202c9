import { expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectDirect, FileCredentialStore } from "../../src/devices/index.ts";

test("a TCP port that never speaks ADB is given up on, with a clear reason", async () => {
  const sockets: Socket[] = [];
  const silent = createServer((s) => sockets.push(s));
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  const address = silent.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const dir = await mkdtemp(join(tmpdir(), "farm-handshake-"));
  try {
    // the port never answers: only the handshake's timeout can end this
    const error = (await connectDirect({
      host: "127.0.0.1",
      port,
      credentialStore: new FileCredentialStore(dir),
      handshakeTimeoutMs: 300,
    }).catch((e) => e)) as Error;
    expect(error.message).toContain(`no ADB handshake from 127.0.0.1:${port} within 0.3 s`);
    // Refused connections fail at once.
    silent.close();
    for (const s of sockets) s.destroy();
    await expect(
      connectDirect({ host: "127.0.0.1", port, credentialStore: new FileCredentialStore(dir) }),
    ).rejects.toThrow(/ECONNREFUSED/);
  } finally {
    silent.close();
    for (const s of sockets) s.destroy();
    await rm(dir, { recursive: true, force: true });
  }
});
