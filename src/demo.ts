// Demo mode (--simulate N): virtual phones started in-process and attached like network phones, so that a
// fresh machine shows real phones, real tasks and real progress without any hardware. They stay private to
// this service: attached directly (never registered with the user's adb server, where other programs would
// see them and they would linger offline after exit) and marked ephemeral (never attached again).

import { LATENCY_PROFILES, type LatencyProfileName, VirtualPhone } from "@farm/virtual-phone";
import type { Fleet } from "./devices/index.ts";
import type { Logger } from "./log.ts";
import { addDemoMaterials, DEMO_POSTS, DEMO_TAG } from "./materials/demo-media.ts";
import type { Materials } from "./materials/index.ts";
import type { TaskService } from "./tasks/service.ts";

export type { LatencyProfileName };

/** The names --latency-profile takes for the demo's phones (a real phone's time per command). */
export const DEMO_LATENCY_PROFILES = Object.keys(LATENCY_PROFILES) as LatencyProfileName[];

/** Demo phones listen from this port up (serials 127.0.0.1:37001, …), outside adb's emulator range. */
export const DEMO_BASE_PORT = 37001;

const MODELS = [
  { brand: "google", model: "Pixel 7" },
  { brand: "samsung", model: "SM-A515F" },
  { brand: "Xiaomi", model: "Redmi Note 12" },
  { brand: "motorola", model: "moto g54" },
];

/**
 * Starts the demo: `count` virtual phones, each signed in to two TikTok accounts and one Instagram account,
 * the sample media (tag "demo") in the library's folder, and a match_accounts task per phone, so that
 * username and multi-account modes can be tried at once.
 */
export async function startDemo(
  count: number,
  service: { fleet: Fleet; materials: Materials; taskService: TaskService },
  materialsDir: string,
  log: Logger,
  realistic = false,
  latency: LatencyProfileName | null = null,
) {
  await addDemoMaterials(service.materials, materialsDir);
  log.info(`demo: ${DEMO_POSTS} sample videos and images in the material library, tag "${DEMO_TAG}"`);
  const demo = await startDemoPhones(count, service.fleet, log, realistic, latency);
  await service.taskService.create({
    serials: demo.serials,
    script_name: "match_accounts",
    script_config: {},
  });
  log.info("demo: match_accounts queued on every phone (2 TikTok and 1 Instagram account each)");
  return demo;
}

/** The accounts demo phone `n` (1, 2, …) is signed in to. */
export function demoAccounts(n: number) {
  return { tiktok: [`farm${n}.alpha`, `farm${n}.beta`], instagram: [`farm${n}.insta`] };
}

/**
 * `realistic`: the phones behave like real ones (`--realistic`); `latency`: each command takes a real phone's
 * time (`--latency-profile`; see the virtual phone's README).
 */
export async function startDemoPhones(
  count: number,
  fleet: Fleet,
  log: Logger,
  realistic = false,
  latency: LatencyProfileName | null = null,
) {
  const phones: VirtualPhone[] = [];
  for (let i = 0; i < count; i++) {
    const options = {
      serial: `DEMO${String(i + 1).padStart(3, "0")}`,
      accounts: demoAccounts(i + 1),
      realistic,
      ...(latency ? { latency } : {}),
      ...MODELS[i % MODELS.length],
    };
    // a fixed port makes the serial predictable; if it is taken, any free port will do
    const phone = await VirtualPhone.start({ ...options, port: DEMO_BASE_PORT + i }).catch(() =>
      VirtualPhone.start(options),
    );
    phones.push(phone);
  }
  await Promise.all(phones.map((p) => fleet.connect(p.host, p.port, { direct: true, ephemeral: true })));
  const serials = phones.map((p) => `${p.host}:${p.port}`);
  const attached = `demo: ${count} virtual phone(s) attached: ${serials.join(", ")}`;
  if (realistic)
    log.info("demo: the phones are realistic (screen changes take time, a soft keyboard, toasts, …)");
  if (latency) log.info(`demo: each command takes a real phone's time (latency profile ${latency})`);
  // the README's examples name the usual serials: say which to use instead (the Swagger examples follow)
  if (phones.every((p, i) => p.port === DEMO_BASE_PORT + i)) log.info(attached);
  else
    log.warn(
      `${attached} (ports ${DEMO_BASE_PORT}–${DEMO_BASE_PORT + count - 1} were not all free: ` +
        "use these serials; the Swagger examples name them)",
    );
  return {
    /** The phones' serials as the service knows them (host:port). */
    serials,
    stop: () => Promise.all(phones.map((p) => p.stop())),
  };
}
