// /api/v1/device: the phones the service has seen, with what each is doing; screenshots; network phones.
import { Type as T } from "@sinclair/typebox";
import { Elysia, t } from "elysia";
import type { FastUiStatus } from "../devices/fast-ui/manager.ts";
import { DEFAULT_MAX_AGE_MS, MAX_AGE_LIMIT_MS } from "../devices/screenshots.ts";
import type { DeviceService } from "../devices/service.ts";
import { Code, doc, ok, pngDoc } from "./envelope.ts";
import { WholeNumber } from "./params.ts";
import { answeredBy, fromHolder, nodeAsked, Peers } from "./peers.ts";
import {
  DeviceDetailRef,
  DeviceRef,
  type DeviceView,
  deviceAccountView,
  deviceView,
  EXAMPLE_DEVICE,
  EXAMPLE_DEVICE_ACCOUNT,
  fastUiStatus,
} from "./views.ts";

const tags = ["devices"];
const SerialParams = t.Object({ serial: t.String({ minLength: 1, description: "the phone's serial" }) });
const NetworkPhone = T.Object(
  {
    host: T.String({ minLength: 1, maxLength: 253, description: "the phone's address (Wi-Fi debugging)" }),
    port: T.Integer({ minimum: 1, maximum: 65535, description: "its adbd port, often 5555" }),
    direct: T.Optional(
      T.Boolean({
        default: false,
        description: "connect without the adb server, with the service's own key (the phone must accept it)",
      }),
    ),
  },
  { additionalProperties: false },
);

const ScreenshotQuery = t.Object({
  max_width: t.Optional(
    WholeNumber({
      minimum: 64,
      maximum: 4096,
      example: 240,
      description:
        "scale the PNG down to at most this many pixels wide, keeping the aspect ratio (never enlarged), e.g. " +
        "240 for a thumbnail grid; without it, the phone's own PNG at full size",
    }),
  ),
  max_age_ms: t.Optional(
    WholeNumber({
      minimum: 0,
      maximum: MAX_AGE_LIMIT_MS,
      default: DEFAULT_MAX_AGE_MS,
      description:
        "reuse a capture of this phone younger than this instead of asking the phone again " +
        "(0: a new one, unless one is being taken now)",
    }),
  ),
});

const AdbStateRef = T.Object(
  {
    state: T.Union(
      [
        T.Literal("ok"),
        T.Literal("checking"),
        T.Literal("not_installed"),
        T.Literal("unreachable"),
        T.Literal("off"),
      ],
      {
        description:
          "ok: the adb server answers; checking: the first look at start-up is not over; not_installed: no adb executable here; unreachable: its server does not " +
          "answer; off: no adb server is used",
      },
    ),
    message: T.String({ description: "what is so, and what to do when it is not ok" }),
  },
  { description: "the adb server: when it is not ok, no phone behind it can be seen (USB phones included)" },
);

const ConnectQuery = t.Object({
  node: t.Optional(
    t.String({
      minLength: 1,
      maxLength: 200,
      description:
        "on a farm of several PCs, the PC (its --node name) that attaches the phone and runs it; default: this one",
    }),
  ),
});

/** How long a listing waits for another PC's word on its phones' fast UI. */
const FAST_UI_ASK_MS = 5000;
/** Fast UI of a phone whose PC did not say in time. */
const FAST_UI_UNKNOWN: FastUiStatus = { enabled: false, state: "unknown", reason: null, retryAt: null };

/**
 * Fast UI lives in the memory of the PC that holds the phone: for the phones `rows` lists that another PC
 * holds, that PC is asked (once per PC, at once; `unknown` when it does not answer within 5 s). A request
 * passed on from another PC answers for this PC alone.
 */
async function fastUiOf(
  devices: DeviceService,
  peers: Peers | null,
  request: Request,
  rows: { serial: string; node: string | null }[],
): Promise<(serial: string) => FastUiStatus> {
  const remote = new Map<string, FastUiStatus>();
  const others = new Set<string>();
  if (peers && !Peers.forwarded(request))
    for (const row of rows) {
      const holder = devices.holderFrom(row.serial, row.node);
      if (peers.elsewhere(holder)) {
        others.add(holder);
        remote.set(row.serial, FAST_UI_UNKNOWN);
      }
    }
  await Promise.all(
    [...others].map(async (node) => {
      try {
        const path = `/api/v1/device?node=${encodeURIComponent(node)}`;
        const res = await peers?.fetch(node, path, { signal: AbortSignal.timeout(FAST_UI_ASK_MS) });
        const body = (await res?.json()) as { data?: { devices?: DeviceView[] } };
        for (const d of body.data?.devices ?? [])
          if (remote.has(d.serial)) remote.set(d.serial, fastUiStatus(d.fast_ui));
      } catch {
        // its phones stay "unknown": the list is not held up by a PC that does not answer
      }
    }),
  );
  return (serial) => remote.get(serial) ?? devices.fastUi(serial);
}

export function deviceRoutes(devices: DeviceService, peers: Peers | null) {
  const holderOf = (serial: string) => () => devices.holderOf(serial);
  return new Elysia({ prefix: "/api/v1/device" })
    .get(
      "",
      async ({ query, request }) => {
        const list = await devices.list(query.node);
        const fastUi = await fastUiOf(
          devices,
          peers,
          request,
          list.map((d) => d.row),
        );
        return ok({
          devices: list.map((d) => deviceView(d.row, d.load, fastUi(d.row.serial))),
          adb: devices.adb(),
        });
      },
      {
        query: t.Object({
          node: t.Optional(
            t.String({
              minLength: 1,
              description: "only the phones this PC of the farm holds (their `node`)",
              example: "pc-1",
            }),
          ),
        }),
        ...doc({
          summary: "List phones",
          description:
            "Every phone the farm has seen, online or not, by serial, with its running task and queue and the PC " +
            "(`node`) that holds it: the last to see it online, whose view its state is (with several PCs on one " +
            "PostgreSQL, every PC lists every phone); and this PC's adb server's state with what to do when it is " +
            "not ok (an empty list then says nothing about the phones).",
          tags,
          data: T.Object({ devices: T.Array(DeviceRef), adb: AdbStateRef }),
          example: {
            devices: [EXAMPLE_DEVICE],
            adb: { state: "ok", message: "adb server at 127.0.0.1:5037 answers" },
          },
          errors: [Code.invalid],
        }),
      },
    )
    .post(
      "/connect",
      async ({ body }) => {
        const info = await devices.connect(body.host, body.port, body.direct ?? false);
        return ok(deviceView((await devices.get(info.serial)).row, undefined, devices.fastUi(info.serial)));
      },
      {
        body: NetworkPhone,
        query: ConnectQuery,
        beforeHandle: async ({ body, query, request }) => {
          // checked on every PC, also one on its own (no peers) and one the request was passed on to
          const node = await nodeAsked(peers, query.node);
          return fromHolder(peers, request, async () => node, body);
        },
        ...doc({
          summary: "Attach a network phone",
          description:
            "Through the adb server (like `adb connect HOST:PORT`), or directly with `direct: true`. The phone's serial " +
            "is HOST:PORT. An address that refuses, cannot be reached or does not speak ADB is 40001 naming it and " +
            "the reason, and nothing is attached; a direct phone is attached again when the service restarts. " +
            "On a farm of several PCs (`--database`) the PC asked attaches it, or the one `?node=NAME` names: the " +
            "request is passed on to that PC over the LAN with the farm's token, and its answer is this one " +
            "(40001 for a name that is no node of the farm, 50302 naming the PC when it has stopped or cannot be reached).",
          tags,
          data: DeviceRef,
          example: { ...EXAMPLE_DEVICE, serial: "192.168.1.50:5555", transport: "tcp" },
          errors: [Code.invalid, Code.nodeUnavailable],
        }),
      },
    )
    .post(
      "/disconnect",
      async ({ body }) => {
        await devices.disconnect(body.host, body.port);
        return ok({ disconnected: true });
      },
      {
        body: T.Omit(NetworkPhone, ["direct"], { additionalProperties: false }),
        beforeHandle: ({ body, request }) =>
          fromHolder(peers, request, () => devices.holderOf(`${body.host}:${body.port}`, "attached"), body),
        ...doc({
          summary: "Detach a network phone",
          description:
            "The phone is forgotten: it is not attached again at the next start. On a farm of several PCs, one " +
            `that another PC still has online stays listed, as that PC's. ${answeredBy("holds the phone (unless the PC asked has it attached itself: each PC detaches its own)")}`,
          tags,
          data: T.Object({ disconnected: T.Literal(true) }),
          example: { disconnected: true },
          errors: [Code.invalid, Code.notFound, Code.nodeUnavailable],
        }),
      },
    )
    .get(
      "/:serial",
      async ({ params, request }) => {
        const d = await devices.get(params.serial);
        const fastUi = await fastUiOf(devices, peers, request, [d.row]);
        return ok({
          ...deviceView(d.row, d.load, fastUi(params.serial)),
          accounts: d.accounts.map(deviceAccountView),
        });
      },
      {
        params: SerialParams,
        ...doc({
          summary: "One phone",
          description:
            "The phone as listed (any PC's of the farm, `node` naming which holds it): its state, facts, running " +
            "task and queue, and the accounts recorded on it " +
            "(by match_accounts, by tasks, or by hand). 40401 if never seen.",
          tags,
          data: DeviceDetailRef,
          example: { ...EXAMPLE_DEVICE, accounts: [EXAMPLE_DEVICE_ACCOUNT] },
          errors: [Code.notFound],
        }),
      },
    )
    .get(
      "/:serial/screenshot",
      async ({ params, query }) => {
        const shot = await devices.screenshot(params.serial, {
          maxWidth: query.max_width,
          maxAgeMs: query.max_age_ms ?? DEFAULT_MAX_AGE_MS,
        });
        return new Response(shot.png, {
          headers: {
            "content-type": "image/png",
            "cache-control": "no-store",
            "x-captured-at": new Date(shot.capturedAt).toISOString(),
          },
        });
      },
      {
        params: SerialParams,
        query: ScreenshotQuery,
        beforeHandle: ({ params, request }) => fromHolder(peers, request, holderOf(params.serial)),
        detail: pngDoc({
          summary: "A screenshot of the phone",
          description:
            "The screen as PNG (`screencap -p`), for a live view or a grid of thumbnails " +
            "(`?max_width=240&max_age_ms=2000`). Cheap to ask often: requests for one phone that arrive while " +
            "its capture is being taken share it, and a capture younger than `max_age_ms` (default " +
            `${DEFAULT_MAX_AGE_MS} ms) is reused instead of asking the phone again; each width is scaled from it once. ` +
            "The header `x-captured-at` says when the phone was asked for it. A bad `max_width` or `max_age_ms` is " +
            `40001 naming it; 40401 for a phone never seen, 40901 when it is not online. ${answeredBy()}`,
          tags,
          image: "the screen as PNG, at most max_width wide",
          errors: [Code.invalid, Code.notFound, Code.conflict, Code.nodeUnavailable],
        }),
      },
    );
}
