/**
 * The follow / unfollow flow end to end against virtual phones (real ADB over TCP, the simulated TikTok
 * and Instagram): the profile reached by its link or by search, the button tapped only when the state must
 * change, the new state read back from the screen, unknown users refused for good.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { VirtualPhone, VirtualPhoneOptions } from "@farm/virtual-phone";
import type { Phone } from "../../src/devices/index.ts";
import { ScriptError } from "../../src/scripts/errors.ts";
import { type FollowInput, type FollowResult, followFlow } from "../../src/scripts/follow/flow.ts";
import { flowContext, flowScripts, startFlowPhone, stopFlowPhones, TRILL } from "../helpers/flow.ts";

type Platform = "tiktok" | "instagram";

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "farm-follow-flow-"));
});
afterEach(stopFlowPhones);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const startPhone = (opts: VirtualPhoneOptions = {}) => startFlowPhone(work, opts);

/** Runs the flow like the runner would (cleanups after); the result or the error, and the log. */
async function run(phone: Phone, platform: Platform, input: FollowInput, controller?: AbortController) {
  const r = flowContext(phone, platform, { controller, dataDir: work });
  let result: FollowResult | undefined;
  let error: unknown;
  try {
    result = await followFlow(r.ctx, input);
  } catch (e) {
    error = e;
  }
  await r.cleanup();
  return { result, error, logs: r.logs, steps: r.steps.map((s) => s.name) };
}

const actions = (sim: VirtualPhone, platform: Platform) =>
  sim.apps[platform].actions.map((a) => `${a.type} ${a.target}`);

describe("follow then unfollow", () => {
  for (const platform of ["tiktok", "instagram"] as const) {
    for (const access of ["direct", "search"] as const) {
      test(`${platform}, ${access}: Follow tapped and read back as Following, then unfollowed through the confirm`, async () => {
        // popups on: the first-launch dialogs are dismissed on the way
        const { sim, phone } = await startPhone();
        const followed = await run(phone, platform, { action: "follow", user: "Cats.Daily", access });
        expect(followed.error).toBeUndefined();
        expect(followed.result?.outcome).toBe("followed");
        expect([...sim.apps[platform].following]).toEqual(["Cats.Daily"]);
        expect(followed.logs).toContain(`followed @Cats.Daily (the button reads "Following")`);
        expect(followed.steps).toContain("wait for the profile of @Cats.Daily");
        expect(followed.logs.filter((l) => l.startsWith("dismissed popup"))).toHaveLength(1);

        const unfollowed = await run(phone, platform, { action: "unfollow", user: "Cats.Daily", access });
        expect(unfollowed.error).toBeUndefined();
        expect(unfollowed.result?.outcome).toBe("unfollowed");
        expect(sim.apps[platform].following.size).toBe(0);
        expect(unfollowed.logs).toContain(`unfollowed @Cats.Daily (the button reads "Follow")`);
        // the search found the user's own row among similar names
        const searched = access === "search" ? ["search Cats.Daily"] : [];
        expect(actions(sim, platform)).toEqual([
          ...searched,
          "follow Cats.Daily",
          ...searched,
          "unfollow Cats.Daily",
        ]);
      });
    }
  }
});

describe("nothing to change", () => {
  for (const platform of ["tiktok", "instagram"] as const) {
    test(`${platform}: already following → success with a remark, nothing tapped`, async () => {
      const { sim, phone } = await startPhone({ popups: false });
      sim.apps[platform].following.add("natgeo");
      const { result, error, logs } = await run(phone, platform, {
        action: "follow",
        user: "natgeo",
        access: "direct",
      });
      expect(error).toBeUndefined();
      expect(result?.outcome).toBe("already following");
      expect(logs).toContain('already following @natgeo (the button reads "Following")');
      expect(result?.taps).toEqual([]);
      expect(sim.apps[platform].actions).toEqual([]);
      expect([...sim.apps[platform].following]).toEqual(["natgeo"]);
    });

    test(`${platform}: unfollow someone not followed → success with a remark, nothing tapped`, async () => {
      const { sim, phone } = await startPhone({ popups: false });
      const { result, error, logs } = await run(phone, platform, {
        action: "unfollow",
        user: "natgeo",
        access: "search",
      });
      expect(error).toBeUndefined();
      expect(result?.outcome).toBe("not following");
      expect(logs).toContain('not following @natgeo (the button reads "Follow")');
      expect(result?.taps.map((t) => t.what)).not.toContain("Following");
      expect(actions(sim, platform)).toEqual(["search natgeo"]);
    });
  }
});

describe("a user that does not exist", () => {
  const expected: Record<string, RegExp> = {
    "tiktok direct": /^TikTok has no user @nouser\.zz: it shows "Couldn't find this account"$/,
    "tiktok search": /^TikTok's search finds no user @nouser\.zz$/,
    "instagram direct": /^Instagram has no user @nouser\.zz: it shows "User not found"$/,
    "instagram search": /^Instagram's search finds no user @nouser\.zz$/,
  };
  for (const platform of ["tiktok", "instagram"] as const) {
    for (const access of ["direct", "search"] as const) {
      test(`${platform}, ${access}: a permanent failure naming the user`, async () => {
        const { sim, phone } = await startPhone({ popups: false });
        const { error } = await run(phone, platform, { action: "follow", user: "nouser.zz", access });
        expect(error).toBeInstanceOf(ScriptError);
        expect((error as ScriptError).errorClass).toBe("permanent");
        expect((error as Error).message).toMatch(expected[`${platform} ${access}`] as RegExp);
        expect(sim.apps[platform].following.size).toBe(0);
      });
    }
  }
});

test("the regional TikTok package: the link opens in com.ss.android.ugc.trill", async () => {
  const { sim, phone } = await startPhone({ popups: false, packages: [TRILL] });
  const { result, error } = await run(phone, "tiktok", {
    action: "follow",
    user: "someone",
    access: "direct",
  });
  expect(error).toBeUndefined();
  expect(result?.package).toBe(TRILL);
  expect([...sim.apps.tiktok.following]).toEqual(["someone"]);
  expect(sim.commands.some((c) => c.command.includes(`https://www.tiktok.com/@someone`))).toBe(true);
  expect(sim.commands.some((c) => c.command.includes(TRILL))).toBe(true);
});

test("stopped mid-flow: the abort wins, nothing is followed and nothing claimed", async () => {
  const { sim, phone } = await startPhone({ popups: false });
  const controller = new AbortController();
  const r = flowContext(phone, "tiktok", { controller, dataDir: work });
  // stopped the moment the app is open, before the search (as a user's stop lands between two steps)
  const step = r.ctx.step.bind(r.ctx);
  r.ctx.step = async (name, work) => {
    const value = await step(name, work);
    if (name === "open the app") controller.abort(new Error("stopped by user"));
    return value;
  };
  const error = await followFlow(r.ctx, { action: "follow", user: "someone", access: "search" }).catch(
    (e: unknown) => e,
  );
  await r.cleanup();
  expect((error as Error).message).toBe("stopped by user");
  expect(r.steps.map((s) => s.name)).toEqual(["check the app", "open the app", "search for @someone"]);
  expect(sim.apps.tiktok.following.size).toBe(0);
  expect(sim.apps.tiktok.actions).toEqual([]);
  expect(r.logs.filter((l) => /follow/.test(l))).toEqual([]);
});

test("the definition's run: the docs' example body follows the one user of its task", async () => {
  const { sim, phone } = await startPhone({ popups: false });
  const scripts = flowScripts({ dataDir: work });
  const script = await scripts.get("follow");
  if (!script) throw new Error("follow is not registered");
  const resolved = await scripts.resolve(script, { target_username: "tiktok", access_method: "direct" });
  if (!resolved.ok) throw new Error(JSON.stringify(resolved.errors));
  const [config] = resolved.configs;
  const r = flowContext(phone, "instagram", { config, dataDir: work });
  await script.run(r.ctx);
  await r.cleanup();
  expect([...sim.apps.instagram.following]).toEqual(["tiktok"]);
});
