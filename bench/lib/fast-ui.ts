// bench/real-latency.ts --fast-ui: a group of phones whose service runs with --fast-ui (Appium's UiAutomator2
// server installed and started on each phone), every one ready before any task starts.
import type { WaitKind } from "@farm/virtual-phone";
import { waitFor } from "../../test/helpers/wait.ts";
import type { Farm } from "./farm.ts";

/** The phone's waits on Appium's server: a page source, a tap, swipe or key press. */
export const FAST_UI_KINDS: WaitKind[] = ["fast-ui source", "fast-ui action"];

/** Waits until fast UI is ready on every phone of `farm` (install and start included); the time it took. */
export async function fastUiReady(farm: Farm): Promise<number> {
  const t0 = performance.now();
  await waitFor(
    "fast UI ready on every phone",
    async () => {
      const { devices } = await farm.api<{ devices: { serial: string; fast_ui: { state: string } }[] }>(
        "GET",
        "/api/v1/device",
      );
      const failed = devices.find((d) => d.fast_ui.state === "fallback");
      if (failed) throw new Error(`fast UI failed to start on ${failed.serial}`);
      return devices.length === farm.serials.length && devices.every((d) => d.fast_ui.state === "ready");
    },
    farm.left(),
  );
  return performance.now() - t0;
}
