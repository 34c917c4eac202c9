/**
 * The account_warmup flow end to end against virtual phones (real ADB over TCP, the simulated TikTok and
 * Instagram), with a few seconds of budget: what was liked, followed, saved and commented in the apps,
 * the topic searched, comments from a stand-in chat-completions server (and the fallback when it fails),
 * the sequential order, and a stop in the middle.
 */
import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  FEED,
  REELS,
  reelKey,
  topicReels,
  topicVideos,
  type VirtualPhone,
  type VirtualPhoneOptions,
  videoKey,
} from "@farm/virtual-phone";
import { Materials } from "../../src/materials/index.ts";
import type { WarmupConfig } from "../../src/scripts/account-warmup/config.ts";
import { warmupFlow } from "../../src/scripts/account-warmup/flow.ts";
import { accountWarmup } from "../../src/scripts/account-warmup/index.ts";
import { ScriptError } from "../../src/scripts/errors.ts";
import { closeDb, openDb } from "../../src/store/db.ts";
import {
  advanceUntil,
  FLOW_REALISTIC,
  flowContext,
  flowScripts,
  startFlowPhone,
  stopFlowPhones,
} from "../helpers/flow.ts";

const KEY = "sk-TESTONLY-warmup-key-9f8e7d";

// each run spends its few seconds of budget on a phone
setDefaultTimeout(30_000);

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "farm-warmup-flow-"));
});
afterEach(stopFlowPhones);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const scripts = flowScripts();

/**
 * How much longer a run takes on a realistic phone (each screen change 300–800 ms, each tap's effect
 * waited for): budgets and waits are scaled by it, so that a run sees as many videos either way.
 */
const SLOW = FLOW_REALISTIC ? 4 : 1;

/** A config as the schema resolves it, with a budget of a few seconds (below the API's minimum of 30). */
async function config(over: Partial<WarmupConfig> = {}): Promise<WarmupConfig> {
  const resolved = await scripts.resolve(accountWarmup as never, { task_duration: 30 });
  if (!resolved.ok) throw new Error("the defaults do not resolve");
  return {
    ...(resolved.configs[0] as WarmupConfig),
    min_duration: 1,
    max_duration: 1,
    ...over,
    task_duration: (over.task_duration ?? 5) * SLOW,
  };
}

const ALL: Partial<WarmupConfig> = {
  like_probable: 100,
  floow_probable: 100,
  collect_probable: 100,
  comment_probable: 100,
  comment: "Love this\nSo good",
};

async function warm(
  platform: "tiktok" | "instagram",
  c: WarmupConfig,
  materials?: Materials,
  phoneOptions: VirtualPhoneOptions = {},
) {
  const { sim, phone } = await startFlowPhone(work, phoneOptions);
  const run = flowContext(phone, platform, { config: c, materials });
  const summary = await warmupFlow(run.ctx, c);
  return { sim, summary, logs: run.logs, steps: run.steps };
}

const actionsOf = (sim: VirtualPhone, app: "tiktok" | "instagram", type: string) =>
  sim.apps[app].actions.filter((a) => a.type === type);

/** A chat-completions stand-in that records what it was asked and answers with `reply` (or fails). */
function chatServer(answer: { reply: string } | { status: number; body: string }) {
  const requests: { auth: string | null; body: any; path: string }[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      requests.push({
        auth: req.headers.get("authorization"),
        body: await req.json(),
        path: new URL(req.url).pathname,
      });
      if ("status" in answer) return new Response(answer.body, { status: answer.status });
      return Response.json({
        choices: [{ index: 0, message: { role: "assistant", content: answer.reply } }],
      });
    },
  });
  return { requests, url: `http://127.0.0.1:${server.port}/v1`, stop: () => server.stop(true) };
}

describe("TikTok", () => {
  test("probabilities 100: every video is liked, its author followed, saved and commented", async () => {
    // the dump budget is about the flow's own looks: screen changes here are instant, dumps never refused
    const instant = FLOW_REALISTIC
      ? { realistic: { changeMs: [0, 0] as [number, number], idleFailureShare: 0 } }
      : {};
    const { sim, summary } = await warm(
      "tiktok",
      await config({ ...ALL, task_duration: 7 }),
      undefined,
      instant,
    );
    // every video but maybe the last (the budget ran out while it played) was acted on
    expect(summary.comments).toBeGreaterThanOrEqual(2);
    expect(summary.videos - summary.comments).toBeLessThanOrEqual(1);
    const acted = FEED.slice(0, Math.min(summary.comments, FEED.length));
    // the feed loops over FEED: a video met again is already liked and saved, and is not undone
    expect(actionsOf(sim, "tiktok", "like").map((a) => a.target)).toEqual(acted.map(videoKey));
    expect(actionsOf(sim, "tiktok", "favorite").map((a) => a.target)).toEqual(acted.map(videoKey));
    expect(actionsOf(sim, "tiktok", "follow").map((a) => a.target)).toEqual(acted.map((v) => v.author));
    expect(actionsOf(sim, "tiktok", "unlike")).toEqual([]);
    expect(actionsOf(sim, "tiktok", "unfavorite")).toEqual([]);
    const comments = actionsOf(sim, "tiktok", "comment");
    expect(comments.length).toBe(summary.comments);
    for (const c of comments) expect(["Love this", "So good"]).toContain(c.text as string);
    expect(summary).toMatchObject({
      topic: null,
      likes: acted.length,
      follows: acted.length,
      saves: acted.length,
    });
    // one dump per video, one per tap on it to see it took (like, follow, favourite), five for a comment
    // (the sheet open, the field focused, the text in it, sent, the sheet closed), a few to start
    const taps = summary.likes + summary.follows + summary.saves;
    expect(summary.dumps).toBeLessThanOrEqual(summary.videos + taps + 5 * summary.comments + 3);
  });

  test("probabilities 0: it watches and swipes on, touching nothing", async () => {
    const { sim, summary, logs } = await warm(
      "tiktok",
      await config({ task_duration: 4, comment: "unused" }),
    );
    expect(summary.videos).toBeGreaterThanOrEqual(2);
    expect(sim.apps.tiktok.actions).toEqual([]);
    // it swiped: the second video is another one
    expect(logs).toContainEqual(`watching @${FEED[0]?.author}: "${FEED[0]?.desc}"`);
    expect(logs).toContainEqual(`watching @${FEED[1]?.author}: "${FEED[1]?.desc}"`);
    expect(logs.at(-1)).toMatch(
      /^watched \d+ video\(s\): 0 like\(s\), 0 follow\(s\), 0 save\(s\), 0 comment\(s\)/,
    );
    expect(summary).toMatchObject({ likes: 0, follows: 0, saves: 0, comments: 0 });
  });

  test("a comment sheet left open (BACK only hid the keyboard) is closed before the next video", async () => {
    const { sim, phone, clock } = await startFlowPhone(work);
    clock.hold();
    const c = await config({ task_duration: 4 });
    const run = flowContext(phone, "tiktok", { config: c });
    const flow = warmupFlow(run.ctx, c);
    // while the first video plays, the sheet comes up as if a comment had been left open
    await advanceUntil(clock, "the first video", () => run.logs.some((l) => l.startsWith("watching")));
    sim.apps.tiktok.tapAction("comments");
    clock.release();
    const summary = await flow;
    expect(summary.videos).toBeGreaterThanOrEqual(2);
    expect(sim.apps.tiktok.commentsOpen).toBe(false);
    expect(sim.apps.tiktok.actions).toEqual([]);
  });

  test("a screen without a video is swiped on; three in a row end the run as retryable", async () => {
    const { sim, phone, clock } = await startFlowPhone(work);
    clock.hold();
    const c = await config({ task_duration: 20 });
    const run = flowContext(phone, "tiktok", { config: c });
    const flow = warmupFlow(run.ctx, c, { videoWaitMs: 600 });
    await advanceUntil(clock, "the first video", () => run.logs.some((l) => l.startsWith("watching")));
    // the app leaves the feed (a swipe on the Friends page changes nothing): no video comes
    sim.apps.tiktok.tapAction("nav:friends");
    clock.release();
    const error = await flow.then(
      () => null,
      (e) => e,
    );
    expect(error).toBeInstanceOf(ScriptError);
    expect(error).toMatchObject({
      errorClass: "retryable",
      message: "screen never came: a video did not appear within 1 s",
    });
    expect(run.logs.filter((l) => l.startsWith("no video on screen")).length).toBe(2);
  });

  test("a screen without a video that goes away after a swipe: the run goes on", async () => {
    const { sim, phone, clock } = await startFlowPhone(work);
    clock.hold();
    const c = await config({ task_duration: 5 });
    const run = flowContext(phone, "tiktok", { config: c });
    const flow = warmupFlow(run.ctx, c, { videoWaitMs: 600 * SLOW });
    await advanceUntil(clock, "the first video", () => run.logs.some((l) => l.startsWith("watching")));
    sim.apps.tiktok.tapAction("nav:friends");
    await advanceUntil(clock, "a swipe past it", () =>
      run.logs.some((l) => l.startsWith("no video on screen")),
    );
    sim.apps.tiktok.tapAction("nav:home");
    clock.release();
    const summary = await flow;
    expect(summary.videos).toBeGreaterThanOrEqual(2);
  });

  test("a topic: it searches it and watches the Videos tab's videos, swiping through them", async () => {
    const { sim, summary } = await warm(
      "tiktok",
      await config({ topic: "cats", like_probable: 100, task_duration: 5 }),
    );
    expect(summary.topic).toBe("cats");
    expect(actionsOf(sim, "tiktok", "search").map((a) => a.target)).toEqual(["cats"]);
    const liked = actionsOf(sim, "tiktok", "like").map((a) => a.target);
    expect(liked.length).toBeGreaterThanOrEqual(2);
    expect(liked).toEqual(topicVideos("cats").slice(0, liked.length).map(videoKey));
  });

  test("a ChatGPT comment: the stand-in gets the key, the model and the caption, and its reply is posted", async () => {
    const chat = chatServer({ reply: '"Such a cute cat, made my day!"' });
    try {
      const c = await config({
        topic: "cats",
        comment_probable: 100,
        generate_by_chatgpt: true,
        chatgpt_settings: {
          ...(await config()).chatgpt_settings,
          api_key: KEY,
          model: "gpt-test",
          base_url: chat.url,
        },
        task_duration: 4,
      });
      const { sim, summary, logs } = await warm("tiktok", c);
      const comments = actionsOf(sim, "tiktok", "comment");
      expect(comments.length).toBeGreaterThanOrEqual(1);
      // quotes around a one-liner are taken off
      expect(comments[0]).toMatchObject({
        target: videoKey(topicVideos("cats")[0] as never),
        text: "Such a cute cat, made my day!",
      });
      expect(summary.generated).toBe(comments.length);
      const first = chat.requests[0];
      expect(first?.path).toBe("/v1/chat/completions");
      expect(first?.auth).toBe(`Bearer ${KEY}`);
      expect(first?.body).toMatchObject({ model: "gpt-test", max_tokens: 100, temperature: 0.7 });
      const caption = topicVideos("cats")[0]?.desc as string;
      expect(first?.body.messages[0].role).toBe("system");
      expect(first?.body.messages[0].content).toContain(caption);
      expect(first?.body.messages[1]).toEqual({ role: "user", content: `Video caption: ${caption}` });
      for (const line of logs) expect(line).not.toContain(KEY);
    } finally {
      chat.stop();
    }
  });

  test("ChatGPT fails (500): a template is posted instead, the log says why, never the key", async () => {
    // the error body echoes the key, as some endpoints do: it must not reach the log
    const chat = chatServer({ status: 500, body: `{"error":"upstream down for key ${KEY}"}` });
    try {
      const c = await config({
        comment_probable: 100,
        comment: "Fallback comment",
        generate_by_chatgpt: true,
        chatgpt_settings: { ...(await config()).chatgpt_settings, api_key: KEY, base_url: chat.url },
        task_duration: 4,
      });
      const { sim, summary, logs } = await warm("tiktok", c);
      const comments = actionsOf(sim, "tiktok", "comment");
      expect(comments.length).toBeGreaterThanOrEqual(1);
      for (const comment of comments) expect(comment.text).toBe("Fallback comment");
      expect(summary.generated).toBe(0);
      expect(chat.requests.length).toBe(comments.length);
      const why = logs.filter((l) => l.startsWith("ChatGPT comment failed"));
      expect(why.length).toBe(comments.length);
      expect(why[0]).toMatch(/answered 500: .*upstream down for key \*\*\*.*a template is used instead$/);
      for (const line of logs) {
        expect(line).not.toContain(KEY);
        expect(line).not.toContain("TESTONLY");
      }
    } finally {
      chat.stop();
    }
  });

  test("sequential order: the templates in turn, continuing from the last task's", async () => {
    const db = openDb(join(work, "seq.db"));
    const materials = new Materials(db, { uploadDir: join(work, "uploads"), maxUploadBytes: 1 << 20 });
    try {
      const c = await config({
        comment_probable: 100,
        comment: "one\ntwo\nthree",
        comment_order: "sequential",
        task_duration: 6,
      });
      const { sim } = await warm("tiktok", c, materials);
      const texts = actionsOf(sim, "tiktok", "comment").map((a) => a.text);
      expect(texts.length).toBeGreaterThanOrEqual(2);
      const cycle = ["one", "two", "three"];
      expect(texts).toEqual(texts.map((_, i) => cycle[i % 3]));
      // the next task goes on where this one stopped
      const next = await warm("tiktok", await config({ ...c, task_duration: 3 }), materials);
      const more = actionsOf(next.sim, "tiktok", "comment").map((a) => a.text);
      expect(more[0]).toBe(cycle[texts.length % 3]);
    } finally {
      closeDb(db);
    }
  });

  test("stopped mid-flow: the run rejects with the stop's reason and does nothing more", async () => {
    const { sim, phone, clock } = await startFlowPhone(work);
    clock.hold();
    const controller = new AbortController();
    const c = await config({ like_probable: 100, task_duration: 60 });
    const run = flowContext(phone, "tiktok", { config: c, controller });
    const flow = warmupFlow(run.ctx, c);
    await advanceUntil(clock, "the first like", () => sim.apps.tiktok.actions.length > 0);
    const reason = new Error("stopped by user");
    controller.abort(reason);
    await expect(flow).rejects.toBe(reason);
    await flow.catch(() => {});
    const count = sim.apps.tiktok.actions.length;
    // 1.5 s on, and a round trip to the phone later (a tap sent before the stop has arrived), nothing more
    clock.advance(1500);
    await phone.shell("true");
    expect(sim.apps.tiktok.actions.length).toBe(count);
    // stopped long before the 60 s budget: only the videos until the stop were counted
    expect(run.logs.at(-1)).toMatch(/^watched [12] video\(s\)/);
  });
});

describe("Instagram", () => {
  test("no topic: the Reels tab; probabilities 100 like, follow, save and comment every reel", async () => {
    const { sim, summary } = await warm("instagram", await config({ ...ALL, task_duration: 7 }));
    expect(summary.comments).toBeGreaterThanOrEqual(2);
    expect(summary.videos - summary.comments).toBeLessThanOrEqual(1);
    const acted = REELS.slice(0, Math.min(summary.comments, REELS.length));
    expect(actionsOf(sim, "instagram", "like").map((a) => a.target)).toEqual(acted.map(reelKey));
    expect(actionsOf(sim, "instagram", "favorite").map((a) => a.target)).toEqual(acted.map(reelKey));
    expect(actionsOf(sim, "instagram", "follow").map((a) => a.target)).toEqual(acted.map((r) => r.author));
    const comments = actionsOf(sim, "instagram", "comment");
    expect(comments.map((c) => c.target)).toEqual(
      Array.from({ length: summary.comments }, (_, i) => reelKey(REELS[i % REELS.length] as never)),
    );
    for (const c of comments) expect(["Love this", "So good"]).toContain(c.text as string);
    expect(actionsOf(sim, "instagram", "unlike")).toEqual([]);
  });

  test("a topic: search, its results grid, then its reels", async () => {
    const { sim, summary, logs } = await warm(
      "instagram",
      await config({ topic: "\n  yoga  \n", like_probable: 100, task_duration: 5 }),
    );
    expect(summary.topic).toBe("yoga");
    expect(actionsOf(sim, "instagram", "search").map((a) => a.target)).toEqual(["yoga"]);
    const liked = actionsOf(sim, "instagram", "like").map((a) => a.target);
    expect(liked.length).toBeGreaterThanOrEqual(2);
    expect(liked).toEqual(topicReels("yoga").slice(0, liked.length).map(reelKey));
    // the caption is read from the dump
    expect(logs).toContainEqual(`watching @yoga.daily: "${topicReels("yoga")[0]?.caption}"`);
  });
});

describe("the config", () => {
  // the public docs' example body for account_warmup, with every documented field
  const DOCS_EXAMPLE = {
    task_duration: 600,
    topic: "fitness\ncooking",
    min_duration: 15,
    max_duration: 30,
    like_probable: 30,
    floow_probable: 10,
    collect_probable: 10,
    comment_probable: 5,
    comment: "Nice!\nLove it\nAmazing content",
    insert_emoji: true,
    comment_order: "random",
    generate_by_chatgpt: true,
    chatgpt_settings: {
      api_key: "sk-xxxxxxxxxxxxxxxx",
      model: "gpt-3.5-turbo",
      prompt: "Write a short, friendly comment for this video",
      max_tokens: 100,
      temperature: 0.7,
    },
  };

  test("the docs' example body resolves, defaults filled in", async () => {
    const r = await scripts.resolve(accountWarmup as never, DOCS_EXAMPLE);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.configs).toHaveLength(1);
    expect(r.configs[0]).toMatchObject({
      ...DOCS_EXAMPLE,
      follow_probable: 0,
      chatgpt_settings: { ...DOCS_EXAMPLE.chatgpt_settings, base_url: "https://api.openai.com/v1" },
    });
  });

  test("follow_probable is floow_probable's synonym: the larger of the two is the chance", async () => {
    const r = await scripts.resolve(accountWarmup as never, { follow_probable: 100, comment: "" });
    expect(r.ok).toBe(true);
    const c = await config({ follow_probable: 100, floow_probable: 0, task_duration: 4 });
    const { sim, summary } = await warm("tiktok", c);
    expect(summary.follows).toBeGreaterThanOrEqual(1);
    expect(actionsOf(sim, "tiktok", "follow").length).toBe(summary.follows);
  });

  test("the script's run fills in what a stored config lacks (a task stored before follow_probable existed)", async () => {
    const { sim, phone } = await startFlowPhone(work);
    // as stored by an older version: no follow_probable, comment_order or chatgpt_settings
    const stored = {
      task_duration: 3 * SLOW,
      min_duration: 1,
      max_duration: 1,
      floow_probable: 100,
      comment: "",
    };
    const run = flowContext(phone, "tiktok", { config: stored });
    await accountWarmup.run(run.ctx as never);
    expect(actionsOf(sim, "tiktok", "follow").length).toBeGreaterThanOrEqual(1);
    expect(run.logs.at(-1)).toMatch(/^watched \d+ video\(s\): 0 like\(s\), [1-9]\d* follow\(s\)/);
  });

  test("refusals name the field: no key to generate with, nothing to comment with, a bad temperature", async () => {
    const errors = async (raw: Record<string, unknown>) => {
      const r = await scripts.resolve(accountWarmup as never, raw);
      return r.ok ? [] : r.errors;
    };
    expect(await errors({ generate_by_chatgpt: true })).toContainEqual({
      path: "/script_config/chatgpt_settings/api_key",
      message: "required when generate_by_chatgpt is true",
    });
    expect((await errors({ comment_probable: 1 }))[0]?.path).toBe("/script_config/comment");
    expect(
      await errors({ comment_probable: 1, generate_by_chatgpt: true, chatgpt_settings: { api_key: "k" } }),
    ).toEqual([]);
    expect((await errors({ chatgpt_settings: { temperature: 2.5 } }))[0]?.path).toBe(
      "/script_config/chatgpt_settings/temperature",
    );
    expect((await errors({ comment_order: "shuffled" }))[0]?.path).toBe("/script_config/comment_order");
    expect((await errors({ chatgpt_settings: { base_url: "api.openai.com" } }))[0]?.path).toBe(
      "/script_config/chatgpt_settings/base_url",
    );
  });
});
