// /api/v1/device/{serial}/fast-ui: a phone reads its screens and taps through Appium's UiAutomator2 server, or not;
// and removing that server from the phone.
import { Type as T } from "@sinclair/typebox";
import { Elysia, t } from "elysia";
import type { DeviceService } from "../devices/service.ts";
import { Code, doc, ok } from "./envelope.ts";
import { answeredBy, fromHolder, type Peers } from "./peers.ts";
import { EXAMPLE_FAST_UI, FastUiRef, fastUiView } from "./views.ts";

const tags = ["devices"];
const SerialParams = t.Object({ serial: t.String({ minLength: 1, description: "the phone's serial" }) });

export function fastUiRoutes(devices: DeviceService, peers: Peers | null) {
  const holderOf = (serial: string) => () => devices.holderOf(serial);
  return new Elysia({ prefix: "/api/v1/device" })
    .post(
      "/:serial/fast-ui",
      async ({ params, body }) => ok(fastUiView(await devices.setFastUi(params.serial, body.enabled))),
      {
        params: SerialParams,
        beforeHandle: ({ params, body, request }) =>
          fromHolder(peers, request, holderOf(params.serial), body),
        body: T.Object(
          {
            enabled: T.Boolean({
              description:
                "true: this phone reads its screens and taps through Appium's UiAutomator2 server (installed on " +
                "it when missing); false: `uiautomator dump` and `input` again, the server stopped",
            }),
          },
          { additionalProperties: false },
        ),
        ...doc({
          summary: "Turn fast UI on or off for a phone",
          description:
            "Remembered across restarts, and ahead of `--fast-ui`. On: when the phone is online, Appium's " +
            "UiAutomator2 server (Apache-2.0, shipped inside this executable) is installed if missing or of another " +
            "version, started by instrumentation, and the phone's screen reads and taps go through it; `state` is " +
            "`starting` until it answers (seconds: a push of about 18 MB and an install), then `ready`. Any failure " +
            "falls back to `uiautomator dump` and `input` for that phone (`state` `fallback`, `reason` and one line " +
            "in the log); turning it on again retries at once. Off: the server is stopped; it stays installed " +
            "(DELETE removes it). 40001 for a body that is not `{enabled: boolean}`, 40401 for a phone never seen. " +
            answeredBy(),
          tags,
          data: FastUiRef,
          example: { ...EXAMPLE_FAST_UI, state: "starting" },
          errors: [Code.invalid, Code.notFound, Code.nodeUnavailable],
        }),
      },
    )
    .delete(
      "/:serial/fast-ui",
      async ({ params }) => {
        const { removed, fastUi } = await devices.removeFastUi(params.serial);
        return ok({ removed, fast_ui: fastUiView(fastUi) });
      },
      {
        params: SerialParams,
        beforeHandle: ({ params, request }) => fromHolder(peers, request, holderOf(params.serial)),
        ...doc({
          summary: "Remove fast UI from a phone",
          description:
            "Turns fast UI off for the phone (remembered), stops Appium's UiAutomator2 server and uninstalls its two " +
            "packages (`io.appium.uiautomator2.server` and `io.appium.uiautomator2.server.test`); `removed` lists " +
            "the ones that were installed. 40401 for a phone never seen; 40901 when it is not online (fast UI is " +
            `turned off for it all the same; remove it once it is back). ${answeredBy()}`,
          tags,
          data: T.Object({ removed: T.Array(T.String()), fast_ui: FastUiRef }),
          example: {
            removed: ["io.appium.uiautomator2.server.test", "io.appium.uiautomator2.server"],
            fast_ui: { enabled: false, state: "off", reason: null, retry_at: null },
          },
          errors: [Code.notFound, Code.conflict, Code.nodeUnavailable],
        }),
      },
    );
}
