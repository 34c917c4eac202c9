/**
 * The flows on phones that behave like real ones (issue 25): screen changes that take 300–800 ms (a dump
 * during one shows the old screen; a tap during one lost or delivered to the old screen), the soft keyboard
 * over the lower screen, TikTok's hashtag list, Google's permission dialog, Instagram's share chooser and
 * unlabelled "+", dumps of a playing feed that fail for idle state. Each case failed before the toolkit
 * waited for its taps' effects and knew its pages.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RealismOptions } from "@farm/virtual-phone";
import { Value } from "@sinclair/typebox/value";
import { commentFlow } from "../../src/scripts/comment/flow.ts";
import { ScriptError } from "../../src/scripts/errors.ts";
import { type PostConfig, postConfig } from "../../src/scripts/post/config.ts";
import { type PostInput, type PostResult, postFlow } from "../../src/scripts/post/flow.ts";
import { FLOW_REALISM, flowContext, startFlowPhone, stopFlowPhones } from "../helpers/flow.ts";

let work: string;
let video: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "farm-flow-screens-"));
  video = join(work, "clip.mp4");
  writeFileSync(video, Buffer.alloc(40_000, 5));
});
afterEach(stopFlowPhones);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A fully realistic phone (whatever FARM_SIM_REALISTIC says), with `knobs` over it. */
const realPhone = (knobs: RealismOptions = {}, popups = true) =>
  startFlowPhone(work, { realistic: { ...(FLOW_REALISM || { seed: 25 }), ...knobs }, popups });

async function post(
  phone: Awaited<ReturnType<typeof startFlowPhone>>["phone"],
  platform: "tiktok" | "instagram",
  input: Partial<Omit<PostInput, "settings">> & { settings?: Partial<PostConfig> },
  dataDir = work,
) {
  const run = flowContext(phone, platform, { dataDir });
  const full: PostInput = {
    files: [video],
    kind: "video",
    caption: "",
    ...input,
    settings: { ...Value.Create(postConfig), upload_wait_time: 20, ...input.settings },
  };
  const result = await postFlow(run.ctx, full).catch((e: unknown) => e);
  await run.cleanup();
  return { result, logs: run.logs };
}

describe("screen changes take time", () => {
  for (const tapsDuringChange of ["old-screen", "lost"] as const) {
    test(`TikTok by the + button, taps during a change ${tapsDuringChange === "lost" ? "lost" : "reaching the old screen"}: each Next on its own page, one post`, async () => {
      const { sim, phone } = await realPhone({ tapsDuringChange });
      const { result } = await post(phone, "tiktok", {
        caption: "Slow phone",
        settings: { post_way: "addButton" },
      });
      expect(result).not.toBeInstanceOf(Error);
      expect(sim.apps.tiktok.posts.map((p) => p.caption)).toEqual(["Slow phone"]);
      const taps = (result as { taps: { what: string }[] }).taps.map((t) => t.what);
      expect(taps.filter((t) => t === "the editor's Next")).toHaveLength(1);
      expect(taps.filter((t) => t === "Post")).toHaveLength(1);
    });
  }

  test("a popup is tapped once, then waited out while it closes", async () => {
    const { sim, phone } = await realPhone();
    const { result } = await post(phone, "tiktok", {
      caption: "popups",
      settings: { post_way: "addButton" },
    });
    expect(result).not.toBeInstanceOf(Error);
    const taps = (result as { taps: { what: string }[] }).taps.map((t) => t.what);
    expect(taps.filter((t) => t === 'popup "contacts"')).toHaveLength(1);
    expect(sim.apps.tiktok.posts).toHaveLength(1);
  });

  test("TikTok comment: typed into the comment sheet, not the video page's bar", async () => {
    const { sim, phone } = await realPhone();
    const run = flowContext(phone, "tiktok", { dataDir: work });
    await commentFlow(run.ctx, {
      url: "https://www.tiktok.com/@chef.marco/video/7301234567890123999",
      text: "Slow but sure",
    });
    expect(sim.apps.tiktok.actions.filter((a) => a.type === "comment").map((a) => a.text)).toEqual([
      "Slow but sure",
    ]);
  });

  test("a tap that changes nothing is a failure that says so: Post is not tapped again", async () => {
    const { sim, phone } = await realPhone();
    // an override that points Post at "Add link": its sheet comes up over the post screen, which stays
    const dataDir = join(work, "post-on-title");
    mkdirSync(join(dataDir, "selectors"), { recursive: true });
    writeFileSync(
      join(dataDir, "selectors", "tiktok.json"),
      JSON.stringify({ screens: { post: { post: [{ id: "d0z", versions: ["43."] }] } } }),
    );
    const { result } = await post(phone, "tiktok", { caption: "never" }, dataDir);
    expect(result).toBeInstanceOf(ScriptError);
    expect((result as ScriptError).errorClass).toBe("permanent");
    expect((result as Error).message).toBe(
      "the tap on Post had no effect: the post screen is still shown; not retried (a duplicate post is worse than a failure)",
    );
    expect(sim.apps.tiktok.posts).toEqual([]);
  });
});

describe("dialogs and routes of real phones", () => {
  test("Google's media permission dialog (Android 14: Allow all) is granted; the cell is ticked", async () => {
    const { sim, phone } = await realPhone({ permissionByVersion: true });
    const { result, logs } = await post(phone, "tiktok", {
      caption: "granted",
      settings: { post_way: "addButton" },
    });
    expect(result).not.toBeInstanceOf(Error);
    expect(logs).toContain('dismissed popup "media permission"');
    expect(sim.apps.tiktok.posts.map((p) => p.caption)).toEqual(["granted"]);
  });

  test("Instagram without the target's activity: the system chooser is passed by the Reels row", async () => {
    const { sim, phone } = await realPhone({}, false);
    const dataDir = join(work, "no-targets");
    mkdirSync(join(dataDir, "selectors"), { recursive: true });
    writeFileSync(
      join(dataDir, "selectors", "instagram.json"),
      JSON.stringify({ shareActivities: { reel: "" } }),
    );
    const { result, logs } = await post(phone, "instagram", { caption: "chosen" }, dataDir);
    expect(result).not.toBeInstanceOf(Error);
    expect(sim.apps.instagram.posts.map((p) => p.caption)).toEqual(["chosen"]);
    expect(logs.some((l) => l.includes("share chooser"))).toBe(false);
  });

  test("Instagram's unlabelled +: the reel goes in by the Reels share target", async () => {
    const { sim, phone } = await realPhone({}, false);
    const { result, logs } = await post(phone, "instagram", {
      caption: "no label",
      settings: { post_way: "addButton" },
    });
    expect(result).not.toBeInstanceOf(Error);
    expect(logs.some((l) => l.startsWith("Instagram's Create button has no label here"))).toBe(true);
    expect(sim.apps.instagram.posts.map((p) => p.caption)).toEqual(["no label"]);
  });
});

describe("typing", () => {
  for (const keyboardCoversBottom of [true, false]) {
    test(`TikTok caption with a hashtag, keyboard ${keyboardCoversBottom ? "over" : "not over"} Post: the keyboard and the list go, Post is tapped on the screen`, async () => {
      const { sim, phone } = await realPhone({ keyboardCoversBottom }, false);
      const { result } = await post(phone, "tiktok", { caption: "Sunset #cats" });
      expect(result).not.toBeInstanceOf(Error);
      expect(sim.apps.tiktok.posts.map((p) => p.caption)).toEqual(["Sunset #cats"]);
      expect(sim.device.missedTaps).toEqual([]);
    });
  }

  test("the caption field's focus is seen as the keyboard coming up (a light read), not on a dump", async () => {
    const { sim, phone } = await realPhone({}, false);
    const { result } = await post(phone, "tiktok", { caption: "Quick" });
    expect(result).not.toBeInstanceOf(Error);
    expect(sim.apps.tiktok.posts.map((p) => p.caption)).toEqual(["Quick"]);
    const commands = sim.commands.map((c) => c.command);
    const typed = commands.findIndex((c) => c.startsWith("input text"));
    const fieldTap = commands.slice(0, typed).findLastIndex((c) => c.startsWith("input tap"));
    const between = commands.slice(fieldTap + 1, typed);
    expect(between.some((c) => c.includes("dumpsys input_method"))).toBe(true);
    expect(between.filter((c) => c.includes("uiautomator dump"))).toEqual([]);
  });

  test("a text typed as the keyboard came up but found nowhere: typed once more, the focus seen on a dump", async () => {
    const { sim, phone } = await realPhone({}, false);
    // the first text goes nowhere (typed before the field had the focus, as a slow phone may take it)
    const typeText = sim.device.typeText.bind(sim.device);
    let dropped = 0;
    sim.device.typeText = (text: string) => {
      if (dropped++ > 0) typeText(text);
    };
    const { result, logs } = await post(phone, "tiktok", { caption: "Once" });
    expect(result).not.toBeInstanceOf(Error);
    expect(sim.apps.tiktok.posts.map((p) => p.caption)).toEqual(["Once"]);
    expect(logs).toContain("the caption did not get the text typed: its focus is seen on a dump this time");
  });
});

describe("dumps refused for idle", () => {
  test("after the tap on Post, seconds of refused dumps are waited out: no 'the tap had no effect'", async () => {
    const { sim, phone } = await realPhone({}, false);
    // an app whose screens share one activity: the tap's effect is looked for on dumps
    const foreground = phone.foreground.bind(phone);
    phone.foreground = async (o) => {
      const now = await foreground(o);
      return now && { ...now, activity: "one.Activity" };
    };
    // the feed after Post plays video: every dump of the next seconds finds no idle state
    const tap = sim.device.tap.bind(sim.device);
    let taps = 0;
    sim.device.tap = (x: number, y: number) => {
      tap(x, y);
      if (++taps === 3) sim.device.idleFailures = 30; // the editor's Next, the caption, Post
    };
    const { result, logs } = await post(phone, "tiktok", { caption: "Refused" });
    expect(result).not.toBeInstanceOf(Error);
    expect((result as PostResult).taps.map((t) => t.what)).toContain("Post");
    expect(sim.apps.tiktok.posts.map((p) => p.caption)).toEqual(["Refused"]);
    expect(logs).toContain("the screen after the tap on Post would not settle: looked at longer");
  });
});

describe("the tap on Post seen leaving", () => {
  test("the post screen's activity giving way (a light read) is Post's effect: no dump of its own", async () => {
    const { sim, phone } = await realPhone({}, false);
    const { result, logs } = await post(phone, "tiktok", { caption: "Light" });
    if (result instanceof Error) throw result;
    expect(sim.apps.tiktok.posts.map((p) => p.caption)).toEqual(["Light"]);
    const tap = (result as PostResult).taps.find((t) => t.what === "Post");
    const commands = sim.commands.map((c) => c.command);
    const postTap = commands.indexOf(`input tap ${tap?.x} ${tap?.y}`);
    const firstDump = commands.findIndex((c, i) => i > postTap && c.includes("uiautomator dump"));
    expect(postTap).toBeGreaterThan(-1);
    expect(commands.slice(postTap + 1, firstDump).some((c) => c.includes("dumpsys window"))).toBe(true);
    expect(logs).not.toContain("the screen after the tap on Post would not settle: looked at longer");
  });
});

describe("the upload watched cheaply", () => {
  test("a 30 s upload: looked at each second, then every 2 s; dumps that cannot get idle state tried later", async () => {
    const { sim, phone } = await realPhone({}, false);
    sim.apps.tiktok.uploadMs = 30_000;
    const { result } = await post(phone, "tiktok", { caption: "long", settings: { upload_wait_time: 60 } });
    if (result instanceof Error) throw result;
    const { taps } = result as PostResult;
    expect(sim.apps.tiktok.posts).toHaveLength(1);
    // the dumps between the tap on Post and the next tap (the proof's, on the profile): the wait. A dump each
    // 0.5–1 s took 36 in such a wait before; now one a second for five, then one each 2 s, those that found
    // no idle state tried again soon
    const postTap = taps.findIndex((t) => t.what === "Post");
    const tapAt = sim.commands
      .map((c, i) => (c.command.startsWith("input tap") ? i : -1))
      .filter((i) => i >= 0);
    const waiting = sim.commands
      .slice(tapAt[postTap], tapAt[postTap + 1])
      .filter((c) => c.command.includes("uiautomator dump"));
    expect(waiting.length).toBeGreaterThan(5);
    // with no success text in a dump (a toast), the end is the first look without the progress; the feed's
    // failing dumps (could not get idle state) are tried again soon: still fewer than a dump a second
    expect(waiting.length).toBeLessThan(36);
  });
});
