// /api/v1/license/check: the plan in force; /reload: read the license file again now. The guard answers
// 40301 for plans without API access.
import { Type as T } from "@sinclair/typebox";
import { Elysia } from "elysia";
import type { License } from "../license/license.ts";
import { doc, named, ok } from "./envelope.ts";

export const LicenseSchema = T.Object({
  plan_name: T.Union(["Free", "Starter", "Pro", "Team", "Business"].map((p) => T.Literal(p))),
  api_enabled: T.Boolean(),
  device_limit: T.Integer({ description: "phones running automation at once" }),
  licensee: T.Union([T.String(), T.Null()]),
  expires_at: T.Union([T.String({ format: "date-time" }), T.Null()]),
  warning: T.Union([T.String(), T.Null()], { description: "why a license file was not honoured" }),
  message: T.String(),
});

const LicenseRef = named("License", LicenseSchema);

const EXAMPLE = {
  plan_name: "Pro",
  api_enabled: true,
  device_limit: 20,
  licensee: "Acme Farms",
  expires_at: "2027-12-31T23:59:59.000Z",
  warning: null,
  message: "API access enabled",
};

export function licenseRoutes(license: License) {
  return new Elysia({ prefix: "/api/v1/license" })
    .get("/check", () => ok(license.state()), {
      ...doc({
        summary: "Check the license",
        description:
          "Pro, Team and Business include API access. On Starter this and every other /api/v1 endpoint answer 40301 " +
          "(with the plan in `data`). Without a valid license the service runs on the Free plan: API enabled, 2 phones at once.",
        tags: ["license"],
        data: LicenseRef,
        example: EXAMPLE,
      }),
    })
    .post("/reload", () => ok(license.reload()), {
      ...doc({
        summary: "Read the license file again",
        description:
          "A replaced license file is picked up by itself within seconds; this makes it take effect now. " +
          "Answers the plan then in force; the phone limit applies to the runner at once.",
        tags: ["license"],
        data: LicenseRef,
        example: EXAMPLE,
      }),
    });
}
