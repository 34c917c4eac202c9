// The executable answers exactly as `bun src/main.ts` does. A build option once made the executable skip
// query validation (renamed identifiers broke Elysia's generated validators) while the source refused:
// every request below goes to both, and the answers must be identical.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { buildBinary, call, FROM_SOURCE, type ServiceProcess, startService } from "../helpers/binary.ts";

let binary: ServiceProcess;
let source: ServiceProcess;

beforeAll(async () => {
  const devices = ["PHONE1", "PHONE2"];
  [binary, source] = await Promise.all([
    startService([], { devices }),
    startService([], { command: FROM_SOURCE, devices }),
  ]);
});
afterAll(() => Promise.all([binary?.stop(), source?.stop()]));

const ODD_NUMBERS = [
  "0",
  "-1",
  "101",
  "1e3",
  "0x10",
  "+1",
  "01",
  "%201",
  "1.0",
  "1.5",
  "",
  "abc",
  "9007199254740993",
];

/** [method, path, body?, content type?]: refusals above all, and answers that do not depend on the clock. */
function requests(): [string, string, unknown?, string?][] {
  const list: [string, string, unknown?, string?][] = [];
  for (const n of ODD_NUMBERS) {
    for (const q of ["page", "page_size", "status"]) list.push(["GET", `/api/v1/task?${q}=${n}`]);
    for (const q of ["page", "page_size", "logined", "status"])
      list.push(["GET", `/api/v1/accounts?${q}=${n}`]);
    list.push(
      ["GET", `/api/v1/task/${n}`],
      ["DELETE", `/api/v1/task/${n}`],
      ["POST", `/api/v1/task/${n}/stop`],
    );
    list.push(["POST", `/api/v1/task/${n}/retry`], ["GET", `/api/v1/task/${n}/screenshot`]);
    list.push(["PUT", `/api/v1/accounts/${n}`, { tags: ["a"] }], ["DELETE", `/api/v1/accounts/${n}`]);
  }
  list.push(
    ["GET", "/api/v1/task?source=web"],
    ["GET", "/api/v1/task?page=2&page_size=101"],
    ["GET", "/api/v1/accounts?page=2&page_size=101"],
    ["GET", "/api/v1/accounts?platform=myspace"],
    ["GET", "/api/v1/task?status=1&page=3&page_size=7"],
    ["GET", "/api/v1/task/stats"],
    ["GET", "/api/v1/device/NOPE"],
    ["GET", "/api/v1/device/NOPE/screenshot"],
    ["GET", "/api/v1/device/PHONE1/screenshot"],
    ["GET", "/api/v1/nope"],
  );
  const task = { serials: ["PHONE1"], script_name: "follow", script_config: { target_users: ["a"] } };
  for (const body of [
    { ...task, serials: [] },
    { ...task, serials: ["PHONE9"] },
    { ...task, usernames: ["alice"] },
    { ...task, script_name: undefined },
    { ...task, script_name: "dance" },
    { ...task, script_config: { target_users: [] } },
    { ...task, min_interval: -1 },
    { ...task, min_interval: 1.5 },
    { ...task, max_interval: 1441 },
    { ...task, start_time: "24:00" },
    { ...task, platform: "myspace" },
    { ...task, enable_multi_account: "yes" },
    { ...task, surprise: 1 },
    { serials: ["PHONE1"], script_name: "post", script_config: { content_type: 2 } },
    { serials: ["PHONE1"], script_name: "post", script_config: { material_list: ["/nope.mp4"] } },
    [1, 2],
    "{not json",
    `{"a":${"[".repeat(100)}${"]".repeat(100)}}`,
  ])
    list.push(["POST", "/api/v1/task", body]);
  list.push(
    ["POST", "/api/v1/task", task, "text/plain"],
    ["POST", "/api/v1/task", task, "application/jsonx"],
  );
  for (const ids of [[], [0], [-1], [1.5], ["1"], null])
    list.push(["DELETE", "/api/v1/task/batch", { task_ids: ids }]);
  list.push(["DELETE", "/api/v1/task/batch", '{"task_ids":[9007199254740993]}']);
  for (const body of [
    { host: "", port: 5555 },
    { host: "x", port: 0 },
    { host: "x", port: 70000 },
    { host: "x" },
  ])
    list.push(["POST", "/api/v1/device/connect", body], ["POST", "/api/v1/device/disconnect", body]);
  for (const body of [
    {},
    { username: "a", platform: "tiktok", device: "PHONE9" },
    { username: "a", logined: 2 },
  ])
    list.push(["POST", "/api/v1/accounts", body]);
  return list;
}

test("every refusal (and every clock-free answer) of the executable equals the source's", async () => {
  const list = requests();
  expect(list.length).toBeGreaterThan(200);
  for (const [method, path, body, type] of list) {
    const headers: Record<string, string> = type ? { "content-type": type } : {};
    const [fromBinary, fromSource] = await Promise.all(
      [binary, source].map(async (s) => {
        const r = await call(s.url, method, path, body, headers);
        return { method, path, body, status: r.status, answer: r.body };
      }),
    );
    expect(fromBinary).toEqual(fromSource as typeof fromBinary);
    // these are the refusals the old executable let through: the source must refuse them too
    if (/[?&](page=(0|-1)|page_size=(0|-1|101))$/.test(path)) {
      expect({ path, code: fromSource?.answer.code }).toEqual({ path, code: 40001 });
    }
  }
});

test("the executable keeps the class names Elysia's generated code compares by name", async () => {
  // compose.ts tests `error.constructor.name === 'TransformDecodeError'`: with identifiers minified the
  // class is renamed, the comparison never matches, and a failed decode is no longer a validation error
  const code = await Bun.file(await buildBinary()).text();
  expect(code).toContain("error.constructor.name === 'TransformDecodeError'");
  expect(code).toContain("class TransformDecodeError extends TypeBoxError");
});
