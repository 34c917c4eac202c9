// An unexpected error answers 50001 naming where the log is, and the log has the error's whole story.
import { afterAll, beforeAll, expect, spyOn, test } from "bun:test";
import { Logger, LogTail, logFile } from "../../src/log.ts";
import { startTestService, type TestService } from "../helpers/service.ts";

let s: TestService;
const tail = new LogTail();

beforeAll(async () => {
  s = await startTestService({}, { log: new Logger(tail), logTail: tail });
});
afterAll(() => s.stop());

test("50001 says where the log is; the log has the request and the stack", async () => {
  // a fault below the HTTP layer: the error mapping is what is tested
  const stats = spyOn(s.taskService, "stats").mockImplementation(() => {
    throw new Error("a bug nobody foresaw");
  });
  try {
    const r = await s.call("GET", "/api/v1/task/stats");
    expect(r.status).toBe(500);
    expect(r.body).toEqual({
      code: 50001,
      message: `internal error: see the service log (${logFile(s.dir)}, or GET /api/v1/logs)`,
      data: null,
    });
  } finally {
    stats.mockRestore();
  }
  const lines = (await s.call("GET", "/api/v1/logs?level=error")).body.data.lines;
  expect(lines).toHaveLength(1);
  expect(lines[0].message).toContain(
    "internal error on GET http://localhost/api/v1/task/stats: Error: a bug nobody foresaw",
  );
});
