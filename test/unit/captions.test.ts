import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { captionLines, finishCaption, readTextFile, spin } from "../../src/materials/captions.ts";
import { Materials } from "../../src/materials/index.ts";
import { closeDb, openDb } from "../../src/store/db.ts";

/** A random source that returns these values in turn. */
const draws = (...values: number[]) => {
  let i = 0;
  const random = () => {
    const v = values[i++];
    if (v === undefined) throw new Error(`only ${values.length} draws expected`);
    return v;
  };
  return Object.assign(random, { used: () => i });
};

const dir = mkdtempSync(join(tmpdir(), "farm-captions-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("spintax", () => {
  test("{a|b|c} picks by the random draw", () => {
    expect(spin("I {love|like|enjoy} it", draws(0))).toBe("I love it");
    expect(spin("I {love|like|enjoy} it", draws(0.5))).toBe("I like it");
    expect(spin("I {love|like|enjoy} it", draws(0.99))).toBe("I enjoy it");
  });

  test("nested groups draw only for the branch taken", () => {
    const text = "{Hi|{Hello|Hey} {there|friend}}!";
    const deep = draws(0.9, 0.7, 0.2);
    expect(spin(text, deep)).toBe("Hey there!");
    expect(deep.used()).toBe(3);
    const shallow = draws(0.1);
    expect(spin(text, shallow)).toBe("Hi!");
    expect(shallow.used()).toBe(1);
  });

  test("several groups, empty options, and text without groups", () => {
    expect(spin("{a|b} and {c|d}", draws(0.7, 0.1))).toBe("b and c");
    expect(spin("x{|!}", draws(0.6))).toBe("x!");
    expect(spin("no groups here 🎉", draws())).toBe("no groups here 🎉");
  });

  test("braces that are not groups stay as typed", () => {
    expect(spin("{just one}", draws())).toBe("{just one}");
    expect(spin("open {a|b", draws())).toBe("open {a|b");
    expect(spin("a } b", draws())).toBe("a } b");
    expect(spin("{}", draws())).toBe("{}");
  });

  test("emoji and any script are kept exactly", () => {
    const text = "{🔥 Nuevo vídeo|新しい動画 🎬|Новое видео 👩‍👩‍👧} #fyp";
    expect(spin(text, draws(0.99))).toBe("Новое видео 👩‍👩‍👧 #fyp");
    expect(spin(text, draws(0.4))).toBe("新しい動画 🎬 #fyp");
  });
});

describe("finishing a caption", () => {
  test("### is a line break", () => {
    expect(finishCaption("line one###line two", "instagram", draws()).text).toBe("line one\nline two");
  });

  test("## splits title from description on TikTok; on Instagram it is a line break", () => {
    expect(finishCaption("My title ## the {long|longer} story #fyp", "tiktok", draws(0))).toEqual({
      text: "My title\nthe long story #fyp",
      title: "My title",
      description: "the long story #fyp",
    });
    expect(finishCaption("My title##story", "instagram", draws())).toEqual({
      text: "My title\nstory",
      title: null,
      description: "My title\nstory",
    });
    expect(finishCaption("no title", "tiktok", draws())).toEqual({
      text: "no title",
      title: null,
      description: "no title",
    });
  });

  test("### and ## together: the line break first, then the split", () => {
    expect(finishCaption("Title##first###second", "tiktok", draws())).toEqual({
      text: "Title\nfirst\nsecond",
      title: "Title",
      description: "first\nsecond",
    });
  });
});

describe("caption lines and caption.txt", () => {
  test("CRLF, CR and LF end lines; empty lines are skipped", () => {
    expect(captionLines("one\r\ntwo\n\nthree\rfour\r\n")).toEqual(["one", "two", "three", "four"]);
  });

  test("a caption.txt with a UTF-8 BOM and CRLF reads the same as a plain LF one", () => {
    const windows = join(dir, "windows.txt");
    const unix = join(dir, "unix.txt");
    writeFileSync(
      windows,
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("Día 1 🌞\r\nDay 2\r\n")]),
    );
    writeFileSync(unix, "Día 1 🌞\nDay 2\n");
    expect(captionLines(readTextFile(windows))).toEqual(captionLines(readTextFile(unix)));
    expect(captionLines(readTextFile(windows))).toEqual(["Día 1 🌞", "Day 2"]);
  });
});

describe("rotation", () => {
  test("one caption per line, in turn, continuing across restarts", async () => {
    const file = join(dir, "farm.db");
    let db = openDb(file);
    const open = () => new Materials(db, { uploadDir: dir, maxUploadBytes: 1024, random: () => 0 });
    const captions = "first {a|b}\r\nsecond\nthird";
    let m = open();
    const seen = [
      (await m.nextCaption(captions, "tiktok")).text,
      (await m.nextCaption(captions, "tiktok")).text,
    ];
    // another set rotates on its own
    expect((await m.nextCaption("other one\nother two", "tiktok")).text).toBe("other one");
    closeDb(db);
    db = openDb(file);
    m = open();
    for (let i = 0; i < 3; i++) seen.push((await m.nextCaption(captions, "tiktok")).text);
    expect(seen).toEqual(["first a", "second", "third", "first a", "second"]);
    // the same lines with Windows line endings are the same set
    expect((await m.nextCaption("first {a|b}\nsecond\nthird\n", "tiktok")).text).toBe("third");
    expect(await m.nextCaption("", "tiktok")).toEqual({ text: "", title: null, description: "" });
    closeDb(db);
  });
});
