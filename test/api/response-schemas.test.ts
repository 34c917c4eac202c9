// Every JSON answer of /api/v1 is declared as its route's response schema, so that an answer drifting from
// its documented shape fails the type check; one that drifts all the same is our fault, never the request's.
import { afterAll, expect, test } from "bun:test";
import { loggerInto } from "../helpers/log.ts";
import { startTestService } from "../helpers/service.ts";

const lines: string[] = [];
const service = await startTestService({}, { log: loggerInto(lines) });
afterAll(() => service.stop());

type Hooks = {
  response?: Record<string, unknown>;
  detail?: { responses?: Record<string, { content?: Record<string, unknown> }> };
};

test("each /api/v1 route that answers JSON declares the schema of its answer", () => {
  const json = service.app.routes.filter((r) => {
    const success = (r.hooks as Hooks).detail?.responses?.["200"];
    return r.path.startsWith("/api/v1") && success?.content?.["application/json"] !== undefined;
  });
  expect(json.length).toBeGreaterThan(20);
  const undeclared = json
    .filter((r) => (r.hooks as Hooks).response?.["200"] === undefined)
    .map((r) => `${r.method} ${r.path}`);
  expect(undeclared).toEqual([]);
});

test("an answer that does not match its schema is a logged internal error (50001), not a 40001", async () => {
  const stats = service.taskService.stats.bind(service.taskService);
  // the service's answer drifts below the HTTP layer: a count becomes a string (the cast stands for the type
  // check that would refuse it)
  service.taskService.stats = () => ({ ...stats(), total: "0" }) as never;
  const res = await service.call("GET", "/api/v1/task/stats");
  expect(res.status).toBe(500);
  expect(res.body).toMatchObject({ code: 50001, data: null });
  expect(res.body.message).toStartWith("internal error: see the service log (");
  expect(lines.some((l) => l.includes("internal error on GET") && l.includes("/data/total"))).toBe(true);
  service.taskService.stats = stats;
  expect((await service.call("GET", "/api/v1/task/stats")).body.code).toBe(0);
});
