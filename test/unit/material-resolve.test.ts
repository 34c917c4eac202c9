// Which files and caption a post gets, from each source, on a real database and real files.
import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  FetchFailed,
  type MaterialConfig,
  MaterialError,
  Materials,
  type MaterialTask,
} from "../../src/materials/index.ts";
import { checkMediaFile, sniff } from "../../src/materials/media.ts";
import { closeDb, type Db, openDb } from "../../src/store/db.ts";
import { MaterialStore } from "../../src/store/materials.ts";
import { HEADS, writeMedia } from "../helpers/media.ts";

const root = mkdtempSync(join(tmpdir(), "farm-materials-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let db: Db;
let m: Materials;
let dir: string;
let n = 0;
beforeEach(() => {
  dir = join(root, `case${++n}`);
  mkdirSync(dir);
  if (db) closeDb(db);
  db = openDb(join(dir, "farm.db"));
  m = new Materials(db, { uploadDir: join(dir, "uploads"), maxUploadBytes: 1 << 20, random: () => 0 });
});

const config = (over: Record<string, unknown>) =>
  ({
    content_type: 0,
    image_count: 1,
    captions: "",
    material_source: "materialLibrary",
    material_path: "",
    material_list: [],
    materials_tags: "",
    include_possibly_posted: false,
    ...over,
  }) as MaterialConfig;

let taskId = 0;
const task = (username: string | null, over: Record<string, unknown>): MaterialTask => ({
  id: ++taskId,
  serial: "PHONE1",
  username,
  platform: "tiktok",
  config: config(over),
});

/** Posts once: the files picked, marked posted. */
async function post(t: MaterialTask) {
  const got = await await m.forTask(t);
  await await m.markPosted(t, got.files);
  return got;
}

const names = (files: { path: string }[]) => files.map((f) => f.path.slice(dir.length + 1));

describe("file types by their bytes", () => {
  test("every format is recognised; the extension and the bytes must agree", () => {
    expect(sniff(HEADS.mp4)).toBe("isobmff");
    expect(sniff(HEADS.mov)).toBe("isobmff");
    expect(sniff(HEADS.jpg)).toBe("jpeg");
    expect(sniff(HEADS.png)).toBe("png");
    expect(sniff(HEADS.webp)).toBe("webp");
    expect(sniff(Buffer.from("hello, world!!!!"))).toBeNull();
    for (const [name, format] of [
      ["a.mp4", "mp4"],
      ["b.MOV", "mov"],
      ["c.jpeg", "jpg"],
      ["d.webp", "webp"],
    ] as const) {
      expect(checkMediaFile(writeMedia(join(dir, name), format)).ok).toBe(true);
    }
    writeMedia(join(dir, "photo.jpg"), "png");
    expect(checkMediaFile(join(dir, "photo.jpg"))).toEqual({
      ok: false,
      reason: `"${join(dir, "photo.jpg")}" is not a JPG file: it is a PNG image`,
    });
    writeFileSync(join(dir, "fake.mp4"), "just text, renamed");
    expect(checkMediaFile(join(dir, "fake.mp4"), "video")).toEqual({
      ok: false,
      reason: `"${join(dir, "fake.mp4")}" is not a MP4 file: its content is not a video or image we know`,
    });
    expect(checkMediaFile(join(dir, "a.mp4"), "image")).toMatchObject({ ok: false });
  });
});

describe("localFolder", () => {
  test("each account posts each file once, in name order, from its @username folder if it has one", async () => {
    writeMedia(join(dir, "clip10.mp4"), "mp4");
    writeMedia(join(dir, "clip2.mp4"), "mp4");
    writeMedia(join(dir, "notes.png"), "png");
    mkdirSync(join(dir, "@alice"));
    writeMedia(join(dir, "@alice", "mine.mov"), "mov");
    const folder = { material_source: "localFolder", material_path: dir };

    expect(names((await post(task("@bob", folder))).files)).toEqual(["clip2.mp4"]);
    expect(names((await post(task("@bob", folder))).files)).toEqual(["clip10.mp4"]);
    await expect(m.forTask(task("@bob", folder))).rejects.toThrow(
      new MaterialError(`no video in "${dir}" that @bob has not posted yet`),
    );
    // another account starts from the beginning; a phone without an account counts as its own poster
    expect(names((await post(task("carol", folder))).files)).toEqual(["clip2.mp4"]);
    expect(names((await post(task(null, folder))).files)).toEqual(["clip2.mp4"]);
    expect(names((await post(task("@alice", folder))).files)).toEqual(["@alice/mine.mov"]);
    // usernames are case-insensitive: so is the account's folder, and what it has posted
    await expect(m.forTask(task("@ALICE", folder))).rejects.toThrow(
      /no video in ".*@alice" that @ALICE has not/,
    );
    expect(
      (await m.usesOf([join(dir, "clip2.mp4")])).get(join(dir, "clip2.mp4"))?.map((u) => u.username),
    ).toEqual(["bob", "carol", null]);
  });

  test("images: image_count of them, in name order; caption.txt (BOM, CRLF) rotates", async () => {
    for (const name of ["img10.jpg", "img2.png", "img1.webp"])
      writeMedia(join(dir, name), name.endsWith("jpg") ? "jpg" : name.endsWith("png") ? "png" : "webp");
    writeFileSync(
      join(dir, "caption.txt"),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("Uno ☀️\r\nDos##{a|b}\r\n")]),
    );
    const folder = { content_type: 1, image_count: 2, material_source: "localFolder", material_path: dir };
    const first = await post(task("@bob", folder));
    expect(first.kind).toBe("image");
    expect(names(first.files)).toEqual(["img1.webp", "img2.png"]);
    expect(first.caption).toEqual({ text: "Uno ☀️", title: null, description: "Uno ☀️" });
    await expect(m.forTask(task("@bob", folder))).rejects.toThrow(
      `only 1 image in "${dir}" that @bob has not posted yet (image_count is 2)`,
    );
    // captions given in the config win over caption.txt
    expect((await m.forTask(task("@eve", folder))).caption).toEqual({
      text: "Dos\na",
      title: "Dos",
      description: "a",
    });
    expect((await m.forTask(task("@eve", { ...folder, captions: "given" }))).caption.text).toBe("given");
  });

  test("at creation: a missing, empty or too small folder is named", async () => {
    // the creation-time checks as post runs them (folders need no library): the config, then on the phone's PC
    const check = async (over: Record<string, unknown>) => {
      const issues = await m.check(config(over));
      if (issues.length > 0) return issues;
      const phone = { serial: "PHONE1", username: null, tasks: 1, queued: [] };
      return (await m.checkUnposted(config(over), [phone])).issues;
    };
    expect(await check({ material_source: "localFolder" })).toEqual([
      { path: "/script_config/material_path", message: "required for localFolder" },
    ]);
    expect(
      (await check({ material_source: "localFolder", material_path: join(dir, "nope") }))[0]?.message,
    ).toBe(`"${join(dir, "nope")}" is not a folder on this PC`);
    writeFileSync(join(dir, "readme.mp4"), "text, not a video");
    expect((await check({ material_source: "localFolder", material_path: dir }))[0]?.message).toBe(
      `"${dir}" (and its @username folders) has no mp4/mov video`,
    );
    mkdirSync(join(dir, "@zoe"));
    writeMedia(join(dir, "@zoe", "z.mp4"), "mp4");
    expect(await check({ material_source: "localFolder", material_path: dir })).toEqual([]);
    expect(
      (
        await check({ content_type: 1, image_count: 3, material_source: "localFolder", material_path: dir })
      )[0]?.message,
    ).toBe(`"${dir}" (and its @username folders) has no 3 jpg/jpeg/png/webp images`);
  });
});

describe("material_list", () => {
  test("the files named, unposted ones first; all posted → posted again (the user named them)", async () => {
    const a = writeMedia(join(dir, "a.mp4"), "mp4");
    const b = writeMedia(join(dir, "b.mp4"), "mp4");
    const list = { material_list: [a, b] };
    expect(names((await post(task("@bob", list))).files)).toEqual(["a.mp4"]);
    expect(names((await post(task("@bob", list))).files)).toEqual(["b.mp4"]);
    expect(names((await post(task("@bob", list))).files)).toEqual(["a.mp4"]);
    rmSync(a);
    await expect(m.forTask(task("@bob", list))).rejects.toThrow(
      `material missing: "${a}" does not exist on this PC`,
    );
  });
});

describe("materialLibrary", () => {
  test("unposted files with any of the tags, in name order; each account on its own", async () => {
    const reg = (name: string, tags: string[], format: "mp4" | "png" = "mp4") =>
      m.register(writeMedia(join(dir, name), format), tags);
    await reg("v3.mp4", ["cats"]);
    await reg("v1.mp4", ["Dogs", "cats"]);
    await reg("v2.mp4", ["birds"]);
    await reg("p1.png", ["cats"], "png");
    const lib = { materials_tags: " cats , dogs" };
    expect(names((await post(task("@bob", lib))).files)).toEqual(["v1.mp4"]);
    expect(names((await post(task("@bob", lib))).files)).toEqual(["v3.mp4"]);
    await expect(m.forTask(task("@bob", lib))).rejects.toThrow(
      'no video in the material library tagged "cats" or "dogs" that @bob has not posted yet',
    );
    expect(names((await post(task("@amy", lib))).files)).toEqual(["v1.mp4"]);
    expect(names((await post(task("@amy", {}))).files)).toEqual(["v2.mp4"]);
    expect(await m.checkLibrary(config({ materials_tags: "fish" }) as never)).toEqual([
      {
        path: "/script_config/materials_tags",
        message: 'the material library has no video tagged "fish": add some with POST /api/v1/material',
      },
    ]);
    expect(
      await m.checkLibrary(config({ content_type: 1, image_count: 2, materials_tags: "cats" }) as never),
    ).toEqual([
      {
        path: "/script_config/materials_tags",
        message:
          'the material library has only 1 image tagged "cats" (image_count is 2): add some with POST /api/v1/material',
      },
    ]);
    // a registered file the user has since deleted is not counted
    rmSync(join(dir, "v2.mp4"));
    expect((await m.checkLibrary(config({ materials_tags: "birds" }) as never))[0]?.message).toMatch(
      /has no video tagged "birds"/,
    );
  });
});

describe("a library file another node has", () => {
  test("counted at creation as its row says, fetched from that node when posted, pushed from the cache", async () => {
    const bytes = Buffer.concat([HEADS.mp4, Buffer.alloc(9000, 5)]);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    // a row pc-x added: its path is on pc-x's disk, not on this PC's
    const theirs = await new MaterialStore(db).create({
      path: "/data-of-pc-x/materials/abc-far.mp4",
      name: "far.mp4",
      kind: "video",
      format: "mp4",
      size: bytes.length,
      tags: '["far"]',
      uploaded: 1,
      node: "pc-x",
      sha256,
    });
    const asked: string[] = [];
    let answer = () => new Response(bytes, { headers: { "x-content-sha256": sha256 } });
    const here = new Materials(db, {
      uploadDir: join(dir, "uploads"),
      maxUploadBytes: 1 << 20,
      node: "pc-here",
      cacheDir: join(dir, "cache"),
      farm: {
        peers: () => ({
          fetch: async (node, path) => {
            asked.push(`${node} ${path}`);
            return answer();
          },
        }),
        holderOf: async () => null,
      },
    });
    expect(await here.check(config({ materials_tags: "far" }))).toEqual([]);
    const got = await here.forTask(task("@bob", { materials_tags: "far" }));
    expect(got.files.map((f) => f.path)).toEqual([theirs.path]);
    expect(got.local).toEqual([join(dir, "cache", `${sha256}.mp4`)]);
    expect(readFileSync(got.local[0] as string).equals(bytes)).toBe(true);
    expect(asked).toEqual([`pc-x /api/v1/material/${theirs.id}/file`]);
    // the next post of it takes the copy; a node that answers with an error fails the task, naming itself
    expect((await here.forTask(task("@amy", { materials_tags: "far" }))).local).toEqual(got.local);
    expect(asked).toHaveLength(1);
    rmSync(join(dir, "cache"), { recursive: true });
    answer = () => Response.json({ code: 40401, message: "material 9 not found" }, { status: 404 });
    await expect(here.forTask(task("@eve", { materials_tags: "far" }))).rejects.toThrow(
      new FetchFailed(
        `material ${theirs.id} ("far.mp4") is on node pc-x and could not be fetched from it: ` +
          "it answered HTTP 404: material 9 not found",
      ),
    );
    // a lone PC (no farm) takes every row as its own: the file is not on its disk, so not counted
    expect(await m.check(config({ materials_tags: "far" }))).toHaveLength(1);
  });
});

describe("what the post script calls while it runs", () => {
  test("forTask / markPosted: the files and caption of a run, then not again for that account", async () => {
    const t = task("@dan", { material_source: "localFolder", material_path: dir, captions: "{A|B}##x" });
    writeMedia(join(dir, "one.mp4"), "mp4");
    const got = await m.forTask(t);
    expect(names(got.files)).toEqual(["one.mp4"]);
    expect(got.caption).toEqual({ text: "A\nx", title: "A", description: "x" });
    await m.markPosted(t, got.files);
    await expect(m.forTask(t)).rejects.toThrow(MaterialError);
  });
  test("possibly posted (Post tapped, not seen): skipped and said so, until confirmed or dropped, per file", async () => {
    const folder = { material_source: "localFolder", material_path: dir };
    for (const name of ["a.mp4", "b.mp4"]) writeMedia(join(dir, name), "mp4");
    const first = task("@eve", folder);
    const a = (await m.forTask(first)).files;
    expect(names(a)).toEqual(["a.mp4"]);
    await m.markPossiblyPosted(first, a);
    // a retry of the same task (same id) takes the next file; its earlier file stays possibly posted
    const again = { ...first, config: config(folder) };
    const b = (await m.forTask(again)).files;
    expect(names(b)).toEqual(["b.mp4"]);
    await m.markPossiblyPosted(again, b);
    await m.confirmPosted(again.id, b);
    const uses = await m.usesOf([a[0]?.path ?? "", b[0]?.path ?? ""]);
    expect([...uses.values()].flat().map((u) => [names([u]), u.confirmed])).toEqual([
      [["a.mp4"], false],
      [["b.mp4"], true],
    ]);
    await expect(m.forTask(task("@eve", folder))).rejects.toThrow(
      "that @eve has not posted yet (1 possibly posted: not seen on the account, include_possibly_posted picks them)",
    );
    expect(
      names((await m.forTask(task("@eve", { ...folder, include_possibly_posted: true }))).files),
    ).toEqual(["a.mp4"]);
    // the app said the upload failed: the file is free again
    await m.dropPossiblyPosted(first.id, a);
    expect(names((await m.forTask(task("@eve", folder))).files)).toEqual(["a.mp4"]);
  });
});
