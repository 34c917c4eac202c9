// bench/real-latency.ts --fast-ui: a second group of phones, each with fast UI turned on through the API
// (Appium's UiAutomator2 server installed and started on it), ready before any task starts; the figures of
// both groups print side by side (the same scripts, the same latencies, in the same run).
import type { WaitKind } from "@farm/virtual-phone";
import { waitFor } from "../../test/helpers/wait.ts";
import type { Farm } from "./farm.ts";

/** The phone's waits on Appium's server: a page source, a tap or swipe. */
export const FAST_UI_KINDS: WaitKind[] = ["fast-ui source", "fast-ui action"];

/** The jobs again, labelled as the fast UI group. */
export function withFastUi<J extends { label: string }>(jobs: J[]): J[] {
  return jobs.map((j) => ({ ...j, label: `${j.label} [fast UI]` }));
}

/** Turns fast UI on for `serials` and waits until every one serves through it (install and start included). */
export async function enableFastUi(farm: Farm, serials: string[]): Promise<number> {
  const t0 = performance.now();
  for (const serial of serials)
    await farm.api("POST", `/api/v1/device/${encodeURIComponent(serial)}/fast-ui`, { enabled: true });
  await waitFor(
    "fast UI ready on its phones",
    async () => {
      const { devices } = await farm.api<{ devices: { serial: string; fast_ui: { state: string } }[] }>(
        "GET",
        "/api/v1/device",
      );
      const mine = devices.filter((d) => serials.includes(d.serial));
      const failed = mine.find((d) => d.fast_ui.state === "fallback");
      if (failed) throw new Error(`fast UI failed to start on ${failed.serial}`);
      return mine.length === serials.length && mine.every((d) => d.fast_ui.state === "ready");
    },
    farm.left(),
  );
  return performance.now() - t0;
}
