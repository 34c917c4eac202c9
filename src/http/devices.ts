// /api/v1/device: the phones the service has seen, with what each is doing.
import { Type as T } from "@sinclair/typebox";
import { Elysia, t } from "elysia";
import type { DeviceStore } from "../store/devices.ts";
import type { TaskStore } from "../store/tasks.ts";
import { AppError, Code, doc, ok } from "./envelope.ts";
import { DeviceSchema, deviceView, EXAMPLE_DEVICE } from "./views.ts";

const tags = ["devices"];

export function deviceRoutes(devices: DeviceStore, tasks: TaskStore) {
  return new Elysia({ prefix: "/api/v1/device" })
    .get(
      "",
      () => {
        const load = tasks.loadByDevice();
        return ok({ devices: devices.list().map((d) => deviceView(d, load.get(d.serial))) });
      },
      {
        detail: doc({
          summary: "List phones",
          description: "Every phone the service has seen, online or not, by serial.",
          tags,
          data: T.Object({ devices: T.Array(DeviceSchema) }),
          example: { devices: [EXAMPLE_DEVICE] },
        }),
      },
    )
    .get(
      "/:serial",
      ({ params }) => {
        const device = devices.get(params.serial);
        if (!device) throw new AppError(Code.notFound, `device '${params.serial}' has never been seen`);
        return ok(deviceView(device, tasks.loadByDevice(params.serial).get(params.serial)));
      },
      {
        params: t.Object({ serial: t.String({ minLength: 1, description: "the phone's serial" }) }),
        detail: doc({
          summary: "One phone",
          tags,
          data: DeviceSchema,
          example: EXAMPLE_DEVICE,
          errors: [Code.notFound],
        }),
      },
    );
}
