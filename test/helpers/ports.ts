// Free TCP ports on loopback for servers a test starts.
import { createServer } from "node:net";

/** A port nobody listens on now, outside 5550–5590 (the range an adb server scans for emulators). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once("error", reject);
      srv.listen(0, "127.0.0.1", () => {
        const address = srv.address();
        srv.close(() => resolve(typeof address === "object" && address ? address.port : 0));
      });
    });
    if (port < 5550 || port > 5590) return port;
  }
}
