/**
 * The comment script end to end against virtual phones (real ADB over TCP, the simulated TikTok and
 * Instagram): the comment as it arrives in the app, the order across runs (a real SQLite store), TikTok's
 * image comment (bytes on the phone, removed afterwards), the failures before and after send; and the
 * config's checks at creation.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { VirtualPhone } from "@farm/virtual-phone";
import type { Phone } from "../../src/devices/index.ts";
import { findImage, Materials } from "../../src/materials/index.ts";
import { commentFlow } from "../../src/scripts/comment/flow.ts";
import { chooseComment, comment } from "../../src/scripts/comment/index.ts";
import type { ScriptError } from "../../src/scripts/errors.ts";
import { EMOJI } from "../../src/scripts/screen/typing.ts";
import { closeDb, openDb } from "../../src/store/db.ts";
import { advanceUntil, flowContext, flowScripts, startFlowPhone, stopFlowPhones } from "../helpers/flow.ts";
import { writeMedia } from "../helpers/media.ts";

const VIDEO = "https://www.tiktok.com/@chef.marco/video/7301234567890123999";
const POST = "https://www.instagram.com/p/C9xYz12AbCd/";

let work: string;
let dataDir: string;
let image: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "farm-comment-flow-"));
  dataDir = join(work, "data");
  mkdirSync(join(dataDir, "upload"), { recursive: true });
  // a real PNG head, larger than one push chunk
  image = writeMedia(join(dataDir, "upload", "reaction.png"), "png", 200_000);
});

afterEach(stopFlowPhones);

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The config as the service resolves it at creation (its data folder: `dataDir`). */
const resolveConfig = (raw: Record<string, unknown>) => flowScripts({ dataDir }).resolve(comment, raw);

/** The stored config of one task, as the service makes it (defaults, checks, one task per URL). */
async function configOf(raw: Record<string, unknown>): Promise<Record<string, unknown>> {
  const resolved = await resolveConfig(raw);
  if (!resolved.ok) throw new Error(`refused: ${JSON.stringify(resolved.errors)}`);
  expect(resolved.configs).toHaveLength(1);
  return resolved.configs[0] as Record<string, unknown>;
}

/** Runs the script like the runner (its cleanup is left to the caller, so the phone can be looked at first). */
async function runComment(
  phone: Phone,
  platform: "tiktok" | "instagram",
  raw: Record<string, unknown>,
  options: { id?: number; controller?: AbortController; materials?: Materials } = {},
) {
  const run = flowContext(phone, platform, { config: await configOf(raw), dataDir, ...options });
  const done = comment.run(run.ctx as never).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { ...run, done };
}

/** The comment the run chose, from its log line. */
function chosen(logs: string[]): string {
  const line = logs.find((l) => l.startsWith('comment: "'));
  expect(line).toBeDefined();
  return /^comment: "(.*)"(?: with the image .*)? on /s.exec(line ?? "")?.[1] ?? "";
}

/** The comments the app recorded, as the account in use (checked, then left out). */
const comments = (sim: VirtualPhone, platform: "tiktok" | "instagram") =>
  sim.apps[platform].actions
    .filter((a) => a.type === "comment")
    .map(({ account, ...a }) => {
      expect(account).toBe(sim.apps[platform].account ?? undefined);
      return a;
    });

/** Paths the phone received over sync (SEND, or SND2 on newer hosts). */
const pushedPaths = (sim: VirtualPhone) =>
  sim.commands
    .filter((c) => c.service === "sync")
    .map((c) => /^(?:SEND|SND2) ([^,]+)/.exec(c.command)?.[1])
    .filter((p): p is string => !!p);

const canonical = (remote: string) => remote.replace(/^\/sdcard/, "/storage/emulated/0");

describe("TikTok", () => {
  test("the comment arrives exactly, emoji and accents included; send tapped once", async () => {
    const { sim, phone } = await startFlowPhone(work);
    const run = await runComment(phone, "tiktok", {
      target_post_url: VIDEO,
      comment_content: "Pasta goals «ça va» 🍝",
      insert_emoji: true,
    });
    expect(await run.done).toBeUndefined();
    await run.cleanup();
    const text = chosen(run.logs);
    expect(text.startsWith("Pasta goals «ça va» 🍝 ")).toBe(true);
    expect(EMOJI).toContain(text.slice("Pasta goals «ça va» 🍝 ".length));
    expect(comments(sim, "tiktok")).toEqual([
      { type: "comment", target: "@chef.marco/video/7301234567890123999", text, at: expect.any(Number) },
    ]);
    expect(sim.apps.tiktok.commentsByVideo.get("@chef.marco/video/7301234567890123999")).toEqual([text]);
    expect(run.logs).toContain("irreversible: the comment was sent");
    expect(run.logs).toContain(`commented: "${text}"`);
    expect(run.steps.map((s) => s.name)).toEqual([
      "choose the comment",
      "check the app",
      "check the keyboard",
      "open the post",
      "open the comments",
      "type the comment",
      "send the comment",
      "check the comment shows",
    ]);
    // nothing was pushed for a comment without an image
    expect(pushedPaths(sim)).toEqual([]);
  });

  test("an image comment: the image's bytes reach the phone, the comment carries it, the file is gone after", async () => {
    const { sim, phone } = await startFlowPhone(work, { popups: false });
    // another photo already in the gallery: the picker must take ours, the newest
    await phone.push(writeMedia(join(work, "older.jpg"), "jpg"), "/sdcard/DCIM/Camera/older.jpg");
    await phone.mediaScan("/sdcard/DCIM/Camera/older.jpg");
    // relative to the data folder's upload/, as the docs allow
    const run = await runComment(phone, "tiktok", {
      target_post_urls: [VIDEO],
      comment_content: "Look at this",
      comment_image_path: "reaction.png",
    });
    expect(await run.done).toBeUndefined();
    const pushed = pushedPaths(sim);
    expect(pushed).toHaveLength(2);
    const remote = pushed[1] ?? "";
    expect(remote).toMatch(/^\/sdcard\/DCIM\/Camera\/farm_7_\w+_1\.png$/);
    expect(readFileSync(join(sim.root, remote))).toEqual(readFileSync(image));
    expect(comments(sim, "tiktok")).toEqual([
      {
        type: "comment",
        target: "@chef.marco/video/7301234567890123999",
        text: "Look at this",
        image: canonical(remote),
        at: expect.any(Number),
      },
    ]);
    expect(run.steps.map((s) => s.name)).toContain("attach the image");
    await run.cleanup();
    expect(existsSync(join(sim.root, remote))).toBe(false);
    expect(await phone.mediaContentUri(remote)).toBeNull();
  });

  test("a stored config whose image path leaves upload/ fails at run time, permanently, before anything is pushed", async () => {
    const { sim, phone } = await startFlowPhone(work, { popups: false });
    mkdirSync(join(dataDir, "materials"), { recursive: true });
    writeMedia(join(dataDir, "materials", "x.png"), "png");
    // as a task created before the check would have stored it
    const config = {
      ...(await configOf({ target_post_urls: [VIDEO], comment_content: "hi" })),
      comment_image_path: "../materials/x.png",
    };
    const run = flowContext(phone, "tiktok", { config, dataDir });
    const error = (await (comment.run as NonNullable<typeof comment.run>)(run.ctx as never).catch(
      (e) => e,
    )) as ScriptError;
    expect(error.errorClass).toBe("permanent");
    expect(error.message).toStartWith(
      'comment image: "../materials/x.png" leaves the folder it is relative to',
    );
    expect(pushedPaths(sim)).toEqual([]);
    expect(comments(sim, "tiktok")).toEqual([]);
  });

  test("a link the app does not open: screen never came, retryable, nothing sent (the feed is not commented on)", async () => {
    const { sim, phone } = await startFlowPhone(work, { popups: false });
    // TikTok photo links pass the creation check; this simulated app leaves them on the feed
    const run = flowContext(phone, "tiktok", { dataDir });
    const error = await commentFlow(run.ctx, {
      url: "https://www.tiktok.com/@chef.marco/photo/7301234567890123999",
      text: "never sent",
      screenTimeoutMs: 2000,
    }).catch((e: unknown) => e);
    await run.cleanup();
    expect((error as ScriptError).errorClass).toBe("retryable");
    expect((error as Error).message).toBe("screen never came: the post's page did not appear within 2 s");
    expect(comments(sim, "tiktok")).toEqual([]);
    expect(run.logs).not.toContain("irreversible: the comment was sent");
  });

  test("sent but never listed: permanent (a duplicate is worse), sent exactly once", async () => {
    const { sim, phone } = await startFlowPhone(work, { popups: false });
    sim.apps.tiktok.hideComments = true;
    const run = flowContext(phone, "tiktok", { dataDir });
    const error = await commentFlow(run.ctx, {
      url: VIDEO,
      text: "hidden as spam",
      screenTimeoutMs: 2000,
    }).catch((e: unknown) => e);
    await run.cleanup();
    expect((error as ScriptError).errorClass).toBe("permanent");
    expect((error as Error).message).toBe(
      "the comment was sent but the comment in the list did not appear within 2 s; not retried (a duplicate comment is worse than a failure)",
    );
    expect(comments(sim, "tiktok").map((a) => a.text)).toEqual(["hidden as spam"]);
    expect(run.logs).toContain("irreversible: the comment was sent");
  });

  test("stopped mid-flow: the abort wins, nothing is sent, the pushed image is removed", async () => {
    const { sim, phone, clock } = await startFlowPhone(work, { popups: false });
    clock.hold();
    const controller = new AbortController();
    const run = flowContext(phone, "tiktok", { dataDir, controller });
    const flow = commentFlow(run.ctx, { url: VIDEO, text: "stop me", image }).catch((e: unknown) => e);
    // stop once the comments are open
    await advanceUntil(clock, "the comments open", () =>
      run.steps.some((s) => s.name === "open the comments"),
    );
    expect(run.steps.map((s) => s.name)).toContain("open the comments");
    controller.abort(new Error("stopped by user"));
    const error = await flow;
    await run.cleanup();
    expect((error as Error).message).toBe("stopped by user");
    expect(comments(sim, "tiktok")).toEqual([]);
    const remote = pushedPaths(sim)[0] ?? "";
    expect(remote).toMatch(/^\/sdcard\/DCIM\/Camera\/farm_7_/);
    expect(existsSync(join(sim.root, remote))).toBe(false);
  });
});

describe("Instagram", () => {
  test("/p/ and /reel/ links: each comment arrives exactly, one per task", async () => {
    const { sim, phone } = await startFlowPhone(work);
    const texts: string[] = [];
    for (const [i, url] of [POST, "https://www.instagram.com/reel/DA1b2C3d4E5/"].entries()) {
      const run = await runComment(
        phone,
        "instagram",
        { target_post_urls: [url], comment_content: "Beautiful photo! 📸\nWow ✨", insert_emoji: i === 1 },
        { id: 20 + i },
      );
      expect(await run.done).toBeUndefined();
      await run.cleanup();
      texts.push(chosen(run.logs));
    }
    expect(texts[0]).toMatch(/^(Beautiful photo! 📸|Wow ✨)$/);
    expect(texts[1]).toMatch(/^(Beautiful photo! 📸|Wow ✨) \S+$/);
    expect(comments(sim, "instagram").map((a) => [a.target, a.text])).toEqual([
      ["p/C9xYz12AbCd", texts[0]],
      ["reel/DA1b2C3d4E5", texts[1]],
    ]);
    expect(sim.apps.instagram.commentsByPost.get("p/C9xYz12AbCd")).toEqual([texts[0] as string]);
  });
});

describe("the link decides the app", () => {
  test("the docs' Instagram example in device mode (no platform: TikTok) comments in Instagram", async () => {
    const { sim, phone } = await startFlowPhone(work, { popups: false });
    const run = await runComment(phone, "tiktok", {
      target_post_url: "https://www.instagram.com/p/ABC123/",
      comment_content: "Beautiful photo! 📸",
      insert_emoji: true,
    });
    expect(await run.done).toBeUndefined();
    await run.cleanup();
    expect(comments(sim, "instagram").map((a) => [a.target, a.text])).toEqual([
      ["p/ABC123", chosen(run.logs)],
    ]);
    expect(comments(sim, "tiktok")).toEqual([]);
    expect(run.logs.some((l) => l.startsWith("com.instagram.android "))).toBe(true);
  });

  test("a TikTok account's task on an Instagram link: permanent, nothing opened, nothing sent", async () => {
    const { sim, phone } = await startFlowPhone(work, { popups: false });
    const run = flowContext(phone, "tiktok", {
      config: await configOf({ target_post_url: POST, comment_content: "not as someone else" }),
      username: "@alice",
      dataDir,
    });
    const error = await (comment.run as NonNullable<typeof comment.run>)(run.ctx as never).catch(
      (e: unknown) => e,
    );
    await run.cleanup();
    expect((error as ScriptError).errorClass).toBe("permanent");
    expect((error as Error).message).toBe(
      `"${POST}" is a post in Instagram, but this task is for @alice, an account in TikTok: create it for an account in Instagram`,
    );
    expect(sim.commands.some((c) => c.command.includes("android.intent.action.VIEW"))).toBe(false);
    expect(comments(sim, "instagram")).toEqual([]);
  });
});

describe("sequential order", () => {
  test("continues across two runs and a restart of the store (a real SQLite database)", async () => {
    const { sim, phone } = await startFlowPhone(work, { popups: false });
    const file = join(work, "rotation.db");
    const raw = (n: number) => ({
      target_post_url: `https://www.tiktok.com/@chef.marco/video/73012345678901230${n}`,
      comment_content: "First!\r\nSecond {one|one}\nThird",
      comment_order: "sequential",
    });
    const texts: string[] = [];
    for (const n of [1, 2, 3]) {
      // each run with its own service: the rotation lives in the database, not in memory
      const db = openDb(file);
      const library = new Materials(db, { uploadDir: join(work, "uploads"), maxUploadBytes: 1024 });
      try {
        const run = await runComment(phone, "tiktok", raw(n), { id: n, materials: library });
        expect(await run.done).toBeUndefined();
        await run.cleanup();
        texts.push(chosen(run.logs));
      } finally {
        closeDb(db);
      }
    }
    expect(texts).toEqual(["First!", "Second one", "Third"]);
    expect(comments(sim, "tiktok").map((a) => a.text)).toEqual(texts);
  });
});

describe("which comment", () => {
  const base = {
    target_post_urls: [VIDEO],
    comment_content: "a\n\n{b|c} d\n",
    target_post_url: "",
    comment_order: "random" as const,
    insert_emoji: false,
    comment_image_path: "",
  };

  /** A rotation no task has turned yet (a fresh database). */
  const fresh = () => {
    const db = openDb(join(mkdtempSync(join(work, "rotation-")), "farm.db"));
    return new Materials(db, { uploadDir: join(work, "uploads"), maxUploadBytes: 1024 }).rotation;
  };

  test("random: the line `random` points at, its spintax spun; insert_emoji appends one emoji", async () => {
    const rotation = fresh();
    expect(await chooseComment(base, rotation, () => 0)).toBe("a");
    expect(await chooseComment(base, rotation, () => 0.99)).toBe("c d");
    expect(await chooseComment({ ...base, insert_emoji: true }, rotation, () => 0)).toBe(`a ${EMOJI[0]}`);
  });

  test("sequential, a set no task has used yet: the first line", async () => {
    expect(await chooseComment({ ...base, comment_order: "sequential" }, fresh(), () => 0.99)).toBe("a");
  });
});

describe("the config at creation", () => {
  const tiktokExample = {
    target_post_url: "https://www.tiktok.com/@username/video/1234567890",
    comment_content: "Check out this image!",
    comment_image_path: "C:/images/my_image.jpg",
  };

  test("the docs' image example resolves with the image in the data folder's upload/ (relative) or absolute", async () => {
    for (const path of ["reaction.png", image]) {
      const resolved = await resolveConfig({ ...tiktokExample, comment_image_path: path });
      expect(resolved).toEqual({
        ok: true,
        configs: [
          {
            target_post_urls: ["https://www.tiktok.com/@username/video/1234567890"],
            target_post_url: "",
            comment_content: "Check out this image!",
            comment_order: "random",
            insert_emoji: false,
            comment_image_path: path,
          },
        ],
        warnings: [],
      });
      const [config] = resolved.ok ? resolved.configs : [];
      expect(comment.checkPlatform?.(config as never, "tiktok")).toEqual([]);
    }
  });

  test.if(process.platform !== "win32")(
    "the docs' Windows path on this system: 40001 naming the path and why",
    async () => {
      expect(await resolveConfig(tiktokExample)).toEqual({
        ok: false,
        errors: [
          {
            path: "/script_config/comment_image_path",
            message:
              '"C:/images/my_image.jpg" not found: it is a Windows path and this service runs on Linux',
          },
        ],
      });
    },
  );

  test("a relative image path that leaves upload/ is refused at creation, though the file is there", async () => {
    mkdirSync(join(dataDir, "materials"), { recursive: true });
    writeMedia(join(dataDir, "materials", "x.png"), "png");
    for (const path of ["../materials/x.png", "../../data/materials/x.png", ".."]) {
      expect(await resolveConfig({ ...tiktokExample, comment_image_path: path })).toEqual({
        ok: false,
        errors: [
          {
            path: "/script_config/comment_image_path",
            message: `"${path}" leaves the folder it is relative to (${join(dataDir, "upload")}): give a path inside it, or an absolute path`,
          },
        ],
      });
    }
    // the same file by its absolute path is anyone's to name, as before
    const absolute = join(dataDir, "upload", "..", "materials", "x.png");
    expect((await resolveConfig({ ...tiktokExample, comment_image_path: absolute })).ok).toBe(true);
  });

  test("an image that is missing, not an image, or relative without the service: a detail naming the path", async () => {
    const video = writeMedia(join(work, "clip.mp4"), "mp4");
    const fake = join(work, "fake.png");
    writeMedia(fake, "jpg");
    const cases: [string, RegExp][] = [
      [join(work, "nope.jpg"), /"[^"]*nope\.jpg" does not exist on this PC/],
      [video, /"[^"]*clip\.mp4" is not a supported image \(jpg, jpeg, png, webp\)/],
      [fake, /"[^"]*fake\.png" is not a PNG file: it is a JPEG image/],
    ];
    // a service always knows its data folder; the library's lookup without one says so
    const unknown = findImage("reaction.png", null);
    expect(unknown.ok ? "" : unknown.reason).toMatch(
      /"reaction\.png" is a relative path and the service's data folder is not known/,
    );
    for (const [path, message] of cases) {
      const resolved = await resolveConfig({ ...tiktokExample, comment_image_path: path });
      expect(resolved.ok).toBe(false);
      const errors = resolved.ok ? [] : resolved.errors;
      expect(errors).toHaveLength(1);
      expect(errors[0]?.path).toBe("/script_config/comment_image_path");
      expect(errors[0]?.message).toMatch(message);
    }
  });

  test("a post is commented on in its own app; comment_image_path is TikTok only", () => {
    const config = {
      target_post_urls: [VIDEO],
      target_post_url: "",
      comment_content: "Beautiful photo!",
      comment_order: "random" as const,
      insert_emoji: false,
      comment_image_path: image,
    };
    // the link names its app when the request does not
    expect(comment.platformOf?.(config)).toBe("tiktok");
    expect(comment.platformOf?.({ ...config, target_post_urls: [POST] })).toBe("instagram");
    const otherApp = comment.checkPlatform?.(config, "instagram") ?? [];
    expect(otherApp.map((e) => e.path)).toEqual(["/script_config/target_post_urls/0"]);
    expect(otherApp[0]?.message).toMatch(/is a post in TikTok, but these tasks run in Instagram/);
    expect(comment.checkPlatform?.({ ...config, target_post_urls: [POST] }, "instagram")).toEqual([
      {
        path: "/script_config/comment_image_path",
        message: `image comments are TikTok only (Instagram comments carry no image) and "${POST}" is an Instagram post: leave comment_image_path empty`,
      },
    ]);
    expect(
      comment.checkPlatform?.({ ...config, target_post_urls: [POST], comment_image_path: "" }, "instagram"),
    ).toEqual([]);
    expect(comment.checkPlatform?.(config, "tiktok")).toEqual([]);
  });

  test("a link that opens no post in either app is refused; the docs' link forms pass", async () => {
    const refused = await resolveConfig({
      target_post_urls: [VIDEO, "https://www.instagram.com/natgeo/"],
      comment_content: "x",
    });
    expect(refused).toEqual({
      ok: false,
      errors: [
        {
          path: "/script_config/target_post_urls/1",
          message:
            '"https://www.instagram.com/natgeo/" is not a TikTok video link (https://www.tiktok.com/@user/video/ID, https://vm.tiktok.com/CODE/) or an Instagram post link (https://www.instagram.com/p/CODE/, /reel/CODE/)',
        },
      ],
    });
    const links = [
      "https://www.tiktok.com/@username/video/1234567890123456",
      "https://vm.tiktok.com/ABCDEFG/",
      "https://www.tiktok.com/@a.b/photo/123",
      "https://www.instagram.com/p/ABCDEFGHIJK/",
      "https://www.instagram.com/reel/ABCDEFGHIJK/",
    ];
    const resolved = await resolveConfig({ target_post_urls: links, comment_content: "x" });
    expect(resolved.ok && resolved.configs.map((c) => c.target_post_urls)).toEqual(links.map((l) => [l]));
  });

  test("comment_content with only empty lines is refused", async () => {
    const resolved = await resolveConfig({ target_post_url: VIDEO, comment_content: " \n\r\n " });
    expect(resolved).toEqual({
      ok: false,
      errors: [
        { path: "/script_config/comment_content", message: "give at least one comment (one per line)" },
      ],
    });
  });
});
