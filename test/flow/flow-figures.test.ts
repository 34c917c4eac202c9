/**
 * The cost of each flow on a phone: one task of each kind on a fresh virtual phone (first-launch popups
 * on), its `uiautomator dump`s and taps counted on the phone's side. Each must succeed; `FLOW_COUNTS=1`
 * prints the table (the figures of issue 25's closing note).
 */
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { VirtualPhone } from "@farm/virtual-phone";
import { Value } from "@sinclair/typebox/value";
import type { WarmupConfig } from "../../src/scripts/account-warmup/config.ts";
import { warmupFlow } from "../../src/scripts/account-warmup/flow.ts";
import { accountWarmup } from "../../src/scripts/account-warmup/index.ts";
import { commentFlow } from "../../src/scripts/comment/flow.ts";
import { followFlow } from "../../src/scripts/follow/flow.ts";
import { matchAccounts } from "../../src/scripts/match-accounts/index.ts";
import { postConfig } from "../../src/scripts/post/config.ts";
import { postFlow } from "../../src/scripts/post/flow.ts";
import { useTaskAccount } from "../../src/scripts/screen/accounts.ts";
import { flowContext, flowScripts, startFlowPhone, stopFlowPhones } from "../helpers/flow.ts";

let work: string;
let video: string;
const figures: { flow: string; dumps: number; taps: number }[] = [];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "farm-figures-"));
  video = join(work, "clip.mp4");
  writeFileSync(video, Buffer.alloc(50_000, 7));
});
afterEach(stopFlowPhones);
afterAll(() => {
  if (process.env.FLOW_COUNTS) {
    console.log(
      figures
        .map(
          (f) =>
            `${f.flow.padEnd(44)} ${String(f.dumps).padStart(3)} dumps ${String(f.taps).padStart(3)} taps`,
        )
        .join("\n"),
    );
  }
  rmSync(work, { recursive: true, force: true });
});

const counted = (sim: VirtualPhone, what: RegExp) => sim.commands.filter((c) => what.test(c.command)).length;

/** Runs `work` on a fresh phone and records its dumps and taps under `flow`. */
function figure(
  flow: string,
  platform: "tiktok" | "instagram",
  work_: (run: ReturnType<typeof flowContext>, sim: VirtualPhone) => Promise<unknown>,
  phoneOptions: Parameters<typeof startFlowPhone>[1] = {},
) {
  test(flow, async () => {
    const { sim, phone } = await startFlowPhone(work, phoneOptions);
    const run = flowContext(phone, platform, { dataDir: work });
    await work_(run, sim);
    await run.cleanup();
    figures.push({
      flow,
      dumps: counted(sim, /uiautomator dump/),
      taps: counted(sim, /^input tap/),
    });
  });
}

const POST = { ...Value.Create(postConfig), upload_wait_time: 30 };
const posting = (post_way: string, placement = "reel") => ({
  files: [video],
  kind: "video" as const,
  caption: "Hello farm #cats",
  settings: { ...POST, post_way, placement } as typeof POST,
});

for (const way of ["share", "addButton"]) {
  figure(`post tiktok ${way}`, "tiktok", async (run) => {
    await postFlow(run.ctx, posting(way));
  });
  figure(`post instagram reel ${way}`, "instagram", async (run) => {
    await postFlow(run.ctx, posting(way));
  });
}
for (const platform of ["tiktok", "instagram"] as const) {
  figure(`post ${platform} share, a 30 s upload`, platform, async (run, sim) => {
    sim.apps[platform].uploadMs = 30_000;
    await postFlow(run.ctx, { ...posting("share"), settings: { ...POST, upload_wait_time: 60 } });
  });
}
figure("post instagram story share", "instagram", async (run) => {
  await postFlow(run.ctx, posting("share", "story"));
});
for (const platform of ["tiktok", "instagram"] as const) {
  figure(`follow ${platform} by link, then unfollow`, platform, async (run) => {
    await followFlow(run.ctx, { action: "follow", user: "cats.daily", access: "direct" });
    await followFlow(run.ctx, { action: "unfollow", user: "cats.daily", access: "direct" });
  });
  figure(`follow ${platform} by search`, platform, async (run) => {
    await followFlow(run.ctx, { action: "follow", user: "cats.daily", access: "search" });
  });
}
figure("comment tiktok", "tiktok", async (run) => {
  await commentFlow(run.ctx, {
    url: "https://www.tiktok.com/@chef.marco/video/7301234567890123999",
    text: "So good",
  });
});
figure("comment instagram", "instagram", async (run) => {
  await commentFlow(run.ctx, { url: "https://www.instagram.com/p/C9xYz12AbCd/", text: "So good" });
});
for (const platform of ["tiktok", "instagram"] as const) {
  figure(`account_warmup ${platform} (10 s, all actions)`, platform, async (run) => {
    const resolved = await flowScripts().resolve(accountWarmup as never, { task_duration: 30 });
    if (!resolved.ok) throw new Error("the defaults do not resolve");
    const c: WarmupConfig = {
      ...(resolved.configs[0] as WarmupConfig),
      min_duration: 1,
      max_duration: 1,
      like_probable: 100,
      floow_probable: 100,
      collect_probable: 100,
      comment_probable: 100,
      comment: "Love this",
      task_duration: 10,
    };
    const summary = await warmupFlow(run.ctx, c, { random: () => 0.5 });
    expect(summary.videos).toBeGreaterThan(0);
  });
}
const accounts = { tiktok: ["ana.farm", "bo_farm"], instagram: ["ig_one", "ig_two"] };
for (const platform of ["tiktok", "instagram"] as const) {
  figure(
    `account switch ${platform}`,
    platform,
    async (run) => {
      const switched = await useTaskAccount(
        flowContext(run.ctx.phone, platform, { username: accounts[platform][1] }).ctx,
      );
      expect(switched.username).toBe(accounts[platform][1] as string);
    },
    { accounts },
  );
}
figure(
  "match_accounts (both apps)",
  "tiktok",
  async (run, sim) => {
    await matchAccounts.run(run.ctx as never);
    expect(sim.apps.instagram.accounts).toEqual(accounts.instagram);
  },
  { accounts },
);
