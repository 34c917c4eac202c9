/**
 * Runs virtual phones standalone (from the package's folder): `bun src/cli.ts --count 5 --base-port 6100 [--auth none|accept|reject]
 * [--latency MS] [--no-popups] [--model "Pixel 7"] [--realistic]`. Prints one line per phone; Ctrl-C stops them.
 */
import { type AuthMode, VirtualPhone } from "./phone.ts";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const count = Number(arg("count") ?? 1);
const basePort = Number(arg("base-port") ?? 0);
const auth = (arg("auth") ?? "none") as AuthMode;
const latencyMs = Number(arg("latency") ?? 0);
const model = arg("model");
const popups = !process.argv.includes("--no-popups");
const realistic = process.argv.includes("--realistic");
const host = arg("host") ?? "127.0.0.1";

if (!Number.isInteger(count) || count < 1 || !["none", "accept", "reject"].includes(auth)) {
  console.error(
    "usage: bun src/cli.ts [--count N] [--base-port P] [--auth none|accept|reject] [--latency MS] [--no-popups] [--realistic]",
  );
  process.exit(2);
}

const phones: VirtualPhone[] = [];
for (let i = 0; i < count; i++) {
  const port = basePort ? basePort + i : 0;
  const phone = await VirtualPhone.start({
    host,
    port,
    auth,
    latencyMs,
    popups,
    realistic,
    ...(model ? { model } : {}),
  });
  phones.push(phone);
  console.log(`${phone.serial}\t${phone.host}:${phone.port}\t${phone.root}`);
}
console.log(`${count} virtual phone(s) running; adb connect <host:port>; Ctrl-C stops`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.all(phones.map((p) => p.stop()));
  process.exit(0);
}
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
