// 20,000 generated requests (fixed seed) against the compiled executable, over every operation its OpenAPI
// document lists: valid ones, near-valid ones (one field dropped, retyped or added), strange numbers in
// paths and queries, random JSON, raw text, wrong Content-Types, foreign Origins, deep and oversized
// bodies. Every answer must be documented for its operation (status, and the code beside it), never a
// 500, and a refused request must not change the database: its write-ahead log, read from outside (the
// service holds the database alone), moves with every commit the service makes.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import fc from "fast-check";
import { httpStatusOf } from "../../src/errors.ts";
import { type ServiceProcess, startService } from "../helpers/binary.ts";
import { walCommits } from "../helpers/wal.ts";

const SEED = 20261201;
const RUNS = Number(process.env.FUZZ_RUNS ?? 20_000);
const DEVICES = ["FUZZ-1", "FUZZ-2", "10.0.0.7:5555"];
const USERNAMES = ["alice", "@bob", "carol"];

interface Response_ {
  description: string;
  content?: Record<string, unknown>;
}
interface Operation {
  parameters?: { name: string; in: "path" | "query"; schema: Record<string, unknown> }[];
  requestBody?: { content: Record<string, { examples?: Record<string, { value: unknown }> }> };
  responses: Record<string, Response_>;
}
interface Route {
  method: string;
  template: string;
  op: Operation;
}

let running: ServiceProcess;
let wal: ReturnType<typeof walCommits>;
let routes: Route[];

beforeAll(async () => {
  running = await startService([], { devices: DEVICES });
  wal = walCommits(join(running.dataDir, "farm.db"));
  const document = (await (await fetch(`${running.url}/swagger/json`)).json()) as {
    paths: Record<string, Record<string, Operation>>;
  };
  routes = Object.entries(document.paths).flatMap(([template, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), template, op })),
  );
});
afterAll(async () => {
  wal?.close();
  await running?.stop();
});

// ---- what to send ---------------------------------------------------------------------------------------

/** `arb` in `percent` % of the cases, undefined in the others. */
const sometimes = <T>(arb: fc.Arbitrary<T>, percent: number) =>
  fc.oneof({ weight: 100 - percent, arbitrary: fc.constant(undefined) }, { weight: percent, arbitrary: arb });

/** Numbers as a person, a script or an attacker might write them. */
const oddNumber = fc.constantFrom(
  "0",
  "-1",
  "01",
  "+1",
  "1e3",
  "0x10",
  "1.0",
  "1.5",
  " 1",
  "1 ",
  "NaN",
  "Infinity",
  "9007199254740991",
  "9007199254740993",
  "1e18",
  "٣",
  "",
);
const someNumber = (min: number, max: number) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min, max: Math.min(max, min + 300) }).map(String) },
    { weight: 2, arbitrary: oddNumber },
    { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
  );

function paramValue(name: string, schema: Record<string, unknown>): fc.Arbitrary<string> {
  if (schema.type === "integer")
    return someNumber(Number(schema.minimum ?? 0), Number(schema.maximum ?? 1e9));
  const known = (schema.anyOf as { const?: string }[] | undefined)?.map((v) => v.const).filter((v) => v);
  if (known?.length) return fc.oneof(fc.constantFrom(...(known as string[])), fc.string({ maxLength: 8 }));
  if (name === "serial" || name === "device") {
    return fc.oneof(fc.constantFrom(...DEVICES), fc.string({ minLength: 1, maxLength: 12 }));
  }
  if (name === "script_name") return fc.constantFrom("post", "follow", "nope", "");
  return fc.string({ maxLength: 12 });
}

const task = (config: fc.Arbitrary<Record<string, unknown>>, script: string) =>
  fc.record(
    {
      serials: fc.subarray(DEVICES, { minLength: 1 }),
      script_name: fc.constant(script),
      script_config: config,
      start_time: fc.constantFrom("08:30", "23:59", "24:00"),
      min_interval: fc.integer({ min: -1, max: 5 }),
      enable_multi_account: fc.boolean(),
      platform: fc.constantFrom("tiktok", "instagram"),
    },
    { requiredKeys: ["serials", "script_name", "script_config"] },
  );

/** Bodies the service should take, per operation (before mutation). */
const VALID_BODIES: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  "POST /api/v1/task": fc.oneof(
    task(fc.record({ target_users: fc.subarray(["a", "@b", "c"], { minLength: 1 }) }), "follow"),
    task(fc.record({ target_users: fc.subarray(["a", "b"], { minLength: 1 }) }), "unfollow"),
    task(
      fc.constant({ target_post_urls: ["https://www.tiktok.com/@x/video/1"], comment_content: "hi" }),
      "comment",
    ),
    task(fc.record({ task_duration: fc.integer({ min: 60, max: 600 }) }), "account_warmup"),
    task(fc.constant({ captions: "{a|b}", material_source: "materialLibrary" }), "post"),
    fc.record({
      usernames: fc.subarray(USERNAMES, { minLength: 1 }),
      script_name: fc.constant("follow"),
      script_config: fc.constant({ target_users: ["z"] }),
    }),
  ),
  "DELETE /api/v1/task/batch": fc.record({
    task_ids: fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 5 }),
  }),
  "POST /api/v1/device/disconnect": fc.record({
    host: fc.constantFrom("10.0.0.7", "10.0.0.8"),
    port: fc.constantFrom(5555, 5556),
  }),
  "POST /api/v1/accounts": fc.record(
    {
      username: fc.constantFrom(...USERNAMES),
      platform: fc.constantFrom("tiktok", "instagram"),
      device: fc.constantFrom(...DEVICES, "NOPE"),
      tags: fc.array(fc.constantFrom("eu", "warm", ""), { maxLength: 3 }),
      logined: fc.integer({ min: 0, max: 2 }),
    },
    { requiredKeys: ["username", "platform", "device"] },
  ),
  "PUT /api/v1/accounts/{id}": fc.record(
    {
      username: fc.constantFrom(...USERNAMES),
      status: fc.integer({ min: 0, max: 1 }),
      tags: fc.constant(["x"]),
    },
    { requiredKeys: [] },
  ),
  // never a valid one: it would dial out to whatever host it names
  "POST /api/v1/device/connect": fc.record({
    host: fc.string({ maxLength: 10 }),
    port: fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 65536 }), fc.constant("5555")),
  }),
};

/** One field dropped, changed to any JSON, or added. */
function nearly(valid: fc.Arbitrary<Record<string, unknown>>) {
  const json = fc.jsonValue({ maxDepth: 3 });
  return valid.chain((v) => {
    const keys = Object.keys(v);
    const added = fc
      .tuple(fc.string({ minLength: 1, maxLength: 8 }), json)
      .map(([k, x]) => ({ ...v, [k]: x }));
    // an empty object (every field optional) has nothing to drop or change
    if (keys.length === 0) return added;
    return fc.oneof(
      fc.constantFrom(...keys).map((k) => Object.fromEntries(Object.entries(v).filter(([key]) => key !== k))),
      fc.tuple(fc.constantFrom(...keys), json).map(([k, x]) => ({ ...v, [k]: x })),
      added,
    );
  });
}

const DEEP = `{"a":${"[".repeat(5000)}${"]".repeat(5000)}}`;
const HUGE = JSON.stringify({ captions: "x".repeat(1100 * 1024) });

/** A body and its Content-Type: mostly JSON objects, sometimes anything at all. */
function body(key: string, declared: boolean) {
  const valid = VALID_BODIES[key];
  const objects =
    valid && key !== "POST /api/v1/device/connect" ? [valid, nearly(valid)] : valid ? [valid] : [];
  const text = fc.oneof(
    ...objects.map((arbitrary) => ({ weight: 8, arbitrary: arbitrary.map((v) => JSON.stringify(v)) })),
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
    { weight: 1, arbitrary: fc.constantFrom("", " ", "{", "null", "[]", "{}", '{"a":1}{"b":2}', DEEP, HUGE) },
  );
  const type = fc.oneof(
    { weight: 12, arbitrary: fc.constant("application/json") },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "application/json; charset=UTF-8",
        "application/jsonx",
        "application/json; charset=utf-16",
        "text/plain",
        "",
      ),
    },
  );
  // a route that takes no body is sometimes sent one anyway
  return sometimes(fc.tuple(text, type), declared ? 95 : 10);
}

interface Request_ {
  method: string;
  path: string;
  body?: [string, string];
  origin?: string;
}

function request(route: Route): fc.Arbitrary<Request_> {
  const key = `${route.method} ${route.template}`;
  const params = route.op.parameters ?? [];
  const pathParams = params.filter((p) => p.in === "path");
  const queryParams = params.filter((p) => p.in === "query");
  const path = fc
    .tuple(...pathParams.map((p) => paramValue(p.name, p.schema)))
    .filter((values) => values.every((v) => v !== "" && v !== "." && v !== ".."))
    .map((values) =>
      pathParams.reduce(
        (t, p, i) => t.replace(`{${p.name}}`, encodeURIComponent(values[i] ?? "")),
        route.template,
      ),
    );
  const query = fc
    .tuple(
      ...queryParams.map((p) => sometimes(paramValue(p.name, p.schema), 40)),
      sometimes(fc.tuple(fc.string({ minLength: 1, maxLength: 6 }), fc.string({ maxLength: 6 })), 10),
    )
    .map((values) => {
      const q = new URLSearchParams();
      queryParams.forEach((p, i) => {
        const v = values[i];
        if (typeof v === "string") q.append(p.name, v);
      });
      const extra = values[queryParams.length];
      if (Array.isArray(extra)) q.append(extra[0], extra[1]);
      return q.size > 0 ? `?${q}` : "";
    });
  const sendsBody = route.method !== "GET";
  return fc.record({
    method: fc.constant(route.method),
    path: fc.tuple(path, query).map(([p, q]) => p + q),
    body: sendsBody ? body(key, Boolean(route.op.requestBody)) : fc.constant(undefined),
    origin: sometimes(fc.constantFrom("http://evil.example", "null"), 3),
  });
}

// ---- what must come back --------------------------------------------------------------------------------

/** The operation the router picks for a path: a static segment beats a parameter (/task/stats vs /task/{id}). */
function routeOf(method: string, path: string): Route | undefined {
  const segments = path.split("?")[0]?.split("/") ?? [];
  const candidates = routes.filter((r) => {
    const t = r.template.split("/");
    return (
      r.method === method &&
      t.length === segments.length &&
      t.every((s, i) => s.startsWith("{") || s === segments[i])
    );
  });
  const params = (r: Route) => (r.template.match(/\{/g) ?? []).length;
  return candidates.sort((a, b) => params(a) - params(b))[0];
}

/** The codes a documented response lists ("code 40001 or 40002"); 0 for a success. */
const codesOf = (status: string, response: Response_) =>
  status === "200" ? [0] : [...response.description.matchAll(/\b\d{5}\b/g)].map((m) => Number(m[0]));

const counts = {
  requests: 0,
  byStatus: new Map<number, number>(),
  byCode: new Map<number, number>(),
  writes: 0,
};
const bump = (map: Map<number, number>, key: number) => map.set(key, (map.get(key) ?? 0) + 1);

async function send(r: Request_) {
  const headers: Record<string, string> = {};
  if (r.origin) headers.origin = r.origin;
  if (r.body?.[1]) headers["content-type"] = r.body[1];
  const res = await fetch(`${running.url}${r.path}`, { method: r.method, headers, body: r.body?.[0] });
  const type = res.headers.get("content-type") ?? "";
  let text = "";
  // the event stream never ends: its status and headers are enough
  if (type.startsWith("text/event-stream")) await res.body?.cancel();
  else text = await res.text();
  return { status: res.status, type, text, frame: res.headers.get("x-frame-options") };
}

test(`${RUNS} generated requests over every operation: documented answers, no 500, refusals change nothing`, async () => {
  expect(routes.length).toBeGreaterThanOrEqual(20);
  // the operations that take a body have the most to get wrong: they get more of the requests
  const anyRequest = fc.oneof(
    ...routes.map((r) => ({ weight: r.op.requestBody ? 3 : 1, arbitrary: request(r) })),
  );
  await fc.assert(
    fc.asyncProperty(anyRequest, async (r) => {
      const before = wal.count();
      const answer = await send(r);
      const changed = wal.count() !== before;
      const route = routeOf(r.method, r.path);
      const documented = route?.op.responses[String(answer.status)];
      const seen = { request: r, status: answer.status, answer: answer.text.slice(0, 300) };
      counts.requests++;
      bump(counts.byStatus, answer.status);
      if (answer.frame !== "DENY") throw new Error(`no X-Frame-Options: ${JSON.stringify(seen)}`);
      if (!route || !documented) throw new Error(`undocumented answer: ${JSON.stringify(seen)}`);
      let code = 0;
      if (answer.type.startsWith("application/json") && route.template !== "/health") {
        const envelope = JSON.parse(answer.text) as { code: unknown; message: unknown; data: unknown };
        code = Number(envelope.code);
        const wellFormed =
          Number.isInteger(envelope.code) &&
          typeof envelope.message === "string" &&
          envelope.message.length > 0 &&
          "data" in envelope &&
          (code === 0 ? answer.status === 200 : httpStatusOf(code as never) === answer.status) &&
          codesOf(String(answer.status), documented).includes(code);
        if (!wellFormed) throw new Error(`not a documented envelope: ${JSON.stringify(seen)}`);
      }
      bump(counts.byCode, code);
      if (answer.status >= 500) throw new Error(`a 5xx: ${JSON.stringify(seen)}`);
      if (answer.status >= 400 && changed)
        throw new Error(`a refused request changed the database: ${JSON.stringify(seen)}`);
      if (changed) counts.writes++;
    }),
    { seed: SEED, numRuns: RUNS, endOnFailure: true },
  );
  const table = (m: Map<number, number>) =>
    [...m]
      .sort(([a], [b]) => a - b)
      .map(([k, n]) => `${k}: ${n}`)
      .join(", ");
  console.log(
    `fuzz (seed ${SEED}): ${counts.requests} requests over ${routes.length} operations; ` +
      `${counts.writes} changed the database\n  by HTTP status: ${table(counts.byStatus)}\n  by code: ${table(counts.byCode)}`,
  );
  expect(counts.requests).toBe(RUNS);
  // the generator reaches the successes and the refusals alike, and the write detector does see writes
  expect(counts.byCode.get(0)).toBeGreaterThan(RUNS / 10);
  expect(counts.byCode.get(40001)).toBeGreaterThan(RUNS / 10);
  expect(counts.writes).toBeGreaterThan(RUNS / 200);
}, 180_000);
