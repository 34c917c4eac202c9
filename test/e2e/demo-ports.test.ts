// A demo whose usual ports are taken (another demo, or anything else on 37001) says which serials its phones
// have, in one line, and the Swagger examples name those phones: "Try it out" still runs as printed.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { DEMO_BASE_PORT } from "../../src/demo.ts";
import { call, type ServiceProcess, startService } from "../helpers/binary.ts";
import { demoSerials } from "../helpers/demo.ts";
import { waitFor } from "../helpers/wait.ts";

let squatter: { stop(closeActive?: boolean): void } | undefined;
let service: ServiceProcess;

beforeAll(async () => {
  // something else on the first demo port (if another program holds it already, so much the better)
  try {
    squatter = Bun.listen({ hostname: "127.0.0.1", port: DEMO_BASE_PORT, socket: { data() {} } });
  } catch {
    squatter = undefined;
  }
  service = await startService(["--simulate", "2"]);
}, 60_000);
afterAll(async () => {
  await service?.stop();
  squatter?.stop(true);
});

test("the demo announces its serials in one warning line, and the Swagger examples use them", async () => {
  const serials = await demoSerials(service);
  expect(serials).toHaveLength(2);
  expect(serials).not.toContain(`127.0.0.1:${DEMO_BASE_PORT}`);
  const announced = service
    .log()
    .split("\n")
    .filter((l) => l.includes("virtual phone(s) attached"));
  expect(announced).toEqual([
    expect.stringMatching(
      new RegExp(
        `warn  demo: 2 virtual phone\\(s\\) attached: ${serials.join(", ")} \\(ports 37001–37002 were not all free`,
      ),
    ),
  ]);
  await waitFor(
    "the demo's phones online",
    async () =>
      (await call(service.url, "GET", "/api/v1/device")).body.data.devices.filter(
        (d: { state: string }) => d.state === "online",
      ).length === 2,
    20_000,
  );
  const document: any = await (await fetch(`${service.url}/swagger/json`)).json();
  const examples = document.paths["/api/v1/task"].post.requestBody.content["application/json"].examples;
  for (const [name, example] of Object.entries(
    examples as Record<string, { value: { serials: string[] } }>,
  )) {
    expect({ name, serials: example.value.serials }).toEqual({ name, serials: [...serials].sort() });
  }
  const r = await call(service.url, "POST", "/api/v1/task", examples.follow.value);
  expect({ code: r.body.code, message: r.body.message }).toEqual({ code: 0, message: "success" });
  expect(r.body.data.created_count).toBeGreaterThanOrEqual(2);
});
