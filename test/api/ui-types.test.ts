// The dashboard's API types (src/ui/openapi.gen.ts) are generated from the OpenAPI document the service
// serves: an API change without `bun build.ts --api-types` leaves the page typed against the old API.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { API_TYPES, apiTypes } from "../../api-types.ts";

test("src/ui/openapi.gen.ts is what openapi-typescript makes of the service's document", async () => {
  const committed = readFileSync(API_TYPES, "utf8");
  const fresh = await apiTypes();
  expect(fresh).toContain("ScriptConfig_post");
  // an out-of-date file: run `bun build.ts --api-types`
  expect(committed === fresh).toBe(true);
});
