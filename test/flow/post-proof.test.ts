/**
 * Proof of post against virtual phones: a post is done when the account's own profile shows it (the newest
 * item's caption, or the own story), not when a text says so. No proof within the wait: "unconfirmed", never
 * retried, its files possibly posted.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RealismOptions, VirtualPhone } from "@farm/virtual-phone";
import { Value } from "@sinclair/typebox/value";
import { type Phone, parseUiDump } from "../../src/devices/index.ts";
import { Materials } from "../../src/materials/index.ts";
import { ScriptError } from "../../src/scripts/errors.ts";
import { type PostConfig, postConfig } from "../../src/scripts/post/config.ts";
import { type PostInput, postFlow } from "../../src/scripts/post/flow.ts";
import {
  captionMatches,
  LOOK_LEAD_MS,
  MIN_SHOWN_CAPTION,
  uploadEnded,
  uploadRest,
} from "../../src/scripts/post/proof.ts";
import { Ui } from "../../src/scripts/screen/index.ts";
import { loadSelectors, selectorFor } from "../../src/scripts/selectors/index.ts";
import { openDb } from "../../src/store/db.ts";
import { AutoClock } from "../../src/tasks/clock.ts";
import { flowContext, flowScripts, startFlowPhone, stopFlowPhones, TIKTOK } from "../helpers/flow.ts";

const DEFAULTS: PostConfig = { ...Value.Create(postConfig), upload_wait_time: 10 };
/** Today's simulation, but the apps' success texts as `successText` says (none: never in a dump). */
const successText = (shown: RealismOptions["successText"] = "none"): RealismOptions => ({
  changeMs: [0, 0],
  keyboard: false,
  keyboardCoversBottom: false,
  successText: shown,
  idleFailureShare: 0,
  permissionPackage: "com.android.permissioncontroller",
  permissionByVersion: false,
  hashtagSuggestions: false,
  shareChooser: false,
  unlabelledCreate: false,
});

let work: string;
let video: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "farm-post-proof-"));
  video = join(work, "clip.mp4");
  // starts like an mp4, as the library checks
  writeFileSync(video, Buffer.concat([Buffer.from("\0\0\0\x18ftypisom"), Buffer.alloc(50_000, 7)]));
});
afterEach(stopFlowPhones);
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function post(phone: Phone, platform: "tiktok" | "instagram", input: Partial<PostInput>) {
  const run = flowContext(phone, platform, { username: null });
  const full: PostInput = {
    files: [video],
    kind: "video",
    caption: "",
    ...input,
    settings: { ...DEFAULTS, ...input.settings },
  };
  try {
    const result = await postFlow(run.ctx, full);
    return { ...run, result, error: undefined };
  } catch (error) {
    return { ...run, result: undefined, error };
  } finally {
    await run.cleanup();
  }
}

/** The app keeps what was uploaded from the profile (as if it had dropped it, or changed its caption). */
function tamper(sim: VirtualPhone, app: "tiktok" | "instagram", change: "drop" | "recaption") {
  const posts = sim.apps[app].posts;
  posts.push = (...items) =>
    change === "drop"
      ? posts.length
      : Array.prototype.push.call(
          posts,
          ...items.map((p) => ({ ...p, caption: "someone else's words entirely" })),
        );
}

describe("the upload's expected rest, from its percentages", () => {
  test("one percentage: the rate since the upload began; two: the rate between them; none or 100 %: unknown", () => {
    expect(uploadRest([{ at: 2000, percent: 40 }], 0)).toBe(3000);
    expect(
      uploadRest(
        [
          { at: 1000, percent: 20 },
          { at: 3000, percent: 60 },
        ],
        0,
      ),
    ).toBe(2000);
    expect(uploadRest([], 0)).toBeUndefined();
    expect(uploadRest([{ at: 2000, percent: 100 }], 0)).toBeUndefined();
    expect(uploadRest([{ at: 2000, percent: 0 }], 0)).toBeUndefined();
  });

  test("the rest is judged from when the upload began (Post's tap), not from when the wait began", async () => {
    const clock = new AutoClock(100_000);
    const began = clock.now();
    const UPLOAD_MS = 3000;
    const looks: number[] = [];
    const node = (text: string, id: string, inner = "") =>
      `<node text="${text}" resource-id="${id}" class="android.widget.FrameLayout" package="${TIKTOK}" content-desc="" bounds="[0,0][1080,2400]">${inner}</node>`;
    // the feed with "N%" while the upload runs, without it after
    const phone = {
      serial: "upload-rest",
      actions: 0,
      dumpUi: async () => {
        const at = clock.now() - began;
        looks.push(at);
        const percent = Math.floor((at / UPLOAD_MS) * 100);
        const badge = percent < 100 ? node(`${percent}%`, `${TIKTOK}:id/su5`) : "";
        return parseUiDump(`<hierarchy rotation="0">${node("", "", badge)}</hierarchy>`);
      },
    } as unknown as Phone;
    const ui = new Ui(phone, new AbortController().signal, { clock });
    const selectors = loadSelectors("tiktok");
    const sel = (screen: string, name: string) => selectorFor(selectors, screen, name, TIKTOK, "43.1.4");
    // the wait begins 1.5 s after the tap (the light reads that saw it take effect): 50 % then
    clock.advance(1500);
    const ended = await uploadEnded({ ui, sel }, 30_000, { since: began });
    expect(ended.key).toBe("gone");
    // 50 % in 1.5 s: 1.5 s left, so the next look begins LOOK_LEAD_MS before the end (judged from the wait's
    // own start, 50 % in no time would leave nothing and the next look would come at once)
    expect(looks.slice(0, 2)).toEqual([1500, 1500 + 1500 - LOOK_LEAD_MS]);
    expect(looks.at(-1)).toBeGreaterThanOrEqual(UPLOAD_MS);
  });
});

describe("proof found", () => {
  test("TikTok video: the newest video on the own profile has our caption; its screenshot kept", async () => {
    const { phone, sim } = await startFlowPhone(work, { popups: false });
    const caption = "proof   of\npost #fyp";
    const { result, error, logs } = await post(phone, "tiktok", { caption });
    expect(error).toBeUndefined();
    const proof = result?.proof;
    expect(proof?.proof.check).toBe("caption");
    expect(proof?.proof.seen).toContain(`has our caption: "${caption}"`);
    expect(
      Buffer.from(proof?.screenshot ?? [])
        .subarray(1, 4)
        .toString(),
    ).toBe("PNG");
    expect(sim.apps.tiktok.posts).toHaveLength(1);
    expect(
      logs.some((l) => /^look 1 at TikTok: the newest post on @\S+'s profile has our caption/.test(l)),
    ).toBe(true);
  });

  test("Instagram reel: the newest grid item's caption (led by the username) is ours", async () => {
    const { phone } = await startFlowPhone(work, { popups: false });
    const { result, error } = await post(phone, "instagram", { caption: "a reel, proven" });
    expect(error).toBeUndefined();
    expect(result?.proof.proof.check).toBe("caption");
    expect(result?.proof.proof.seen).toMatch(/has our caption: "\S+ a reel, proven"$/);
  });

  test("Instagram story: the own story in the home tray opens on the account's story", async () => {
    const { phone, sim } = await startFlowPhone(work, { popups: false, realistic: successText() });
    const { result, error } = await post(phone, "instagram", {
      settings: { ...DEFAULTS, placement: "story" },
    });
    expect(error).toBeUndefined();
    expect(result?.proof.proof.check).toBe("story");
    expect(result?.proof.proof.seen).toContain(`@${sim.apps.instagram.account}'s own story is shown`);
  });

  test("TikTok, no success text in any dump (a toast): the progress gone, then the profile proves it", async () => {
    const { phone } = await startFlowPhone(work, { popups: false, realistic: successText() });
    const { result, error, logs } = await post(phone, "tiktok", { caption: "toast only" });
    expect(error).toBeUndefined();
    expect(logs).toContain("the upload is over: its progress is gone");
    expect(logs.some((l) => l.includes("the app said posted"))).toBe(false);
    expect(result?.proof.proof.seen).toContain('has our caption: "toast only"');
  });

  test('Instagram, a transient "Posted!" row: done on it or on the progress gone, proven either way', async () => {
    const { phone } = await startFlowPhone(work, { popups: false, realistic: successText("transient") });
    const { result, error, logs } = await post(phone, "instagram", { caption: "posted, briefly" });
    expect(error).toBeUndefined();
    expect(logs.some((l) => l.startsWith("the upload is over"))).toBe(true);
    expect(result?.proof.proof.seen).toContain("posted, briefly");
  });
});

describe("no proof: unconfirmed", () => {
  test("the newest video's caption is not ours: unconfirmed, permanent, saying what was seen", async () => {
    const { phone, sim } = await startFlowPhone(work, { popups: false });
    tamper(sim, "tiktok", "recaption");
    const { error, records } = await post(phone, "tiktok", { caption: "ours" });
    expect(error).toBeInstanceOf(ScriptError);
    expect((error as ScriptError).reason).toBe("unconfirmed");
    expect((error as ScriptError).errorClass).toBe("permanent");
    expect((error as Error).message).toMatch(
      /^unconfirmed: Post was tapped, but the post was not seen on the account within 30 s \(the newest post on @\S+'s profile reads "someone else's words entirely", not ours\)/,
    );
    // the flow alone records nothing: the script's run does (below)
    expect(records).toEqual([]);
  });

  test("nothing new on the profile (the upload vanished without a word): unconfirmed", async () => {
    const { phone, sim } = await startFlowPhone(work, { popups: false, realistic: successText() });
    tamper(sim, "instagram", "drop");
    const { error, logs } = await post(phone, "instagram", { caption: "gone" });
    expect((error as ScriptError).reason).toBe("unconfirmed");
    expect((error as Error).message).toContain("profile shows no post");
    // looked for again, every 10 s of the clock, for 30 s
    expect(logs.filter((l) => l.startsWith("look ")).length).toBe(4);
  });
});

describe("the post script's run: the record and the materials", () => {
  async function library() {
    const dir = mkdtempSync(join(work, "lib-"));
    const materials = new Materials(openDb(join(dir, "farm.db")), {
      uploadDir: join(dir, "up"),
      maxUploadBytes: 1 << 20,
    });
    await materials.register(video, ["proof"]);
    return materials;
  }

  async function runScript(phone: Phone, materials: Materials, username: string) {
    const scripts = flowScripts({ materials });
    const script = scripts.get("post");
    if (!script) throw new Error("post is not registered");
    const resolved = await scripts.resolve(script, { captions: "from the library", materials_tags: "proof" });
    if (!resolved.ok) throw new Error(JSON.stringify(resolved.errors));
    const run = flowContext(phone, "tiktok", { config: resolved.configs[0], materials, username, id: 41 });
    const error = await script.run(run.ctx).then(
      () => undefined,
      (e: unknown) => e,
    );
    await run.cleanup();
    return { ...run, error };
  }

  const unposted = async (materials: Materials, username: string, include = false) =>
    (
      await materials.checkUnposted(
        {
          ...Value.Create(postConfig),
          materials_tags: "proof",
          include_possibly_posted: include,
        },
        [{ serial: "s", username, tasks: 1, queued: [] }],
      )
    ).issues;

  test("proof found: recorded tapped, then posted with the proof and its screenshot; the file posted", async () => {
    const { phone, sim } = await startFlowPhone(work, { popups: false });
    const materials = await library();
    const username = `@${sim.apps.tiktok.account}`;
    const { error, records } = await runScript(phone, materials, username);
    expect(error).toBeUndefined();
    expect(records.map((r) => r.record.outcome)).toEqual(["tapped", "posted"]);
    const posted = records[1];
    expect(posted?.record).toMatchObject({ caption: "from the library", story: false, files: [video] });
    expect(posted?.record.proof?.check).toBe("caption");
    expect(posted?.screenshot?.length).toBeGreaterThan(0);
    expect((await materials.usesOf([video])).get(video)?.map((u) => [u.taskId, u.confirmed])).toEqual([
      [41, true],
    ]);
    expect((await unposted(materials, username))[0]?.message).toContain("all posted by");
    expect((await unposted(materials, username))[0]?.message).not.toContain("possibly");
  });

  test("unconfirmed: recorded so, the file possibly posted: skipped by default, and said so", async () => {
    const { phone, sim } = await startFlowPhone(work, { popups: false });
    tamper(sim, "tiktok", "drop");
    const materials = await library();
    const username = `@${sim.apps.tiktok.account}`;
    const { error, records } = await runScript(phone, materials, username);
    expect((error as ScriptError).reason).toBe("unconfirmed");
    expect(records.map((r) => r.record.outcome)).toEqual(["tapped", "unconfirmed"]);
    expect(records[1]?.record.message).toBe((error as Error).message);
    expect((await materials.usesOf([video])).get(video)?.map((u) => u.confirmed)).toEqual([false]);
    const [issue] = await unposted(materials, username);
    expect(issue?.message).toContain(
      "1 of them possibly: not seen on the account, include_possibly_posted picks them",
    );
    expect(await unposted(materials, username, true)).toEqual([]);
  });
});

test("captions: whitespace normalised; a cut caption proves ours from its first 40 characters", () => {
  const long = "a long caption that the app will cut short on its page, with #tags at the end";
  const claim = { caption: long, title: "", story: false };
  expect(captionMatches(long.replaceAll(" ", "  \n"), claim)).toBe(true);
  expect(captionMatches(`${long.slice(0, MIN_SHOWN_CAPTION)}… more`, claim)).toBe(true);
  expect(captionMatches(`${long.slice(0, MIN_SHOWN_CAPTION)}...`, claim)).toBe(true);
  expect(captionMatches(`${long.slice(0, MIN_SHOWN_CAPTION - 1)}…`, claim)).toBe(false);
  expect(captionMatches(long.slice(0, MIN_SHOWN_CAPTION), claim)).toBe(false);
  expect(captionMatches(`${long} extra`, claim)).toBe(false);
  expect(captionMatches(`farm1 ${long}`, claim, "@farm1")).toBe(true);
  expect(captionMatches("short…", { caption: "short", title: "", story: false })).toBe(true);
  // TikTok: the title and the description, as the app may join them
  expect(
    captionMatches("My title the words", { caption: "the words", title: "My title", story: false }),
  ).toBe(true);
});
