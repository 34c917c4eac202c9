/**
 * The post flow end to end against virtual phones (real ADB over TCP, the simulated TikTok and
 * Instagram): bytes on the phone, taps, the caption as typed, Post once, the media removed afterwards.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RENAMED_POST_VERSION, type VirtualPhone, type VirtualPhoneOptions } from "@farm/virtual-phone";
import { Value } from "@sinclair/typebox/value";
import type { Phone } from "../../src/devices/index.ts";
import { ScriptError } from "../../src/scripts/errors.ts";
import { type PostConfig, postConfig } from "../../src/scripts/post/config.ts";
import { type PostInput, type PostResult, postFlow } from "../../src/scripts/post/flow.ts";
import { Screen } from "../../src/scripts/screen/index.ts";
import { forVersion, loadSelectors } from "../../src/scripts/selectors/index.ts";
import { abortableSleep } from "../../src/tasks/clock.ts";
import {
  advanceUntil,
  FLOW_REALISM,
  type FlowPhone,
  flowContext,
  INSTAGRAM,
  startFlowPhone,
  stopFlowPhones,
  TIKTOK,
  TRILL,
} from "../helpers/flow.ts";

/** The schema's defaults (share, no sound, a reel), with a shorter wait for the upload. */
const DEFAULTS: PostConfig = { ...Value.Create(postConfig), upload_wait_time: 10 };

let work: string;
let video: string;
let images: string[];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "farm-post-flow-"));
  video = join(work, "clip.mp4");
  // distinct bytes, larger than one push chunk
  writeFileSync(video, Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 31 + 7) % 256)));
  images = ["a.jpg", "b.jpg"].map((name, n) => {
    const path = join(work, name);
    writeFileSync(path, Buffer.from(`image ${n} ${"x".repeat(1000 * (n + 1))}`));
    return path;
  });
});

afterEach(stopFlowPhones);

afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * Realistic phones (the keyboard over Post, hashtag suggestions, Google's permission dialog, failing dumps of
 * the feed…) whose screens change at once: a success text lasts 2–2.5 s, and with changes taking time on a
 * clock that moves itself it is often gone before it is seen. Until proof of post (issue 25 item 4) decides
 * an upload, these tests need it seen; flow-screens.test.ts walks the post flow with changes that take time.
 */
const startPhone = (opts: VirtualPhoneOptions = {}) =>
  startFlowPhone(work, { realistic: FLOW_REALISM && { ...FLOW_REALISM, changeMs: [0, 0] }, ...opts });

const contextFor = (
  phone: Phone,
  platform: "tiktok" | "instagram",
  controller = new AbortController(),
  dataDir?: string,
) => flowContext(phone, platform, { controller, dataDir });

const onPhone = (sim: VirtualPhone, remote: string) => join(sim.root, remote);
const canonical = (remote: string) => remote.replace(/^\/sdcard/, "/storage/emulated/0");

/** Runs the flow; checks the pushed bytes while they are there, then runs the cleanup like the runner. */
async function post(
  sim: VirtualPhone,
  phone: Phone,
  platform: "tiktok" | "instagram",
  input: Partial<PostInput>,
  /** The data folder (selector overrides); default the OS temp folder. */
  dataDir?: string,
) {
  const run = contextFor(phone, platform, new AbortController(), dataDir);
  const full: PostInput = {
    files: [video],
    kind: "video",
    caption: "",
    ...input,
    settings: { ...DEFAULTS, ...input.settings },
  };
  let result: PostResult | undefined;
  let error: unknown;
  try {
    result = await postFlow(run.ctx, full);
    for (const [i, remote] of result.remoteFiles.entries()) {
      expect(readFileSync(onPhone(sim, remote))).toEqual(readFileSync(full.files[i] as string));
    }
  } catch (e) {
    error = e;
  }
  await run.cleanup();
  return { ...run, result, error };
}

async function expectCleanedUp(sim: VirtualPhone, phone: Phone, remoteFiles: string[]) {
  expect(remoteFiles.length).toBeGreaterThan(0);
  for (const remote of remoteFiles) {
    expect(existsSync(onPhone(sim, remote))).toBe(false);
    expect(await phone.mediaContentUri(remote)).toBeNull();
  }
}

/**
 * While `flow` runs, reads the screen of a slow upload every 300 ms of the phone's clock until the app
 * leaves `uploading`; each screen must show the built-in progress selector. Read in-process: a second
 * `uiautomator dump` over ADB at the flow's moment would race it for the phone's dump file.
 */
async function watchProgress(
  { sim, clock }: FlowPhone,
  platform: "tiktok" | "instagram",
  uploading: string,
  flow: Promise<unknown>,
) {
  const app = sim.apps[platform];
  const progress = forVersion(
    loadSelectors(platform).screens.upload?.progress ?? [],
    app.pkg,
    app.version ?? "",
  );
  const seen: Screen[] = [];
  let done = false;
  flow.finally(() => {
    done = true;
  });
  // looked at on every turn of the event loop: the upload starts on the Post tap, before the flow's next wait
  while (!done && app.screen !== uploading) await new Promise(setImmediate);
  while (!done && app.screen === uploading) {
    const screen = Screen.fromXml(sim.device.dumpXml());
    if (app.screen !== uploading) break;
    expect(screen.find(progress)).toBeDefined();
    seen.push(screen);
    // the clock moves no further than this wake-up: the flow's polls (1 s apart) cannot skip past it
    await abortableSleep(300, AbortSignal.timeout(30_000), clock);
  }
  return seen;
}

/** Paths the phone received over sync (SEND, or SND2 on newer hosts). */
const pushedPaths = (sim: VirtualPhone) =>
  sim.commands
    .filter((c) => c.service === "sync")
    .map((c) => /^(?:SEND|SND2) ([^,]+)/.exec(c.command)?.[1])
    .filter((p): p is string => !!p);

const postTaps = (sim: VirtualPhone, x: number, y: number) =>
  sim.commands.filter((c) => c.command === `input tap ${x} ${y}`).length;

describe("TikTok", () => {
  test("addButton, popups on: emoji caption and title typed exactly, Post tapped once, media removed", async () => {
    const { sim, phone } = await startPhone();
    const caption = "Sunset 🌅 #viral «ça va» 日本\nline two";
    const { result, error, steps, logs } = await post(sim, phone, "tiktok", {
      caption,
      title: "My title ✨",
      settings: { ...DEFAULTS, post_way: "addButton" },
    });
    expect(error).toBeUndefined();
    const posts = sim.apps.tiktok.posts;
    expect(posts).toHaveLength(1);
    expect(posts[0]?.caption).toBe(caption);
    expect(posts[0]?.title).toBe("My title ✨");
    expect(posts[0]?.media).toEqual(result?.remoteFiles.map(canonical));
    const tapsOnPost = result?.taps.filter((t) => t.what === "Post") ?? [];
    expect(tapsOnPost).toHaveLength(1);
    // the Post tap hit the Post button's centre ([550,2179][1048,2305]) exactly once
    expect(tapsOnPost[0]).toEqual({ what: "Post", x: 799, y: 2242 });
    expect(postTaps(sim, 799, 2242)).toBe(1);
    expect(logs.some((l) => l.startsWith("dismissed popup"))).toBe(true);
    expect(steps.every((s) => s.ok && s.ms >= 0)).toBe(true);
    expect(steps.map((s) => s.name)).toContain("wait for the upload");
    // "Video posted!" is a toast on a real phone (never in a dump): the upload's end is the text when a dump
    // shows it, else its progress gone; either way the post is proven on the profile
    expect(logs.some((l) => l.startsWith("the upload is over"))).toBe(true);
    expect(steps.map((s) => s.name)).toContain("prove the post");
    await expectCleanedUp(sim, phone, result?.remoteFiles ?? []);
    console.log(`TikTok addButton: ${result?.dumps} UI dumps, ${result?.taps.length} taps`);
  });

  test("share intent, ASCII caption through `input text`", async () => {
    const { sim, phone } = await startPhone({ popups: false, packages: [TIKTOK] });
    const caption = "Check my new video! #viral 100%s sure & (more)";
    const { result, error } = await post(sim, phone, "tiktok", { caption });
    expect(error).toBeUndefined();
    expect(sim.apps.tiktok.posts.map((p) => p.caption)).toEqual([caption]);
    expect(sim.typed.join("")).toBe(caption);
    await expectCleanedUp(sim, phone, result?.remoteFiles ?? []);
    console.log(`TikTok share: ${result?.dumps} UI dumps, ${result?.taps.length} taps`);
  });

  test("two images by share: a photo post with both, in order", async () => {
    const { sim, phone } = await startPhone({ popups: false });
    const { result, error } = await post(sim, phone, "tiktok", {
      files: images,
      kind: "images",
      caption: "pics",
    });
    expect(error).toBeUndefined();
    expect(sim.apps.tiktok.posts[0]?.kind).toBe("photo");
    expect(sim.apps.tiktok.posts[0]?.media).toEqual(result?.remoteFiles.map(canonical));
    await expectCleanedUp(sim, phone, result?.remoteFiles ?? []);
  });

  test("two images by the + button: both ticked, in name order", async () => {
    const { sim, phone } = await startPhone({ popups: false });
    const { result, error } = await post(sim, phone, "tiktok", {
      files: images,
      kind: "images",
      caption: "pics",
      settings: { ...DEFAULTS, post_way: "addButton" },
    });
    expect(error).toBeUndefined();
    expect(sim.apps.tiktok.posts[0]?.media).toEqual(result?.remoteFiles.map(canonical));
  });

  test("not installed: permanent, nothing pushed", async () => {
    const { sim, phone } = await startPhone({ packages: [INSTAGRAM] });
    const { error } = await post(sim, phone, "tiktok", { caption: "x" });
    expect(error).toBeInstanceOf(ScriptError);
    expect((error as ScriptError).errorClass).toBe("permanent");
    expect((error as Error).message).toMatch(
      /TikTok is not installed on .* \(com\.zhiliaoapp\.musically or com\.ss\.android\.ugc\.trill\)/,
    );
    expect(pushedPaths(sim)).toEqual([]);
  });

  test("emoji without ADBKeyBoard: a permanent failure naming the cause, before anything is pushed", async () => {
    const { sim, phone } = await startPhone({ packages: [TIKTOK] });
    const { error } = await post(sim, phone, "tiktok", { caption: "hello 🌍" });
    expect((error as ScriptError).errorClass).toBe("permanent");
    expect((error as Error).message).toMatch(/ADBKeyBoard is not installed/);
    expect(sim.apps.tiktok.posts).toHaveLength(0);
    expect(pushedPaths(sim)).toEqual([]);
  });

  test("slow upload past upload_wait_time: unconfirmed (Post was tapped), posted once, media removed", async () => {
    const { sim, phone } = await startPhone({ popups: false });
    sim.apps.tiktok.uploadMs = 5000;
    const { error, result } = await post(sim, phone, "tiktok", {
      caption: "slow",
      settings: { ...DEFAULTS, upload_wait_time: 1 },
    });
    expect((error as ScriptError).errorClass).toBe("permanent");
    expect((error as ScriptError).reason).toBe("unconfirmed");
    expect((error as Error).message).toMatch(
      /unconfirmed: Post was tapped, but the upload still showed its progress after 1 s/,
    );
    expect(result).toBeUndefined();
    const pushed = pushedPaths(sim);
    expect(pushed).toHaveLength(1);
    const remote = pushed[0] ?? "";
    expect(existsSync(onPhone(sim, remote))).toBe(false);
  });

  test("stopped mid-flow: the abort wins, the media are removed", async () => {
    const { sim, phone, clock } = await startPhone({ popups: false });
    clock.hold();
    const run = contextFor(phone, "tiktok");
    // its end is awaited below, after the stop; handled from the start so no rejection goes unseen
    const flow = postFlow(run.ctx, {
      files: [video],
      kind: "video",
      caption: "x",
      settings: { ...DEFAULTS, post_way: "addButton" },
    }).catch((e: unknown) => e);
    // stop once the media are on the phone
    await advanceUntil(clock, "the media scan", () => run.steps.some((s) => s.name === "media scan"));
    expect(run.steps.map((s) => s.name)).toContain("media scan");
    run.controller.abort(new Error("stopped by user"));
    const error = await flow;
    await run.cleanup();
    expect((error as Error).message).toBe("stopped by user");
    expect(sim.apps.tiktok.posts).toHaveLength(0);
    const remote = pushedPaths(sim)[0] ?? "";
    expect(remote).toMatch(/^\/sdcard\/DCIM\/Camera\/farm_7_/);
    expect(existsSync(onPhone(sim, remote))).toBe(false);
  });

  // Missing in the sim (see the report): each test names the piece it needs.
  test('useSound: search, Sounds tab, the sound\'s page, "Use this sound", then the gallery', async () => {
    const { sim, phone } = await startPhone({ popups: false });
    const { result, error } = await post(sim, phone, "tiktok", {
      caption: "with a sound",
      settings: { ...DEFAULTS, post_way: "useSound", sound_name: "Espresso" },
    });
    expect(error).toBeUndefined();
    expect(sim.apps.tiktok.posts.map((p) => [p.caption, p.sound])).toEqual([["with a sound", "Espresso"]]);
    expect(sim.apps.tiktok.actions.map((a) => [a.type, a.target])).toEqual([["search", "Espresso"]]);
    expect(sim.apps.tiktok.posts[0]?.media).toEqual(result?.remoteFiles.map(canonical));
  });

  test('add_sound "1": the first recommended sound from the editor\'s sheet, the volumes on its sliders', async () => {
    const { sim, phone } = await startPhone({ popups: false });
    const { error } = await post(sim, phone, "tiktok", {
      caption: "recommended",
      settings: { ...DEFAULTS, add_sound: "1", origin_sound_volume: 30, add_sound_volume: 80 },
    });
    expect(error).toBeUndefined();
    expect(sim.apps.tiktok.posts.map((p) => [p.sound, p.volumes])).toEqual([
      ["Summer Vibes", { original: 30, added: 80 }],
    ]);
  });

  test('add_sound "custom": the sheet\'s search, its first result', async () => {
    const { sim, phone } = await startPhone({ popups: false });
    const { error } = await post(sim, phone, "tiktok", {
      caption: "custom",
      settings: { ...DEFAULTS, add_sound: "custom", custom_sound_keyword: "rainy jazz" },
    });
    expect(error).toBeUndefined();
    // the defaults (50/50) are set too: the sheet's sliders start at 100
    expect(sim.apps.tiktok.posts.map((p) => [p.sound, p.volumes])).toEqual([
      ["rainy jazz", { original: 50, added: 50 }],
    ]);
  });

  test('add_product_link: "Add link" → Products before Post', async () => {
    const { sim, phone } = await startPhone({ popups: false });
    const { error } = await post(sim, phone, "tiktok", {
      caption: "shop",
      settings: { ...DEFAULTS, add_product_link: 1 },
    });
    expect(error).toBeUndefined();
    expect(sim.apps.tiktok.posts.map((p) => [p.caption, p.productLink])).toEqual([["shop", true]]);
  });

  test("without a sound or a link the post carries neither", async () => {
    const { sim, phone } = await startPhone({ popups: false });
    const { error } = await post(sim, phone, "tiktok", { caption: "plain" });
    expect(error).toBeUndefined();
    expect(sim.apps.tiktok.posts[0]?.sound).toBeUndefined();
    expect(sim.apps.tiktok.posts[0]?.productLink).toBeUndefined();
  });
  test("failed upload: retryable with the app's failure text, nothing posted, media removed", async () => {
    const { sim, phone } = await startPhone({ popups: false });
    sim.apps.tiktok.failUpload = true;
    const { error, result } = await post(sim, phone, "tiktok", { caption: "doomed" });
    expect((error as ScriptError).errorClass).toBe("retryable");
    expect((error as Error).message).toBe(`upload failed: TikTok showed "Couldn't upload video"`);
    expect(result).toBeUndefined();
    expect(sim.apps.tiktok.posts).toHaveLength(0);
    const remote = pushedPaths(sim)[0] ?? "";
    expect(existsSync(onPhone(sim, remote))).toBe(false);
  });
  test("a release that renames Post: screen never came, then the override file's id finds it", async () => {
    const { sim, phone } = await startPhone({ popups: false });
    sim.apps.tiktok.version = RENAMED_POST_VERSION;
    const dataDir = join(work, "data");
    const broken = await post(sim, phone, "tiktok", { caption: "renamed" }, dataDir);
    expect((broken.error as ScriptError).errorClass).toBe("retryable");
    expect((broken.error as Error).message).toMatch(/^screen never came: .*the Post button/);
    expect(broken.logs).toContain(`com.zhiliaoapp.musically ${RENAMED_POST_VERSION}`);
    expect(sim.apps.tiktok.posts).toHaveLength(0);

    mkdirSync(join(dataDir, "selectors"), { recursive: true });
    const override = { screens: { post: { post: [{ id: "rz4", versions: [RENAMED_POST_VERSION] }] } } };
    writeFileSync(join(dataDir, "selectors", "tiktok.json"), JSON.stringify(override));
    const fixed = await post(sim, phone, "tiktok", { caption: "renamed" }, dataDir);
    expect(fixed.error).toBeUndefined();
    expect(sim.apps.tiktok.posts.map((p) => p.caption)).toEqual(["renamed"]);
    // the tap hit the renamed button's centre ([550,2179][1048,2305])
    expect(fixed.result?.taps.find((t) => t.what === "Post")).toEqual({ what: "Post", x: 799, y: 2242 });
  }, 60_000);
  for (const post_way of ["share", "addButton"] as const) {
    test(`com.ss.android.ugc.trill installed alone, ${post_way}: posted like TikTok`, async () => {
      const { sim, phone } = await startPhone({ popups: false, packages: [TRILL] });
      const { result, error } = await post(sim, phone, "tiktok", {
        caption: "regional",
        settings: { ...DEFAULTS, post_way },
      });
      expect(error).toBeUndefined();
      expect(result?.package).toBe(TRILL);
      expect(sim.apps.tiktok.posts.map((p) => p.caption)).toEqual(["regional"]);
      // the taps found the regional package's ids
      expect(result?.taps.find((t) => t.what === "Post")).toEqual({ what: "Post", x: 799, y: 2242 });
    });
  }
  test('"Follow your friends" at the camera and the "Publish now" confirm after Post: both dismissed', async () => {
    const { sim, phone } = await startPhone();
    sim.apps.tiktok.occasionalPopups = true;
    const { result, error, logs } = await post(sim, phone, "tiktok", {
      caption: "confirmed",
      settings: { ...DEFAULTS, post_way: "addButton" },
    });
    expect(error).toBeUndefined();
    expect(logs).toContain('dismissed popup "not now"');
    expect(logs).toContain('dismissed popup "publish now"');
    expect(sim.apps.tiktok.posts.map((p) => p.caption)).toEqual(["confirmed"]);
    expect(postTaps(sim, 799, 2242)).toBe(1);
    await expectCleanedUp(sim, phone, result?.remoteFiles ?? []);
  });

  test('slow upload: the progress selector finds "Posting..." and a rising N% until the progress is gone', async () => {
    // what is read here is the progress: the feed's dumps never fail for idle state
    const flowPhone = await startPhone({
      popups: false,
      realistic: FLOW_REALISM && { ...FLOW_REALISM, changeMs: [0, 0], idleFailureShare: 0 },
    });
    const { sim, phone } = flowPhone;
    sim.apps.tiktok.uploadMs = 2500;
    const flow = post(sim, phone, "tiktok", { caption: "slowly" });
    const seen = await watchProgress(flowPhone, "tiktok", "posting", flow);
    const { error, logs } = await flow;
    expect(error).toBeUndefined();
    expect(seen.length).toBeGreaterThanOrEqual(2);
    const percents = seen.map((screen) => {
      const text = screen.find([{ id: `${TIKTOK}:id/su5` }])?.text ?? "";
      expect(text).toMatch(/^\d+%$/);
      return Number.parseInt(text, 10);
    });
    expect(percents.every((p, i) => i === 0 || p > (percents[i - 1] as number))).toBe(true);
    expect(logs.some((l) => l.startsWith("the upload is over"))).toBe(true);
  }, 30_000);
  test("while Post waits for the upload, the app's percentage is the task's progress", async () => {
    const { sim, phone } = await startPhone({ popups: false });
    sim.apps.tiktok.uploadMs = 10_000;
    const { error, progress } = await post(sim, phone, "tiktok", {
      caption: "watched",
      settings: { ...DEFAULTS, upload_wait_time: 30 },
    });
    expect(error).toBeUndefined();
    // one look a second at a 10 s upload
    expect(progress.length).toBeGreaterThanOrEqual(5);
    for (const { fraction, detail } of progress) {
      expect(detail).toBe(`upload ${Math.round((fraction ?? -1) * 100)}%`);
    }
    const fractions = progress.map((p) => p.fraction as number);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(fractions.at(-1) as number).toBeGreaterThan(fractions[0] as number);
    expect(fractions.at(-1) as number).toBeLessThan(1);
  });
});

describe("TikTok: nodes tapped where they lie", () => {
  /** The phone's commands from the one matching `from` (the first) to the one matching `to` (after it). */
  const between = (sim: VirtualPhone, from: RegExp, to: RegExp, since = 0) => {
    const commands = sim.commands.slice(since).map((c) => c.command);
    const start = commands.findIndex((c) => from.test(c));
    const end = commands.findIndex((c, i) => i > start && to.test(c));
    expect(start).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(start);
    return commands.slice(start, end);
  };
  const dumps = (commands: string[]) => commands.filter((c) => c.startsWith("uiautomator dump")).length;
  /** A data folder whose selector override puts 43.1.4's description at `bounds` on 1080x2400. */
  const descriptionPlacedAt = (folder: string, bounds: number[]) => {
    const dataDir = join(work, folder);
    mkdirSync(join(dataDir, "selectors"), { recursive: true });
    const activity = "com.ss.android.ugc.aweme.shortvideo.publish.VideoPublishActivity";
    const place = { versions: ["43."], screen: [1080, 2400], bounds, activity };
    writeFileSync(
      join(dataDir, "selectors", "tiktok.json"),
      JSON.stringify({ places: { "post.description": [place] } }),
    );
    return dataDir;
  };

  test("43.1.4 on 1080x2400: the editor's Next seen to work by its activity, the caption tapped where the real post screen has it, no dump of the post screen", async () => {
    const { sim, phone } = await startPhone({ popups: false, packages: [TIKTOK] });
    const { result, error } = await post(sim, phone, "tiktok", { caption: "placed #fyp" });
    expect(error).toBeUndefined();
    expect(sim.apps.tiktok.posts.map((p) => p.caption)).toEqual(["placed #fyp"]);
    const taps = result?.taps.map((t) => t.what) ?? [];
    expect(taps.slice(0, 3)).toEqual([
      "the editor's Next",
      "the caption (where this phone shows it)",
      "Post",
    ]);
    // g19's centre in the real dump ([42,691][1038,1059])
    expect(result?.taps[1]).toMatchObject({ x: 540, y: 875 });
    // from the tap on Next to the text typed: light reads only
    const walk = between(sim, /^input tap 799 2237/, /^input text/);
    expect(dumps(walk)).toBe(0);
    expect(walk.filter((c) => c.startsWith("dumpsys window")).length).toBeGreaterThan(0);
  });

  test("the next post on that phone taps the editor's Next where the first saw it: no dump from the share to the text typed", async () => {
    const { sim, phone } = await startPhone({ popups: false, packages: [TIKTOK] });
    expect((await post(sim, phone, "tiktok", { caption: "first" })).error).toBeUndefined();
    const since = sim.commands.length;
    const { result, error } = await post(sim, phone, "tiktok", { caption: "second" });
    expect(error).toBeUndefined();
    expect(sim.apps.tiktok.posts.map((p) => p.caption)).toEqual(["first", "second"]);
    expect(result?.taps.slice(0, 2)).toEqual([
      { what: "the editor's Next (where this phone shows it)", x: 799, y: 2237 },
      { what: "the caption (where this phone shows it)", x: 540, y: 875 },
    ]);
    expect(dumps(between(sim, /^am start -a android.intent.action.SEND/, /^input text/, since))).toBe(0);
  });

  test("a place learnt on one screen size is not used on another (`wm size` changed): the editor's Next found on a dump", async () => {
    const { sim, phone } = await startPhone({ popups: false, packages: [TIKTOK] });
    expect((await post(sim, phone, "tiktok", { caption: "first" })).error).toBeUndefined();
    // what `wm size` answers from now on (an override set on the phone); the app's layout is unchanged
    sim.device.cfg.screen = { width: 1080, height: 2340 };
    const { result, error } = await post(sim, phone, "tiktok", { caption: "second" });
    expect(error).toBeUndefined();
    expect(sim.apps.tiktok.posts.map((p) => p.caption)).toEqual(["first", "second"]);
    // neither the learnt place of the editor's Next nor the data file's of the caption (it has 1080x2400 only)
    expect(result?.taps.slice(0, 2).map((t) => t.what)).toEqual(["the editor's Next", "the caption"]);
  });

  test("a tap where the editor's Next lies that is lost: the editor seen on a dump, Next tapped once more", async () => {
    const { sim, phone } = await startPhone({ popups: false, packages: [TIKTOK] });
    expect((await post(sim, phone, "tiktok", { caption: "first" })).error).toBeUndefined();
    const tap = sim.device.tap.bind(sim.device);
    let lost = false;
    sim.device.tap = (x: number, y: number) => {
      // the first tap on the editor is lost (it came during a change)
      if (!lost && sim.apps.tiktok.screen === "editor") {
        lost = true;
        return;
      }
      return tap(x, y);
    };
    const { result, error } = await post(sim, phone, "tiktok", { caption: "second" });
    expect(error).toBeUndefined();
    expect(lost).toBe(true);
    expect(sim.apps.tiktok.posts.map((p) => p.caption)).toEqual(["first", "second"]);
    expect(result?.taps.slice(0, 2).map((t) => t.what)).toEqual([
      "the editor's Next (where this phone shows it)",
      "the editor's Next (where this phone shows it)",
    ]);
  });

  test("a data file's place that focuses another field (the title): that post fails retryable, the next one on the phone finds the field on a dump", async () => {
    const { sim, phone } = await startPhone({ popups: false, packages: [TIKTOK] });
    // where the title lies
    const dataDir = descriptionPlacedAt("title-place", [42, 584, 1038, 637]);
    const first = await post(sim, phone, "tiktok", { caption: "misplaced" }, dataDir);
    expect((first.error as ScriptError).errorClass).toBe("retryable");
    // the description shows its hint: the text went into the title
    expect((first.error as Error).message).toBe(
      'the caption holds "Writing a long description can help get 3x more views on average.", not "misplaced"',
    );
    expect(sim.apps.tiktok.posts).toHaveLength(0);
    // the retry (another run on the phone): not the data file's place again
    const second = await post(sim, phone, "tiktok", { caption: "found" }, dataDir);
    expect(second.error).toBeUndefined();
    expect(sim.apps.tiktok.posts.map((p) => p.caption)).toEqual(["found"]);
    expect(second.result?.taps[1]).toEqual({ what: "the caption", x: 540, y: 875 });
  });

  test("a place that focuses nothing (a data file's wrong bounds): forgotten, the field found on a dump, the caption typed there", async () => {
    const { sim, phone } = await startPhone({ popups: false, packages: [TIKTOK] });
    const dataDir = descriptionPlacedAt("wrong-place", [0, 1500, 100, 1600]);
    const first = await post(sim, phone, "tiktok", { caption: "found" }, dataDir);
    expect(first.error).toBeUndefined();
    expect(sim.apps.tiktok.posts.map((p) => p.caption)).toEqual(["found"]);
    expect(first.result?.taps.slice(1, 3)).toEqual([
      { what: "the caption (where this phone shows it)", x: 50, y: 1550 },
      { what: "the caption", x: 540, y: 875 },
    ]);
    expect(first.logs).toContain(
      "the tap where the caption lies did not focus it: it is looked for on the screen",
    );
    // what this phone's dump showed serves the next post
    const second = await post(sim, phone, "tiktok", { caption: "learnt" }, dataDir);
    expect(second.error).toBeUndefined();
    expect(second.result?.taps[1]).toEqual({
      what: "the caption (where this phone shows it)",
      x: 540,
      y: 875,
    });
  });
});

describe("Instagram", () => {
  test("share intent, reel: caption exactly, Share tapped once, media removed", async () => {
    const { sim, phone } = await startPhone({ popups: false });
    const caption = "Reel time 🎬 #reels";
    const { result, error } = await post(sim, phone, "instagram", { caption });
    expect(error).toBeUndefined();
    const posts = sim.apps.instagram.posts;
    expect(posts).toHaveLength(1);
    expect(posts[0]?.caption).toBe(caption);
    expect(posts[0]?.media).toEqual(result?.remoteFiles.map(canonical));
    expect(result?.taps.filter((t) => t.what === "Post")).toHaveLength(1);
    await expectCleanedUp(sim, phone, result?.remoteFiles ?? []);
    console.log(`Instagram share: ${result?.dumps} UI dumps, ${result?.taps.length} taps`);
  });

  test("+ button with popups, reel", async () => {
    const { sim, phone } = await startPhone();
    const { result, error, logs } = await post(sim, phone, "instagram", {
      caption: "via plus",
      settings: { ...DEFAULTS, post_way: "addButton" },
    });
    expect(error).toBeUndefined();
    expect(sim.apps.instagram.posts.map((p) => p.caption)).toEqual(["via plus"]);
    expect(logs.some((l) => l.startsWith("dismissed popup"))).toBe(true);
    await expectCleanedUp(sim, phone, result?.remoteFiles ?? []);
    console.log(`Instagram addButton: ${result?.dumps} UI dumps, ${result?.taps.length} taps`);
  });

  test("+ button, story placement: the STORY tab is chosen", async () => {
    const { sim, phone } = await startPhone({ popups: false });
    const { error } = await post(sim, phone, "instagram", {
      caption: "story",
      settings: { ...DEFAULTS, post_way: "addButton", placement: "story" },
    });
    expect(error).toBeUndefined();
    expect(sim.apps.instagram.posts).toHaveLength(1);
    expect(JSON.stringify(sim.apps.instagram.posts[0])).toContain("story");
  });

  test("slow upload: the pending row's progress bar shows until the reel is shared", async () => {
    // what is read here is the progress row: a phone of today's simulation (the 2 s success text of a
    // realistic one is proof of post's matter, issue 25 item 4)
    const flowPhone = await startPhone({ popups: false, realistic: false });
    const { sim, phone } = flowPhone;
    sim.apps.instagram.uploadMs = 2500;
    const flow = post(sim, phone, "instagram", { caption: "slowly" });
    const seen = await watchProgress(flowPhone, "instagram", "sharing", flow);
    const { error } = await flow;
    expect(error).toBeUndefined();
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const screen of seen) {
      expect(screen.find([{ id: `${INSTAGRAM}:id/row_pending_media_progress_bar` }])).toBeDefined();
    }
    expect(sim.apps.instagram.posts.map((p) => p.caption)).toEqual(["slowly"]);
  }, 30_000);

  test('story by share intent: the "Stories" target, the story editor, "Your story"', async () => {
    const { sim, phone } = await startPhone({ popups: false });
    const { result, error, logs } = await post(sim, phone, "instagram", {
      caption: "not typed",
      settings: { ...DEFAULTS, placement: "story" },
    });
    expect(error).toBeUndefined();
    expect(
      sim.commands.some((c) =>
        c.command.includes("/com.instagram.share.handleractivity.StoryShareHandlerActivity"),
      ),
    ).toBe(true);
    expect(sim.apps.instagram.posts.map((p) => [p.kind, p.caption])).toEqual([["story", ""]]);
    expect(sim.apps.instagram.posts[0]?.media).toEqual(result?.remoteFiles.map(canonical));
    expect(sim.typed).toEqual([]);
    expect(logs).toContain("a story has no caption: the caption is not typed");
    await expectCleanedUp(sim, phone, result?.remoteFiles ?? []);
  });
  test('failed upload: the "Video can\'t be posted" row makes it retryable', async () => {
    const { sim, phone } = await startPhone({ popups: false });
    sim.apps.instagram.failUpload = true;
    const { error } = await post(sim, phone, "instagram", { caption: "doomed" });
    expect((error as ScriptError).errorClass).toBe("retryable");
    expect((error as Error).message).toMatch(/^upload failed: Instagram showed "Video can't be posted"$/);
    expect(sim.apps.instagram.posts).toHaveLength(0);
  });
  test('"Rate Instagram" mid-flow: dismissed, the caption typed after it', async () => {
    const { sim, phone } = await startPhone();
    sim.apps.instagram.occasionalPopups = true;
    const { error, logs, result } = await post(sim, phone, "instagram", { caption: "rated later" });
    expect(error).toBeUndefined();
    expect(logs).toContain('dismissed popup "rate"');
    expect(result?.taps.filter((t) => t.what === 'popup "rate"')).toHaveLength(1);
    expect(sim.apps.instagram.popup).toBeNull();
    expect(sim.apps.instagram.posts.map((p) => p.caption)).toEqual(["rated later"]);
  });
});
