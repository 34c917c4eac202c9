// The dashboard's files as the service serves them (the page's behaviour is test/e2e/dashboard.test.ts), and
// the header by which the page marks its tasks `source: "ui"`.
import { afterEach, describe, expect, test } from "bun:test";
import { startTestService, type TestService } from "../helpers/service.ts";

let s: TestService | undefined;
afterEach(() => s?.stop());

const get = async (svc: TestService, path: string, headers: Record<string, string> = {}) => {
  const res = await svc.app.handle(new Request(`http://localhost${path}`, { headers }));
  return { res, text: await res.text() };
};

/** The page's script and style, as it names them. */
function files(html: string) {
  const js = /<script type="module" crossorigin src="(\/ui\/[\w.-]+\.js)"/.exec(html)?.[1] ?? "";
  const css = /<link rel="stylesheet" crossorigin href="(\/ui\/[\w.-]+\.css)"/.exec(html)?.[1] ?? "";
  expect({ js, css }).toEqual({ js: expect.stringMatching(/\.js$/), css: expect.stringMatching(/\.css$/) });
  return { js, css };
}

describe("the dashboard's files", () => {
  test("/ is the page, its script and style beside it; none names another host; nothing may frame it", async () => {
    s = await startTestService();
    const page = await get(s, "/");
    expect(page.res.status).toBe(200);
    expect(page.res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.res.headers.get("x-frame-options")).toBe("DENY");
    const csp = page.res.headers.get("content-security-policy") ?? "";
    for (const rule of ["default-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"]) {
      expect(csp).toContain(rule);
    }
    expect(page.text).toContain('data-token-required="no"');
    // the bundle of src/ui's modules and its style, under /ui/
    const { js, css } = files(page.text);
    const script = await get(s, js);
    expect(script.res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(script.text).toContain("/api/v1/events");
    const style = await get(s, css);
    expect(style.res.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(style.text).toMatch(/prefers-color-scheme: ?dark/);
    for (const text of [page.text, script.text, style.text]) expect(text).not.toMatch(/(https?:)?\/\/[a-z]/i);
  });

  test("with a token the page says so and is served without it; the API still wants it", async () => {
    s = await startTestService({ token: "dashboard-token" });
    const page = await get(s, "/");
    expect(page.res.status).toBe(200);
    expect(page.text).toContain('data-token-required="yes"');
    expect((await s.call("GET", "/api/v1/task")).body.code).toBe(40101);
    expect(
      (await s.call("GET", "/api/v1/task", undefined, { authorization: "Bearer dashboard-token" })).body.code,
    ).toBe(0);
  });

  test("a foreign Host or Origin is refused for the page and its files too", async () => {
    s = await startTestService();
    const { js, css } = files((await get(s, "/")).text);
    for (const path of ["/", js, css]) {
      const host = await get(s, path, { host: "attacker.example:50809" });
      expect({ path, code: JSON.parse(host.text).code }).toEqual({ path, code: 40302 });
      const origin = await get(s, path, { origin: "http://evil.example" });
      expect({ path, code: JSON.parse(origin.text).code }).toEqual({ path, code: 40302 });
    }
  });
});

describe("X-Farm-Source", () => {
  const body = { serials: ["PHONE1"], script_name: "match_accounts", script_config: {} };

  test('"ui" makes ui tasks; none, or any other value, makes api tasks', async () => {
    s = await startTestService();
    await s.addDevice("PHONE1");
    const made = async (headers: Record<string, string>) => {
      const r = await (s as TestService).call("POST", "/api/v1/task", body, headers);
      expect(r.body.code).toBe(0);
      const id = r.body.data.task_ids[0];
      return (await (s as TestService).call("GET", `/api/v1/task/${id}`)).body.data.source;
    };
    expect(await made({ "x-farm-source": "ui" })).toBe("ui");
    expect(await made({ "X-Farm-Source": "UI" })).toBe("ui");
    expect(await made({})).toBe("api");
    expect(await made({ "x-farm-source": "web" })).toBe("api");
    const ui = await s.call("GET", "/api/v1/task?source=ui");
    expect(ui.body.data.total).toBe(2);
  });

  test("the OpenAPI document describes the header on POST /task", async () => {
    s = await startTestService();
    const doc = JSON.parse((await get(s, "/swagger/json")).text);
    const params = doc.paths["/api/v1/task"].post.parameters as { name: string; in: string }[];
    expect(params).toContainEqual(expect.objectContaining({ name: "X-Farm-Source", in: "header" }));
  });
});
