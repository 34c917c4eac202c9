// /api/v1/material end to end through the app: register, upload (streamed), list, filter, delete; and a
// post whose materials cannot be found is refused at creation.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Value } from "@sinclair/typebox/value";
import { MaterialSchema } from "../../src/http/materials.ts";
import { HEADS, writeMedia } from "../helpers/media.ts";
import { expectedFileBytes, MULTIPART, multipartBody } from "../helpers/multipart.ts";
import { startTestService, type TestService } from "../helpers/service.ts";

const MAX = 64 * 1024;
let s: TestService;
let files: string;
let uploads: string;

beforeAll(async () => {
  s = await startTestService({ materialMaxBytes: MAX });
  await s.addDevice("PHONE1");
  files = join(s.dir, "user-files");
  mkdirSync(files);
  uploads = join(s.dir, "materials");
});
afterAll(() => s.stop());

async function handle(init: RequestInit & { duplex?: "half" }) {
  const res = await s.app.handle(
    new Request("http://localhost/api/v1/material", { method: "POST", ...init }),
  );
  return { status: res.status, body: (await res.json()) as { code: number; message: string; data: any } };
}

const upload = (form: FormData) => handle({ body: form });
const uploadStream = (body: ReturnType<typeof multipartBody>, headers: Record<string, string> = {}) =>
  handle({ body: body.stream, headers: { "content-type": MULTIPART, ...headers }, duplex: "half" });

const total = async () => (await s.call("GET", "/api/v1/material")).body.data.total as number;
const uploadedFiles = () => (existsSync(uploads) ? readdirSync(uploads) : []);

/** Refused with `code`, naming `message`, and nothing created or left on disk. */
async function refused(
  answer: Promise<{ status: number; body: any }>,
  code: number,
  message: RegExp | string,
) {
  const before = await total();
  const filesBefore = uploadedFiles();
  const r = await answer;
  expect(r.body.code).toBe(code);
  expect(r.status).toBe(Math.floor(code / 100));
  expect(r.body.message).toMatch(message);
  expect(await total()).toBe(before);
  expect(uploadedFiles()).toEqual(filesBefore);
}

function fileForm(name: string, bytes: Uint8Array, tags?: string | string[]) {
  const form = new FormData();
  form.append("file", new Blob([bytes]), name);
  for (const t of [tags ?? []].flat()) form.append("tags", t);
  return form;
}

describe("POST /material", () => {
  test("registers a file on this PC by path; it stays the user's", async () => {
    const path = writeMedia(join(files, "video1.mp4"), "mp4", 1000);
    const r = await s.call("POST", "/api/v1/material", { path, tags: ["demo", " cats ", "DEMO"] });
    expect(r.status).toBe(200);
    expect(Value.Check(MaterialSchema, r.body.data)).toBe(true);
    expect(r.body.data).toMatchObject({
      path,
      name: "video1.mp4",
      type: "video",
      format: "mp4",
      size: 1000,
      tags: ["demo", "cats"],
      uploaded: false,
      used_by: [],
    });
    const one = await s.call("GET", `/api/v1/material/${r.body.data.id}`);
    expect(one.body.data).toEqual(r.body.data);
    await refused(
      s.call("POST", "/api/v1/material", { path }),
      40901,
      `"${path}" is already material ${r.body.data.id}`,
    );
  });

  test("bad registrations say what is wrong and create nothing", async () => {
    const call = (body: unknown) => s.call("POST", "/api/v1/material", body);
    await refused(
      call({ path: "C:/Videos/video1.mp4" }),
      40001,
      /"C:\/Videos\/video1.mp4" not found: it is a Windows path/,
    );
    await refused(call({ path: "\\\\nas\\clips\\a.mp4" }), 40001, /not found: it is a Windows path/);
    await refused(call({ path: join(files, "missing.mp4") }), 40001, "does not exist on this PC");
    await refused(call({ path: "videos/a.mp4" }), 40001, "is not an absolute path");
    writeFileSync(join(files, "notes.mp4"), "text in disguise");
    await refused(
      call({ path: join(files, "notes.mp4") }),
      40001,
      /is not a MP4 file: its content is not a video/,
    );
    writeMedia(join(files, "photo.jpg"), "png");
    await refused(call({ path: join(files, "photo.jpg") }), 40001, /is not a JPG file: it is a PNG image/);
    await refused(
      call({ path: join(files, "farm.txt") }),
      40001,
      /is not a supported file \(mp4, mov, jpg, jpeg, png, webp\)/,
    );
    await refused(
      call({ path: join(files, "video1.mp4"), colour: "red" }),
      40001,
      "colour: is not a field of POST /api/v1/material: its fields are: path, tags",
    );
    await refused(call({ tags: ["x"] }), 40001, /path/);
    await refused(call({ path: join(files, "video1.mp4"), tags: ["a".repeat(51)] }), 40001, /tags/);
    await refused(
      call({
        path: join(files, "video1.mp4"),
        tags: Array(21)
          .fill("t")
          .map((t, i) => t + i),
      }),
      40001,
      /tags/,
    );
    await refused(
      s.call("POST", "/api/v1/material", "path=x", { "content-type": "text/plain" }),
      40001,
      /Content-Type/,
    );
  });

  test("uploads a file (multipart) into the data folder, byte for byte", async () => {
    const bytes = new Uint8Array(Buffer.concat([HEADS.png, Buffer.alloc(5000, 9)]));
    const r = await upload(fileForm("Gatos 🐱.png", bytes, ["cats, demo", "png"]));
    expect(r.status).toBe(200);
    expect(Value.Check(MaterialSchema, r.body.data)).toBe(true);
    expect(r.body.data).toMatchObject({
      name: "Gatos 🐱.png",
      type: "image",
      format: "png",
      size: bytes.length,
      tags: ["cats", "demo", "png"],
      uploaded: true,
    });
    expect(r.body.data.path.startsWith(`${uploads}/`)).toBe(true);
    expect(new Uint8Array(readFileSync(r.body.data.path))).toEqual(bytes);
    // the name a browser sends may carry a folder, or characters Windows forbids: only a clean name is kept
    const odd = await upload(fileForm("C:\\fakepath\\a<b>.mp4", HEADS.mp4));
    expect(odd.body.data.name).toBe("a_b_.mp4");
  });

  test("a streamed upload without Content-Length works too", async () => {
    const body = multipartBody({
      filename: "long.mp4",
      size: 50_000,
      fields: { tags: "streamed" },
      chunk: 4096,
    });
    const r = await uploadStream(body);
    expect(r.body.code).toBe(0);
    expect(r.body.data).toMatchObject({ size: 50_000, tags: ["streamed"], format: "mp4" });
    expect(readFileSync(r.body.data.path).equals(expectedFileBytes(50_000))).toBe(true);
  });

  test("over --material-max-size → 41301, with or without Content-Length; nothing kept", async () => {
    const big = new Uint8Array(Buffer.concat([HEADS.mp4, Buffer.alloc(MAX, 1)]));
    await refused(
      upload(fileForm("big.mp4", big)),
      41301,
      "larger than 64 KiB (the --material-max-size limit)",
    );
    await refused(
      uploadStream(multipartBody({ filename: "big.mp4", size: MAX + 1, chunk: 8192 })),
      41301,
      "the file is larger than 64 KiB",
    );
    // exactly at the limit is fine
    const r = await uploadStream(multipartBody({ filename: "edge.mp4", size: MAX }));
    expect(r.body.code).toBe(0);
    // a JSON body keeps the 1 MiB cap of every other route
    await refused(
      s.call("POST", "/api/v1/material", { path: "x".repeat(1_100_000) }),
      41301,
      "request body is larger than 1 MiB",
    );
  });

  test("an upload whose bytes are not what its name says → 40001; bad multipart → 40001", async () => {
    await refused(
      upload(fileForm("clip.mp4", Buffer.from("<html>not a video</html>"))),
      40001,
      /"clip.mp4" is not a MP4 file/,
    );
    await refused(
      upload(fileForm("pic.webp", HEADS.jpg)),
      40001,
      /"pic.webp" is not a WEBP file: it is a JPEG image/,
    );
    await refused(upload(fileForm("song.mp3", HEADS.mp4)), 40001, /"song.mp3" is not a supported file/);
    const noFile = new FormData();
    noFile.append("tags", "x");
    await refused(upload(noFile), 40001, 'no file: send it in the multipart field "file"');
    const extra = fileForm("ok.mp4", HEADS.mp4);
    extra.append("colour", "red");
    await refused(
      upload(extra),
      40001,
      "colour: is not a field of a material upload: its fields are: file, tags",
    );
    await refused(
      handle({ body: "--x\r\n", headers: { "content-type": "multipart/form-data" } }),
      40001,
      "needs a boundary",
    );
    await refused(
      handle({
        body: '--b\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\n\r\n',
        headers: { "content-type": "multipart/form-data; boundary=b" },
      }),
      40001,
      /malformed: it ends before its closing boundary/,
    );
  });
});

describe("GET and DELETE /material", () => {
  test("filters by tag, type and used; pages; newest first", async () => {
    const all = (await s.call("GET", "/api/v1/material?page_size=100")).body.data;
    expect(all.total).toBeGreaterThanOrEqual(4);
    const ids = all.materials.map((m: { id: number }) => m.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));

    const cats = (await s.call("GET", "/api/v1/material?tag=CATS")).body.data;
    expect(cats.materials.map((m: { name: string }) => m.name).sort()).toEqual([
      "Gatos 🐱.png",
      "video1.mp4",
    ]);
    const images = (await s.call("GET", "/api/v1/material?type=image")).body.data;
    expect(images.materials.every((m: { type: string }) => m.type === "image")).toBe(true);
    expect(images.total).toBe(1);

    const video = cats.materials.find((m: { name: string }) => m.name === "video1.mp4");
    await s.materials.markPosted({ id: 42, serial: "PHONE1", username: "@alice", platform: "tiktok" }, [
      video,
    ]);
    const used = (await s.call("GET", "/api/v1/material?used=1")).body.data;
    expect(used.materials.map((m: { id: number }) => m.id)).toEqual([video.id]);
    expect(used.materials[0].used_by).toEqual([
      { username: "alice", serial: "PHONE1", task_id: 42, at: expect.any(String), confirmed: true },
    ]);
    const unused = (await s.call("GET", "/api/v1/material?used=0&page_size=100")).body.data;
    expect(unused.total).toBe(all.total - 1);
    expect((await s.call("GET", "/api/v1/material?tag=cats&type=video&used=0")).body.data.total).toBe(0);

    const page2 = (await s.call("GET", "/api/v1/material?page=2&page_size=2")).body.data;
    expect(page2).toMatchObject({ page: 2, page_size: 2, total: all.total });
    expect(page2.materials.map((m: { id: number }) => m.id)).toEqual(ids.slice(2, 4));

    for (const q of ["type=audio", "used=2", "page=0", "page_size=101", "tag="]) {
      const r = await s.call("GET", `/api/v1/material?${q}`);
      expect(r.body.code).toBe(40001);
    }
    expect((await s.call("GET", "/api/v1/material/99999")).body).toMatchObject({
      code: 40401,
      message: "material 99999 not found",
    });
    expect((await s.call("GET", "/api/v1/material/abc")).body.code).toBe(40001);
  });

  test("DELETE removes our uploaded copy, never the user's registered file", async () => {
    const path = writeMedia(join(files, "keep-me.mov"), "mov");
    const registered = (await s.call("POST", "/api/v1/material", { path })).body.data;
    const uploaded = (await upload(fileForm("ours.jpg", HEADS.jpg))).body.data;
    expect(existsSync(uploaded.path)).toBe(true);

    const r1 = await s.call("DELETE", `/api/v1/material/${registered.id}`);
    expect(r1.body.data).toEqual({ deleted: true, file_deleted: false });
    expect(existsSync(path)).toBe(true);
    const r2 = await s.call("DELETE", `/api/v1/material/${uploaded.id}`);
    expect(r2.body.data).toEqual({ deleted: true, file_deleted: true });
    expect(existsSync(uploaded.path)).toBe(false);

    expect((await s.call("GET", `/api/v1/material/${uploaded.id}`)).body.code).toBe(40401);
    expect((await s.call("DELETE", `/api/v1/material/${uploaded.id}`)).body.code).toBe(40401);
    // forgotten, so it can be registered again
    expect((await s.call("POST", "/api/v1/material", { path })).body.code).toBe(0);
  });

  test("Swagger documents both bodies of POST and every route", async () => {
    const spec = (await s.call("GET", "/swagger/json")).body as any;
    const post = spec.paths["/api/v1/material"].post;
    expect(Object.keys(post.requestBody.content).sort()).toEqual(["application/json", "multipart/form-data"]);
    expect(post.requestBody.content["application/json"].example).toEqual({
      path: "C:/Videos/video1.mp4",
      tags: ["demo", "cats"],
    });
    expect(Object.keys(post.responses).sort()).toEqual([
      "200",
      "400",
      "401",
      "403",
      "409",
      "413",
      "429",
      "500",
    ]);
    const errorExample = (status: string, code: number) =>
      post.responses[status].content["application/json"].examples[String(code)].value.message;
    expect(errorExample("413", 41301)).toContain("--material-max-size");
    expect(errorExample("409", 40901)).toContain("is already material");
    for (const [path, method] of [
      ["/api/v1/material", "get"],
      ["/api/v1/material/{id}", "get"],
      ["/api/v1/material/{id}", "delete"],
    ] as const) {
      const op = spec.paths[path][method];
      expect(op.summary).toBeTruthy();
      expect(op.responses["200"].content["application/json"].example.code).toBe(0);
    }
  });
});

describe("GET /material/{id}/file", () => {
  const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
  const file = (id: number, headers: Record<string, string> = {}) =>
    s.app.handle(new Request(`http://localhost/api/v1/material/${id}/file`, { headers }));

  test("an upload's sha256 is its bytes'; its file streams with type, length, ETag and X-Content-SHA256", async () => {
    const bytes = new Uint8Array(Buffer.concat([HEADS.mp4, Buffer.alloc(40_000, 4)]));
    const up = (await upload(fileForm("clip.mp4", bytes))).body.data;
    expect(up.sha256).toBe(sha256(bytes));
    expect(up.node).toBe(s.config.node);
    const res = await file(up.id);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("video/mp4");
    expect(res.headers.get("content-length")).toBe(String(bytes.length));
    expect(res.headers.get("x-content-sha256")).toBe(sha256(bytes));
    expect(res.headers.get("etag")).toBe(`"${sha256(bytes)}"`);
    expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(sha256(bytes));
    // a client that has it already gets no bytes
    const again = await file(up.id, { "if-none-match": `"${sha256(bytes)}"` });
    expect([again.status, (await again.arrayBuffer()).byteLength]).toEqual([304, 0]);
  });

  test("a registered file is hashed when first asked for, and again once it changed", async () => {
    const path = writeMedia(join(files, "hashed-later.jpg"), "jpg", 3000);
    const reg = (await s.call("POST", "/api/v1/material", { path })).body.data;
    expect([reg.sha256, reg.node]).toEqual([null, s.config.node]);
    const first = await file(reg.id);
    expect(first.headers.get("content-type")).toBe("image/jpeg");
    expect(first.headers.get("x-content-sha256")).toBe(sha256(readFileSync(path)));
    await first.arrayBuffer();
    expect((await s.call("GET", `/api/v1/material/${reg.id}`)).body.data.sha256).toBe(
      sha256(readFileSync(path)),
    );
    writeMedia(path, "jpg", 5000);
    const changed = await file(reg.id);
    expect(changed.headers.get("x-content-sha256")).toBe(sha256(readFileSync(path)));
    expect((await changed.arrayBuffer()).byteLength).toBe(5000);
  });

  test("no such material, or its file gone → 40401 naming it", async () => {
    const missing = await file(999_999);
    expect([missing.status, ((await missing.json()) as { code: number }).code]).toEqual([404, 40401]);
    const path = writeMedia(join(files, "gone-soon.png"), "png");
    const reg = (await s.call("POST", "/api/v1/material", { path })).body.data;
    rmSync(path);
    const gone = (await (await file(reg.id)).json()) as { code: number; message: string };
    expect(gone.code).toBe(40401);
    expect(gone.message).toContain(`"${path}" is no longer there`);
  });

  test("Swagger: 200 is the file (binary, with its hash headers), 404 and 503 (50302) are envelopes", async () => {
    const spec = (await s.call("GET", "/swagger/json")).body as any;
    const op = spec.paths["/api/v1/material/{id}/file"].get;
    expect(op.responses["200"].content["video/mp4"].schema).toEqual({ type: "string", format: "binary" });
    expect(Object.keys(op.responses["200"].headers)).toEqual(["X-Content-SHA256", "ETag"]);
    expect(Object.keys(op.responses["404"].content["application/json"].examples)).toEqual(["40401"]);
    expect(Object.keys(op.responses["503"].content["application/json"].examples)).toContain("50302");
    expect(spec.paths["/api/v1/material/paths-check"].post.summary).toMatch(/^Node to node/);
  });
});

describe("POST /task with materials that cannot be found → 40001, nothing queued", () => {
  const taskTotal = async () => (await s.call("GET", "/api/v1/task/stats")).body.data;
  const postTask = (script_config: Record<string, unknown>) =>
    s.call("POST", "/api/v1/task", { serials: ["PHONE1"], script_name: "post", script_config });

  test("library, folder and list sources each name what is missing", async () => {
    const before = await taskTotal();
    const cases: [Record<string, unknown>, string][] = [
      [{ materials_tags: "nothing-here" }, 'the material library has no video tagged "nothing-here"'],
      [{ content_type: 1, image_count: 5 }, "the material library has only"],
      [{ material_source: "localFolder", material_path: join(s.dir, "empty") }, "is not a folder on this PC"],
      [
        { material_list: ["C:\\Videos\\video1.mp4"] },
        '"C:\\Videos\\video1.mp4" not found: it is a Windows path',
      ],
      [
        { content_type: 1, image_count: 2, material_list: [writeMedia(join(files, "only.png"), "png")] },
        "is 2, but material_list has 1 image",
      ],
    ];
    mkdirSync(join(s.dir, "empty-folder"));
    cases.push([
      { material_source: "localFolder", material_path: join(s.dir, "empty-folder") },
      "(and its @username folders) has no mp4/mov video",
    ]);
    for (const [config, message] of cases) {
      const r = await postTask(config);
      expect(r.body.code).toBe(40001);
      expect(r.body.message).toContain(message);
      expect(r.body.data.errors[0].message).toContain(message);
    }
    expect(await taskTotal()).toEqual(before);
  });

  test("materials that exist are accepted", async () => {
    writeMedia(join(s.dir, "empty-folder", "a.mp4"), "mp4");
    expect(
      (await postTask({ material_source: "localFolder", material_path: join(s.dir, "empty-folder") })).body
        .code,
    ).toBe(0);
    expect((await postTask({ materials_tags: "cats" })).body.code).toBe(0);
    expect((await postTask({ materials_tags: "demo, cats", content_type: 1 })).body.code).toBe(0);
  });
});
